#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// The CSV reading engine behind ``DataTable/read(path:options:)``.
///
/// The file is read in chunks (up to 1 MB, ``ChunkSource``), never whole; one worker per core
/// takes the next chunk, parses it, and places its rows after the previous chunk's
/// (``RowBlocks``). Only the columns asked for
/// (``CSVOptions/columns``) are kept: numbers as `Double`, text as `String`, missing cells as
/// their markers, so memory follows the columns a model uses, not the file's size. A column
/// is numeric when every non-missing cell is a number; one that turns out to be text after some
/// numbers is collected in a second pass over the file, for that column only.
struct CSVReader {
    let source: String
    var options: CSVOptions
    /// Cores to parse on.
    private var workers: Int { max(1, options.threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Where bytes come from: a file descriptor, or memory.
    enum Input {
        case file(Int32)
        case memory([UInt8])
    }

    struct Header {
        var names: [String]
        var selected: [Int]  // header index of each kept column
        var dataStart: Int
        var lines: Int
    }

    /// The first cell of a column that is neither a number nor a marker.
    struct TextCell {
        var row: Int
        var line: Int
        var text: String
    }

    /// The kept columns of every row read so far. The numbers and lines are filled in parallel
    /// in ``RowBlocks`` and moved here when the scan ends; the rest is appended chunk by chunk.
    struct Accumulator {
        var numbers: [[Double]] = []
        var strings: [[String]]
        var missing: [[(row: Int, marker: String)]]
        var firstText: [TextCell?]
        var lines: [Int] = []
        var rows = 0
        /// Bytes the rows counted in take: numbers and line numbers, text cells (a String is 16
        /// bytes, with its text beside it past 15), markers.
        var bytes = 0

        init(columns: Int) {
            strings = Array(repeating: [], count: columns)
            missing = Array(repeating: [], count: columns)
            firstText = Array(repeating: nil, count: columns)
        }

        /// Counts in a part (the next chunk's rows) and appends its text cells and markers;
        /// returns the row its first row becomes. Its numbers are copied by ``RowBlocks``.
        mutating func append(_ part: PartScratch, text: [Bool]) -> Int {
            bytes += part.bytes
            for j in strings.indices {
                if text[j] { strings[j].append(contentsOf: part.strings[j]) }
                for marker in part.missing[j] { missing[j].append((rows + marker.row, marker.marker)) }
                if firstText[j] == nil, let t = part.firstText[j] {
                    firstText[j] = TextCell(row: rows + t.row, line: t.line, text: t.text)
                }
            }
            rows += part.rows
            return rows - part.rows
        }
    }

    // MARK: Reading

    func read(_ input: Input) throws(DataError) -> DataTable {
        let chunks = try ChunkSource(input: input, source: source, workers: workers)
        let start = chunks.carry
        guard let header = try parseHeader(start) else { throw .emptyFile(file: source) }
        let count = header.selected.count
        var text = Set(header.selected.indices.filter {
            !options.inferTypes || options.columnTypes[header.names[header.selected[$0]]] == .text
        })
        // A column whose first cell is text is collected as text from the start.
        text.formUnion(firstRowTextColumns(start, header: header))
        chunks.skip(header.dataStart)
        let all = try scan(chunks, header: header, text: text)
        // Columns that turned out to be text after numbers: collect them in a second pass.
        let flipped = (0..<count).filter { !text.contains($0) && all.firstText[$0] != nil }
        for j in flipped where options.columnTypes[header.names[header.selected[j]]] == .numeric {
            let t = all.firstText[j]!
            throw .notNumeric(
                SourceLocation(file: source, line: t.line, column: header.selected[j] + 1,
                               columnName: header.names[header.selected[j]]), value: t.text)
        }
        var second: Accumulator?
        if !flipped.isEmpty {
            try chunks.rewind()
            chunks.skip(header.dataStart)
            var flippedHeader = header
            flippedHeader.selected = flipped.map { header.selected[$0] }
            second = try scan(chunks, header: flippedHeader, text: Set(flipped.indices))
        }
        var columns = [Column]()
        let flippedIndex = Dictionary(uniqueKeysWithValues: flipped.enumerated().map { ($1, $0) })
        for (j, index) in header.selected.enumerated() {
            let k = flippedIndex[j]
            let isText = text.contains(j) || k != nil
            let strings = k.map { second!.strings[$0] } ?? all.strings[j]
            let markers = k.map { second!.missing[$0] } ?? all.missing[j]
            var missing = [String?]()
            if !markers.isEmpty {
                missing = [String?](repeating: nil, count: all.rows)
                for m in markers { missing[m.row] = m.marker }
            }
            columns.append(Column(
                name: header.names[index], numbers: isText ? [] : all.numbers[j], strings: isText ? strings : [],
                missing: missing, kind: isText ? .text : .numeric,
                firstNonNumericRow: isText ? (all.firstText[j]?.row ?? firstNonNumeric(strings, missing)) : nil,
                filePosition: index + 1))
        }
        return DataTable(source: source, columns: columns, rowLines: all.lines)
    }

    /// Reads every data record, keeping the header's selected columns: each worker takes the
    /// next chunk, parses it, counts its rows in after the chunks before it, and copies its
    /// numbers into place.
    private func scan(_ chunks: ChunkSource, header: Header, text: Set<Int>) throws(DataError) -> Accumulator {
        let isText = (0..<header.selected.count).map { text.contains($0) }
        let sample = chunks.carry
        let bytesPerRow = max(1, sample.count) / max(1, sample.reduce(0) { $0 + ($1 == 10 ? 1 : 0) })
        // Sized from the file, but never past the memory limit (the bytes check stops a read there).
        let numericColumns = isText.filter { !$0 }.count
        var capacity = chunks.totalSize / max(bytesPerRow, header.names.count) + 1024
        if let limit = options.memoryLimit { capacity = min(capacity, limit / (8 * (1 + numericColumns)) + 1024) }
        let blocks = RowBlocks(numeric: isText.map { !$0 }, capacity: capacity)
        let state = ScanState(Accumulator(columns: header.selected.count), line: 1 + header.lines)
        let turns = Turnstile()
        runParallel(workers) { _ in
            let buffer = ByteBuffer(), part = PartScratch(columns: header.selected.count)
            while !state.failed {
                let chunk: ChunkSource.Chunk
                do throws(DataError) {
                    guard let next = try chunks.next(into: buffer) else { return }
                    chunk = next
                } catch {
                    state.fail(error, at: .max)
                    return
                }
                parsePart(buffer.base, count: chunk.count, header: header, isText: isText, into: part)
                // Counted here, beside the other worker, not in the turn.
                if options.memoryLimit != nil { part.countBytes(text: isText, numericColumns: numericColumns) }
                // In turn: the part's rows are counted in and its text and markers appended.
                let place: (row: Int, line: Int)? = turns.take(chunk.index) {
                    guard !state.failed else { return nil }
                    if let error = part.error {
                        state.fail(error.shiftingLines(by: state.line), at: chunk.index)
                        return nil
                    }
                    for j in part.firstText.indices where part.firstText[j] != nil { part.firstText[j]!.line += state.line }
                    let line = state.line
                    state.line += part.newlines
                    let row = state.all.append(part, text: isText)
                    if let limit = options.memoryLimit, state.all.bytes > limit {
                        state.fail(.tooLarge(file: source, line: state.line, limit: limit), at: chunk.index)
                        return nil
                    }
                    blocks.reserve(row + part.rows)
                    return (row, line)
                }
                // Then its numbers, beside the other worker's.
                if let place { blocks.copy(part, to: place.row, lineBase: place.line) }
            }
        }
        if let failure = state.failure { throw failure.error }
        var all = state.all
        (all.numbers, all.lines) = blocks.finish(rows: all.rows)
        return all
    }

    /// What the workers of one scan share: the rows, changed only in a turn, and the failure,
    /// under a lock.
    private final class ScanState: @unchecked Sendable {
        var all: Accumulator
        var line: Int
        private(set) var failure: (error: DataError, chunk: Int)?
        private let lock = DispatchSemaphore(value: 1)

        init(_ all: Accumulator, line: Int) {
            self.all = all
            self.line = line
        }

        var failed: Bool {
            lock.wait()
            defer { lock.signal() }
            return failure != nil
        }

        /// Keeps the error of the earliest chunk.
        func fail(_ error: DataError, at chunk: Int) {
            lock.wait()
            if failure == nil || chunk < failure!.chunk { failure = (error, chunk) }
            lock.signal()
        }
    }

    private func firstNonNumeric(_ strings: [String], _ missing: [String?]) -> Int? {
        strings.indices.first { i in (missing.isEmpty || missing[i] == nil) && DataTable.parseNumber(strings[i].trimmingSpaces()) == nil }
    }

    // MARK: Header

    /// Reads the header from the start of the input.
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
        var position = [String: Int]()  // a name's index: duplicates found in linear time
        var end = start
        try parser.parseRecord(at: start, line: 1 + lines) { (fields, next) throws(DataError) in
            for (k, f) in fields.enumerated() {
                let name = try parser.text(f, line: 1 + lines, column: k + 1).trimmingSpaces()
                let at = SourceLocation(file: source, line: 1 + lines, column: k + 1, columnName: name)
                if name.isEmpty { throw .emptyHeaderName(at) }
                if let first = position[name] { throw .duplicateHeaderName(at, firstColumn: first + 1) }
                position[name] = names.count
                names.append(name)
            }
            end = next
        }
        let headerLines = buffer[start..<end].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        var selected = Array(names.indices)
        if let wanted = options.columns {
            selected = []
            var chosen = Set<Int>()
            for name in wanted {
                guard let k = position[name] else {
                    throw .unknownColumn(file: source, name: name, suggestion: nearestName(to: name, in: names))
                }
                if chosen.insert(k).inserted { selected.append(k) }
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

    // MARK: Parsing

    /// Parses the records in `p[0..<end]` into `part` (line numbers relative to its start).
    private func parsePart(
        _ p: UnsafePointer<UInt8>, count end: Int, header: Header, isText: [Bool], into part: PartScratch
    ) {
        let fieldCount = header.names.count
        var slot = [Int](repeating: -1, count: fieldCount)
        for (j, index) in header.selected.enumerated() { slot[index] = j }
        // A record has at least one byte per field, so this bounds the rows.
        part.reset(capacity: end / max(1, fieldCount) + 1)
        let markers = CellMarkers(options.inferTypes ? options.missingMarkers : [])
        let delimiter = options.delimiter
        let numbers = part.numbers  // the pointers, for the loop
        var textSeen = part.firstText.map { $0 != nil }
        // Where each field's numbers go, for the fast path: nil for a field not kept, kept as
        // text, or turned text in this part. One load per field instead of three lookups.
        let target = UnsafeMutablePointer<UnsafeMutablePointer<Double>?>.allocate(capacity: fieldCount + 1)
        defer { target.deallocate() }
        for k in 0...fieldCount {
            let j = k < fieldCount ? slot[k] : -1
            target[k] = j >= 0 && !isText[j] && !textSeen[j] ? numbers[j] : nil
        }
        var pos = 0
        var line = 0
        var rows = 0
        defer {
            part.rows = rows
            part.newlines = line
        }
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
                // The common case: plain numbers, parsed while finding each field's end.
                if numberRun(p, at: &pos, end: end, field: &field, fieldCount: fieldCount, target: target, row: rows) { break }
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
                        return
                    }
                    fieldStart = pos + 1
                    fieldEnd = q
                    pos = q + 1
                    if pos < end && p[pos] != delimiter && p[pos] != 10 && !(p[pos] == 13 && (pos + 1 == end || p[pos + 1] == 10)) {
                        part.error = .unexpectedQuote(SourceLocation(file: source, line: line, column: field + 1))
                        return
                    }
                } else {
                    var q = FieldEnd.skipPlainBytes(p, from: pos, to: end, delimiter: delimiter)
                    while q < end {
                        let c = p[q]
                        if c == delimiter || c == 10 { break }
                        if c == 13 && (q + 1 == end || p[q + 1] == 10) { break }
                        if c == 34 {
                            part.error = .unexpectedQuote(SourceLocation(file: source, line: line, column: field + 1))
                            return
                        }
                        q += 1
                    }
                    fieldStart = pos
                    fieldEnd = q
                    pos = q
                }
                if field < fieldCount, slot[field] >= 0 {
                    let j = slot[field]
                    if isText[j] {
                        guard var s = String(validating: UnsafeBufferPointer(start: p + fieldStart, count: fieldEnd - fieldStart), as: UTF8.self) else {
                            part.error = .invalidUTF8(SourceLocation(file: source, line: recordLine, column: field + 1))
                            return
                        }
                        if escapes { s = s.unescapingQuotes() }
                        if let marker = markers.match(p + fieldStart, fieldEnd - fieldStart) {
                            part.missing[j].append((rows, marker))
                        }
                        part.strings[j].append(s)
                    } else if !textSeen[j] {
                        let (a, b) = trimSpaces(p, fieldStart, fieldEnd)
                        if !escapes, let v = NumberParser.parse(p + a, count: b - a) {
                            numbers[j][rows] = v
                        } else if let marker = markers.match(p + fieldStart, fieldEnd - fieldStart) {
                            part.missing[j].append((rows, marker))
                            numbers[j][rows] = .nan
                        } else if quoted, let v = groupedNumber(p + a, b - a) {
                            numbers[j][rows] = v
                        } else {
                            let s = String(decoding: UnsafeBufferPointer(start: p + fieldStart, count: fieldEnd - fieldStart), as: UTF8.self)
                            part.firstText[j] = (rows, recordLine, escapes ? s.unescapingQuotes() : s)
                            textSeen[j] = true
                            target[field] = nil
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
                return
            }
            part.lines[rows] = Int32(recordLine)
            rows += 1
        }

    }

    /// Parses the plain-number fields of a record from `pos` (field `field`) into their target
    /// columns at `row`, while there are such; true if the record ended after one of them.
    /// Otherwise `pos` and `field` are at the field the general path must take. Out of line and
    /// small, so the number parser is inlined into it.
    @inline(never)
    private func numberRun(
        _ p: UnsafePointer<UInt8>, at pos: inout Int, end: Int, field: inout Int, fieldCount: Int,
        target: UnsafeMutablePointer<UnsafeMutablePointer<Double>?>, row: Int
    ) -> Bool {
        let delimiter = options.delimiter
        while let column = target[min(field, fieldCount)] {
            let (parsed, stop) = NumberParser.parsePrefix(p + pos, count: end &- pos)
            guard let value = parsed else { return false }
            let next = pos &+ stop
            let ended = next == end || p[next] == 10 || (p[next] == 13 && (next &+ 1 == end || p[next &+ 1] == 10))
            guard ended || p[next] == delimiter else { return false }
            column[row] = value
            field &+= 1
            if ended {
                pos = next
                return true
            }
            pos = next &+ 1
        }
        return false
    }

    private func groupedNumber(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        guard memchr(p, 44, count) != nil else { return nil }
        return DataTable.parseNumber(String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self))
    }
}

/// `p[a..<b]` without leading and trailing spaces and tabs.
func trimSpaces(_ p: UnsafePointer<UInt8>, _ a: Int, _ b: Int) -> (Int, Int) {
    var a = a, b = b
    while a < b && (p[a] == 32 || p[a] == 9) { a += 1 }
    while b > a && (p[b - 1] == 32 || p[b - 1] == 9) { b -= 1 }
    return (a, b)
}

/// Finding a field's end eight bytes at a time.
enum FieldEnd {
    /// The first position at or after `start` (and at most `end`) that may end the field: a
    /// delimiter, CR, LF or quote, found a word at a time (SWAR: a byte equal to `c` is a zero
    /// byte of `word ^ c`; the lowest flagged byte is exact). The caller checks the bytes there
    /// and after one by one.
    @inline(__always)
    static func skipPlainBytes(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int, delimiter: UInt8) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let d = UInt64(delimiter) &* ones
        var q = start
        while q &+ 8 <= end {
            let w = UnsafeRawPointer(p + q).loadUnaligned(as: UInt64.self)
            let a = w ^ d, b = w ^ (10 &* ones), c = w ^ (13 &* ones), e = w ^ (34 &* ones)
            let flags = ((a &- ones) & ~a | (b &- ones) & ~b | (c &- ones) & ~c | (e &- ones) & ~e) & highs
            if flags != 0 { return q &+ flags.trailingZeroBitCount >> 3 }
            q &+= 8
        }
        return q
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
        let (a, b) = trimSpaces(p, 0, count)
        guard b - a <= longest else { return nil }
        outer: for (k, m) in markers.enumerated() where m.count == b - a {
            for i in 0..<m.count where p[a + i] != m[i] { continue outer }
            return strings[k]
        }
        return nil
    }
}

/// A worker's parsed chunk; reused from chunk to chunk so its memory is touched once.
final class PartScratch: @unchecked Sendable {
    var numbers: [UnsafeMutablePointer<Double>]
    var lines: UnsafeMutablePointer<Int32>
    var capacity = 0
    var strings: [[String]]
    var missing: [[(row: Int, marker: String)]]
    var firstText: [(row: Int, line: Int, text: String)?]
    var rows = 0
    var newlines = 0
    var error: DataError?
    /// Bytes the part's rows take once kept (``countBytes(text:numericColumns:)``; 0 uncounted).
    var bytes = 0

