#if canImport(Glibc)
import Glibc
#endif

/// The CSV reading engine behind ``DataTable/read(path:options:)``.
///
/// The file is read in chunks (16 MB), never whole; each chunk's complete records are split at
/// record boundaries and parsed on all cores. Only the columns asked for
/// (``CSVOptions/columns``) are kept: numbers as `Double`, text as `String`, missing cells as
/// their markers, so memory follows the columns a model uses, not the file's size. A column
/// is numeric when every non-missing cell is a number; one that turns out to be text after some
/// numbers is collected in a second pass over the file, for that column only.
struct CSVReader {
    let source: String
    var options: CSVOptions
    static let chunkSize = 16 << 20

    /// Where bytes come from: a file descriptor, or memory.
    enum Input {
        case file(Int32)
        case memory([UInt8])
    }

    /// A column's cells as parsed from one part of the file.
    struct ColumnPart {
        var numbers: [Double] = []
        var strings: [String] = []
        var missing: [(row: Int, marker: String)] = []
        /// First cell that is neither a number nor a marker: relative row, line, text.
        var firstText: (row: Int, line: Int, text: String)?
    }

    /// What one part of the file holds.
    struct Part {
        var rows = 0
        var lines: [Int32] = []  // relative line of each row
        var newlines = 0
        var columns: [ColumnPart]
        var error: DataError?
    }

    struct Header {
        var names: [String]
        var selected: [Int]  // header index of each kept column
        var dataStart: Int
        var lines: Int
    }

    // MARK: Reading

    func read(_ input: Input) throws(DataError) -> DataTable {
        var reader = ChunkReader(input: input, source: source)
        var buffer = try reader.fill(into: [], keeping: 0)
        guard let header = try parseHeader(buffer) else { throw .emptyFile(file: source) }
        let count = header.selected.count
        var textColumns = Set(header.selected.indices.filter {
            !options.inferTypes || options.columnTypes[header.names[header.selected[$0]]] == .text
        })
        // A column whose first cell is text is collected as text from the start.
        textColumns.formUnion(firstRowTextColumns(buffer, header: header))
        var parts = [Part]()
        var offset = header.dataStart
        var line = 1 + header.lines
        while true {
            let atEnd = reader.exhausted
            let end = completeEnd(buffer, from: offset, atEnd: atEnd)
            if end > offset {
                let region = buffer.withUnsafeBufferPointer { b in
                    parseRegion(b.baseAddress!, from: offset, to: end, header: header, text: textColumns, firstLine: line)
                }
                for p in region {
                    if let error = p.error { throw error }
                    line += p.newlines
                }
                parts.append(contentsOf: region)
            }
            if atEnd { break }
            buffer = try reader.fill(into: buffer, keeping: end)
            offset = 0
        }
        // Columns that turned out to be text after numbers: collect them in a second pass.
        let flipped = (0..<count).filter { j in !textColumns.contains(j) && parts.contains { $0.columns[j].firstText != nil } }
        let forcedNumeric = (0..<count).filter { options.columnTypes[header.names[header.selected[$0]]] == .numeric }
        for j in forcedNumeric where flipped.contains(j) || textColumns.contains(j) {
            var rowBase = 0
            for p in parts {
                if let t = p.columns[j].firstText {
                    throw .notNumeric(
                        SourceLocation(file: source, line: Int(p.lines[t.row]), column: header.selected[j] + 1,
                                       columnName: header.names[header.selected[j]]), value: t.text)
                }
                rowBase += p.rows
            }
        }
        var textParts: [[Part]] = []
        if !flipped.isEmpty {
            var second = CSVReader(source: source, options: options)
            second.options.columns = flipped.map { header.names[header.selected[$0]] }
            second.options.columnTypes = Dictionary(uniqueKeysWithValues: second.options.columns!.map { ($0, .text) })
            textParts = [try second.readParts(reader.reopen())]
        }
        return assemble(header: header, parts: parts, text: textColumns, flipped: flipped, second: textParts.first)
    }

