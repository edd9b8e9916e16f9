import Regression

/// The tidy coefficient table every model renders, with its stable columns
/// (`term, estimate, std_error, statistic, p_value, conf_low, conf_high, df`).
enum TidyCoefficients {
    static let columns = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high", "df"]

    /// `scale` transforms the estimate and interval bounds (exp for rate ratios).
    static func csv(_ rows: [CoefficientRow], scale: (Double?) -> Double? = { $0 }) -> String {
        var out = columns.joined(separator: ",") + "\n"
        for row in rows {
            out += [csvField(row.term), NumberFormat.exact(scale(row.estimate)), NumberFormat.exact(row.standardError),
                    NumberFormat.exact(row.statistic), NumberFormat.exact(row.pValue), NumberFormat.exact(scale(row.confidenceLow)),
                    NumberFormat.exact(scale(row.confidenceHigh)), NumberFormat.exact(row.degreesOfFreedom)].joined(separator: ",") + "\n"
        }
        return out
    }

    /// The table in Markdown, numbers to 6 significant digits, every column of ``columns``.
    static func markdown(_ rows: [CoefficientRow]) -> String {
        func number(_ v: Double?) -> String { v.map { NumberFormat.significant($0, digits: 6) } ?? "NA" }
        var out = "| " + columns.joined(separator: " | ") + " |\n"
        out += "|" + String(repeating: "---|", count: columns.count) + "\n"
        for row in rows {
            let cells = ["`\(row.term)`", number(row.estimate), number(row.standardError), number(row.statistic),
                         NumberFormat.pValue(row.pValue), number(row.confidenceLow), number(row.confidenceHigh),
                         number(row.degreesOfFreedom)]
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    static func json(_ rows: [CoefficientRow], scale: (Double?) -> Double? = { $0 }) -> JSONValue {
        .array(rows.map { row in
            .object([
                ("term", .string(row.term)), ("estimate", .number(scale(row.estimate))),
                ("std_error", .number(row.standardError)), ("statistic", .number(row.statistic)),
                ("p_value", .number(row.pValue)), ("conf_low", .number(scale(row.confidenceLow))),
                ("conf_high", .number(scale(row.confidenceHigh))), ("df", .number(row.degreesOfFreedom)),
                ("aliased", .bool(row.aliased)),
            ])
        })
    }
}