    /// Counts ``bytes``: a number and a line number per row and numeric column, a String (16
    /// bytes, with its text beside it past 15) per text cell, 32 per marker.
    func countBytes(text: [Bool], numericColumns: Int) {
        var total = rows * 8 * (1 + numericColumns)
        for j in text.indices {
            if text[j] { for cell in strings[j] { total += 16 + (cell.utf8.count > 15 ? cell.utf8.count : 0) } }
            total += 32 * missing[j].count
        }
        bytes = total
    }

    init(columns: Int) {
        numbers = Array(repeating: UnsafeMutablePointer<Double>.allocate(capacity: 1), count: 0)
        for _ in 0..<columns { numbers.append(.allocate(capacity: 1)) }
        lines = .allocate(capacity: 1)
        capacity = 1
        strings = Array(repeating: [], count: columns)
        missing = Array(repeating: [], count: columns)
        firstText = Array(repeating: nil, count: columns)
    }

    deinit {
        for p in numbers { p.deallocate() }
        lines.deallocate()
    }

    /// Empties the part, with room for `capacity` rows.
    func reset(capacity wanted: Int) {
        if wanted > capacity {
            for j in numbers.indices {
                numbers[j].deallocate()
                numbers[j] = .allocate(capacity: wanted)
            }
            lines.deallocate()
            lines = .allocate(capacity: wanted)
            capacity = wanted
        }
        for j in strings.indices {
            strings[j].removeAll(keepingCapacity: true)
            missing[j].removeAll(keepingCapacity: true)
            firstText[j] = nil
        }
        rows = 0
        newlines = 0
        error = nil
    }
}

/// Asks the kernel to back a large allocation with 2 MB pages where it can, as numpy does for
/// its arrays: faulting in fresh memory 4 KB at a time costs more than parsing the numbers.
func adviseHugePages(_ pointer: UnsafeMutableRawPointer?, bytes: Int) {
    guard let pointer, bytes >= 4 << 20 else { return }
    let page = 4096
    let start = (Int(bitPattern: pointer) + page - 1) / page * page
    let end = (Int(bitPattern: pointer) + bytes) / page * page
    if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, 14 /* MADV_HUGEPAGE */) }
}

struct UnsafeSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

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