    /// The parts of a whole read (for the second pass).
    func readParts(_ input: Input) throws(DataError) -> [Part] {
        var reader = ChunkReader(input: input, source: source)
        var buffer = try reader.fill(into: [], keeping: 0)
        guard let header = try parseHeader(buffer) else { return [] }
        let text = Set(header.selected.indices)
        var parts = [Part]()
        var offset = header.dataStart
        var line = 1 + header.lines
        while true {
            let atEnd = reader.exhausted
            let end = completeEnd(buffer, from: offset, atEnd: atEnd)
            if end > offset {
                let region = buffer.withUnsafeBufferPointer { b in
                    parseRegion(b.baseAddress!, from: offset, to: end, header: header, text: text, firstLine: line)
                }
                for p in region {
                    if let error = p.error { throw error }
                    line += p.newlines
                }
                parts.append(contentsOf: region)
            }
            if atEnd { break }
            buffer = try reader.fill(into: buffer, keeping: end)
            offset = 0
        }
        return parts
    }

    private func assemble(header: Header, parts: [Part], text: Set<Int>, flipped: [Int], second: [Part]?) -> DataTable {
        var lines = [Int]()
        lines.reserveCapacity(parts.reduce(0) { $0 + $1.rows })
        for p in parts { lines.append(contentsOf: p.lines.map(Int.init)) }
        var columns = [Column]()
        for (j, index) in header.selected.enumerated() {
            let name = header.names[index]
            let isText = text.contains(j) || flipped.contains(j)
            let sourceParts: [ColumnPart]
            if flipped.contains(j), let second {
                let k = flipped.firstIndex(of: j)!
                sourceParts = second.map { $0.columns[k] }
            } else {
                sourceParts = parts.map { $0.columns[j] }
            }
            var numbers = [Double](), strings = [String]()
            var missing = [String?]()
            var anyMissing = false
            var base = 0
            var firstText: Int?
            for (k, part) in sourceParts.enumerated() {
                if isText { strings.append(contentsOf: part.strings) } else { numbers.append(contentsOf: part.numbers) }
                if !part.missing.isEmpty {
                    if !anyMissing {
                        missing = [String?](repeating: nil, count: lines.count)
                        anyMissing = true
                    }
                    for m in part.missing { missing[base + m.row] = m.marker }
                }
                if firstText == nil, let t = parts[k].columns[j].firstText { firstText = base + t.row }
                base += parts[k].rows
            }
            columns.append(Column(
                name: name, numbers: isText ? [] : numbers, strings: isText ? strings : [],
                missing: anyMissing ? missing : [], kind: isText ? .text : .numeric,
                firstNonNumericRow: isText ? (firstText ?? firstNonNumeric(strings, missing)) : nil))
        }
        return DataTable(source: source, columns: columns, rowLines: lines)
    }

    private func firstNonNumeric(_ strings: [String], _ missing: [String?]) -> Int? {
        strings.indices.first { i in (missing.isEmpty || missing[i] == nil) && DataTable.parseNumber(strings[i].trimmingSpaces()) == nil }
    }

    // MARK: Header

    private func parseHeader(_ buffer: [UInt8]) throws(DataError) -> Header? {
        var start = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lines = 0
        // Skip blank lines before the header.
        while start < buffer.count && (buffer[start] == 10 || (buffer[start] == 13 && start + 1 < buffer.count && buffer[start + 1] == 10)) {
            start += buffer[start] == 13 ? 2 : 1
            lines += 1
        }
        if start >= buffer.count { return nil }
        let parser = CSVParser(bytes: buffer, file: source, delimiter: options.delimiter)
        var names = [String]()
        var end = start
        try parser.parseRecord(at: start, line: 1 + lines) { (fields, next) throws(DataError) in
            for (k, f) in fields.enumerated() {
                let name = try parser.text(f, line: 1 + lines, column: k + 1).trimmingSpaces()
                let at = SourceLocation(file: source, line: 1 + lines, column: k + 1, columnName: name)
                if name.isEmpty { throw .emptyHeaderName(at) }
                if let first = names.firstIndex(of: name) { throw .duplicateHeaderName(at, firstColumn: first + 1) }
                names.append(name)
            }
            end = next
        }
        let headerLines = buffer[start..<end].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        var selected = Array(names.indices)
        if let wanted = options.columns {
            selected = []
            for name in wanted {
                guard let k = names.firstIndex(of: name) else {
                    throw .unknownColumn(file: source, name: name, suggestion: nearestName(to: name, in: names))
                }
                if !selected.contains(k) { selected.append(k) }
            }
        }
        return Header(names: names, selected: selected, dataStart: end, lines: lines + headerLines)
    }

