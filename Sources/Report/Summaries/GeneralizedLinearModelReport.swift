import Foundation
import Regression

/// Renders a generalized linear model as R's `summary(glm(...))`, or as tidy CSV and JSON.
public struct GeneralizedLinearModelReport {
    /// The fit reported.
    public let fit: GeneralizedLinearModelFit
    /// The data as the user named it (a file or a bundled dataset), for the call line.
    public let dataName: String

    /// Report exp(estimate) and exp of the interval bounds (rate ratios for log links, odds
    /// ratios for logit); standard errors, statistics and p-values stay on the link scale, as
    /// broom's tidy(exponentiate = TRUE).
    public let exponentiate: Bool
    /// The test against the null model, and the overdispersion tests, when computed.
    public let nullTest: GLMTest?
    /// The Cameron-Trivedi overdispersion tests (a Poisson fit's; nil for others).
    public let overdispersion: [OverdispersionTest]?

    /// The summary of `fit` of `dataName`, with the rate ratios, the test against the null
    /// model and the overdispersion tests where given.
    public init(
        fit: GeneralizedLinearModelFit, dataName: String, exponentiate: Bool = false, nullTest: GLMTest? = nil,
        overdispersion: [OverdispersionTest]? = nil
    ) {
        self.fit = fit
        self.dataName = dataName
        self.exponentiate = exponentiate
        self.nullTest = nullTest
        self.overdispersion = overdispersion
    }

    private func scale(_ v: Double?) -> Double? { exponentiate ? v.map { Foundation.exp($0) } : v }

    private var familyText: String {
        if let theta = fit.theta { return "Negative Binomial(\(NumberFormat.significant(theta, digits: 4)))" }
        return fit.family.rName
    }

    /// What an exponentiated coefficient is, by link.
    private var ratioName: String {
        switch fit.link {
        case .log: fit.family == .gamma || fit.family == .gaussian ? "Mean ratio" : "Rate ratio"
        case .logit: "Odds ratio"
        default: "exp(estimate)"
        }
    }

    /// The report as text, laid out as R prints it.
    public var text: String {
        var out = "\nCall:\nglm(formula = \(fit.frame.formula.text), family = \(fit.family.rName)(link = \"\(fit.link.rawValue)\")"
        if let exposure = fit.options.exposure { out += ", offset = log(\(exposure))" }
        if let weights = fit.options.weights { out += ", weights = \(weights)" }
        out += ", data = \(dataName))\n\n"
        let rows = fit.coefficients
        let aliasedCount = rows.filter(\.aliased).count
        out += aliasedCount > 0 ? "Coefficients: (\(aliasedCount) not defined because of singularities)\n" : "Coefficients:\n"
        let t = rows.contains { ($0.degreesOfFreedom ?? .infinity).isFinite }
        let estimates = NumberFormat.column(rows.map(\.estimate) + rows.map(\.standardError))
        let pValues = NumberFormat.pValues(rows.map(\.pValue))
        // CR2's Satterthwaite df differ by coefficient, as in the linear model's table.
        let showDF = fit.robustCovariance?.coefficientDegreesOfFreedom != nil
        var table = [["", "Estimate", "Std. Error", t ? "t value" : "z value"] + (showDF ? ["df"] : [])
            + [t ? "Pr(>|t|)" : "Pr(>|z|)", ""]]
        for (k, row) in rows.enumerated() {
            table.append([row.term, estimates[k], estimates[rows.count + k], row.statistic.map { String(format: "%.3f", $0) } ?? "NA"]
                + (showDF ? [row.degreesOfFreedom.map { String(format: "%.2f", $0) } ?? "NA"] : [])
                + [pValues[k], NumberFormat.stars(row.pValue)])
        }
        out += alignColumns(table, leftAlignLast: true).map { $0 + "\n" }.joined()
        out += "---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n\n"
        out += "(Dispersion parameter for \(familyText) family taken to be \(NumberFormat.significant(fit.dispersion, digits: 7)))\n\n"
        out += "    Null deviance: \(NumberFormat.significant(fit.nullDeviance, digits: 5))  on \(fit.nullDegreesOfFreedom)  degrees of freedom\n"
        out += "Residual deviance: \(NumberFormat.significant(fit.deviance, digits: 5))  on \(fit.residualDegreesOfFreedom)  degrees of freedom\n"
        if !fit.frame.dropped.isEmpty {
            let detail = fit.frame.droppedSummary.map { "\($0.column) \"\($0.marker)\": \($0.count)" }.joined(separator: ", ")
            out += "  (\(fit.frame.dropped.count) observations deleted due to missingness: \(detail))\n"
        }
        out += "AIC: " + (fit.aic.map { NumberFormat.significant($0, digits: 5) } ?? "NA") + "\n\n"
        if exponentiate {
            let level = NumberFormat.significant(fit.level * 100, digits: 4)
            out += "\(ratioName)s, exp(estimate), with \(level)% Wald intervals:\n"
            out += alignColumns([["", ratioName, "conf_low", "conf_high"]] + rows.map { row in
                [row.term] + [scale(row.estimate), scale(row.confidenceLow), scale(row.confidenceHigh)].map {
                    $0.map { NumberFormat.significant($0, digits: 6) } ?? "NA"
                }
            }).map { $0 + "\n" }.joined() + "\n"
        }
        out += "Number of Fisher Scoring iterations: \(fit.iterations)\n"
        out += "Convergence: \(fit.convergence.description): " + (fit.converged ? "met" : "not met")
            + (fit.alternations.map { " (\($0) alternations of theta and IRLS)" } ?? "") + "\n"
        if let theta = fit.theta {
            if let se = fit.thetaStandardError {
                out += "\n              Theta:  \(NumberFormat.significant(theta, digits: 5)) \n          Std. Err.:  \(NumberFormat.significant(se, digits: 5)) \n"
            } else {
                out += "\n              Theta:  \(NumberFormat.significant(theta, digits: 5)) (fixed)\n"
            }
            if let ll = fit.logLikelihood { out += "\n 2 x log-likelihood:  \(String(format: "%.3f", 2 * ll)) \n" }
        }
        out += "\nPearson chi-squared: \(NumberFormat.significant(fit.pearsonChiSquared, digits: 6)) on \(fit.residualDegreesOfFreedom) df"
        if let ll = fit.logLikelihood, let bic = fit.bic {
            out += "; log-likelihood: \(NumberFormat.significant(ll, digits: 7)) (df = \(fit.parameters)); BIC: \(NumberFormat.significant(bic, digits: 6))"
        }
        out += "\n"
        if let test = nullTest {
            out += "Against the null model: " + testText(test) + "\n"
        }
        if let tests = overdispersion {
            out += "Overdispersion (Cameron-Trivedi, one-sided):\n"
            for test in tests {
                out += "  \(test.form) = \(NumberFormat.significant(test.estimate, digits: 5)), z = \(String(format: "%.3f", test.statistic)), p = \(NumberFormat.pValue(test.pValue))\n"
            }
        }
        out += "\nStandard errors: \(fit.standardErrorKind). Observations: \(fit.observations).\n"
        for warning in fit.warnings + (fit.robustCovariance?.warning.map { [$0] } ?? []) { out += "Warning: \(warning).\n" }
        return out
    }

