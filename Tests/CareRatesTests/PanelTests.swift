import CareRates
import DataTable
import Foundation
import Testing

/// The bundled panels are exactly what `carerates data build` makes from the official
/// statistics (when they are beside the checkout, as in CI), and have the promised shape.
@Suite struct PanelTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = root.deletingLastPathComponent().appendingPathComponent("shared/data")
    static var sharedPresent: Bool { FileManager.default.fileExists(atPath: shared.appendingPathComponent("SOURCES.md").path) }

    @Test(.enabled(if: sharedPresent, "the official-statistics folder is not beside the checkout"))
    func rebuildIsIdentical() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-panels-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let panels = try DataBuild.run(from: Self.shared, to: output)
        for file in panels.map(\.file) + ["README.md"] {
            let built = try String(contentsOf: output.appendingPathComponent(file), encoding: .utf8)
            let committed = try String(contentsOf: Self.root.appendingPathComponent("datasets/\(file)"), encoding: .utf8)
            #expect(built == committed, "datasets/\(file) differs from a rebuild: run scripts/build-data.sh")
        }
    }

    @Test func walesPanelShape() throws {
        let t = try DataTable.read(path: Self.root.appendingPathComponent("datasets/wales_la_panel.csv").path)
        #expect(t.rowCount == 22 * 4)
        let codes = Set(try t.column(named: "la_code").strings)
        #expect(codes.count == 22 && codes.allSatisfy { $0.hasPrefix("W06") })
        #expect(Set(try t.column(named: "year").numbers) == [2015, 2016, 2017, 2018])
        // The derived rate is the count over the population, per 10,000.
        let count = try t.column(named: "children_looked_after"), pop = try t.column(named: "population_0_15")
        let rate = try t.column(named: "rate_per_10000")
        for i in 0..<t.rowCount where !rate.isMissing(i) {
            #expect(abs(rate.numbers[i] - count.numbers[i] / pop.numbers[i] * 10_000) < 1e-4)
        }
        let names = try t.column(named: "la_name").strings
        #expect(names.contains("Isle of Anglesey") && names.contains("Rhondda Cynon Taf"))
    }

    @Test func englandPanelShape() throws {
        let t = try DataTable.read(path: Self.root.appendingPathComponent("datasets/england_la_panel.csv").path)
        let years = try t.column(named: "year").numbers
        for year in 2019...2024 {
            let n = years.filter { $0 == Double(year) }.count
            #expect((149...153).contains(n), "\(year): \(n) authorities")
        }
        // Each authority appears at most once a year; successor authorities replace their predecessors.
        let codes = try t.column(named: "la_code").strings
        #expect(Set(zip(codes, years).map { "\($0)-\($1)" }).count == t.rowCount)
        #expect(zip(codes, years).contains { $0 == "E06000058" && $1 == 2020 })
        #expect(!zip(codes, years).contains { $0 == "E06000058" && $1 == 2019 })
        #expect(!zip(codes, years).contains { $0 == "E10000021" && $1 == 2022 })
        // Markers from the sources are kept as gaps.
        #expect(try t.column(named: "csc_net_spend_per_child_gbp").missing.contains("[x]"))
    }
}
