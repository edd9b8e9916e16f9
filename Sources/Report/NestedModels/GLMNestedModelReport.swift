import DataTable
import Regression

/// Renders nested generalized linear models' tests as R's `lrtest()` (or, for quasi-Poisson,
/// `anova(test = "F")`) prints them, with each model's deviance beside, or as tidy CSV or JSON.
public struct GLMNestedModelReport {
    /// What the report renders.
    public let comparison: GLMNestedComparison

    /// A report of `comparison`.
    public init(_ comparison: GLMNestedComparison) { self.comparison = comparison }

    /// The stable columns of the CSV and JSON output, in order.
    public static let columns = [
        "model", "formula", "parameters", "res_df", "deviance", "log_likelihood", "theta", "df", "statistic", "p_value",
    ]

    private var isF: Bool { comparison.kind == "F" }

    /// The report as text, laid out as R prints it.
    public var text: String {
        var out = isF ? "Analysis of Deviance Table (F tests)\n\n" : "Likelihood ratio test\n\n"
        for (k, row) in comparison.rows.enumerated() { out += "Model \(k + 1): \(row.formula)\n" }
        out += "Family: \(comparison.family)\n"
        if let exposure = comparison.exposure { out += "Offset: log(\(exposure)) in every model\n" }
        out += "\n"
        let rows = comparison.rows
        let showTheta = rows.contains { $0.theta != nil }
        let deviance = NumberFormat.column(rows.map(\.deviance), digits: 5)
        let logLik = NumberFormat.column(rows.map(\.logLikelihood), digits: 5)
        let statistic = NumberFormat.column(rows.map(\.statistic), digits: 5)
        let p = NumberFormat.pValues(rows.map(\.pValue), digits: 4)
        var header = ["", "#Df", "Resid. Df", "Resid. Dev"]
        if showTheta { header.append("theta") }
        if !isF { header.append("LogLik") }
        header += ["Df", isF ? "F" : "Chisq", isF ? "Pr(>F)" : "Pr(>Chisq)", ""]
        var table = [header]
        for (k, row) in rows.enumerated() {
            var line: [String] = [String(k + 1), String(row.parameters), String(row.residualDF), deviance[k]]
            if showTheta { line.append(row.theta.map { NumberFormat.significant($0, digits: 5) } ?? "") }
            if !isF { line.append(logLik[k]) }
            line.append(row.df.map(String.init) ?? "")
            line.append(row.statistic == nil ? "" : statistic[k])
            line.append(row.pValue == nil ? "" : p[k])
            line.append(NumberFormat.stars(row.pValue))
            table.append(line)
        }
        out += alignColumns(table, leftAlignLast: true).map { $0 + "\n" }.joined()
        out += "---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n"
        if let dispersion = comparison.dispersion {
            out += "\nF on the largest model's dispersion, \(NumberFormat.significant(dispersion.value, digits: 6)) "
                + "on \(dispersion.degreesOfFreedom) df.\n"
        }
        out += "\nAll models fitted to the same \(comparison.observations) observations (rows complete for every model).\n"
        return out
    }

    private var cells: [[String]] {
        comparison.rows.enumerated().map { k, row in
            [String(k + 1), row.formula, String(row.parameters), String(row.residualDF), NumberFormat.exact(row.deviance),
             NumberFormat.exact(row.logLikelihood), NumberFormat.exact(row.theta), row.df.map(String.init) ?? "NA",
             NumberFormat.exact(row.statistic), NumberFormat.exact(row.pValue)]
        }
    }

    /// The report as tidy CSV (one row per line of the table).
    public var csv: String { CSVWriter.render(header: Self.columns, rows: cells) }

    /// The report as JSON, with the same fields as the CSV and the statistics around them.
    public var json: String {
        JSONValue.object([
            ("test", .string(comparison.kind)), ("family", .string(comparison.family)),
            ("observations", .number(Double(comparison.observations))),
            ("models", .array(comparison.rows.enumerated().map { k, row in
                .object([
                    ("model", .number(Double(k + 1))), ("formula", .string(row.formula)),
                    ("parameters", .number(Double(row.parameters))), ("res_df", .number(Double(row.residualDF))),
                    ("deviance", .number(row.deviance)), ("log_likelihood", .number(row.logLikelihood)),
                    ("theta", .number(row.theta)), ("df", .number(row.df.map(Double.init))),
                    ("statistic", .number(row.statistic)), ("p_value", .number(row.pValue)),
                ])
            })),
        ]).rendered(indent: 0) + "\n"
    }
}
