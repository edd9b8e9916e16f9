import DataTable
import Foundation
import Regression

/// Predictions with their intervals, each row carrying identifier columns.
public struct PredictionReport {
    /// The predictions reported.
    public let predictions: Predictions
    /// The rows predicted, for their identifiers.
    public let table: DataTable
    private let identifiers: RowIdentifiers
    /// Identifier columns printed first.
    public var idColumns: [String] { identifiers.names }

    /// The stable columns of the CSV and JSON output, in order.
    public static let columns = ["line", "fit", "se_fit", "conf_low", "conf_high", "pred_low", "pred_high"]

    /// The predictions for the rows of `table`, identified by `ids`.
    ///
    /// - Parameters:
    ///   - predictions: the predictions, one per row.
    ///   - table: the rows predicted, for their identifiers.
    ///   - ids: identifier columns; nil picks every text column unique across rows.
    public init(_ predictions: Predictions, table: DataTable, ids: [String]?) throws(DataError) {
        self.predictions = predictions
        self.table = table
        identifiers = try RowIdentifiers(table: table, names: ids)
    }

    private func ids(_ row: Int) -> [String] { identifiers.values(row: row) }

    private func values(_ k: Int) -> [Double] {
        let p = predictions
        return [p.fit[k], p.standardError[k], p.confidenceLow[k], p.confidenceHigh[k], p.predictionLow[k], p.predictionHigh[k]]
    }

    /// The report as tidy CSV (one row per line of the table).
    public var csv: String {
        CSVWriter.render(header: idColumns + Self.columns, rows: predictions.rows.indices.map { k in
            ids(predictions.rows[k]) + [String(table.rowLines[predictions.rows[k]])] + values(k).map { NumberFormat.exact($0) }
        })
    }

    /// The report as text, laid out as R prints it.
    public var text: String {
        let level = NumberFormat.significant(predictions.level * 100, digits: 4)
        var out = "Predictions with \(level)% confidence (mean) and prediction (new observation) intervals\n\n"
        let body = predictions.rows.indices.map { k in
            ids(predictions.rows[k]) + [String(table.rowLines[predictions.rows[k]])] + values(k).map { NumberFormat.significant($0, digits: 6) }
        }
        out += alignColumns([idColumns + Self.columns] + body).map { $0 + "\n" }.joined()
        if !predictions.dropped.isEmpty {
            out += "\nNot predicted (a predictor is missing):\n"
            for row in predictions.dropped {
                out += (ids(row.row) + ["line \(row.line)", "\(row.column) \"\(row.marker)\""]).joined(separator: "  ") + "\n"
            }
        }
        return out
    }

    /// The report as JSON, with the same fields as the CSV and the statistics around them.
    public var json: String {
        JSONValue.object([
            ("level", .number(predictions.level)),
            ("predictions", .array(predictions.rows.indices.map { k in
                .object(zip(idColumns, ids(predictions.rows[k])).map { ($0, JSONValue.string($1)) }
                    + [("line", .number(Double(table.rowLines[predictions.rows[k]])))]
                    + zip(Self.columns.dropFirst(), values(k)).map { ($0, JSONValue.number($1)) })
            })),
            ("not_predicted", .array(predictions.dropped.map { row in
                .object(zip(idColumns, ids(row.row)).map { ($0, JSONValue.string($1)) } + [
                    ("line", .number(Double(row.line))), ("column", .string(row.column)), ("marker", .string(row.marker)),
                ])
            })),
        ]).rendered(indent: 0) + "\n"
    }
}
