import Foundation
import Regression

/// Renders a linear-model fit: R's `summary.lm` text, tidy CSV, JSON, Markdown.
public struct LinearModelReport {
    /// The fit reported.
    public let fit: LinearModelFit
    /// How the data were named on the command line, for the `Call:` line.
    public let dataName: String

    /// Whether the text summary ends with the model checks (VIF, Breusch-Pagan).
    public var includeChecks = false

    /// A Wald test to report with the fit.
    public var wald: WaldTest?

    /// The summary of `fit` of `dataName`, with the model checks and a Wald test when asked.
    public init(fit: LinearModelFit, dataName: String, includeChecks: Bool = false, wald: WaldTest? = nil) {
        self.fit = fit
        self.dataName = dataName
        self.includeChecks = includeChecks
        self.wald = wald
    }

    /// Variance inflation and the Breusch-Pagan test, as text.
    public var checksText: String {
        var out = ""
        if let vif = fit.varianceInflation {
            out += "\nVariance inflation (car::vif):\n"
            out += alignColumns([["", "GVIF", "Df", "GVIF^(1/(2*Df))"]] + vif.map {
                [$0.term, NumberFormat.significant($0.gvif, digits: 6), String($0.degreesOfFreedom), NumberFormat.significant($0.adjusted, digits: 6)]
            }).map { $0 + "\n" }.joined()
        }
        if let bp = fit.breuschPagan {
            out += "\nStudentized Breusch-Pagan test: BP = \(NumberFormat.significant(bp.statistic, digits: 5)), "
                + "df = \(bp.degreesOfFreedom), p-value = \(NumberFormat.pValue(bp.pValue, digits: 4))\n"
        }
        return out
    }

    /// The stable tidy columns.
    public static let tidyColumns = TidyCoefficients.columns

    /// The summary a user of R's `summary(lm(...))` recognises, plus the estimator's name.
    public var text: String {
        var out = "\nCall:\nlm(formula = \(fit.frame.formula.text), data = \(dataName))\n\n"
        out += residualBlock()
        let rows = fit.coefficients
        let aliasedCount = rows.filter(\.aliased).count
        out += aliasedCount > 0
            ? "Coefficients: (\(aliasedCount) not defined because of singularities)\n"
            : "Coefficients:\n"
        let estimates = NumberFormat.column(rows.map(\.estimate) + rows.map(\.standardError))
        let pValues = NumberFormat.pValues(rows.map(\.pValue))
        let showDF = fit.covariance.coefficientDegreesOfFreedom != nil
        var table = [["", "Estimate", "Std. Error", "t value"] + (showDF ? ["df"] : []) + ["Pr(>|t|)", ""]]
        for (k, row) in rows.enumerated() {
            table.append([
                row.term, estimates[k], estimates[rows.count + k],
                row.statistic.map { String(format: "%.3f", $0) } ?? "NA",
            ] + (showDF ? [row.degreesOfFreedom.map { String(format: "%.2f", $0) } ?? "NA"] : []) + [
                pValues[k], NumberFormat.stars(row.pValue),
            ])
        }
        out += alignColumns(table, leftAlignLast: true).map { $0 + "\n" }.joined()
        out += "---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n\n"
        out += "Residual standard error: \(NumberFormat.significant(fit.sigma)) on \(fit.residualDegreesOfFreedom) degrees of freedom\n"
        if !fit.frame.dropped.isEmpty {
            let detail = fit.frame.droppedSummary.map { "\($0.column) \"\($0.marker)\": \($0.count)" }.joined(separator: ", ")
            out += "  (\(fit.frame.dropped.count) observations deleted due to missingness: \(detail))\n"
        }
        out += "Multiple R-squared:  \(NumberFormat.significant(fit.rSquared)),\tAdjusted R-squared:  \(NumberFormat.significant(fit.adjustedRSquared)) \n"
        if let f = fit.fStatistic {
            out += "F-statistic: \(NumberFormat.significant(f.value)) on \(f.numeratorDF) and \(f.denominatorDF) DF,  p-value: \(NumberFormat.pValue(f.pValue, digits: 4))\n"
        }
        out += "\nStandard errors: \(fit.standardErrorKind). Observations: \(fit.observations). "
        out += "Backend: \(fit.solution.backend.rawValue).\n"
        if let weights = fit.weightsDescription { out += "Weights: \(weights).\n" }
        if let warning = fit.covariance.warning { out += "Warning: \(warning).\n" }
        if includeChecks { out += checksText }
        if let wald {
            out += "\nWald test of " + wald.hypotheses.joined(separator: ", ") + " (\(fit.covariance.description.split(separator: " ").first ?? "") covariance):\n"
            out += "F = \(NumberFormat.significant(wald.f, digits: 5)) on \(wald.numeratorDF) and "
                + "\(NumberFormat.significant(wald.denominatorDF, digits: 5)) DF, p-value: \(NumberFormat.pValue(wald.pValue, digits: 4))\n"
        }
        return out
    }

