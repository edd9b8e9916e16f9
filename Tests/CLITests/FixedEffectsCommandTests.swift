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
        let checks = try run(Self.model + ["--checks"])
        #expect(checks.stdout.contains("Breusch-Pagan LM test for la_code effects (pooled residuals): chisq = 58.651 on 1 df")
                && checks.stdout.contains("Pesaran CD test of cross-sectional dependence (la_code across year): z = -1.3083"), "\(checks.stdout)")
        let plm = try run(Self.model + ["--se", "cluster", "--cluster", "la_code", "--ssc", "plm", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(plm.stdout.utf8)) as! [String: Any]
        #expect((object["model"] as! [String: Any])["convention"] as? String == "plm")
        #expect(((object["fixed_effects"] as! [[String: Any]]).map { $0["levels"] as! Int }) == [22, 4])
    }

    @Test func countModelsWithAuthorityAndYearEffects() throws {
        let model = ["fit", "wales_la_panel", "-f", "children_looked_after ~ children_low_income_pct + unemployment_rate_pct | la_code + year",
                     "--exposure", "population_0_15"]
        let poisson = try run(model + ["--family", "poisson", "--exponentiate"])
        #expect(poisson.status == 0, "\(poisson.stderr)")
        #expect(poisson.stdout.contains("fepois(formula = children_looked_after ~ children_low_income_pct + unemployment_rate_pct | la_code + year, data = wales_la_panel, offset = log(population_0_15))"))
        #expect(poisson.stdout.contains("Poisson model (log link) with absorbed fixed effects. Observations: 88"))
        #expect(poisson.stdout.contains("z value") && poisson.stdout.contains("Rate ratios, exp(estimate)"), "\(poisson.stdout)")
        let negbin = try run(model + ["--family", "negbin", "--se", "cluster", "--cluster", "la_code", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(negbin.stdout.utf8)) as! [String: Any]
        let statistics = object["statistics"] as! [String: Any]
        #expect((object["model"] as! [String: Any])["type"] as? String == "fenegbin")
        #expect((statistics["theta"] as! Double) > 300 && (statistics["theta"] as! Double) < 400, "\(statistics)")
        let residuals = try run(["residuals"] + model.dropFirst() + ["--family", "negbin", "--format", "csv"])
        #expect(residuals.status == 0 && residuals.stdout.split(separator: "\n").count == 89, "\(residuals.stderr)")
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
        (["--se", "hc3"], "--se takes classical, hc1, cluster"),
        (["--family", "binomial"], "absorbed fixed effects (after | in the formula) are for least squares and for --family poisson"),
        (["--family", "poisson"], "a count must be a whole number"),
        (["--se", "cluster", "--cluster", "la_code,year,la_name"], "--cluster takes one column, or two"),
        (["--se", "cluster", "--cluster", "nope"], "nope"),
        (["--test", "unemployment_rate_pct = 0"], "not available with absorbed fixed effects"),
    ])
    func refusesWhatItCannotDo(extra: [String], message: String) throws {
        let r = try run(Self.model + extra)
        #expect(r.status != 0 && r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func randomEffectsAndWithinBetweenModels() throws {
        let formula = "rate_per_10000 ~ children_low_income_pct + unemployment_rate_pct"
        let random = try run(["fit", "wales_la_panel", "-f", formula, "--panel", "la_code,year", "--model", "random"])
        #expect(random.status == 0, "\(random.stderr)")
        #expect(random.stdout.contains("Random-effects GLS (individual effects of la_code; Swamy-Arora variance components). Observations: 88, units: 22 (balanced, T = 4)"))
        #expect(random.stdout.contains("Hausman test (fixed against random effects") && random.stdout.contains("Regression-based Hausman test"))
        let amemiya = try run(["fit", "wales_la_panel", "-f", formula, "--panel", "la_code,year", "--model", "random", "--random-method", "amemiya"])
        #expect(amemiya.status == 0 && amemiya.stdout.contains("random.method = \"amemiya\"")
                && amemiya.stdout.contains("; Amemiya variance components)"), "\(amemiya.stdout)\(amemiya.stderr)")
        let between = try run(["fit", "wales_la_panel", "-f", formula, "--panel", "la_code,year", "--model", "between"])
        #expect(between.status == 0 && between.stdout.contains("Between estimator: least squares of the unit means of la_code. Units: 22"),
                "\(between.stderr)")
        let hybrid = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ within(unemployment_rate_pct) + between(unemployment_rate_pct)",
                              "--panel", "la_code,year", "--se", "cluster", "--cluster", "la_code", "--format", "csv"])
        #expect(hybrid.status == 0 && hybrid.stdout.contains("\nwithin(unemployment_rate_pct),"), "\(hybrid.stderr)")
        let cr2 = try run(Self.model + ["--se", "cr2", "--cluster", "la_code"])
        #expect(cr2.status == 0 && cr2.stdout.contains("cluster-robust CR2 (Bell-McCaffrey) by la_code (G = 22 clusters"), "\(cr2.stderr)")
        let dk = try run(Self.model + ["--se", "dk", "--panel", "la_code,year"])
        #expect(dk.status == 0 && dk.stdout.contains("Driscoll-Kraay by year (4 periods; Bartlett weights to lag 1, floor(T^(1/4)) with T = 4"),
                "\(dk.stdout)\(dk.stderr)")
        for (extra, message) in [
            (["--se", "dk"], "--se dk needs --panel UNIT,TIME"),
            (["--se", "dk", "--panel", "la_code,year"], "--se dk is for panel models"),
            (["--model", "random"], "--model random needs --panel"),
            (["--random-method", "nerlove"], "--random-method is for --model random"),
            (["--model", "between", "--panel", "la_code,year", "--se", "hc1"], "--model between is the least squares of the unit means"),
            (["--panel", "la_code,year,x"], "--panel takes the unit and time columns"),
            (["--panel", "la_code,year", "--model", "random", "--family", "poisson"], "--model random is for linear models"),
        ] {
            let r = try run(["fit", "wales_la_panel", "-f", formula] + extra)
            #expect(r.status != 0 && r.stderr.contains(message), "\(extra): \(r.stderr)")
        }
    }

    @Test func conventionsAreForFixedEffects() throws {
        let r = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct", "--ssc", "stata"])
        #expect(r.status != 0 && r.stderr.contains("--ssc is for panel models"), "\(r.stderr)")
        let singletons = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct | la_name^year"])
        #expect(singletons.status != 0 && singletons.stderr.contains("none of the 88 rows is left once those alone in a level of la_name^year"),
                "\(singletons.stderr)")
        let misspelt = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct | la_cod"])
        #expect(misspelt.status != 0 && misspelt.stderr.contains("position 42") && misspelt.stderr.contains("la_code"), "\(misspelt.stderr)")
    }
}