    private func testText(_ test: GLMTest) -> String {
        let stat = NumberFormat.significant(test.statistic, digits: 6)
        if let d2 = test.residualDegreesOfFreedom {
            return "F = \(stat) on \(test.degreesOfFreedom) and \(d2) df, p = \(NumberFormat.pValue(test.pValue))"
        }
        return "LR chi-squared = \(stat) on \(test.degreesOfFreedom) df, p = \(NumberFormat.pValue(test.pValue))"
    }

    /// The report as tidy CSV (one row per line of the table).
    public var csv: String { TidyCoefficients.csv(fit.coefficients, scale: scale) }

    /// The report as JSON, with the same fields as the CSV and the statistics around them.
    public var json: String {
        let coefficients = TidyCoefficients.json(fit.coefficients, scale: scale)
        var statistics: [(String, JSONValue)] = [
            ("n", .number(Double(fit.observations))), ("rank", .number(Double(fit.rank))),
            ("deviance", .number(fit.deviance)), ("df_residual", .number(Double(fit.residualDegreesOfFreedom))),
            ("null_deviance", .number(fit.nullDeviance)), ("df_null", .number(Double(fit.nullDegreesOfFreedom))),
            ("pearson_chi_squared", .number(fit.pearsonChiSquared)),
            ("dispersion", .number(fit.dispersion)), ("log_likelihood", .number(fit.logLikelihood)), ("aic", .number(fit.aic)),
            ("bic", .number(fit.bic)), ("iterations", .number(Double(fit.iterations))), ("converged", .bool(fit.converged)),
            ("convergence_rule", .string(fit.convergence.description)),
            ("theta", .number(fit.theta)), ("theta_std_error", .number(fit.thetaStandardError)),
        ]
        if let test = nullTest {
            statistics.append(("null_test", .object([
                ("test", .string(test.kind)), ("statistic", .number(test.statistic)), ("df", .number(Double(test.degreesOfFreedom))),
                ("df_residual", .number(test.residualDegreesOfFreedom.map(Double.init))), ("p_value", .number(test.pValue)),
            ])))
        }
        if let tests = overdispersion {
            statistics.append(("overdispersion", .array(tests.map { test in
                .object([("form", .string(test.form)), ("estimate", .number(test.estimate)), ("statistic", .number(test.statistic)),
                         ("p_value", .number(test.pValue))])
            })))
        }
        return JSONValue.object([
            ("model", .object([("type", .string("glm")), ("family", .string(fit.family.rawValue)), ("link", .string(fit.link.rawValue)),
                               ("standard_errors", .string(fit.standardErrorKind)),
                               ("exponentiated", .bool(exponentiate)),
                               ("formula", .string(fit.frame.formula.text)), ("data", .string(dataName))])),
            ("coefficients", coefficients), ("statistics", .object(statistics)),
            ("aliased", .array(fit.aliased.map { .string($0) })),
            ("warnings", .array(fit.warnings.map { .string($0) })),
        ]).rendered(indent: 0) + "\n"
    }
}
