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
        #expect(t.rowCount == 22 * 6)
        let codes = Set(try t.column(named: "la_code").strings)
        #expect(codes.count == 22 && codes.allSatisfy { $0.hasPrefix("W06") })
        #expect(Set(try t.column(named: "year").numbers) == [2015, 2016, 2017, 2018, 2024, 2025])
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

    static func panel(_ file: String) throws -> DataTable {
        try DataTable.read(path: root.appendingPathComponent("datasets/\(file)").path)
    }

    /// Numbers of a column, nil where missing.
    static func values(_ t: DataTable, _ name: String) throws -> [Double?] {
        let c = try t.column(named: name)
        return (0..<t.rowCount).map { c.isMissing($0) ? nil : c.numbers[$0] }
    }

    @Test func englandLongPanelShapeAndBoundaries() throws {
        let t = try Self.panel("england_la_panel_2011_2024.csv")
        let codes = try t.column(named: "la_code").strings, years = try t.column(named: "year").numbers.map { Int($0) }
        #expect(Set(years) == Set(2011...2024))
        #expect(Set(zip(codes, years).map { "\($0)-\($1)" }).count == t.rowCount, "an authority twice in a year")
        for year in 2011...2024 {
            let n = years.filter { $0 == year }.count
            #expect((150...153).contains(n), "\(year): \(n) authorities")
        }
        // Recoded authorities are filed under their latest code; predecessors and successors never share a year.
        for old in ["E08000020", "E06000048", "E10000002", "E10000023", "E10000027"] { #expect(!codes.contains(old)) }
        let changes = try Self.panel("england_la_boundary_changes.csv")
        let kinds = try changes.column(named: "kind").strings, first = try changes.column(named: "first_panel_year").numbers
        let predecessors = try changes.column(named: "predecessor_code").strings, successors = try changes.column(named: "successor_code").strings
        for i in 0..<changes.rowCount where kinds[i] != "recode" {
            let before = Set(zip(codes, years).filter { $0.0 == predecessors[i] }.map(\.1))
            let after = Set(zip(codes, years).filter { $0.0 == successors[i] }.map(\.1))
            #expect(before.max()! < Int(first[i]) && after.min()! == Int(first[i]), "\(predecessors[i]) -> \(successors[i])")
        }
    }

    /// The official figures reproduce from the panel: national totals as the sums of the authorities
    /// (DfE's national rows, in `../shared/data`), and the published rates from the counts and the
    /// official denominators.
    @Test(.enabled(if: sharedPresent, "the official-statistics folder is not beside the checkout"))
    func officialFiguresReproduce() throws {
        let t = try Self.panel("england_la_panel_2011_2024.csv")
        let years = try t.column(named: "year").numbers.map { Int($0) }
        func national(_ file: String, year: String, level: String, value: String) throws -> [Int: Double] {
            let source = try DataTable.read(path: Self.shared.appendingPathComponent(file).path)
            let y = try source.column(named: year).numbers, l = try source.column(named: level).strings
            let v = try Self.values(source, value)
            var out = [Int: Double]()
            for i in 0..<source.rowCount where ["National", "NATIONAL"].contains(l[i]) { out[Int(y[i])] = v[i] }
            return out
        }
        func sums(_ column: String) throws -> [Int: Double] {
            var out = [Int: Double]()
            for (year, v) in zip(years, try Self.values(t, column)) { out[year, default: 0] += v ?? 0 }
            return out
        }
        // Starts: DfE's national figure is rounded to the nearest 10, the authorities' are not.
        let starts = try national("england_cla_starts_by_la_2011_2025.csv", year: "time_period", level: "geographic_level", value: "cla_started_during_year")
        for (year, total) in try sums("children_starting") {
            #expect(abs(total - starts[year]!) <= 10, "starts \(year): authorities \(total), England \(starts[year]!)")
        }
        // Looked after at 31 March, 2012 on (2011's authority figures are rounded to 5).
        var lookedAfter = try national("england_cla_31march_counts_2012_2017_sfr.csv", year: "year_at_31_march", level: "geographic_level", value: "cla_at_31_march")
        lookedAfter.merge(try national("england_cla_31march_counts_2018_2022_ees2022pub.csv", year: "time_period", level: "geographic_level", value: "cla_at_31_march").filter { $0.key == 2018 }) { a, _ in a }
        lookedAfter.merge(try national("england_cla_31march_rate_per10k_2019_2025.csv", year: "time_period", level: "geographic_level", value: "children_count")) { a, _ in a }
        for (year, total) in try sums("children_looked_after") where year >= 2012 {
            #expect(abs(total - lookedAfter[year]!) <= 10, "looked after \(year): authorities \(total), England \(lookedAfter[year]!)")
        }
        // From 2019 every published rate is the count over DfE's denominator, rounded.
        for (official, derived) in [("rate_per_10000", "derived_rate_per_10000"), ("starts_rate_per_10000", "derived_starts_rate_per_10000")] {
            var checked = 0
            for (i, (a, b)) in zip(try Self.values(t, official), try Self.values(t, derived)).enumerated() where years[i] >= 2019 {
                guard let a, let b else { continue }
                #expect(a == b.rounded(), "\(official), row \(i + 2): published \(a), derived \(b)")
                checked += 1
            }
            #expect(checked >= 6 * 149)
        }
        // Wales: the 2024 authorities sum to the published total within their rounding to 5, and the
        // published national rates reproduce from the official denominators.
        let wales = try Self.panel("wales_la_panel.csv")
        let walesYears = try wales.column(named: "year").numbers
        let counts2024 = zip(walesYears, try Self.values(wales, "children_looked_after")).filter { $0.0 == 2024 }.map { $0.1! }
        let points = try DataTable.read(path: Self.shared.appendingPathComponent("wales_cla_text_points_transcribed.csv").path)
        let (dates, measures, published) = (try points.column(named: "date").strings, try points.column(named: "measure").strings, try points.column(named: "value").numbers)
        func point(_ date: String, _ measure: String) -> Double {
            published[(0..<points.rowCount).first { dates[$0] == date && measures[$0] == measure }!]
        }
        let total2024 = point("2024-03-31", "children looked after at 31 March (number)")
        #expect(counts2024.count == 22 && abs(counts2024.reduce(0, +) - total2024) <= 22 * 2.5)
        let population = try DataTable.read(path: Self.shared.appendingPathComponent("wales_population_single_age_0_17_mid2022_mid2023.csv").path)
        let (codes, mid, sum) = (try population.column(named: "la_code").strings, try population.column(named: "mid_year").numbers,
                                 try population.column(named: "derived_sum_age_0_17").numbers)
        let mid2022 = (0..<population.rowCount).filter { codes[$0].hasPrefix("W06") && mid[$0] == 2022 }.map { sum[$0] }.reduce(0, +)
        let rate2023 = point("2023-03-31", "children looked after at 31 March (number)") / mid2022 * 10_000
        #expect((rate2023 * 10).rounded() / 10 == point("2023-03-31", "rate per 10,000 population aged under 18"))
    }
}
