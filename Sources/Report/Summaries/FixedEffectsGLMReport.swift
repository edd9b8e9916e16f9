import Foundation
import Regression

/// Renders a count model with absorbed fixed effects as fixest's `summary(fepois(...))` reads:
/// the coefficients (z tests), the levels absorbed and removed, the deviance and log
/// likelihood, theta for the negative binomial.
public struct FixedEffectsGLMReport {
    /// The fit reported.
    public let fit: FixedEffectsGLMFit
    /// How the data were named on the command line.
    public let dataName: String
    /// Whether to add exp(estimate), the rate ratios, with their intervals.
    public var exponentiate = false

    /// The summary of `fit` of `dataName`.
    public init(fit: FixedEffectsGLMFit, dataName: String, exponentiate: Bool = false) {
        self.fit = fit
        self.dataName = dataName
        self.exponentiate = exponentiate
    }

    var familyText: String {
        switch fit.family {
        case .negbin: fit.thetaEstimate == nil ? "negative binomial (theta fixed)" : "negative binomial"
        case .quasipoisson: "quasi-Poisson"
        default: "Poisson"
        }
    }

    public var text: String {
        var out = "\nCall:\n\(fit.callDescription.prefix { $0 != "(" })(formula = \(fit.frame.formula.text), data = \(dataName)"
        if let exposure = fit.options.exposure { out += ", offset = log(\(exposure))" }
        out += ")\n\n\(familyText) model (log link) with absorbed fixed effects. " + fit.absorbedHeader
        out += "Standard errors: \(fit.standardErrorKind)\n\n"
        let rows = fit.coefficients
        out += FixedEffectsReport.coefficientTable(rows, statistic: "z")

        if exponentiate {
            let level = NumberFormat.significant(fit.level * 100, digits: 4)
            out += "\nRate ratios, exp(estimate), with \(level)% intervals:\n"
            var ratios = [["", "exp(Estimate)", "low", "high"]]
            for row in rows {
                ratios.append([row.term] + [row.estimate, row.confidenceLow, row.confidenceHigh].map { $0.map { NumberFormat.significant(exp($0)) } ?? "NA" })
            }
            out += alignColumns(ratios).map { $0 + "\n" }.joined()
        }
        out += "\nDeviance: \(NumberFormat.significant(fit.deviance, digits: 6)) on \(fit.residualDegreesOfFreedom) degrees of freedom"
        if fit.family == .quasipoisson { out += "; dispersion \(NumberFormat.significant(fit.dispersion, digits: 6))" }
        out += "\n"
        if let ll = fit.countLogLikelihood, let aic = fit.aic, let bic = fit.bic {
            out += "Log likelihood: \(NumberFormat.significant(ll, digits: 8)) (df = \(fit.parameterCount)), "
                + "AIC: \(NumberFormat.significant(aic, digits: 8)), BIC: \(NumberFormat.significant(bic, digits: 8))\n"
        }
        if let theta = fit.thetaEstimate {
            out += "Theta: \(NumberFormat.significant(theta.value, digits: 6)) (std. error \(NumberFormat.significant(theta.standardError, digits: 4)))\n"
        }
        out += "IRLS iterations: \(fit.iterations)" + (fit.converged ? "" : " (not converged)") + ". Backend: \(fit.backendName).\n"
        if fit.frame.weights != nil { out += "Weights: prior weights, as glm(weights =).\n" }
        for warning in fit.warnings + (fit.covariance.warning.map { [$0] } ?? []) { out += "Warning: \(warning).\n" }
        return out
    }

    /// The tidy coefficient table as CSV.
    public var csv: String { TidyCoefficients.csv(fit.coefficients) }

    public var json: String {
        var statistics: [(String, JSONValue)] = [
            ("n", .number(Double(fit.observations))),
            ("singletons_removed", .number(Double(fit.singletonsRemoved))),
            ("zero_outcome_rows_removed", .number(Double(fit.zeroOutcomeRows))),
            ("separated_rows_removed", .number(Double(fit.separatedRows.count))),
            ("rank", .number(Double(fit.rank))),
            ("absorbed_df", .number(Double(fit.absorbedDegreesOfFreedom))),
            ("df_residual", .number(Double(fit.residualDegreesOfFreedom))),
            ("deviance", .number(fit.deviance)),
            ("dispersion", .number(fit.dispersion)),
            ("log_likelihood", .number(fit.countLogLikelihood)),
            ("aic", .number(fit.aic)), ("bic", .number(fit.bic)),
            ("iterations", .number(Double(fit.iterations))),
        ]
        if let theta = fit.thetaEstimate { statistics += [("theta", .number(theta.value)), ("theta_se", .number(theta.standardError))] }
        let model: [(String, JSONValue)] = [
            ("type", .string(String(fit.callDescription.prefix { $0 != "(" }))),
            ("family", .string(fit.family.rawValue)),
            ("formula", .string(fit.frame.formula.text)),
            ("data", .string(dataName)),
            ("exposure", fit.options.exposure.map { .string($0) } ?? .string("none")),
            ("standard_errors", .string(fit.standardErrorKind)),
            ("convention", .string(fit.options.convention.rawValue)),
            ("conf_level", .number(fit.level)),
            ("projection", .string(fit.projection.method.rawValue)),
            ("projection_accuracy", .number(fit.projection.accuracy)),
            ("fixef_normalisation", .string(AbsorbedFactors.normalisation(fit.factors))),
        ]
        let zero = JSONValue.array(fit.zeroOutcomeLevels.map { .object([("factor", .string($0.factor)), ("level", .string($0.level))]) })
        return JSONValue.object([
            ("model", .object(model)), ("fixed_effects", fit.factorsJSON), ("coefficients", TidyCoefficients.json(fit.coefficients)),
            ("statistics", .object(statistics)), ("zero_outcome_levels", zero), ("aliased", .array(fit.aliased.map { .string($0) })),
            ("warnings", .array((fit.warnings + (fit.covariance.warning.map { [$0] } ?? [])).map { .string($0) })),
        ]).rendered(indent: 0) + "\n"
    }

    /// The tidy table as a Markdown table.
    public var markdown: String { TidyCoefficients.markdown(fit.coefficients) }
    /// The fixed effects (log scale) as tidy CSV.
    public var fixedEffectsCSV: String { FixedEffectsFit.fixedEffectsCSV(fit.fixedEffectRows) }
}

extension FixedEffectsGLMFit: AbsorbedSummary {
    var otherRemovals: String? {
        var notes = [String]()
        if zeroOutcomeRows > 0 {
            let shown = zeroOutcomeLevels.prefix(6).map { "\($0.factor) \($0.level)" }.joined(separator: ", ")
            notes.append("\(zeroOutcomeRows) rows removed in \(zeroOutcomeLevels.count) level\(zeroOutcomeLevels.count == 1 ? "" : "s") "
                + "whose outcomes are all zero: " + shown + (zeroOutcomeLevels.count > 6 ? ", ..." : ""))
        }
        if !separatedRows.isEmpty {
            let lines = separatedRows.prefix(8).map { String(frame.table.rowLines[$0]) }.joined(separator: ", ")
            notes.append("\(separatedRows.count) rows separated (zero counts whose fitted means went to zero, as ppmlhdfe's mu rule): "
                + "lines " + lines + (separatedRows.count > 8 ? ", ..." : ""))
        }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }
}
