import DataTable
import Regression

/// Renders a nested-model F test as R's `anova()` prints it, or as tidy CSV or JSON.
public struct NestedModelReport {
    /// What the report renders.
    public let comparison: NestedModelComparison

    /// A report of `comparison`.
    public init(_ comparison: NestedModelComparison) { self.comparison = comparison }

    /// The stable columns of the CSV and JSON output, in order.
    public static let columns = ["model", "formula", "res_df", "rss", "df", "sum_sq", "statistic", "p_value"]

    /// The report as text, laid out as R prints it.
    public var text: String {
        var out = "Analysis of Variance Table\n\n"
        for (k, row) in comparison.rows.enumerated() { out += "Model \(k + 1): \(row.formula)\n" }
        let rows = comparison.rows
        let rss = NumberFormat.column(rows.map(\.rss) + rows.map(\.sumOfSquares), digits: 5)
        let f = NumberFormat.column(rows.map(\.f), digits: 5)
        let p = NumberFormat.pValues(rows.map(\.pValue), digits: 4)
        var table = [["", "Res.Df", "RSS", "Df", "Sum of Sq", "F", "Pr(>F)", ""]]
        for (k, row) in rows.enumerated() {
            table.append([
                String(k + 1), String(row.residualDF), rss[k], row.df.map(String.init) ?? "",
                row.sumOfSquares == nil ? "" : rss[rows.count + k], row.f == nil ? "" : f[k],
                row.pValue == nil ? "" : p[k], NumberFormat.stars(row.pValue),
            ])
        }
        out += alignColumns(table, leftAlignLast: true).map { $0 + "\n" }.joined()
        out += "---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n"
        out += "\nAll models fitted to the same \(comparison.observations) observations (rows complete for every model).\n"
        return out
    }

    private var cells: [[String]] {
        comparison.rows.enumerated().map { k, row in
            [String(k + 1), row.formula, String(row.residualDF), NumberFormat.exact(row.rss),
             row.df.map(String.init) ?? "NA", NumberFormat.exact(row.sumOfSquares), NumberFormat.exact(row.f),
             NumberFormat.exact(row.pValue)]
        }
    }

    /// The report as tidy CSV (one row per line of the table).
    public var csv: String { CSVWriter.render(header: Self.columns, rows: cells) }

    /// The report as JSON, with the same fields as the CSV and the statistics around them.
    public var json: String {
        JSONValue.object([
            ("observations", .number(Double(comparison.observations))),
            ("models", .array(comparison.rows.enumerated().map { k, row in
                .object([
                    ("model", .number(Double(k + 1))), ("formula", .string(row.formula)),
                    ("res_df", .number(Double(row.residualDF))), ("rss", .number(row.rss)),
                    ("df", .number(row.df.map(Double.init))), ("sum_sq", .number(row.sumOfSquares)),
                    ("statistic", .number(row.f)), ("p_value", .number(row.pValue)),
                ])
            })),
        ]).rendered(indent: 0) + "\n"
    }
}
