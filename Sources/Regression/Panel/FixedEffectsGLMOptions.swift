import DataTable
import LinearAlgebra

/// How to fit a count model with absorbed fixed effects (`y ~ x | la_code + year`), beyond the
/// formula and the data: fixest's `fepois` and `fenegbin`, with a log link.
public struct FixedEffectsGLMOptions: ModelSpecification {
    /// Poisson, quasi-Poisson or negative binomial (theta by maximum likelihood unless fixed).
    public var family: GLMFamily
    /// A column of exposures whose log is the offset.
    public var exposure: String?
    /// A column of prior weights, as `glm(weights =)`.
    public var weights: String?
    /// A fixed theta for the negative binomial (nil: estimated).
    public var theta: Double?
    /// The standard errors (z tests, as glm and PyFixest's fepois).
    public var standardErrors: PanelStandardErrors
    /// How clustered errors are scaled.
    public var convention: SmallSampleConvention
    /// Confidence level of the intervals.
    public var level: Double
    /// Most IRLS iterations per fit (and, for the negative binomial, alternations with theta).
    public var maxIterations: Int
    /// When IRLS stops: at the optimum (the default) or by R's deviance rule.
    public var convergence: ConvergenceRule
    /// Relative accuracy at which alternating projections stop.
    public var projectionTolerance: Double
    /// Columns that must be present in a row for it to be used.
    public var alsoRequire: [String]

    /// The families with absorbed effects: counts with the log link.
    public static let families: [GLMFamily] = [.poisson, .quasipoisson, .negbin]

    /// Options for `family`, classical errors, fixest's convention and 95% intervals unless told otherwise.
    public init(
        family: GLMFamily, exposure: String? = nil, weights: String? = nil, theta: Double? = nil,
        standardErrors: PanelStandardErrors = .classical, convention: SmallSampleConvention = .fixest, level: Double = 0.95,
        maxIterations: Int = 25, convergence: ConvergenceRule = .optimum, projectionTolerance: Double = 1e-12,
        alsoRequire: [String] = []
    ) {
        self.family = family
        self.exposure = exposure
        self.weights = weights
        self.theta = theta
        self.standardErrors = standardErrors
        self.convention = convention
        self.level = level
        self.maxIterations = maxIterations
        self.convergence = convergence
        self.projectionTolerance = projectionTolerance
        self.alsoRequire = alsoRequire
    }

    public var columns: [String] { [exposure, weights].compactMap { $0 } + standardErrors.clusterColumns }

    public func fit(_ formula: Formula, data: DataTable, backend: (any Backend)?) throws(ModelError) -> FixedEffectsGLMFit {
        try FixedEffectsGLM.fit(formula, data: data, options: self, backend: backend)
    }
}
