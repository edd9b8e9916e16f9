// Correctness cases and parse speed for yaslab/CSV.swift, swiftcsv/SwiftCSV and DataTable.
import CSV
import DataTable
import Foundation
import SwiftCSV

typealias Parser = (String) throws -> [[String]]  // file path -> rows of cells (header included)

let parsers: [(String, Parser)] = [
    ("yaslab/CSV.swift 2.5.2", { path in
        // InputStream(fileAtPath:) fails to read on Linux's Foundation here; a Data stream works.
        let stream = InputStream(data: try Data(contentsOf: URL(fileURLWithPath: path)))
        let reader = try CSVReader(stream: stream)
        var rows = [[String]]()
        while let row = reader.next() { rows.append(row) }
        if let error = reader.error { throw error }
        return rows
    }),
    ("swiftcsv/SwiftCSV 0.10.0", { path in
        let csv = try SwiftCSV.CSV<Enumerated>(url: URL(fileURLWithPath: path), delimiter: .comma, loadColumns: false)
        return [csv.header] + csv.rows
    }),
    ("CareRates DataTable", { path in
        var options = CSVOptions()
        options.inferTypes = false
        let t = try DataTable.read(path: path, options: options)
        return [t.columnNames] + (0..<t.rowCount).map { i in t.columns.map { $0.strings[i] } }
    }),
]

struct Case {
    var name: String
    var bytes: [UInt8]
    var expected: [[String]]?  // nil: the file is malformed and should be refused
}

let cases: [Case] = [
    Case(name: "quoted commas, quotes, newlines", bytes: Array("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",3\n".utf8),
         expected: [["a", "b"], ["x, y", "say \"hi\""], ["two\nlines", "3"]]),
    Case(name: "UTF-8 BOM and CRLF", bytes: [0xEF, 0xBB, 0xBF] + Array("la_name,rate\r\nYnys Môn,1\r\nBro Morgannwg,2\r\n".utf8),
         expected: [["la_name", "rate"], ["Ynys Môn", "1"], ["Bro Morgannwg", "2"]]),
    Case(name: "unterminated quote", bytes: Array("a,b\n1,\"2\n3,4\n".utf8), expected: nil),
    Case(name: "row with too few fields", bytes: Array("a,b\n1,2\n3\n".utf8), expected: nil),
    Case(name: "invalid UTF-8", bytes: Array("a,b\n1,".utf8) + [0xFF] + Array("\n".utf8), expected: nil),
]

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csv-evaluation-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }

print("| case | " + parsers.map(\.0).joined(separator: " | ") + " |")
print("|---|" + String(repeating: "---|", count: parsers.count))
for c in cases {
    let file = dir.appendingPathComponent("case.csv")
    try Data(c.bytes).write(to: file)
    var cells = [String]()
    for (_, parse) in parsers {
        do {
            let rows = try parse(file.path)
            if let expected = c.expected {
                cells.append(rows == expected ? "correct" : "wrong: \(rows)")
            } else {
                cells.append("accepted without error: \(rows)")
            }
        } catch {
            cells.append(c.expected == nil ? "refused: \(String(describing: error).prefix(80))" : "refused a valid file: \(error)")
        }
    }
    print("| \(c.name) | " + cells.joined(separator: " | ") + " |")
}

// Speed: a numeric CSV (17 significant digits), every cell parsed to a Double.
let rows = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200_000
var text = (0..<21).map { "x\($0)" }.joined(separator: ",") + "\n"
var state: UInt64 = 7
for _ in 0..<rows {
    text += (0..<21).map { j -> String in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let v = (Double(state >> 11) * 0x1p-53 - 0.5) * pow(10, Double(j % 7) - 3)
        return String(format: "%.17g", v)
    }.joined(separator: ",") + "\n"
}
let file = dir.appendingPathComponent("numbers.csv")
try text.write(to: file, atomically: true, encoding: .utf8)
let megabytes = Double(text.utf8.count) / 1e6
print("\nParse \(rows) rows x 21 numbers (\(Int(megabytes)) MB), every cell to Double:")
for (name, parse) in parsers {
    let start = Date()
    var sum = 0.0
    do {
        if name.hasPrefix("CareRates") {
            let t = try DataTable.read(path: file.path)
            for c in t.columns { sum += c.numbers.reduce(0, +) }
        } else {
            for row in try parse(file.path).dropFirst() { for cell in row { sum += Double(cell) ?? .nan } }
        }
    } catch {
        print("  \(name): failed: \(error)")
        continue
    }
    let seconds = Date().timeIntervalSince(start)
    print(String(format: "  %@: %.2f s, %.0f MB/s (checksum %.6g)", name, seconds, megabytes / seconds, sum))
}