    private func firstRowTextColumns(_ buffer: [UInt8], header: Header) -> Set<Int> {
        let parser = CSVParser(bytes: buffer, file: source, delimiter: options.delimiter)
        var text = Set<Int>()
        try? parser.parseRecord(at: header.dataStart, line: 0) { (fields, _) throws(DataError) in
            for (j, index) in header.selected.enumerated() where index < fields.count {
                guard let cell = try? parser.text(fields[index], line: 0, column: 0) else { continue }
                let trimmed = cell.trimmingSpaces()
                if !options.missingMarkers.contains(trimmed) && DataTable.parseNumber(trimmed) == nil { text.insert(j) }
            }
        }
        return text
    }

    // MARK: Record boundaries

    /// The end of the last complete record in `buffer[from...]` (all of it at the end of input).
    private func completeEnd(_ buffer: [UInt8], from start: Int, atEnd: Bool) -> Int {
        let n = buffer.count
        if start >= n { return start }
        return buffer.withUnsafeBufferPointer { b -> Int in
            let p = b.baseAddress!
            if memchr(p + start, 34, n - start) == nil {
                if atEnd { return n }
                var i = n - 1
                while i >= start && p[i] != 10 { i -= 1 }
                return i >= start ? i + 1 : start
            }
            // Quotes present: scan, tracking whether we are inside a quoted field. (At the end of
            // input everything is parsed, and the parser reports an unclosed quote precisely.)
            if atEnd { return n }
            var inQuotes = false
            var lastEnd = start
            for i in start..<n {
                let c = p[i]
                if c == 34 {
                    inQuotes.toggle()
                } else if c == 10 && !inQuotes {
                    lastEnd = i + 1
                }
            }
            return lastEnd
        }
    }

    // MARK: Parsing

    /// Parses the complete records in `[start, end)`, split across cores at line breaks.
    private func parseRegion(
        _ p: UnsafePointer<UInt8>, from start: Int, to end: Int, header: Header, text: Set<Int>, firstLine: Int
    ) -> [Part] {
        var bounds = [start]
        if end - start > (1 << 20) && workers > 1 && memchr(p + start, 34, end - start) == nil {
            for k in 1..<workers {
                let guess = start + (end - start) * k / workers
                if let nl = memchr(p + guess, 10, end - guess) {
                    let b = p.distance(to: nl.assumingMemoryBound(to: UInt8.self)) + 1
                    if b > bounds.last! && b < end { bounds.append(b) }
                }
            }
        }
        bounds.append(end)
        var parts = [Part?](repeating: nil, count: bounds.count - 1)
        let pointer = UnsafeSendableBox(p)
        parts.withUnsafeMutableBufferPointer { out in
            let outBox = UnsafeSendableBox(out.baseAddress!)
            runParallel(bounds.count - 1) { k in
                outBox.value[k] = self.parsePart(pointer.value, from: bounds[k], to: bounds[k + 1], header: header, text: text)
            }
        }
        // Make line numbers absolute.
        var line = firstLine
        var result = [Part]()
        for var part in parts.map({ $0! }) {
            for i in part.lines.indices { part.lines[i] += Int32(line) }
            if var e = part.error {
                e = e.shiftingLines(by: line)
                part.error = e
            }
            for j in part.columns.indices {
                if let t = part.columns[j].firstText { part.columns[j].firstText = (t.row, t.line + line, t.text) }
            }
            line += part.newlines
            result.append(part)
        }
        return result
    }

