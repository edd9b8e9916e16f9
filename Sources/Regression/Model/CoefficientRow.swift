/// One row of a coefficient table.
public struct CoefficientRow: Sendable {
    /// R's name for the coefficient.
    public let term: String
    /// `nil` when the term is aliased (R prints `NA`).
    public let estimate: Double?
    public let standardError: Double?
    /// The t statistic.
    public let statistic: Double?
    /// Two-sided p-value from t (residual degrees of freedom, or G - 1 for cluster-robust errors).
    public let pValue: Double?
    /// The confidence interval at the fit's level.
    public let confidenceLow: Double?
    public let confidenceHigh: Double?
    /// Degrees of freedom of the test and interval.
    public let degreesOfFreedom: Double?
    public var aliased: Bool { estimate == nil }
}
