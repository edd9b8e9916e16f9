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

extension CoefficientRow {
    /// The t table of `estimates` (`NaN`: aliased) under `covariance`: each test on the
    /// covariance's degrees of freedom, or its per-coefficient ones where it has them; infinite
    /// degrees of freedom are z tests.
    static func tTable(names: [String], estimates: [Double], covariance: CovarianceEstimate, level: Double) -> [CoefficientRow] {
        let common = covariance.degreesOfFreedom
        func quantile(_ df: Double) -> Double {
            df.isFinite ? Distributions.studentTQuantile(1 - (1 - level) / 2, df: df) : Distributions.normalQuantile(1 - (1 - level) / 2)
        }
        let commonQuantile = quantile(common)
        return names.enumerated().map { j, name in
            let b = estimates[j]
            guard !b.isNaN else {
                return CoefficientRow(
                    term: name, estimate: nil, standardError: nil, statistic: nil, pValue: nil,
                    confidenceLow: nil, confidenceHigh: nil, degreesOfFreedom: nil)
            }
            let df = covariance.coefficientDegreesOfFreedom?[j] ?? common
            let q = df == common ? commonQuantile : quantile(df)
            let se = covariance.matrix[j, j].squareRoot()
            let t = b / se
            let p = df.isFinite ? Distributions.studentTTwoSided(t, df: df) : 2 * Distributions.normalSF(abs(t))
            return CoefficientRow(
                term: name, estimate: b, standardError: se, statistic: t, pValue: p, confidenceLow: b - q * se,
                confidenceHigh: b + q * se, degreesOfFreedom: df)
        }
    }

    /// A linear model's variance of each row's response, `sigma^2 / w` (infinite at weight 0).
    static func gaussianVariances(sigma: Double, weights: [Double]?, rows: Int) -> [Double] {
        let s2 = sigma * sigma
        return weights.map { w in w.map { $0 > 0 ? s2 / $0 : .infinity } } ?? [Double](repeating: s2, count: rows)
    }
}
