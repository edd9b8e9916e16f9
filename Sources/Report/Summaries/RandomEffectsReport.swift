import Foundation
import Regression

/// Renders a random-effects fit as plm's `summary(plm(model = "random"))` reads: the variance
/// components and theta, the coefficients, and both forms of the Hausman test against the
/// fixed-effects fit (they can disagree: both are printed).
public struct RandomEffectsReport {
    /// The fit reported.
    public let fit: RandomEffectsFit
    /// How the data were named on the command line.
    public let dataName: String
    /// The classical Hausman test and the regression-based one (classical and robust), or the
    /// reason they could not be computed.
    let hausman: Result<(RandomEffectsFit.HausmanTest, RandomEffectsFit.HausmanTest, RandomEffectsFit.HausmanTest), ModelError>

    /// The summary of `fit` of `dataName`, with its Hausman tests.
    public init(fit: RandomEffectsFit, dataName: String) {
        self.fit = fit
        self.dataName = dataName
        do throws(ModelError) {
            hausman = .success((try fit.hausman(), try fit.regressionHausman(robust: false), try fit.regressionHausman(robust: true)))
        } catch {
            hausman = .failure(error)
        }
    }

    var thetaText: String {
        let theta = fit.theta.sorted()
        guard let first = theta.first, let last = theta.last else { return "" }
        if last - first <= 1e-12 * abs(last) { return "theta: " + NumberFormat.significant(first) }
        return "theta: min " + NumberFormat.significant(first) + ", median " + NumberFormat.significant(theta[theta.count / 2])
            + ", max " + NumberFormat.significant(last)
    }

    public var text: String {
        let counts = fit.unit.counts
        var out = "\nCall:\nplm(formula = \(fit.frame.formula.text), data = \(dataName), model = \"random\", "
            + (fit.options.method == .swar ? "" : "random.method = \"\(fit.options.method.rawValue)\", ") + "index = \"\(fit.options.unit)\")\n\n"
        out += "Random-effects GLS (individual effects of \(fit.options.unit); \(fit.options.method.name) variance components). "
            + "Observations: \(fit.frame.rows.count), units: \(fit.unit.levels.count) ("
            + (Set(counts).count == 1 ? "balanced, T = \(counts[0])" : "unbalanced, T = \(counts.min()!) to \(counts.max()!)") + ")\n"
        out += droppedLine(fit.frame)
        out += "\nEffects:\n"
        let total = fit.idiosyncraticVariance + fit.unitVariance
        out += alignColumns([["", "var", "std.dev", "share"],
                             ["idiosyncratic", NumberFormat.significant(fit.idiosyncraticVariance), NumberFormat.significant(fit.idiosyncraticVariance.squareRoot()), NumberFormat.significant(fit.idiosyncraticVariance / total)],
                             ["individual", NumberFormat.significant(fit.unitVariance), NumberFormat.significant(fit.unitVariance.squareRoot()), NumberFormat.significant(fit.unitShare)]])
            .map { $0 + "\n" }.joined()
        out += thetaText + "\n\nStandard errors: \(fit.standardErrorKind)\n\n"
        out += FixedEffectsReport.coefficientTable(fit.coefficients, statistic: "t") + "\n"
        switch hausman {
        case .success(let (classical, aux, robust)):
            let p = { (t: RandomEffectsFit.HausmanTest) in NumberFormat.pValue(t.pValue, digits: 4) }
            out += "Hausman test (fixed against random effects, classical covariances): chisq = "
                + NumberFormat.significant(classical.statistic, digits: 5) + " on \(classical.degreesOfFreedom) df, p-value = \(p(classical))"
                + (classical.definite ? "" : " (the covariance difference is not positive definite: the absolute value, as plm)") + "\n"
            out += "Regression-based Hausman test (Wooldridge): chisq = " + NumberFormat.significant(aux.statistic, digits: 5)
                + ", p-value = \(p(aux)) (classical); chisq = " + NumberFormat.significant(robust.statistic, digits: 5)
                + ", p-value = \(p(robust)) (cluster-robust by \(fit.options.unit)); on \(aux.degreesOfFreedom) df\n"
        case .failure(let error):
            out += "Hausman tests: not computed (\(error.description))\n"
        }
        out += "Backend: \(fit.solution.backend.rawValue).\n"
        if let warning = fit.covariance.warning { out += "Warning: \(warning).\n" }
        return out
    }

    /// The tidy coefficient table as CSV.
    public var csv: String { TidyCoefficients.csv(fit.coefficients) }

