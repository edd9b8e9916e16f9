import Foundation
import Testing

/// `carerates compare`, end to end: the table, the tidy columns, the limits table, bad input.
@Suite struct CompareCommandTests {
    static let model = ["compare", "wales_la_panel", "-f", "children_looked_after ~ children_low_income_pct + unemployment_rate_pct",
                        "--family", "negbin", "--exposure", "population_0_15", "--unit", "la_name"]

    func run(_ arguments: [String]) throws -> CLITests.Result { try CLITests().run(arguments) }

    @Test func welshAuthoritiesAgainstANegativeBinomial() throws {
        let text = try run(Self.model + ["--overdispersion", "multiplicative"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("Units (la_name) against glm(children_looked_after ~ children_low_income_pct + unemployment_rate_pct, negbin(link = \"log\"))"))
        #expect(text.stdout.contains("Overdispersion: multiplicative, phi = "))
        #expect(text.stdout.contains("6 of 22 units altered"))
        #expect(text.stdout.split(separator: "\n").contains { $0.hasPrefix("Torfaen ") && $0.contains("above 95%") }, "\(text.stdout)")
        let csv = try run(Self.model + ["--format", "csv", "--sort", "ratio", "--top", "3"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "unit,observed,expected,ratio,ratio_low,ratio_high,rate,expected_rate,z,z_adjusted,flag,loo_expected,loo_ratio,loo_flag,shrunk_ratio,shrunk_low,shrunk_high,rank,rank_low,rank_high,rank_low_simultaneous,rank_high_simultaneous")
        #expect(lines.count == 4 && lines[1].hasPrefix("Torfaen,1240,") && lines[1].contains(",1,1,"), "\(csv.stdout)")
        let json = try run(Self.model + ["--format", "json", "--overdispersion", "additive", "--scale", "sqrt", "--trim-method", "truncate"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect((object["units"] as! [[String: Any]]).count == 22)
        #expect((object["trimmed"] as! [String]).count == 4 && object["tau2"] is NSNumber && object["scale"] as? String == "sqrt")
        // By year: unit-years.
        let years = try run(Self.model + ["--by", "year", "--format", "csv", "--no-loo", "--no-ranks"])
        #expect(years.stdout.split(separator: "\n").count == 89 && years.stdout.hasPrefix("unit,year,observed"), "\(years.stderr)")
    }

    @Test func limitsTableForPlotting() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("limits-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try run(Self.model + ["--no-loo", "--no-ranks", "--limits-table", file.path, "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "expected,level,overdispersion,low,high" && lines.count == 401)
    }

    @Test(arguments: [
        (["--unit", "la_nmae"], "no column named \"la_nmae\""),
        (["--levels", "0.95,1.2"], "--levels must be numbers between 0 and 1"),
        (["--trim", "0.6"], "--trim must be at least 0 and below 0.5"),
        (["--sort", "ratoi"], "--sort ratoi: not a column"),
        (["--limits", "poisson"], "The value 'poisson' is invalid for '--limits <limits>'"),
    ])
    func badOptions(extra: [String], message: String) throws {
        var args = Self.model
        if extra.first == "--unit" { args = Array(args.dropLast(2)) }
        let r = try run(args + extra)
        #expect(r.status != 0 && r.stderr.contains(message), "\(r.stderr)")
    }

    /// A row of the fit without a unit belongs to none, and says so.
    @Test func rowsWithoutAUnitAreLeftOutAndCounted() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("units-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try "la,y,x,pop\nA,10,1,100\nA,12,2,110\nB,30,3,100\nNA,5,2,90\nB,28,1,95\nC,15,2,100\nC,17,3,120\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let r = try run(["compare", file.path, "-f", "y ~ x", "--family", "poisson", "--exposure", "pop", "--unit", "la", "--no-ranks"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Warning: 1 row of the fit with no la belongs to no unit and is left out of every comparison."))
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("A ") || $0.hasPrefix("B ") || $0.hasPrefix("C ") }.count == 3)
    }

    /// A linear model of the rate compares the counts its rates imply: with the exposure it
    /// prints the table (the rates times the population give back the counts, to their rounding), and
    /// without it the error says what to add.
    @Test func linearModelsCompareRates() throws {
        let args = ["compare", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct", "--unit", "la_name"]
        let r = try run(args + ["--exposure", "population_0_15", "--no-ranks", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let torfaen = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("Torfaen,") })
        #expect(abs(Double(torfaen.split(separator: ",")[1])! - 1240) < 0.01, "\(torfaen)")  // the rate is rounded
        let bare = try run(args)
        #expect(bare.status != 0 && bare.stderr.contains("give --exposure COL"), "\(bare.stderr)")
        // Elsewhere a linear model's exposure is still refused.
        let fit = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct", "--exposure", "population_0_15"])
        #expect(fit.status != 0 && fit.stderr.contains("--exposure and --theta are for generalized linear models"), "\(fit.stderr)")
    }

    /// A binomial model's successes, with the trials column; what it cannot take is named.
    @Test func binomialModelsCompareSuccesses() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("binomial-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        var text = "la,s,f,x\n"
        for (k, la) in ["A", "B", "C", "D", "E", "F"].enumerated() {
            for year in 0..<3 { text += "\(la),\(10 + 3 * k + year),\(90 - k),\(Double(k) / 2 + Double(year))\n" }
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        let args = ["compare", file.path, "-f", "cbind(s, f) ~ x", "--family", "binomial", "--unit", "la", "--no-ranks"]
        let r = try run(args + ["--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("unit,observed,expected,trials,ratio,"), "\(r.stdout)")
        let text2 = try run(args)
        #expect(text2.stdout.contains("exact binomial prediction limits at the overall proportion p0"), "\(text2.stdout)")
        let none = FileManager.default.temporaryDirectory.appendingPathComponent("binomial-none-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: none) }
        try "la,s,f,x\nA,0,10,1\nB,0,12,2\nC,0,9,3\n".write(to: none, atomically: true, encoding: .utf8)
        let empty = try run(["compare", none.path, "-f", "cbind(s, f) ~ x", "--family", "binomial", "--unit", "la", "--no-ranks"])
        #expect(empty.status != 0 && empty.stderr.contains("the units have no successes in 31 trials"), "\(empty.stderr)")
        for (extra, message) in [(["--limits", "chisq"], "--limits chisq is Poisson's"), (["--overdispersion", "model"], "--overdispersion model"),
                                 (["--scale", "log"], "arcsine scale")] {
            let bad = try run(args + extra)
            #expect(bad.status != 0 && bad.stderr.contains(message), "\(extra): \(bad.stderr)")
        }
    }
}
