import DataTable
import LinearAlgebra

/// How to fit a linear model by least squares, beyond the formula and the data.
public struct LinearModelOptions: ModelSpecification {
    /// Rank tolerance for aliasing (`PivotedQR`); nil for the default `p * sqrt(n) * eps`.
    public var tolerance: Double?
    /// The standard errors' estimator.
    public var standardErrors: StandardErrorKind
    /// Confidence level of the intervals.
    public var level: Double
    /// A column of weights, read as ``weightKind`` says.
    public var weights: String?
    /// How the weights are read.
    public var weightKind: WeightKind
    /// Columns that must be present in a row for it to be used (nested comparisons).
    public var alsoRequire: [String]

    /// The options of a least-squares fit (classical errors, 95% intervals, unweighted, unless told otherwise).
    public init(
        tolerance: Double? = nil, standardErrors: StandardErrorKind = .classical, level: Double = 0.95,
        weights: String? = nil, weightKind: WeightKind = .analytic, alsoRequire: [String] = []
    ) {
        self.tolerance = tolerance
        self.standardErrors = standardErrors
        self.level = level
        self.weights = weights
        self.weightKind = weightKind
        self.alsoRequire = alsoRequire
    }

    public var columns: [String] { [weights, standardErrors.clusterColumn].compactMap { $0 } }

    public func fit(_ formula: Formula, data: DataTable, backend: (any Backend)?) throws(ModelError) -> LinearModelFit {
        try LinearModel.fit(formula, data: data, options: self, backend: backend)
    }
}
