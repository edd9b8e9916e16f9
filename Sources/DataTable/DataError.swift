import Foundation
/// Where in a source file something is: a 1-based line, and a column by number and name.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    /// The file, as it was named to the reader.
    public var file: String
    /// The 1-based line.
    public var line: Int
    /// 1-based field number, when the problem is in one field.
    public var column: Int?
    /// The header name of that field, when known.
    public var columnName: String?

    /// A location at `line` of `file`, in a column when given.
    public init(file: String, line: Int, column: Int? = nil, columnName: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
    }

    public var description: String {
        var s = "\(file):\(line)"
        if let column {
            s += ", column \(column)"
            if let columnName, !columnName.isEmpty { s += " (\(shownPlainly(columnName)))" }
        }
        return s
    }
}

/// Everything that can be wrong with a data file, each naming the place.
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read (the system's reason).
    case cannotRead(file: String, reason: String)
    /// The file has no header row.
    case emptyFile(file: String)
    /// A quoted field that is never closed.
    case unterminatedQuote(SourceLocation)
    /// A row with more or fewer fields than the header.
    case fieldCount(SourceLocation, found: Int, expected: Int)
    /// Bytes that are not UTF-8.
    case invalidUTF8(SourceLocation)
    /// A header field with no name.
    case emptyHeaderName(SourceLocation)
    /// A header name used twice (the first use's column given).
    case duplicateHeaderName(SourceLocation, firstColumn: Int)
    /// A quote inside an unquoted field.
    case unexpectedQuote(SourceLocation)
    /// A cell that must be a number and is not (nor a missing-value marker).
    case notNumeric(SourceLocation, value: String)
    /// No column of that name; the nearest name as a suggestion.
    case unknownColumn(file: String, name: String, suggestion: String?)
    /// The columns kept would take more than the memory limit (reached by `line`).
    case tooLarge(file: String, line: Int, limit: Int)

    public var description: String {
        switch self {
        case .cannotRead(let file, let reason):
            return "\(file): cannot read file: \(reason)"
        case .emptyFile(let file):
            return "\(file): file is empty (no header row)"
        case .unterminatedQuote(let at):
            return "\(at): quoted field is never closed (a \" opened here has no closing \")"
        case .fieldCount(let at, let found, let expected):
            return "\(at): row has \(found) fields, but the header has \(expected)"
        case .invalidUTF8(let at):
            return "\(at): text is not valid UTF-8"
        case .emptyHeaderName(let at):
            return "\(at): header name is empty"
        case .duplicateHeaderName(let at, let first):
            return "\(at): header name \"\(shownPlainly(at.columnName ?? ""))\" repeats column \(first)"
        case .unexpectedQuote(let at):
            return "\(at): a \" inside an unquoted field (quote the whole field and double the \")"
        case .notNumeric(let at, let value):
            return "\(at): \"\(shownPlainly(value))\" is not a number"
        case .tooLarge(let file, let line, let limit):
            return "\(file): the columns needed take more than the memory limit of \(formatBytes(Double(limit))) (--max-memory) "
                + "by line \(line); read a smaller file, or raise the limit"
        case .unknownColumn(let file, let name, let suggestion):
            return "\(file): no column named \"\(shownPlainly(name))\"" + (suggestion.map { "; did you mean \"\(shownPlainly($0))\"?" } ?? "")
        }
    }
}

/// `text` as an error message shows it: control characters (a NUL byte, an escape) written as
/// `\u{0}`, and a long value cut to its first 80 characters with its length, so that a message
/// stays one readable line whatever the input held.
public func shownPlainly(_ text: String) -> String {
    let limit = 80
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
        count += 1
        guard count <= limit else { continue }
        if scalar.properties.generalCategory == .control {
            out += "\\u{" + String(scalar.value, radix: 16) + "}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return count > limit ? out + "... (\(count) characters)" : out
}

/// Bytes as people read them: 1.6 TB, 512 MB (powers of 1000).
public func formatBytes(_ bytes: Double) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
    var value = bytes, unit = 0
    while value >= 1000 && unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    if unit == 0 { return "\(Int(value)) bytes" }
    return (value >= 100 ? String(Int(value.rounded())) : String(format: "%.3g", value)) + " " + units[unit]
}
