/// Reads one RFC 4180 record from bytes (the header, and the first data row for type
/// guesses): quoted fields with embedded delimiters, doubled quotes and line breaks; LF or
/// CRLF. Fields come back as byte ranges, so errors can name the line and field. The bulk of a
/// file is parsed by ``CSVReader``.
struct CSVParser {
    struct Field {
        var start: Int
        var end: Int
        /// The field was quoted and contains doubled quotes to unescape.
        var hasEscapes: Bool
        var quoted: Bool
    }

    let bytes: [UInt8]
    let file: String
    let delimiter: UInt8

    /// Parses the one record starting at byte `start` (on `line`) and calls `body(fields, next)`
    /// with its fields and the offset just past it.
    func parseRecord(at start: Int, line: Int, _ body: ([Field], Int) throws(DataError) -> Void) throws(DataError) {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        let n = bytes.count
        var i = start
        var fields: [Field] = []
        while true {
            if i < n && bytes[i] == quote {
                var j = i + 1
                var escapes = false
                while true {
                    guard j < n else { throw .unterminatedQuote(SourceLocation(file: file, line: line, column: fields.count + 1)) }
                    if bytes[j] == quote {
                        if j + 1 < n && bytes[j + 1] == quote {
                            escapes = true
                            j += 2
                            continue
                        }
                        break
                    }
                    j += 1
                }
                fields.append(Field(start: i + 1, end: j, hasEscapes: escapes, quoted: true))
                i = j + 1
                if i < n && bytes[i] != delimiter && bytes[i] != lf && bytes[i] != cr {
                    throw .unexpectedQuote(SourceLocation(file: file, line: line, column: fields.count))
                }
            } else {
                var j = i
                while j < n && bytes[j] != delimiter && bytes[j] != lf && !(bytes[j] == cr && (j + 1 == n || bytes[j + 1] == lf)) {
                    if bytes[j] == quote { throw .unexpectedQuote(SourceLocation(file: file, line: line, column: fields.count + 1)) }
                    j += 1
                }
                fields.append(Field(start: i, end: j, hasEscapes: false, quoted: false))
                i = j
            }
            if i < n && bytes[i] == delimiter {
                i += 1
                continue
            }
            break
        }
        if i < n && bytes[i] == cr { i += 1 }
        if i < n && bytes[i] == lf { i += 1 }
        try body(fields, i)
    }

    /// The text of a field, unescaped, or an error if it is not UTF-8.
    func text(_ f: Field, line: Int, column: Int) throws(DataError) -> String {
        let slice = bytes[f.start..<f.end]
        guard var s = String(validating: slice, as: UTF8.self) else {
            throw .invalidUTF8(SourceLocation(file: file, line: line, column: column))
        }
        if f.hasEscapes { s = s.unescapingQuotes() }
        return s
    }
}
