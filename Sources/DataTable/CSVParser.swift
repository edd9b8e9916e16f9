/// An RFC 4180 CSV tokenizer over bytes: quoted fields with embedded delimiters, quotes
/// (doubled) and line breaks; LF or CRLF; a UTF-8 byte-order mark skipped. It yields each
/// record's fields as byte ranges with the line each record starts on, so errors can name
/// the line and field.
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

    /// Calls `record(line, fields)` for each record; stops at the first error.
    func parse(_ record: (Int, [Field]) throws(DataError) -> Void) throws(DataError) {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let n = bytes.count
        var line = 1
        var fields: [Field] = []
        while i < n {
            let recordLine = line
            fields.removeAll(keepingCapacity: true)
            while true {
                // One field starting at i.
                if i < n && bytes[i] == quote {
                    let openLine = line
                    var j = i + 1
                    var escapes = false
                    while true {
                        guard j < n else {
                            throw .unterminatedQuote(SourceLocation(file: file, line: openLine, column: fields.count + 1))
                        }
                        let b = bytes[j]
                        if b == quote {
                            if j + 1 < n && bytes[j + 1] == quote {
                                escapes = true
                                j += 2
                                continue
                            }
                            break
                        }
                        if b == lf { line += 1 }
                        j += 1
                    }
                    fields.append(Field(start: i + 1, end: j, hasEscapes: escapes, quoted: true))
                    i = j + 1
                    if i < n && bytes[i] != delimiter && bytes[i] != lf && !(bytes[i] == cr && (i + 1 == n || bytes[i + 1] == lf)) {
                        throw .unexpectedQuote(SourceLocation(file: file, line: line, column: fields.count))
                    }
                } else {
                    var j = i
                    while j < n {
                        let b = bytes[j]
                        if b == delimiter || b == lf { break }
                        if b == cr && (j + 1 == n || bytes[j + 1] == lf) { break }
                        if b == quote {
                            throw .unexpectedQuote(SourceLocation(file: file, line: line, column: fields.count + 1))
                        }
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
            // End of record.
            if i < n && bytes[i] == cr { i += 1 }
            if i < n && bytes[i] == lf {
                i += 1
                line += 1
            }
            // A blank line (one empty unquoted field) is skipped, as R and pandas do.
            if fields.count == 1 && !fields[0].quoted && fields[0].start == fields[0].end { continue }
            try record(recordLine, fields)
        }
    }

    /// The text of a field, unescaped, or an error if it is not UTF-8.
    func text(_ f: Field, line: Int, column: Int) throws(DataError) -> String {
        let slice = bytes[f.start..<f.end]
        guard var s = String(validating: slice, as: UTF8.self) else {
            throw .invalidUTF8(SourceLocation(file: file, line: line, column: column))
        }
        if f.hasEscapes { s = s.replacingOccurrences(of: "\"\"", with: "\"") }
        return s
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
