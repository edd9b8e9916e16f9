/// Keyed joins of tables, with a report of the keys that did not match.
///
/// Keys are compared as text: a numeric key cell is rendered in its shortest exact form, so
/// `2015` and `2015.0` match. Rows whose key has a missing cell never match.
public struct JoinReport: Sendable, Equatable {
    /// Keys of left rows with no right row.
    public var unmatchedLeft: [[String]]
    /// Keys of right rows no left row asked for.
    public var unmatchedRight: [[String]]
}

/// Why two tables could not be joined on their keys.
public enum JoinError: Error, Equatable, CustomStringConvertible {
    /// A key that appears twice in the table joined in.
    case duplicateKey(file: String, line: Int, key: [String])
    /// A key column that one of the tables does not have.
    case missingColumn(DataError)

    public var description: String {
        switch self {
        case .duplicateKey(let file, let line, let key):
            return "\(file):\(line): key (\(key.joined(separator: ", "))) appears twice; a join needs one row per key on the right"
        case .missingColumn(let e): return e.description
        }
    }
}

extension DataTable {
    /// The text of a cell: numbers in shortest exact form, missing cells as nil.
    public func cellText(row: Int, column: Column) -> String? {
        if column.isMissing(row) { return nil }
        switch column.kind {
        case .text: return column.strings[row]
        case .numeric: return column.numbers[row].shortText
        }
    }

    private func keys(_ names: [String]) throws(JoinError) -> [[String]?] {
        var columns = [Column]()
        for name in names {
            do { columns.append(try column(named: name)) } catch { throw .missingColumn(error) }
        }
        return (0..<rowCount).map { i in
            let parts = columns.map { cellText(row: i, column: $0) }
            return parts.contains { $0 == nil } ? nil : parts.map { $0! }
        }
    }

    /// Every row of this table, with the columns of `right` (other than the keys) whose key
    /// matches; unmatched rows get those cells missing with marker `"NA"`. `right` must have
    /// at most one row per key.
    public func leftJoin(_ right: DataTable, on keyNames: [String]) throws(JoinError) -> (DataTable, JoinReport) {
        let leftKeys = try keys(keyNames), rightKeys = try right.keys(keyNames)
        var index = [[String]: Int]()
        for (i, key) in rightKeys.enumerated() {
            guard let key else { continue }
            if index[key] != nil { throw .duplicateKey(file: right.source, line: right.rowLines[i], key: key) }
            index[key] = i
        }
        let match = leftKeys.map { $0.flatMap { index[$0] } }
        var columns = self.columns
        for column in right.columns where !keyNames.contains(column.name) {
            var name = column.name
            while columns.contains(where: { $0.name == name }) { name += ".y" }
            var missing = [String?](repeating: nil, count: rowCount)
            var numbers = [Double](), strings = [String]()
            for (i, r) in match.enumerated() {
                if let r, !column.isMissing(r) {
                    if column.kind == .numeric { numbers.append(column.numbers[r]) } else { strings.append(column.strings[r]) }
                } else {
                    missing[i] = r == nil ? "NA" : column.missing[r!]
                    if column.kind == .numeric { numbers.append(.nan) } else { strings.append("") }
                }
            }
            columns.append(Column(
                name: name, numbers: numbers, strings: strings,
                missing: missing.contains { $0 != nil } ? missing : [], kind: column.kind, firstNonNumericRow: nil))
        }
        let used = Set(match.compactMap { $0 })
        let report = JoinReport(
            unmatchedLeft: zip(leftKeys, match).filter { $0.1 == nil }.compactMap { $0.0 },
            unmatchedRight: rightKeys.enumerated().filter { !used.contains($0.offset) }.compactMap { $0.element })
        return (DataTable(source: source, columns: columns, rowLines: rowLines), report)
    }

    /// The rows at `positions`, in that order, each keeping its source line (so messages still
    /// name the file's lines) and every column its kind.
    public func selecting(rows positions: [Int]) -> DataTable {
        let columns = columns.map { c -> Column in
            let strings = c.strings.isEmpty ? [] : positions.map { c.strings[$0] }
            let missing = c.missing.isEmpty ? [] : positions.map { c.missing[$0] }
            var first: Int?
            if c.kind == .text {
                first = strings.indices.first { (missing.isEmpty || missing[$0] == nil) && DataTable.parseNumber(strings[$0]) == nil }
            }
            var selected = Column(
                name: c.name, numbers: c.numbers.isEmpty ? [] : positions.map { c.numbers[$0] }, strings: strings,
                missing: missing.contains { $0 != nil } ? missing : [], kind: c.kind, firstNonNumericRow: first)
            selected.filePosition = c.filePosition
            return selected
        }
        return DataTable(source: source, columns: columns, rowLines: positions.map { rowLines[$0] })
    }

    /// A copy with one more column.
    public func adding(_ column: Column) -> DataTable {
        DataTable(source: source, columns: columns + [column], rowLines: rowLines)
    }
}

extension Column {
    /// A numeric column; `nan` entries become missing with `marker`.
    public static func numeric(_ name: String, _ values: [Double], missingMarker marker: String = "NA") -> Column {
        let missing: [String?] = values.map { $0.isNaN ? marker : nil }
        return Column(
            name: name, numbers: values, strings: [], missing: missing.contains { $0 != nil } ? missing : [],
            kind: .numeric, firstNonNumericRow: nil)
    }

    /// `self / denominator * per`, e.g. a rate per 10,000 (`per: 10_000`) or a share in percent
    /// (`per: 100`); missing where either is missing or the denominator is not positive.
    public func rate(per: Double, of denominator: Column, name: String) -> Column {
        let values = (0..<numbers.count).map { i -> Double in
            guard !isMissing(i), !denominator.isMissing(i), denominator.numbers[i] > 0 else { return .nan }
            return numbers[i] / denominator.numbers[i] * per
        }
        return .numeric(name, values)
    }
}

extension Double {
    /// The number as a cell or level is written: whole numbers below 1e15 without a decimal
    /// point ("2016", not "2016.0"), others in Swift's shortest round-trip form.
    public var shortText: String {
        self == rounded() && Swift.abs(self) < 1e15 ? String(Int64(self)) : "\(self)"
    }
}
