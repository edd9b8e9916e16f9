import Foundation
import Regression

/// Renders a fixed-effects fit as fixest's `summary(feols(...))` reads: the coefficients of
/// interest, the levels absorbed per factor, the within R-squared, and how the projection was
/// made and how accurate it is.
public struct FixedEffectsReport {
    /// The fit reported.
    public let fit: FixedEffectsFit
    /// How the data were named on the command line.
    public let dataName: String

    /// Whether the summary ends with the panel diagnostics (Breusch-Pagan LM, Pesaran CD).
    public var includeChecks = false

    /// The summary of `fit` of `dataName`, with the panel diagnostics when asked.
    public init(fit: FixedEffectsFit, dataName: String, includeChecks: Bool = false) {
        self.fit = fit
        self.dataName = dataName
        self.includeChecks = includeChecks
    }

    /// The panel diagnostics, as text.
    var checksText: String {
        guard includeChecks else { return "" }
        do throws(ModelError) {
            guard let (bp, cd, wooldridge) = try fit.panelDiagnostics() else {
                return "\nPanel diagnostics: they need two absorbed factors, the unit and the time.\n"
            }
            let unit = fit.factors[0].name, time = fit.factors[1].name
            return "\nPanel diagnostics (as plm):\n"
                + "Breusch-Pagan LM test for \(unit) effects (pooled residuals): chisq = \(NumberFormat.significant(bp.statistic, digits: 5)) "
                + "on 1 df, p-value = \(NumberFormat.pValue(bp.pValue, digits: 4))\n"
                + "Pesaran CD test of cross-sectional dependence (\(unit) across \(time)): z = \(NumberFormat.significant(cd.statistic, digits: 5)), "
                + "p-value = \(NumberFormat.pValue(cd.pValue, digits: 4))\n"
                + "Wooldridge's test for serial correlation in FE panels: F = \(NumberFormat.significant(wooldridge.statistic, digits: 5)) "
                + "on 1 and \(wooldridge.degreesOfFreedom ?? 0) df, p-value = \(NumberFormat.pValue(wooldridge.pValue, digits: 4))\n"
        } catch {
            return "\nPanel diagnostics: not computed (\(error.description))\n"
        }
    }

    public var text: String {
        var out = "\nCall:\nfeols(formula = \(fit.frame.formula.text), data = \(dataName))\n\n"
        out += "Least squares with absorbed fixed effects. " + fit.absorbedHeader
        out += "Standard errors: \(fit.standardErrorKind)\n\n"
        out += Self.coefficientTable(fit.coefficients, statistic: "t") + "\n"

        out += "Residual standard error: \(NumberFormat.significant(fit.sigma)) on \(fit.residualDegreesOfFreedom) degrees of freedom\n"
        out += "R-squared: \(NumberFormat.significant(fit.rSquared)),\tAdjusted R-squared: \(NumberFormat.significant(fit.adjustedRSquared)),"
            + "\tWithin R-squared: \(NumberFormat.significant(fit.withinRSquared))\n"
        out += "Backend: \(fit.solution.backend.rawValue).\n"
        if fit.frame.weights != nil { out += "Weights: analytic (inverse-variance) weights, as R's lm.\n" }
        if let warning = fit.covariance.warning { out += "Warning: \(warning).\n" }
        return out + checksText
    }

    /// The coefficient table with `statistic` (t or z) tests and the significance codes, as
    /// R prints it; undefined (absorbed or collinear) rows counted in its title.
    static func coefficientTable(_ rows: [CoefficientRow], statistic: String) -> String {
        let undefined = rows.filter(\.aliased).count
        var out = undefined > 0 ? "Coefficients: (\(undefined) not defined: absorbed by the fixed effects or collinear)\n" : "Coefficients:\n"
        let estimates = NumberFormat.column(rows.map(\.estimate) + rows.map(\.standardError))
        let pValues = NumberFormat.pValues(rows.map(\.pValue))
        var table = [["", "Estimate", "Std. Error", "\(statistic) value", "Pr(>|\(statistic)|)", ""]]
        for (k, row) in rows.enumerated() {
            table.append([
                row.term, estimates[k], estimates[rows.count + k], row.statistic.map { String(format: "%.3f", $0) } ?? "NA",
                pValues[k], NumberFormat.stars(row.pValue),
            ])
        }
        out += alignColumns(table, leftAlignLast: true).map { $0 + "\n" }.joined()
        return out + "---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n"
    }

    /// The tidy coefficient table as CSV.
    public var csv: String { TidyCoefficients.csv(fit.coefficients) }

