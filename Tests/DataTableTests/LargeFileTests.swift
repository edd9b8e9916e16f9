import DataTable
import Foundation
import Testing

/// Files of many of the reader's chunks (up to 1 MB each): records cut by a chunk's end (quoted newlines
/// among them), the next chunk read while one is parsed, parts split across cores, a column
/// that turns to text at the last row (a second pass), and errors far into the file. Read from
/// disk with every core and with one, the table must equal the one parsed from memory in a
/// single piece.
@Suite struct LargeFileTests {
    /// About 35 MB: `id,name,value,late`; names sometimes quoted with a comma, an escaped quote
    /// or a line break; values sometimes suppressed (`[c]`); `late` text only in the last row.
    static func text(rows: Int, lastLate: String) -> [UInt8] {
        var out = Array("id,name,value,late\n".utf8)
        out.reserveCapacity(rows * 70)
        var state: UInt64 = 7
        for i in 0..<rows {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let r = state >> 33
            out += Array("\(i),".utf8)
            switch r % 16 {
            case 0: out += Array("\"Bro Morgannwg, \(i)\"".utf8)
            case 1: out += Array("\"said \"\"\(i)\"\"\nover two lines\"".utf8)
            default: out += Array("Ynys Môn \(r % 1000)".utf8)
            }
            out += r % 23 == 0 ? Array(",[c],".utf8) : Array(",\(Double(r) / 1_000_003.0),".utf8)
            out += Array((i == rows - 1 ? lastLate : "\(Double(r % 977) * 0.125)").utf8)
            out += r % 5 == 0 ? [13, 10] : [10]
        }
        return out
    }

    func withFile<R>(_ bytes: [UInt8], _ body: (String) throws -> R) throws -> R {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-large-\(getpid())-\(UUID().uuidString).csv").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    @Test func largeFileReadsAsFromMemory() throws {
        let bytes = Self.text(rows: 750_000, lastLate: "not a number")
        #expect(bytes.count > 2 * (16 << 20))
        let expected = try DataTable.parse(bytes: bytes, source: "large.csv")
        #expect(expected.rowCount == 750_000)
        #expect(try expected.column(named: "late").kind == .text)
        #expect(try expected.column(named: "value").kind == .numeric)
        try withFile(bytes) { path in
            for threads in [nil, 1] {
                var options = CSVOptions()
                options.threads = threads
                let table = try DataTable.read(path: path, options: options)
                #expect(table.rowLines == expected.rowLines)
                for (a, b) in zip(table.columns, expected.columns) {
                    #expect(a.name == b.name && a.kind == b.kind)
                    #expect(a.numbers.elementsEqual(b.numbers) { $0.bitPattern == $1.bitPattern }, "\(a.name)")
                    #expect(a.strings == b.strings, "\(a.name)")
                    #expect(a.missing == b.missing, "\(a.name)")
                }
            }
        }
    }

    /// The reader sizes its columns from the rows at the start of the file; here they are long
    /// and the rest short, so the columns must grow while the workers fill them.
    @Test func columnsGrowPastTheirEstimate() throws {
        var bytes = Array("x,pad\n".utf8)
        let long = String(repeating: "Rhondda Cynon Taf ", count: 12)
        let rows = 400_000
        for i in 0..<rows { bytes += Array("\(Double(i) * 0.125),\(i < 20_000 ? long : "z")\n".utf8) }
        try withFile(bytes) { path in
            for threads in [nil, 1] {
                var options = CSVOptions()
                options.threads = threads
                let table = try DataTable.read(path: path, options: options)
                #expect(table.rowCount == rows)
                #expect(table.rowLines == Array(2..<(rows + 2)))
                let x = try table.column(named: "x")
                #expect(x.numbers == (0..<rows).map { Double($0) * 0.125 })
                #expect(try table.column(named: "pad").strings.suffix(2) == ["z", "z"])
            }
        }
    }

    @Test func errorFarIntoTheFileNamesItsLine() throws {
        var bytes = Self.text(rows: 600_000, lastLate: "1")
        let expected = try DataTable.parse(bytes: bytes, source: "large.csv")
        let lastLine = expected.rowLines.last!
        bytes += Array("1,2\n".utf8)
        try withFile(bytes) { path in
            do {
                _ = try DataTable.read(path: path)
                Issue.record("read a file with a short row")
            } catch {
                let message = String(describing: error)
                #expect(message.hasSuffix(":\(lastLine + 1): row has 2 fields, but the header has 4"), "\(message)")
            }
        }
    }
}