    private func residualBlock() -> String {
        let r = fit.residuals
        guard !r.isEmpty else { return "" }
        if r.count <= 5 {
            let cells = r.map { NumberFormat.significant($0) }
            return "Residuals:\n" + alignColumns([(1...r.count).map(String.init), cells], leftAlignFirst: false).joined(separator: "\n") + "\n\n"
        }
        let q = quantiles(r, [0, 0.25, 0.5, 0.75, 1])
        let cells = NumberFormat.column(q)
        return "Residuals:\n" + alignColumns([["Min", "1Q", "Median", "3Q", "Max"], cells], leftAlignFirst: false, uniform: true)
            .map { $0 + " " }.joined(separator: "\n") + "\n\n"
    }

    /// The tidy coefficient table as CSV.
    public var csv: String { TidyCoefficients.csv(fit.coefficients) }

    /// The tidy table and the fit statistics as JSON.
    public var json: String {
        var model: [(String, JSONValue)] = [
            ("type", .string("lm")),
            ("formula", .string(fit.frame.formula.text)),
            ("data", .string(dataName)),
            ("standard_errors", .string(fit.standardErrorKind)),
            ("test_df", .number(fit.covariance.degreesOfFreedom)),
            ("weights", fit.weightsDescription.map { .string($0) } ?? .string("none")),
            ("conf_level", .number(fit.level)),
            ("backend", .string(fit.solution.backend.rawValue)),
        ]
        model.append(("refinement", .string(fit.solution.method.rawValue)))
        let coefficients = TidyCoefficients.json(fit.coefficients)
        var statistics: [(String, JSONValue)] = [
            ("n", .number(Double(fit.observations))),
            ("rank", .number(Double(fit.rank))),
            ("df_residual", .number(Double(fit.residualDegreesOfFreedom))),
            ("sigma", .number(fit.sigma)),
            ("r_squared", .number(fit.rSquared)),
            ("adj_r_squared", .number(fit.adjustedRSquared)),
        ]
        if let f = fit.fStatistic {
            statistics += [("f_statistic", .number(f.value)), ("f_df_num", .number(Double(f.numeratorDF))),
                           ("f_df_den", .number(Double(f.denominatorDF))), ("f_p_value", .number(f.pValue))]
        }
        statistics += [("log_likelihood", .number(fit.logLikelihood)), ("aic", .number(fit.aic)), ("bic", .number(fit.bic)),
                       ("rows_dropped", .number(Double(fit.frame.dropped.count))),
                       ("condition_number", .number(fit.solution.conditionEstimate))]
        if let bp = fit.breuschPagan {
            statistics += [("breusch_pagan", .number(bp.statistic)), ("breusch_pagan_df", .number(Double(bp.degreesOfFreedom))),
                           ("breusch_pagan_p_value", .number(bp.pValue))]
        }
        let vif = JSONValue.array((fit.varianceInflation ?? []).map {
            .object([("term", .string($0.term)), ("gvif", .number($0.gvif)), ("df", .number(Double($0.degreesOfFreedom))),
                     ("gvif_adjusted", .number($0.adjusted))])
        })
        let dropped = JSONValue.array(fit.frame.droppedSummary.map {
            .object([("column", .string($0.column)), ("marker", .string($0.marker)), ("rows", .number(Double($0.count)))])
        })
        let waldJSON: JSONValue = wald.map { w in
            .object([("hypotheses", .array(w.hypotheses.map { .string($0) })), ("f_statistic", .number(w.f)),
                     ("df_num", .number(Double(w.numeratorDF))), ("df_den", .number(w.denominatorDF)),
                     ("p_value", .number(w.pValue))])
        } ?? .array([])
        let root = JSONValue.object([
            ("model", .object(model)), ("coefficients", coefficients), ("statistics", .object(statistics)),
            ("aliased", .array(fit.aliased.map { .string($0) })), ("dropped", dropped), ("vif", vif), ("wald_test", waldJSON),
            ("warnings", .array(fit.covariance.warning.map { [.string($0)] } ?? [])),
        ])
        return root.rendered(indent: 0) + "\n"
    }

    /// The tidy table as a Markdown table.
    public var markdown: String { TidyCoefficients.markdown(fit.coefficients) }
}

/// R's default quantiles (type 7).
func quantiles(_ values: [Double], _ probabilities: [Double]) -> [Double?] {
    let s = values.sorted()
    return probabilities.map { p in
        let h = Double(s.count - 1) * p
        let lo = Int(floor(h)), hi = min(lo + 1, s.count - 1)
        return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
    }
}

func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}
