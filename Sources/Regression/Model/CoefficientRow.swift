/// One row of a coefficient table.
public struct CoefficientRow: Sendable {
    /// R's name for the coefficient.
    public let term: String
    /// `nil` when the term is aliased (R prints `NA`).
    public let estimate: Double?
    /// Its standard error, by the fit's estimator.
    public let standardError: Double?
    /// The t statistic.
    public let statistic: Double?
    /// Two-sided p-value from t (residual degrees of freedom, or G - 1 for cluster-robust errors).
    public let pValue: Double?
    /// The confidence interval at the fit's level.
    public let confidenceLow: Double?
    /// The interval's upper end (``confidenceLow`` is its lower).
    public let confidenceHigh: Double?
    /// Degrees of freedom of the test and interval.
    public let degreesOfFreedom: Double?
    /// Whether the term is aliased (collinear with earlier ones), as R prints `NA`.
    public var aliased: Bool { estimate == nil }
}
