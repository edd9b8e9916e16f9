import Foundation
import Testing

/// `carerates fit` with absorbed fixed effects, end to end: the summary, the conventions, the
/// fixed effects written out, and what is refused.
@Suite struct FixedEffectsCommandTests {
    static let model = ["fit", "wales_la_panel", "-f", "rate_per_10000 ~ children_low_income_pct + unemployment_rate_pct | la_code + year"]

    func run(_ arguments: [String]) throws -> CLITests.Result { try CLITests().run(arguments) }

    @Test func welshPanelWithAuthorityAndYearEffects() throws {
        let text = try run(Self.model + ["--se", "cluster", "--cluster", "la_code"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("feols(formula = rate_per_10000 ~ children_low_income_pct + unemployment_rate_pct | la_code + year, data = wales_la_panel)"))
        #expect(text.stdout.contains("Fixed effects: la_code: 22, year: 4 (25 degrees of freedom absorbed, 1 level redundant)"))
        #expect(text.stdout.contains("Projection: exact block elimination, accuracy "))
        #expect(text.stdout.contains("convention fixest") && text.stdout.contains("t on 21 df"), "\(text.stdout)")
        #expect(text.stdout.contains("Within R-squared: 0.1584"))
        let plm = try run(Self.model + ["--se", "cluster", "--cluster", "la_code", "--ssc", "plm", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(plm.stdout.utf8)) as! [String: Any]
        #expect((object["model"] as! [String: Any])["convention"] as? String == "plm")
        #expect(((object["fixed_effects"] as! [[String: Any]]).map { $0["levels"] as! Int }) == [22, 4])
    }

    @Test func fixedEffectsAreWrittenWithTheirNormalisation() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fixef-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try run(Self.model + ["--fixef", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "factor,level,effect" && lines.count == 1 + 22 + 4)
        // The factor of fewer levels has its first level at zero.
        #expect(lines.contains { $0.hasPrefix("year,") && $0.hasSuffix(",0") })
    }

    @Test(arguments: [
        (["--se", "hc3"], "--se takes classical, hc1 or cluster"),
        (["--family", "poisson"], "absorbed fixed effects (after | in the formula) are for least squares"),
        (["--se", "cluster", "--cluster", "la_code,year,la_name"], "--cluster takes one column, or two"),
        (["--se", "cluster", "--cluster", "nope"], "nope"),
        (["--checks"], "not available with absorbed fixed effects"),
    ])
    func refusesWhatItCannotDo(extra: [String], message: String) throws {
        let r = try run(Self.model + extra)
        #expect(r.status != 0 && r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func conventionsAreForFixedEffects() throws {
        let r = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct", "--ssc", "stata"])
        #expect(r.status != 0 && r.stderr.contains("--ssc and --fixef are for models with absorbed fixed effects"), "\(r.stderr)")
        let misspelt = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct | la_cod"])
        #expect(misspelt.status != 0 && misspelt.stderr.contains("position 42") && misspelt.stderr.contains("la_code"), "\(misspelt.stderr)")
    }
}
