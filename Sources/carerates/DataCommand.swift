import ArgumentParser
import CareRates
import DataTable
import Foundation

/// `carerates data list|describe|build`.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "List, describe and build the bundled datasets.",
        subcommands: [List.self, Describe.self, Build.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the bundled datasets.")

        func run() throws {
            guard let folder = DatasetLocator.bundledFolder else {
                throw CLIError("no datasets folder found (set CARERATES_DATASETS to the project's datasets/)")
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".csv") }.sorted()
            var rows = [["name", "rows", "columns", "path"]]
            for file in files {
                let table = try DataTable.read(path: folder.appendingPathComponent(file).path)
                rows.append([String(file.dropLast(4)), String(table.rowCount), String(table.columns.count),
                             folder.appendingPathComponent(file).path])
            }
            print(DataDescription.align(rows))
        }
    }

    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe each column of a CSV file: type, count, missing by marker, min/mean/max or levels.")

        @Argument(help: "CSV file, or the name of a bundled dataset.")
        var file: String

        func run() throws {
            let table = try DataTable.read(path: try Sandbox.input(file), options: .limited)
            print("\(file): \(table.rowCount) rows, \(table.columns.count) columns")
            print(DataDescription.describe(table))
        }
    }

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the Wales and England panels and their codebook from the official-statistics folder.")

        @Option(help: "The folder of official statistics (the shared data folder beside the checkout).")
        var from: String

        @Option(help: "Where to write the panels and README.md.")
        var to: String = "datasets"

        func run() throws {
            if Sandbox.current != nil { throw CLIError("data build is not run in a notebook: it rewrites the bundled panels") }
            let panels = try DataBuild.run(from: URL(fileURLWithPath: from), to: URL(fileURLWithPath: to))
            for panel in panels {
                let missing = panel.missingCounts.reduce(0) { $0 + $1.byMarker.reduce(0) { $0 + $1.1 } }
                print("\(to)/\(panel.file): \(panel.rows.count) rows x \(panel.columns.count) columns, \(missing) cells missing")
            }
        }
    }
}

enum DataDescription {
    static func describe(_ table: DataTable) -> String {
        var rows = [["column", "type", "count", "missing", "min", "mean", "max", "levels"]]
        for column in table.columns {
            var markers = [String: Int]()
            for m in column.missing { if let m { markers[m.isEmpty ? "(empty)" : m, default: 0] += 1 } }
            let missingText = markers.isEmpty ? "0" : markers.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            let present = (0..<table.rowCount).filter { !column.isMissing($0) }
            switch column.kind {
            case .numeric:
                let values = present.map { column.numbers[$0] }
                let mean = values.isEmpty ? Double.nan : values.reduce(0, +) / Double(values.count)
                rows.append([column.name, "numeric", String(values.count), missingText,
                             format(values.min()), format(mean), format(values.max()), ""])
            case .text:
                // Levels in order of first appearance (a set beside them: a column may have a level per row).
                var seen = [String](), known = Set<String>()
                for i in present where known.insert(column.strings[i]).inserted { seen.append(column.strings[i]) }
                let levels = seen.count <= 3 ? seen.joined(separator: ", ") : "\(seen.count): " + seen.prefix(3).joined(separator: ", ") + ", ..."
                rows.append([column.name, "text", String(present.count), missingText, "", "", "", levels])
            }
        }
        return align(rows)
    }

    static func format(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "" }
        return String(format: "%.6g", v)
    }

    static func align(_ rows: [[String]]) -> String {
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in cell + String(repeating: " ", count: widths[c] - cell.count) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n")
    }
}