    public var json: String {
        let model: [(String, JSONValue)] = [
            ("type", .string("feols")),
            ("formula", .string(fit.frame.formula.text)),
            ("data", .string(dataName)),
            ("standard_errors", .string(fit.standardErrorKind)),
            ("convention", .string(fit.options.convention.rawValue)),
            ("test_df", .number(fit.covariance.degreesOfFreedom)),
            ("conf_level", .number(fit.level)),
            ("projection", .string(fit.projection.method.rawValue)),
            ("projection_accuracy", .number(fit.projection.accuracy)),
            ("fixef_normalisation", .string(fit.normalisation)),
            ("backend", .string(fit.solution.backend.rawValue)),
        ]
        let factors = fit.factorsJSON
        let statistics: [(String, JSONValue)] = [
            ("n", .number(Double(fit.observations))),
            ("singletons_removed", .number(Double(fit.singletonsRemoved))),
            ("rank", .number(Double(fit.rank))),
            ("absorbed_df", .number(Double(fit.absorbedDegreesOfFreedom))),
            ("redundant_levels", .number(Double(fit.redundantLevels))),
            ("df_residual", .number(Double(fit.residualDegreesOfFreedom))),
            ("sigma", .number(fit.sigma)),
            ("r_squared", .number(fit.rSquared)),
            ("adj_r_squared", .number(fit.adjustedRSquared)),
            ("within_r_squared", .number(fit.withinRSquared)),
            ("log_likelihood", .number(fit.gaussianLogLikelihood)),
            ("rows_dropped", .number(Double(fit.frame.dropped.count))),
        ]
        let root = JSONValue.object([
            ("model", .object(model)), ("fixed_effects", factors), ("coefficients", TidyCoefficients.json(fit.coefficients)),
            ("statistics", .object(statistics)), ("aliased", .array(fit.aliased.map { .string($0) })),
            ("warnings", .array(fit.covariance.warning.map { [.string($0)] } ?? [])),
        ])
        return root.rendered(indent: 0) + "\n"
    }

    /// The tidy table as a Markdown table.
    public var markdown: String { TidyCoefficients.markdown(fit.coefficients) }

    /// The fixed effects as tidy CSV: `factor,level,effect`.
    public var fixedEffectsCSV: String { FixedEffectsFit.fixedEffectsCSV(fit.fixedEffectRows) }
}

/// What the summaries of fits with absorbed factors share.
protocol AbsorbedSummary {
    var frame: ModelFrame { get }
    var observations: Int { get }
    var factors: [AbsorbedFactor] { get }
    var singletonsRemoved: Int { get }
    var absorbedDegreesOfFreedom: Int { get }
    var redundantLevels: Int { get }
    var redundantExact: Bool { get }
    var projection: FixedEffectsFit.ProjectionReport { get }
    /// Rows removed for other reasons (a count model's all-zero levels), in words; nil: none.
    var otherRemovals: String? { get }
}

extension FixedEffectsFit: AbsorbedSummary {
    var otherRemovals: String? { nil }
}

extension AbsorbedSummary {
    /// The observations, what was removed and dropped, the factors and the projection, as lines.
    var absorbedHeader: String {
        let fit = self
        var out = "Observations: \(fit.observations)"
        var notes = [String]()
        if fit.singletonsRemoved > 0 { notes.append("\(fit.singletonsRemoved) singletons removed") }
        if let other = fit.otherRemovals { notes.append(other) }
        if !fit.frame.dropped.isEmpty {
            let detail = fit.frame.droppedSummary.map { "\($0.column) \"\($0.marker)\": \($0.count)" }.joined(separator: ", ")
            notes.append("\(fit.frame.dropped.count) rows dropped for missing values: \(detail)")
        }
        out += (notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")") + "\n"
        let counts = fit.factors.map { "\($0.name): \($0.levels.count)" }.joined(separator: ", ")
        out += "Fixed effects: \(counts) (\(fit.absorbedDegreesOfFreedom) degrees of freedom absorbed"
            + (fit.redundantLevels > 0 ? ", \(fit.redundantLevels) level\(fit.redundantLevels == 1 ? "" : "s") redundant"
                + (fit.redundantExact ? "" : " at least") : "") + ")\n"
        let p = fit.projection
        var projection = p.method.rawValue + ", accuracy " + NumberFormat.significant(p.accuracy, digits: 2)
        if p.method == .alternating {
            projection += " (tolerance \(NumberFormat.significant(p.tolerance, digits: 2)), \(p.iterations) sweeps)"
        }
        return out + "Projection: \(projection)\n" + "Fixed effects (--fixef) normalised: \(AbsorbedFactors.normalisation(fit.factors))\n"
    }

    /// Each factor and its levels, for JSON.
    var factorsJSON: JSONValue {
        .array(factors.map { .object([("factor", .string($0.name)), ("levels", .number(Double($0.levels.count)))]) })
    }

    /// The fixed effects as tidy CSV: `factor,level,effect` (the normalisation is the summary's to state).
    static func fixedEffectsCSV(_ rows: [(factor: String, level: String, effect: Double)]) -> String {
        var out = "factor,level,effect\n"
        for row in rows { out += csvField(row.factor) + "," + csvField(row.level) + "," + NumberFormat.exact(row.effect) + "\n" }
        return out
    }
}
