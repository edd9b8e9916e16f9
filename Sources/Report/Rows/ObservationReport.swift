import DataTable
import Foundation
import Regression

/// Per-observation diagnostics, each row carrying identifier columns, as text, CSV or JSON.
public struct ObservationReport {
    /// The fit reported.
    public let fit: LinearModelFit
    /// Its per-observation diagnostics.
    public let diagnostics: ObservationDiagnostics
    private let identifiers: RowIdentifiers
    /// Identifier columns printed first.
    public var idColumns: [String] { identifiers.names }

    /// The stable diagnostic columns after the identifiers.
    public static let columns = ["line", "observed", "fitted", "residual", "std_residual", "student_residual", "leverage", "cooks_distance"]

    /// The observations of `fit`, identified by `ids`.
    ///
    /// - Parameters:
    ///   - fit: the fitted linear model.
    ///   - ids: columns to identify rows by; nil picks every text column whose values are
    ///     unique across the table's rows.
    public init(fit: LinearModelFit, ids: [String]?) throws(DataError) {
        self.fit = fit
        diagnostics = fit.diagnostics
        identifiers = try RowIdentifiers(table: fit.frame.table, names: ids)
    }

    private func ids(row: Int) -> [String] { identifiers.values(row: row) }

    private var rows: [[String]] {
        let d = diagnostics
        return d.rows.indices.map { i in
            ids(row: d.rows[i]) + [String(d.lines[i])] + [d.response[i], d.fitted[i], d.residuals[i], d.standardized[i],
                d.studentized[i], d.leverage[i], d.cooksDistance[i]].map { NumberFormat.exact($0) }
        }
    }

    /// The report as tidy CSV (one row per line of the table).
    public var csv: String { CSVWriter.render(header: idColumns + Self.columns, rows: rows) }

    /// The report as text, laid out as R prints it.
    public var text: String {
        let d = diagnostics
        let body = d.rows.indices.map { i in
            ids(row: d.rows[i]) + [String(d.lines[i])] + [d.response[i], d.fitted[i], d.residuals[i], d.standardized[i],
                d.studentized[i], d.leverage[i], d.cooksDistance[i]].map { NumberFormat.significant($0, digits: 5) }
        }
        var out = "Observations of lm(\(fit.frame.formula.text)): \(d.rows.count) used\n\n"
        out += alignColumns([idColumns + Self.columns] + body).map { $0 + "\n" }.joined()
        if !fit.frame.dropped.isEmpty {
            out += "\nDropped for missing values:\n"
            for row in fit.frame.dropped {
                out += (ids(row: row.row) + ["line \(row.line)", "\(row.column) \"\(row.marker)\""]).joined(separator: "  ") + "\n"
            }
        }
        return out
    }

    /// The report as JSON, with the same fields as the CSV and the statistics around them.
    public var json: String {
        let d = diagnostics
        let observations = JSONValue.array(d.rows.indices.map { i in
            .object(zip(idColumns, ids(row: d.rows[i])).map { ($0, JSONValue.string($1)) } + [
                ("line", .number(Double(d.lines[i]))), ("observed", .number(d.response[i])), ("fitted", .number(d.fitted[i])),
                ("residual", .number(d.residuals[i])), ("std_residual", .number(d.standardized[i])),
                ("student_residual", .number(d.studentized[i])), ("leverage", .number(d.leverage[i])),
                ("cooks_distance", .number(d.cooksDistance[i])),
            ])
        })
        let dropped = JSONValue.array(fit.frame.dropped.map { row in
            .object(zip(idColumns, ids(row: row.row)).map { ($0, JSONValue.string($1)) } + [
                ("line", .number(Double(row.line))), ("column", .string(row.column)), ("marker", .string(row.marker)),
            ])
        })
        return JSONValue.object([
            ("formula", .string(fit.frame.formula.text)), ("observations", observations), ("dropped", dropped),
        ]).rendered(indent: 0) + "\n"
    }
}
