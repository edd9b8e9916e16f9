import DataTable

/// The identifier columns that label each row of a per-row report (residuals, predictions).
struct RowIdentifiers {
    let names: [String]
    private let table: DataTable
    private let columns: [Column]

    /// `names` nil picks every text column whose values are unique across the table's rows.
    init(table: DataTable, names: [String]?) throws(DataError) {
        self.table = table
        if let names {
            var columns = [Column]()
            for name in names { columns.append(try table.column(named: name)) }
            self.columns = columns
        } else {
            columns = table.columns.filter { $0.kind == .text && Set($0.strings).count == table.rowCount }
        }
        self.names = columns.map(\.name)
    }

    /// The identifiers of table row `row`; a missing cell shows its marker.
    func values(row: Int) -> [String] {
        columns.map { table.cellText(row: row, column: $0) ?? ($0.missing.isEmpty ? "" : $0.missing[row] ?? "") }
    }
}
