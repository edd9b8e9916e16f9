#if canImport(Glibc)
import Glibc
#endif

/// A column of a table: numbers or text, with the marker of each missing cell.
public struct Column: Sendable {
    /// What a column holds.
    public enum Kind: String, Sendable {
        /// Numbers (missing cells NaN), or text.
        case numeric, text
    }

    /// The header name.
    public let name: String
    /// Numbers (`nan` where missing), for numeric columns.
    public internal(set) var numbers: [Double]
    /// Text, for text columns.
    public internal(set) var strings: [String]
    /// The missing-value marker of each missing cell (nil where a value is present); empty when
    /// nothing is missing.
    public internal(set) var missing: [String?]
    /// Numbers or text: numeric when every present cell parses as a number.
    public let kind: Kind
    /// For a text column, the first row whose cell is neither a number nor a missing marker.
    public internal(set) var firstNonNumericRow: Int?
    /// The column's 1-based position in the file it was read from (which differs from its
    /// place in the table when only some columns were read); nil when not read from a file.
    public internal(set) var filePosition: Int? = nil

    /// Whether row `i` is missing.
    public func isMissing(_ i: Int) -> Bool { !missing.isEmpty && missing[i] != nil }
}

/// Options for reading a CSV file.
public struct CSVOptions: Sendable {
    /// Missing-value markers of UK official statistics (ONS, DfE, StatsWales, DWP): empty, NA,
    /// `.`, `..`, `:`, `-`, `*`, and the suppression and quality codes `c k u x z` bare or in
    /// brackets, plus `[low]`. Matched exactly, after trimming spaces, and only when the whole
    /// cell is the marker.
    public static let officialStatisticsMarkers: Set<String> = [
        "", "NA", ".", "..", ":", "-", "*", "c", "k", "u", "x", "z",
        "[c]", "[k]", "[low]", "[u]", "[x]", "[z]",
    ]

    /// The field delimiter (a comma).
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// Cells read as missing, each kept as its marker (empty, NA and the official statistics' suppression markers).
    public var missingMarkers: Set<String> = CSVOptions.officialStatisticsMarkers
    /// Column types to force instead of inferring.
    public var columnTypes: [String: Column.Kind] = [:]
    /// Keep only these columns (in this order); nil keeps every column. Naming a column the
    /// file lacks is an error suggesting the nearest name.
    public var columns: [String]?
    /// When false, every column is text, cells are kept exactly as written and no marker is
    /// treated as missing (for reading sources whose markers a caller interprets itself).
    public var inferTypes = true
    /// Cores to parse on; nil uses every online core.
    public var threads: Int?
    /// The most bytes the columns kept may take (numbers, text, markers); reading stops with
    /// ``DataError/tooLarge(file:line:limit:)`` past it. nil: no limit.
    public var memoryLimit: Int?

    /// The defaults: commas, the official statistics' markers, every column, no memory limit.
    public init() {}
}

/// A table read from a CSV file: named, typed columns, each cell traceable to its line.
public struct DataTable: Sendable {
    /// The file the table came from, as the user named it (for messages).
    public let source: String
    /// The columns kept, in file order.
    public let columns: [Column]
    /// The source line on which each row starts (for messages).
    public let rowLines: [Int]
    /// Each column's index by name (a file may have 100,000 columns).
    private let index: [String: Int]

    /// A table of `columns` read from `source`, its rows from file lines `rowLines`.
    public init(source: String, columns: [Column], rowLines: [Int]) {
        self.source = source
        self.columns = columns
        self.rowLines = rowLines
        index = Dictionary(columns.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The number of data rows.
    public var rowCount: Int { rowLines.count }
    /// The columns' names, in order.
    public var columnNames: [String] { columns.map(\.name) }

    /// The column named `name`, or an error suggesting the nearest name.
    public func column(named name: String) throws(DataError) -> Column {
        if let k = index[name] { return columns[k] }
        throw .unknownColumn(file: source, name: name, suggestion: nearestName(to: name, in: columnNames))
    }

    /// The location of a cell, for messages.
    public func location(row: Int, column name: String) -> SourceLocation {
        let found = columns.firstIndex { $0.name == name }
        let index = found.map { columns[$0].filePosition ?? $0 + 1 }
        return SourceLocation(file: source, line: rowLines[row], column: index, columnName: name)
    }

    /// Reads a CSV file, in chunks; never writes to it. With ``CSVOptions/columns`` set, only
    /// those columns are kept.
    public static func read(path: String, options: CSVOptions = CSVOptions()) throws(DataError) -> DataTable {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .cannotRead(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            throw .cannotRead(file: path, reason: "it is a directory")
        }
        return try CSVReader(source: path, options: options).read(.file(fd))
    }

    /// Parses CSV text already in memory; `source` names it in messages.
    public static func parse(bytes: [UInt8], source: String, options: CSVOptions = CSVOptions()) throws(DataError) -> DataTable {
        try CSVReader(source: source, options: options).read(.memory(bytes))
    }

    /// A finite number, allowing thousands separators ("1,234,567.5") and a leading "+".
    /// The same decimal grammar as the CSV reader's (`NumberParser`).
    public static func parseNumber(_ s: String) -> Double? {
        func decimal(_ text: String) -> Double? {
            var text = text
            return text.withUTF8 { $0.isEmpty ? nil : NumberParser.parse($0.baseAddress!, count: $0.count) }
        }
        if let v = decimal(s) { return v }
        guard s.contains(","), isGroupedNumber(s) else { return nil }
        return decimal(s.filter { $0 != "," })
    }

    /// Digits in groups of three separated by commas, with an optional sign and decimals.
    private static func isGroupedNumber(_ s: String) -> Bool {
        var body = Substring(s)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let integer = parts.first else { return false }
        let groups = integer.split(separator: ",", omittingEmptySubsequences: false)
        guard let lead = groups.first, (1...3).contains(lead.count) else { return false }
        return groups.allSatisfy { $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
            && groups.dropFirst().allSatisfy { $0.count == 3 }
            && (parts.count == 1 || parts[1].allSatisfy { $0.isASCII && $0.isNumber })
    }
}

extension String {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }
}

/// The name in `names` closest to `name` by edit distance, if close enough to be a likely typo.
public func nearestName(to name: String, in names: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    let target = Array(name.lowercased())
    let scored = names.map { ($0, distance(target, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, name.count / 3) ? best.0 : nil
}

extension DataTable {
    /// A table of complete numeric columns built in memory, for library users with data
    /// already in arrays (rows are numbered as if read from a file with a header: lines 2, 3, ...).
    /// - Precondition: every column has the same length.
    public init(source: String, numericColumns: [(name: String, values: [Double])]) {
        let n = numericColumns.first?.values.count ?? 0
        precondition(numericColumns.allSatisfy { $0.values.count == n }, "DataTable: columns must have the same length")
        self.init(
            source: source,
            columns: numericColumns.map {
                Column(name: $0.name, numbers: $0.values, strings: [], missing: [], kind: .numeric, firstNonNumericRow: nil)
            },
            rowLines: Array(2..<(n + 2)))
    }
}
