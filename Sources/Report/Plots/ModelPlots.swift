import DataTable
import Plot
import Regression
#if canImport(Glibc)
import Glibc
#endif

/// The plots of a fitted model: its coefficients and its residual diagnostics.
public enum ModelPlots {
    /// Whether the model's mean is the exponential of its linear predictor (every row's
    /// d mu / d eta equal to mu): its coefficients are then log rate ratios.
    static func logLink(_ fit: any FittedModel) -> Bool {
        zip(fit.meanSlopes, fit.fitted).allSatisfy { abs($0 - $1) <= 1e-9 * max(abs($1), 1e-300) }
    }

    /// The coefficients but the intercept with their intervals at the fit's level: for a count
    /// model with the log link, as rate ratios.
    public static func coefficients(_ fit: any FittedModel) -> CoefficientPlot {
        let ratios = fit.responseKind == .count && logLink(fit)
        let terms = fit.coefficients.compactMap { row -> CoefficientPlot.Term? in
            guard row.term != "(Intercept)", let b = row.estimate, let low = row.confidenceLow, let high = row.confidenceHigh
            else { return nil }
            return ratios ? CoefficientPlot.Term(name: row.term, estimate: exp(b), low: exp(low), high: exp(high))
                : CoefficientPlot.Term(name: row.term, estimate: b, low: low, high: high)
        }
        return CoefficientPlot(
            title: "Coefficients of \(fit.callDescription)", terms: terms, exponentiated: ratios, level: fit.level,
            caption: "Intervals: \(fit.standardErrorKind) standard errors. " + (ratios ? "Rate ratios: exp(estimate)." : ""))
    }

    /// The normal quantile each value is plotted against in a Q-Q plot: its rank's plotting
    /// position, R's `ppoints`, `(i - a) / (n + 1 - 2a)` with a = 3/8 up to 10 points, else 1/2.
    static func normalScores(_ values: [Double]) -> [Double] {
        let n = values.count, a = n <= 10 ? 3.0 / 8 : 0.5
        var scores = [Double](repeating: 0, count: n)
        for (rank, i) in values.indices.sorted(by: { values[$0] < values[$1] }).enumerated() {
            scores[i] = Distributions.normalQuantile((Double(rank + 1) - a) / (Double(n) + 1 - 2 * a))
        }
        return scores
    }

    /// Residuals against fitted values, the normal Q-Q plot of standardized residuals, and
    /// leverage with Cook's distance contours; points named by `ids` (nil: the unique text
    /// columns, as `residuals --id`).
    public static func diagnostics(_ fit: any FittedModel, ids: [String]?) throws(DataError) -> DiagnosticPlots {
        let identifiers = try RowIdentifiers(table: fit.frame.table, names: ids)
        let residuals = fit.residuals(.deviance) ?? fit.residuals(.response)!
        let standardized = fit.residuals(.standardized) ?? residuals
        let leverage = fit.leverage, cooks = fit.cooksDistance, fitted = fit.fitted
        let n = fitted.count, theoretical = normalScores(standardized)
        let observations = (0..<n).map { i in
            let row = fit.frame.rows[i]
            let name = identifiers.values(row: row).joined(separator: " ")
            return DiagnosticPlots.Observation(
                name: name.isEmpty ? "line \(fit.frame.table.rowLines[row])" : name, fitted: fitted[i], residual: residuals[i],
                standardized: standardized[i], leverage: leverage[i], cooks: cooks[i], theoretical: theoretical[i])
        }
        let kept = fit.coef.filter { !$0.isNaN }.count
        return DiagnosticPlots(
            title: "Residual diagnostics of \(fit.callDescription)", observations: observations, parameters: kept,
            residualTitle: fit.responseKind == .continuous && fit.weights == nil ? "Residual" : "Deviance residual",
            caption: "Standardized residuals as R's rstandard; Cook's distance as cooks.distance; the three largest "
                + "Cook's distances named. \(n) observations, \(kept) coefficients.")
    }
}
