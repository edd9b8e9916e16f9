import DataTable
import Foundation
import Regression

/// A table of one row per observation: identifier columns, the source line, then numbers; with
/// the rows left out listed by the same identifiers. Renders text, CSV and JSON.
struct RowTable {
    let title: String
    let columns: [String]
    let identifiers: RowIdentifiers
    let table: DataTable
    let rows: [Int]
    let values: [[Double?]]
    let left: [ModelFrame.DroppedRow]
    let leftTitle: String
    let extra: [(String, JSONValue)]

    private func head(_ row: Int) -> [String] { identifiers.values(row: row) + [String(table.rowLines[row])] }

    var csv: String {
        CSVWriter.render(header: identifiers.names + ["line"] + columns, rows: rows.indices.map { k in
            head(rows[k]) + values[k].map { NumberFormat.exact($0) }
        })
    }

    var text: String {
        var out = title + "\n\n"
        let body = rows.indices.map { k in head(rows[k]) + values[k].map { $0.map { NumberFormat.significant($0, digits: 5) } ?? "NA" } }
        out += alignColumns([identifiers.names + ["line"] + columns] + body).map { $0 + "\n" }.joined()
        if !left.isEmpty {
            out += "\n\(leftTitle):\n"
            for row in left {
                out += (identifiers.values(row: row.row) + ["line \(row.line)", "\(row.column) \"\(row.marker)\""]).joined(separator: "  ") + "\n"
            }
        }
        return out
    }

    var json: String {
        let items = JSONValue.array(rows.indices.map { k in
            .object(zip(identifiers.names, identifiers.values(row: rows[k])).map { ($0, JSONValue.string($1)) }
                + [("line", .number(Double(table.rowLines[rows[k]])))] + zip(columns, values[k]).map { ($0, JSONValue.number($1)) })
        })
        let dropped = JSONValue.array(left.map { row in
            .object(zip(identifiers.names, identifiers.values(row: row.row)).map { ($0, JSONValue.string($1)) } + [
                ("line", .number(Double(row.line))), ("column", .string(row.column)), ("marker", .string(row.marker)),
            ])
        })
        return JSONValue.object(extra + [("rows", items), ("left_out", dropped)]).rendered(indent: 0) + "\n"
    }
}

/// Per-observation residuals and influence of a generalized linear model.
public struct GLMObservationReport {
    /// The stable columns of the CSV and JSON output, in order.
    public static let columns = [
        "observed", "fitted", "linear_predictor", "resid_response", "resid_pearson", "resid_deviance", "resid_working",
        "leverage", "std_resid_deviance", "cooks_distance",
    ]
    private let rows: RowTable

    /// The observations of `fit`, identified by `ids` (nil: the unique text columns).
    public init(fit: GeneralizedLinearModelFit, ids: [String]?) throws(DataError) {
        let d = fit.observationDiagnostics
        rows = RowTable(
            title: "Observations of glm(\(fit.frame.formula.text), \(fit.family.rName)(link = \"\(fit.link.rawValue)\")): \(d.count) used",
            columns: Self.columns, identifiers: try RowIdentifiers(table: fit.frame.table, names: ids), table: fit.frame.table,
            rows: d.map(\.row),
            values: d.map { [$0.response, $0.fitted, $0.linearPredictor, $0.responseResidual, $0.pearsonResidual,
                             $0.devianceResidual, $0.workingResidual, $0.leverage, $0.standardizedResidual, $0.cooksDistance] },
            left: fit.frame.dropped, leftTitle: "Dropped for missing values",
            extra: [("formula", .string(fit.frame.formula.text)), ("family", .string(fit.family.rawValue)),
                    ("link", .string(fit.link.rawValue))])
    }

    /// The report as text, laid out as R prints it.
    public var text: String { rows.text }
    /// The report as tidy CSV (one row per line of the table).
    public var csv: String { rows.csv }
    /// The report as JSON, with the same fields as the CSV and the statistics around them.
    public var json: String { rows.json }
}

/// Predictions of a generalized linear model on the link and response scales, with simulated
/// prediction intervals where the family has them.
public struct GLMPredictionReport {
    private let rows: RowTable

    /// The predictions `p` of `fit` for the rows of `table`, identified by `ids`.
    public init(_ p: GLMPredictions, fit: GeneralizedLinearModelFit, table: DataTable, ids: [String]?) throws(DataError) {
        var columns = ["link_fit", "link_se", "link_low", "link_high", "fit", "se_fit", "conf_low", "conf_high"]
        if p.predictionLow != nil { columns += ["pred_low", "pred_high"] }
        let level = NumberFormat.significant(p.level * 100, digits: 4)
        var title = "Predictions of glm(\(fit.frame.formula.text), \(fit.family.rName)(link = \"\(fit.link.rawValue)\")) with \(level)% "
            + "Wald intervals for the mean (link scale, and transformed to the response scale)"
        if p.predictionLow != nil {
            title += ";\nprediction intervals for a new observation from \(p.draws) simulated draws (seed \(p.seed)), "
                + "coefficient uncertainty included" + (fit.theta != nil && fit.thetaStandardError != nil ? " (and theta's)" : "")
        } else {
            title += ";\nno prediction interval: the \(fit.family.rName) family has none here (binomial needs the trials; quasi-Poisson has no distribution)"
        }
        rows = RowTable(
            title: title, columns: columns, identifiers: try RowIdentifiers(table: table, names: ids), table: table, rows: p.rows,
            values: p.rows.indices.map { k in
                [p.linkFit[k], p.linkStandardError[k], p.linkLow[k], p.linkHigh[k], p.fit[k], p.standardError[k], p.low[k], p.high[k]]
                    + (p.predictionLow.map { [$0[k], p.predictionHigh![k]] } ?? [])
            },
            left: p.dropped, leftTitle: "Not predicted (a predictor is missing)",
            extra: [("level", .number(p.level)), ("draws", .number(Double(p.draws))), ("seed", .number(Double(p.seed)))])
    }

    /// The report as text, laid out as R prints it.
    public var text: String { rows.text }
    /// The report as tidy CSV (one row per line of the table).
    public var csv: String { rows.csv }
    /// The report as JSON, with the same fields as the CSV and the statistics around them.
    public var json: String { rows.json }
}