    private var workers: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    private func parsePart(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int, header: Header, text: Set<Int>) -> Part {
        let fieldCount = header.names.count
        var slot = [Int](repeating: -1, count: fieldCount)
        for (j, index) in header.selected.enumerated() { slot[index] = j }
        var part = Part(columns: Array(repeating: ColumnPart(), count: header.selected.count))
        let estimate = (end - start) / max(1, fieldCount * 8)
        for j in part.columns.indices {
            if text.contains(j) { part.columns[j].strings.reserveCapacity(estimate) } else { part.columns[j].numbers.reserveCapacity(estimate) }
        }
        part.lines.reserveCapacity(estimate)
        let isText = (0..<header.selected.count).map { text.contains($0) }
        let markers = CellMarkers(options.inferTypes ? options.missingMarkers : [])
        let delimiter = options.delimiter
        var pos = start
        var line = 0
        while pos < end {
            // Blank lines are skipped, as R and pandas do.
            if p[pos] == 10 {
                pos += 1
                line += 1
                continue
            }
            if p[pos] == 13 && pos + 1 < end && p[pos + 1] == 10 {
                pos += 2
                line += 1
                continue
            }
            let recordLine = line
            var field = 0
            while true {
                var fieldStart = pos, fieldEnd = pos
                var quoted = false, escapes = false
                if pos < end && p[pos] == 34 {
                    quoted = true
                    var q = pos + 1
                    while q < end {
                        if p[q] == 34 {
                            if q + 1 < end && p[q + 1] == 34 {
                                escapes = true
                                q += 2
                                continue
                            }
                            break
                        }
                        if p[q] == 10 { line += 1 }
                        q += 1
                    }
                    if q >= end {
                        part.error = .unterminatedQuote(SourceLocation(file: source, line: recordLine, column: field + 1))
                        return part
                    }
                    fieldStart = pos + 1
                    fieldEnd = q
                    pos = q + 1
                    if pos < end && p[pos] != delimiter && p[pos] != 10 && !(p[pos] == 13 && (pos + 1 == end || p[pos + 1] == 10)) {
                        part.error = .unexpectedQuote(SourceLocation(file: source, line: line, column: field + 1))
                        return part
                    }
                } else {
                    var q = pos
                    while q < end {
                        let c = p[q]
                        if c == delimiter || c == 10 { break }
                        if c == 13 && (q + 1 == end || p[q + 1] == 10) { break }
                        if c == 34 {
                            part.error = .unexpectedQuote(SourceLocation(file: source, line: line, column: field + 1))
                            return part
                        }
                        q += 1
                    }
                    fieldStart = pos
                    fieldEnd = q
                    pos = q
                }
                if field < fieldCount, slot[field] >= 0 {
                    let j = slot[field]
                    let row = part.rows
                    if isText[j] {
                        guard var s = String(validating: UnsafeBufferPointer(start: p + fieldStart, count: fieldEnd - fieldStart), as: UTF8.self) else {
                            part.error = .invalidUTF8(SourceLocation(file: source, line: recordLine, column: field + 1))
                            return part
                        }
                        if escapes { s = s.unescapingQuotes() }
                        if let marker = markers.match(p + fieldStart, fieldEnd - fieldStart) {
                            part.columns[j].missing.append((row, marker))
                        }
                        part.columns[j].strings.append(s)
                    } else if part.columns[j].firstText == nil {
                        let (a, b) = trimSpaces(p, fieldStart, fieldEnd)
                        if !escapes, let v = NumberParser.parse(p + a, count: b - a) {
                            part.columns[j].numbers.append(v)
                        } else if let marker = markers.match(p + fieldStart, fieldEnd - fieldStart) {
                            part.columns[j].missing.append((row, marker))
                            part.columns[j].numbers.append(.nan)
                        } else if quoted, let v = groupedNumber(p + a, b - a) {
                            part.columns[j].numbers.append(v)
                        } else {
                            let s = String(decoding: UnsafeBufferPointer(start: p + fieldStart, count: fieldEnd - fieldStart), as: UTF8.self)
                            part.columns[j].firstText = (row, recordLine, escapes ? s.unescapingQuotes() : s)
                        }
                    }
                }
                field += 1
                if pos < end && p[pos] == delimiter {
                    pos += 1
                    continue
                }
                break
            }
            if pos < end && p[pos] == 13 { pos += 1 }
            if pos < end && p[pos] == 10 {
                pos += 1
                line += 1
            }
            if field != fieldCount {
                part.error = .fieldCount(SourceLocation(file: source, line: recordLine), found: field, expected: fieldCount)
                return part
            }
            part.lines.append(Int32(recordLine))
            part.rows += 1
        }
        part.newlines = line
        return part
    }

    private func trimSpaces(_ p: UnsafePointer<UInt8>, _ a: Int, _ b: Int) -> (Int, Int) {
        var a = a, b = b
        while a < b && (p[a] == 32 || p[a] == 9) { a += 1 }
        while b > a && (p[b - 1] == 32 || p[b - 1] == 9) { b -= 1 }
        return (a, b)
    }

    private func groupedNumber(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        guard memchr(p, 44, count) != nil else { return nil }
        return DataTable.parseNumber(String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self))
    }
}

