import DataTable
import Foundation

/// One cell of a panel: a number, a text, or a gap with the marker that says why.
public enum PanelCell: Sendable, Hashable {
    /// A number.
    case number(Double)
    /// A text (an authority's code or name).
    case text(String)
    /// A gap: the source's own marker (`*`, `c`, `x`, `z`, `[x]`) or `NA` where a source has no
    /// row for the authority and year.
    case missing(String)

    /// Whether the cell is a gap.
    public var isMissing: Bool { if case .missing = self { return true } else { return false } }
    /// The number, if the cell holds one.
    public var number: Double? { if case .number(let v) = self { return v } else { return nil } }
}

/// What a panel column is: the codebook entry.
public struct PanelColumn: Sendable {
    /// The column's name in the CSV.
    public var name: String
    /// Its unit (children, per 10,000 children aged 0-17, ...).
    public var unit: String
    /// The date or period a value refers to (31 March, the mid-year before, IoD 2019).
    public var referenceDate: String
    /// What the value is, and how it is derived where it is.
    public var definition: String
    /// The file (and publisher) it comes from.
    public var source: String
    /// Decimals to print (nil: integers print as integers, other numbers in shortest form).
    public var decimals: Int?
}

/// An analysis-ready panel: one row per authority and year.
public struct Panel: Sendable {
    /// The panel's dataset name (`wales_la_panel`).
    public var name: String
    /// The CSV file the panel is written to.
    public var file: String
    /// Its title in the codebook.
    public var title: String
    /// The columns, with their codebook entries.
    public var columns: [PanelColumn]
    /// One row per authority and year, cells in column order.
    public var rows: [[PanelCell]]
    /// What the codebook says a user must know (boundary changes, gaps, vintages).
    public var caveats: [String]
    /// What a row is, for the codebook (nil: one authority in one year).
    public var rowsAre: String? = nil

    /// The panel as CSV, gaps written as their markers.
    public var csv: String {
        CSVWriter.render(header: columns.map(\.name), rows: rows.map { row in
            zip(row, columns).map { cell, column in
                switch cell {
                case .text(let s): return s
                case .missing(let marker): return marker
                case .number(let v):
                    if let d = column.decimals { return String(format: "%.\(d)f", v) }
                    return v.shortText
                }
            }
        })
    }

    /// Missing cells per column, by marker.
    public var missingCounts: [(column: String, byMarker: [(String, Int)])] {
        columns.enumerated().map { j, column in
            var counts = [String: Int]()
            for row in rows { if case .missing(let m) = row[j] { counts[m, default: 0] += 1 } }
            return (column.name, counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }
}

/// A source file of `../shared/data`, read as text so its markers can be kept.
struct SourceTable {
    let file: String
    let table: DataTable

    init(directory: URL, file: String) throws(DataError) {
        self.file = file
        var options = CSVOptions()
        options.inferTypes = false
        table = try DataTable.read(path: directory.appendingPathComponent(file).path, options: options)
    }

    func strings(_ name: String) throws(DataError) -> [String] { try table.column(named: name).strings }

    /// Row indices by key (the key columns' text joined), keeping rows that pass `filter`.
    func index(by names: [String], where filter: (Int) -> Bool = { _ in true }) throws(DataError) -> [[String]: Int] {
        let columns = try names.map { (n: String) throws(DataError) -> [String] in try strings(n) }
        var index = [[String]: Int]()
        for i in 0..<table.rowCount where filter(i) { index[columns.map { $0[i] }] = i }
        return index
    }

    /// A cell as a number, or the source's marker as a gap.
    func cell(_ name: String, row: Int?) throws(DataError) -> PanelCell {
        guard let row else { return .missing("NA") }
        let text = try strings(name)[row].trimmingCharacters(in: .whitespaces)
        if let v = DataTable.parseNumber(text) { return .number(v) }
        return .missing(text.isEmpty ? "NA" : text)
    }
}

/// `numerator / denominator * per`, a gap where either is.
func ratio(_ numerator: PanelCell, _ denominator: PanelCell, per: Double) -> PanelCell {
    guard let a = numerator.number, let b = denominator.number, b > 0 else {
        if numerator.isMissing { return numerator }
        if denominator.isMissing { return denominator }
        return .missing("NA")
    }
    return .number(a / b * per)
}