    public var json: String {
        var statistics: [(String, JSONValue)] = [
            ("n", .number(Double(fit.frame.rows.count))), ("units", .number(Double(fit.unit.levels.count))),
            ("sigma2_idiosyncratic", .number(fit.idiosyncraticVariance)), ("sigma2_individual", .number(fit.unitVariance)),
            ("theta_min", .number(fit.theta.min())), ("theta_max", .number(fit.theta.max())),
        ]
        if case .success(let (classical, aux, robust)) = hausman {
            statistics += [("hausman", .number(classical.statistic)), ("hausman_p_value", .number(classical.pValue)),
                           ("hausman_aux", .number(aux.statistic)), ("hausman_aux_p_value", .number(aux.pValue)),
                           ("hausman_aux_robust", .number(robust.statistic)), ("hausman_aux_robust_p_value", .number(robust.pValue)),
                           ("hausman_df", .number(Double(classical.degreesOfFreedom)))]
        }
        let model: [(String, JSONValue)] = [
            ("type", .string("plm_random")), ("formula", .string(fit.frame.formula.text)), ("data", .string(dataName)),
            ("unit", .string(fit.options.unit)), ("random_method", .string(fit.options.method.rawValue)),
            ("standard_errors", .string(fit.standardErrorKind)),
            ("conf_level", .number(fit.level)), ("backend", .string(fit.solution.backend.rawValue)),
        ]
        return JSONValue.object([
            ("model", .object(model)), ("coefficients", TidyCoefficients.json(fit.coefficients)), ("statistics", .object(statistics)),
        ]).rendered(indent: 0) + "\n"
    }

    /// The tidy table as a Markdown table.
    public var markdown: String { TidyCoefficients.markdown(fit.coefficients) }
}

/// Renders the between estimator as plm's `summary(plm(model = "between"))` reads.
public struct BetweenReport {
    /// The fit reported.
    public let fit: BetweenFit
    /// How the data were named on the command line.
    public let dataName: String

    /// The summary of `fit` of `dataName`.
    public init(fit: BetweenFit, dataName: String) {
        self.fit = fit
        self.dataName = dataName
    }

    /// R-squared of the unit-means regression (about their mean).
    var rSquared: Double {
        let y = fit.unitResponse, mean = y.reduce(0, +) / Double(y.count)
        return 1 - fit.solution.residualSumOfSquares / y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    }

    public var text: String {
        var out = "\nCall:\nplm(formula = \(fit.frame.formula.text), data = \(dataName), model = \"between\", index = \"\(fit.options.unit)\")\n\n"
        out += "Between estimator: least squares of the unit means of \(fit.options.unit). Units: \(fit.unit.levels.count), "
            + "observations: \(fit.frame.rows.count)\n"
        out += droppedLine(fit.frame)
        out += "Standard errors: \(fit.standardErrorKind)\n\n"
        out += FixedEffectsReport.coefficientTable(fit.coefficients, statistic: "t") + "\n"
        out += "Residual standard error: \(NumberFormat.significant(fit.sigma)) on \(fit.residualDegreesOfFreedom) degrees of freedom\n"
        out += "R-squared (unit means): \(NumberFormat.significant(rSquared))\n"
        out += "Backend: \(fit.solution.backend.rawValue).\n"
        return out
    }

    /// The tidy coefficient table as CSV.
    public var csv: String { TidyCoefficients.csv(fit.coefficients) }

    public var json: String {
        JSONValue.object([
            ("model", .object([("type", .string("plm_between")), ("formula", .string(fit.frame.formula.text)),
                               ("data", .string(dataName)), ("unit", .string(fit.options.unit)),
                               ("standard_errors", .string(fit.standardErrorKind))])),
            ("coefficients", TidyCoefficients.json(fit.coefficients)),
            ("statistics", .object([("units", .number(Double(fit.unit.levels.count))), ("n", .number(Double(fit.frame.rows.count))),
                                    ("sigma", .number(fit.sigma)), ("r_squared", .number(rSquared))])),
        ]).rendered(indent: 0) + "\n"
    }

    /// The tidy table as a Markdown table.
    public var markdown: String { TidyCoefficients.markdown(fit.coefficients) }
}

/// `  (N rows dropped for missing values: column "marker": count, ...)`, or nothing.
func droppedLine(_ frame: ModelFrame) -> String {
    guard !frame.dropped.isEmpty else { return "" }
    let detail = frame.droppedSummary.map { "\($0.column) \"\($0.marker)\": \($0.count)" }.joined(separator: ", ")
    return "  (\(frame.dropped.count) rows dropped for missing values: \(detail))\n"
}
