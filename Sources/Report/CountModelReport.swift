import Foundation
import Regression

/// Renders a count model as R's `summary(glm(...))`, or as tidy CSV and JSON.
public struct CountModelReport {
    public let fit: GeneralizedLinearModelFit
    public let dataName: String

    /// Report rate ratios: exp(estimate) and exp of the interval bounds (standard errors,
    /// statistics and p-values stay on the log scale, as broom's tidy(exponentiate = TRUE)).
    public let exponentiate: Bool

    public init(fit: GeneralizedLinearModelFit, dataName: String, exponentiate: Bool = false) {
        self.fit = fit
        self.dataName = dataName
        self.exponentiate = exponentiate
    }

    private func scale(_ v: Double?) -> Double? { exponentiate ? v.map { Foundation.exp($0) } : v }

    public var text: String {
        var out = "\nCall:\nglm(formula = \(fit.frame.formula.text), family = \(fit.family.rawValue), data = \(dataName))\n\n"
        let rows = fit.coefficients
        let aliasedCount = rows.filter(\.aliased).count
        out += aliasedCount > 0 ? "Coefficients: (\(aliasedCount) not defined because of singularities)\n" : "Coefficients:\n"
        let z = fit.family != .quasipoisson
        let estimates = NumberFormat.column(rows.map(\.estimate) + rows.map(\.standardError))
        let pValues = NumberFormat.pValues(rows.map(\.pValue))
        var table = [["", "Estimate", "Std. Error", z ? "z value" : "t value", z ? "Pr(>|z|)" : "Pr(>|t|)", ""]]
        for (k, row) in rows.enumerated() {
            table.append([row.term, estimates[k], estimates[rows.count + k], row.statistic.map { String(format: "%.3f", $0) } ?? "NA",
                          pValues[k], NumberFormat.stars(row.pValue)])
        }
        out += alignColumns(table, leftAlignLast: true).map { $0 + "\n" }.joined()
        out += "---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n\n"
        let familyName = fit.theta.map { "Negative Binomial(\(NumberFormat.significant($0, digits: 4)))" } ?? fit.family.rawValue
        out += "(Dispersion parameter for \(familyName) family taken to be \(NumberFormat.significant(fit.dispersion, digits: 7)))\n\n"
        out += "    Null deviance: \(NumberFormat.significant(fit.nullDeviance, digits: 5))  on \(fit.nullDegreesOfFreedom)  degrees of freedom\n"
        out += "Residual deviance: \(NumberFormat.significant(fit.deviance, digits: 5))  on \(fit.residualDegreesOfFreedom)  degrees of freedom\n"
        if !fit.frame.dropped.isEmpty {
            let detail = fit.frame.droppedSummary.map { "\($0.column) \"\($0.marker)\": \($0.count)" }.joined(separator: ", ")
            out += "  (\(fit.frame.dropped.count) observations deleted due to missingness: \(detail))\n"
        }
        out += "AIC: " + (fit.aic.map { NumberFormat.significant($0, digits: 5) } ?? "NA") + "\n\n"
        if exponentiate {
            let level = NumberFormat.significant(fit.level * 100, digits: 4)
            out += "Rate ratios, exp(estimate), with \(level)% Wald intervals:\n"
            out += alignColumns([["", "Rate ratio", "conf_low", "conf_high"]] + rows.map { row in
                [row.term] + [scale(row.estimate), scale(row.confidenceLow), scale(row.confidenceHigh)].map {
                    $0.map { NumberFormat.significant($0, digits: 6) } ?? "NA"
                }
            }).map { $0 + "\n" }.joined() + "\n"
        }
        out += "Number of Fisher Scoring iterations: \(fit.iterations)\n"
        if let theta = fit.theta, let se = fit.thetaStandardError, let ll = fit.logLikelihood {
            out += "\n              Theta:  \(NumberFormat.significant(theta, digits: 5)) \n          Std. Err.:  \(NumberFormat.significant(se, digits: 5)) \n"
            out += "\n 2 x log-likelihood:  \(String(format: "%.3f", 2 * ll)) \n"
        }
        if let warning = fit.warning { out += "Warning: \(warning).\n" }
        if !fit.converged { out += "Warning: the fit did not converge in \(fit.iterations) iterations (deviance \(fit.deviance)).\n" }
        out += "\nStandard errors: \(fit.standardErrorKind). Observations: \(fit.observations).\n"
        if let warning = fit.robustCovariance?.warning { out += "Warning: \(warning).\n" }
        return out
    }

    public var csv: String { TidyCoefficients.csv(fit.coefficients, scale: scale) }

    public var json: String {
        let coefficients = TidyCoefficients.json(fit.coefficients, scale: scale)
        let statistics: [(String, JSONValue)] = [
            ("n", .number(Double(fit.observations))), ("rank", .number(Double(fit.rank))),
            ("deviance", .number(fit.deviance)), ("df_residual", .number(Double(fit.residualDegreesOfFreedom))),
            ("null_deviance", .number(fit.nullDeviance)), ("df_null", .number(Double(fit.nullDegreesOfFreedom))),
            ("dispersion", .number(fit.dispersion)), ("log_likelihood", .number(fit.logLikelihood)), ("aic", .number(fit.aic)),
            ("iterations", .number(Double(fit.iterations))), ("converged", .bool(fit.converged)),
            ("theta", .number(fit.theta)), ("theta_std_error", .number(fit.thetaStandardError)),
        ]
        return JSONValue.object([
            ("model", .object([("type", .string("glm")), ("family", .string(fit.family.rawValue)), ("link", .string("log")),
                               ("standard_errors", .string(fit.standardErrorKind)),
                               ("exponentiated", .bool(exponentiate)),
                               ("formula", .string(fit.frame.formula.text)), ("data", .string(dataName))])),
            ("coefficients", coefficients), ("statistics", .object(statistics)),
            ("aliased", .array(fit.aliased.map { .string($0) })),
        ]).rendered(indent: 0) + "\n"
    }
}
