import DataTable
import LinearAlgebra

/// How to fit a linear model with absorbed fixed effects (`y ~ x1 + x2 | la_code + year`),
/// beyond the formula and the data: fixest's `feols`.
public struct FixedEffectsOptions: ModelSpecification {
    /// The standard errors.
    public var standardErrors: PanelStandardErrors
    /// How clustered errors are scaled.
    public var convention: SmallSampleConvention
    /// Confidence level of the intervals.
    public var level: Double
    /// A column of analytic (inverse-variance) weights, as `lm(weights =)`.
    public var weights: String?
    /// Rank tolerance for the coefficients of interest (nil: the default of `PivotedQR`).
    public var tolerance: Double?
    /// Relative accuracy at which alternating projections stop, where the levels are too many
    /// to solve exactly.
    public var projectionTolerance: Double
    /// Columns that must be present in a row for it to be used.
    public var alsoRequire: [String]

    /// Options with classical errors, fixest's convention and 95% intervals unless told otherwise.
    public init(
        standardErrors: PanelStandardErrors = .classical, convention: SmallSampleConvention = .fixest, level: Double = 0.95,
        weights: String? = nil, tolerance: Double? = nil, projectionTolerance: Double = 1e-12, alsoRequire: [String] = []
    ) {
        self.standardErrors = standardErrors
        self.convention = convention
        self.level = level
        self.weights = weights
        self.tolerance = tolerance
        self.projectionTolerance = projectionTolerance
        self.alsoRequire = alsoRequire
    }

    public var columns: [String] { ([weights].compactMap { $0 }) + standardErrors.clusterColumns }

    public func fit(_ formula: Formula, data: DataTable, backend: (any Backend)?) throws(ModelError) -> FixedEffectsFit {
        try FixedEffectsModel.fit(formula, data: data, options: self, backend: backend)
    }
}
