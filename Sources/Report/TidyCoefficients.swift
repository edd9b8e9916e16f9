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