/// Missing-value markers, matched on bytes without making strings.
struct CellMarkers {
    private let markers: [[UInt8]]
    private let strings: [String]
    private let longest: Int

    init(_ set: Set<String>) {
        let sorted = set.sorted()
        strings = sorted
        markers = sorted.map { Array($0.utf8) }
        longest = markers.map(\.count).max() ?? 0
    }

    /// The marker the cell is (after trimming spaces), if any.
    func match(_ p: UnsafePointer<UInt8>, _ count: Int) -> String? {
        var a = 0, b = count
        while a < b && (p[a] == 32 || p[a] == 9) { a += 1 }
        while b > a && (p[b - 1] == 32 || p[b - 1] == 9) { b -= 1 }
        guard b - a <= longest else { return nil }
        outer: for (k, m) in markers.enumerated() where m.count == b - a {
            for i in 0..<m.count where p[a + i] != m[i] { continue outer }
            return strings[k]
        }
        return nil
    }
}

/// Fills a buffer from the input chunk by chunk, keeping the unparsed tail.
struct ChunkReader {
    let input: CSVReader.Input
    let source: String
    private(set) var exhausted = false
    private var memoryOffset = 0

    init(input: CSVReader.Input, source: String) {
        self.input = input
        self.source = source
    }

    /// `buffer[keeping...]` followed by up to one more chunk of input.
    mutating func fill(into buffer: [UInt8], keeping start: Int) throws(DataError) -> [UInt8] {
        var next = Array(buffer[min(start, buffer.count)...])
        switch input {
        case .memory(let bytes):
            next.append(contentsOf: bytes[memoryOffset...])
            memoryOffset = bytes.count
            exhausted = true
        case .file(let fd):
            // A chunk, or less for a small file (fresh memory is not free).
            var info = stat()
            let position = lseek(fd, 0, SEEK_CUR)
            let remaining = fstat(fd, &info) == 0 && position >= 0 ? Int(info.st_size) - Int(position) + 1 : CSVReader.chunkSize
            let want = max(1, min(CSVReader.chunkSize, remaining))
            let old = next.count
            next.reserveCapacity(old + want)
            next.append(contentsOf: repeatElement(0, count: want))
            var got = 0
            while got < want {
                let r = next.withUnsafeMutableBufferPointer { Glibc.read(fd, $0.baseAddress! + old + got, want - got) }
                if r < 0 {
                    if errno == EINTR { continue }
                    throw .cannotRead(file: source, reason: String(cString: strerror(errno)))
                }
                if r == 0 {
                    exhausted = true
                    break
                }
                got += r
            }
            next.removeLast(want - got)
        }
        return next
    }

    /// The same input from its beginning (for a second pass).
    func reopen() throws(DataError) -> CSVReader.Input {
        switch input {
        case .memory(let bytes): return .memory(bytes)
        case .file(let fd):
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw .cannotRead(file: source, reason: String(cString: strerror(errno))) }
            return .file(fd)
        }
    }
}

struct UnsafeSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

import Dispatch

/// Runs `body(i)` for `i` in `0..<count` on all cores.
func runParallel(_ count: Int, _ body: (Int) -> Void) {
    if count <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UnsafeSendableBox(body)
        DispatchQueue.concurrentPerform(iterations: count) { box.value($0) }
    }
}

extension String {
    func unescapingQuotes() -> String {
        var out = ""
        var previousQuote = false
        for c in self {
            if c == "\"" && previousQuote {
                previousQuote = false
                continue
            }
            previousQuote = c == "\""
            out.append(c)
        }
        return out
    }
}

extension DataError {
    /// The same error with relative line numbers made absolute.
    func shiftingLines(by base: Int) -> DataError {
        func shift(_ at: SourceLocation) -> SourceLocation {
            var at = at
            at.line += base
            return at
        }
        switch self {
        case .unterminatedQuote(let at): return .unterminatedQuote(shift(at))
        case .fieldCount(let at, let found, let expected): return .fieldCount(shift(at), found: found, expected: expected)
        case .invalidUTF8(let at): return .invalidUTF8(shift(at))
        case .unexpectedQuote(let at): return .unexpectedQuote(shift(at))
        case .notNumeric(let at, let value): return .notNumeric(shift(at), value: value)
        default: return self
        }
    }
}
