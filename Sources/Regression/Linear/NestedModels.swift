import DataTable

/// The F test of nested linear models fitted to the same rows, as R's `anova(fit1, fit2, ...)`.
public struct NestedModelComparison: Sendable {
    /// One model of the comparison.
    public struct Row: Sendable {
        /// The model's formula.
        public let formula: String
        /// Its residual degrees of freedom.
        public let residualDF: Int
        /// Its residual sum of squares.
        public let rss: Double
        /// Against the previous model; nil for the first.
        public let df: Int?
        /// The reduction in RSS from the model before (nil for the first).
        public let sumOfSquares: Double?
        /// The F statistic against the model before.
        public let f: Double?
        /// Its p-value.
        public let pValue: Double?
    }

    /// One row per model, smallest first.
    public let rows: [Row]
    /// The observations every model was fitted to.
    public let observations: Int

    /// Fits each formula to the rows complete for all of them and tests each against the one
    /// before, with the largest model's residual variance as the denominator (as R does);
    /// `weights` names a column of weights (weighted sums of squares), read as `weightKind` says.
    public static func compare(
        _ formulas: [Formula], data: DataTable, weights: String? = nil, weightKind: WeightKind = .analytic
    ) throws(ModelError) -> NestedModelComparison {
        for f in formulas { try f.requireColumns(in: data) }
        var all = [String]()
        for f in formulas { for v in f.variables where !all.contains(v) { all.append(v) } }
        var fits = [LinearModelFit]()
        for f in formulas { fits.append(try LinearModel.fit(f, data: data, weights: weights, weightKind: weightKind, alsoRequire: all)) }
        let scale = fits.min { $0.residualDegreesOfFreedom < $1.residualDegreesOfFreedom }!
        let sigma2 = scale.residualSumOfSquares / Double(scale.residualDegreesOfFreedom)
        var rows = [Row]()
        for (k, fit) in fits.enumerated() {
            guard k > 0 else {
                rows.append(Row(formula: fit.frame.formula.text, residualDF: fit.residualDegreesOfFreedom,
                                rss: fit.residualSumOfSquares, df: nil, sumOfSquares: nil, f: nil, pValue: nil))
                continue
            }
            let previous = fits[k - 1]
            let df = previous.residualDegreesOfFreedom - fit.residualDegreesOfFreedom
            let ss = previous.residualSumOfSquares - fit.residualSumOfSquares
            let f = df == 0 ? Double.nan : ss / Double(abs(df)) / sigma2
            let p = df == 0 ? Double.nan : Distributions.fUpperTail(f, d1: Double(abs(df)), d2: Double(scale.residualDegreesOfFreedom))
            rows.append(Row(formula: fit.frame.formula.text, residualDF: fit.residualDegreesOfFreedom,
                            rss: fit.residualSumOfSquares, df: df, sumOfSquares: ss, f: f, pValue: p))
        }
        return NestedModelComparison(rows: rows, observations: fits[0].observations)
    }
}
