import Comparison
import DataTable
import Foundation
import LinearAlgebra
import Regression
import Testing

/// The comparison of units against values computed independently in R from the published
/// formulas (scripts/reference/comparison.R), in every backend. Tolerances: limits, intervals,
/// z-scores, phi and its test, tau2 and shrunken ratios 1e-9 relative (R's qpois, ppois and
/// qchisq against ours; E from two fits at the optimum); expected counts and leave-one-out
/// expected counts 1e-9 relative (explicit refits in R); flags exactly. The England panel too
/// (phi and tau2 1e-8), and PHEindicatormethods' public funnel table.
@Suite struct ComparisonReferenceTests {
    nonisolated(unsafe) static let reference: [String: Any] = {
        let url = Bundle.module.url(forResource: "Fixtures/comparison_reference", withExtension: "json")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()
    static func numbers(_ any: Any?) -> [Double] { (any as! [Any]).map { Double($0 as! String)! } }
    static func number(_ any: Any?) -> Double { Double(any as! String)! }
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func close(_ a: Double, _ b: Double, _ rel: Double = 1e-9) -> Bool {
        a == b || abs(a - b) <= rel * max(abs(b), 1e-300)
    }

    @Test func exactAndConfidenceLimitsOnAGrid() {
        let grid = Self.reference["grid"] as! [String: Any]
        let e = Self.numbers(grid["expected"]), level = Self.numbers(grid["level"])
        let low = Self.numbers(grid["low"]), high = Self.numbers(grid["high"])
        let chisqLow = Self.numbers(grid["chisq_low"]), chisqHigh = Self.numbers(grid["chisq_high"])
        for k in e.indices {
            let a = (1 - level[k]) / 2
            #expect(Self.close(PoissonLimits.exact(a, expected: e[k]), low[k]), "exact low E = \(e[k]) level \(level[k])")
            #expect(Self.close(PoissonLimits.exact(1 - a, expected: e[k]), high[k]), "exact high E = \(e[k]) level \(level[k])")
            #expect(Self.close(PoissonLimits.confidenceWithObservedAsExpected(a, expected: e[k]), chisqLow[k]), "chisq low \(e[k])")
            #expect(Self.close(PoissonLimits.confidenceWithObservedAsExpected(1 - a, expected: e[k]), chisqHigh[k]), "chisq high \(e[k])")
        }
    }

    /// PHEindicatormethods' funnel fixture (a public test table; Fixtures/phe_funnel_ratio.csv):
    /// for an observed count O, the expected count E at which O sits on each limit. There the
    /// exact (Garwood) interval of O/E has 1 at its end (the upper end for the lower limit), so
    /// E is that end at E = 1. Their values come from bisection: they agree to 1e-6 relative or
    /// 1e-7 absolute (at the smallest E, the bisection's tolerance on E shows).
    @Test func garwoodLimitsAgainstPHEindicatormethods() throws {
        let url = Bundle.module.url(forResource: "Fixtures/phe_funnel_ratio", withExtension: "csv")!
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst()
        #expect(lines.count == 11)
        for line in lines {
            let v = line.split(separator: ",").map { Double($0)! }
            let o = v[0]
            for (level, low, high) in [(0.95, v[1], v[2]), (0.998, v[3], v[4])] {
                let a = (1 - level) / 2
                for (ours, theirs) in [(PoissonLimits.garwood(1 - a, observed: o, expected: 1), low),
                                       (PoissonLimits.garwood(a, observed: o, expected: 1), high)] {
                    #expect(Self.close(ours, theirs, 1e-6) || abs(ours - theirs) < 1e-7, "O \(o) \(level): \(ours) against \(theirs)")
                }
            }
        }
    }

    static func welsh(kind: BackendKind) throws -> any FittedModel {
        let table = try DataTable.read(path: root.appendingPathComponent("datasets/wales_la_panel.csv").path)
        let spec = GLMOptions(family: .negbin, exposure: "population_0_15")
        return try spec.fit(Formula("children_looked_after ~ children_low_income_pct + unemployment_rate_pct"), data: table,
                            backend: kind.make())
    }

    @Test(arguments: BackendKind.available)
    func welshAuthoritiesUnderEveryMethod(kind: BackendKind) throws {
        let fit = try Self.welsh(kind: kind)
        let r = Self.reference
        for variant in r["variants"] as! [[String: Any]] {
            var settings = ComparisonSettings(unit: "la_name", exposure: "population_0_15")
            settings.scale = ComparisonScale(rawValue: variant["scale"] as! String)!
            settings.trimMethod = TrimMethod(rawValue: variant["trim_method"] as! String)!
            settings.overdispersion = OverdispersionMethod(rawValue: variant["overdispersion"] as! String)!
            (settings.leaveOneOut, settings.rankSets) = (false, false)
            let c = try UnitComparison.compare(fit, settings: settings)
            let name = "\(settings.scale?.rawValue ?? "log") \(settings.trimMethod) \(settings.overdispersion)"
            #expect(c.units.map(\.unit) == r["units"] as! [String])
            for (u, (o, e)) in zip(c.units, zip(Self.numbers(r["observed"]), Self.numbers(r["expected"]))) {
                #expect(u.observed == o, "\(u.unit) O")
                #expect(Self.close(u.expected, e), "\(u.unit) E \(u.expected) against \(e)")
            }
            #expect(Self.close(c.estimate.phi, Self.number(variant["phi"])), "\(name) phi")
            #expect(Self.close(c.estimate.phiPValue, Self.number(variant["phi_p"]), 1e-8), "\(name) phi p")
            #expect(c.estimate.count == variant["count"] as! Int, "\(name) count")
            #expect(Self.close(c.estimate.tau2, Self.number(variant["tau2"])), "\(name) tau2")
            let z = Self.numbers(variant["z"]), adjusted = Self.numbers(variant["z_adjusted"])
            let limits = [0.95: (Self.numbers(variant["low_95"]), Self.numbers(variant["high_95"])),
                          0.998: (Self.numbers(variant["low_998"]), Self.numbers(variant["high_998"]))]
            for (k, u) in c.units.enumerated() {
                #expect(Self.close(u.z, z[k]), "\(name) \(u.unit) z")
                #expect(Self.close(u.zAdjusted, adjusted[k]), "\(name) \(u.unit) z adjusted")
                for (level, bounds) in limits {
                    let ours = c.limits.limits(expected: u.expected, level: level)
                    #expect(Self.close(ours.low, bounds.0[k]) && Self.close(ours.high, bounds.1[k]), "\(name) \(u.unit) \(level)")
                }
                #expect(u.flag == (variant["flag"] as! [String])[k], "\(name) \(u.unit) flag")
            }
        }
    }

    @Test(arguments: BackendKind.available)
    func intervalsShrinkageAndLeaveOneOut(kind: BackendKind) throws {
        let fit = try Self.welsh(kind: kind)
        let r = Self.reference
        let c = try UnitComparison.compare(fit, settings: ComparisonSettings(unit: "la_name", exposure: "population_0_15"))
        let columns: [(String, KeyPath<ComparedUnit, Double>)] = [
            ("garwood_low", \.ratioLow), ("garwood_high", \.ratioHigh), ("shrunk_ratio", \.shrunkRatio),
            ("shrunk_low", \.shrunkLow), ("shrunk_high", \.shrunkHigh),
        ]
        for (key, path) in columns {
            for (u, expected) in zip(c.units, Self.numbers(r[key])) {
                #expect(Self.close(u[keyPath: path], expected), "\(u.unit) \(key): \(u[keyPath: path]) against \(expected)")
            }
        }
        for (u, expected) in zip(c.units, Self.numbers(r["loo_expected"])) {
            let ours = try #require(u.looExpected, "\(u.unit) has no leave-one-out E")
            #expect(Self.close(ours, expected), "\(u.unit) loo E \(ours) against R's refit \(expected)")
        }
        #expect(Self.close(c.shrinkageTau2, Self.number(r["shrinkage_tau2"])))
        #expect(Self.close(c.rankability, Self.number(r["rankability"])))
        #expect(c.warnings.isEmpty)
    }

    /// The England panel's 150 authorities: O, E, phi, tau2 and the flags under each method on
    /// the log scale (winsorised), against R.
    @Test(arguments: BackendKind.available)
    func englishAuthorities(kind: BackendKind) throws {
        let table = try DataTable.read(path: Self.root.appendingPathComponent("datasets/england_la_panel.csv").path)
        let fit = try GLMOptions(family: .negbin, exposure: "population_0_17").fit(
            Formula("children_looked_after ~ idaci_average_score + domestic_abuse_parent_per_10000"), data: table,
            backend: kind.make())
        let r = Self.reference["england"] as! [String: Any]
        for over in [OverdispersionMethod.none, .multiplicative, .additive] {
            var settings = ComparisonSettings(unit: "la_name")
            (settings.overdispersion, settings.leaveOneOut, settings.rankSets) = (over, false, false)
            let c = try UnitComparison.compare(fit, settings: settings)
            #expect(c.units.map(\.unit) == r["units"] as! [String])
            #expect(Self.close(c.estimate.phi, Self.number(r["phi"]), 1e-8) && Self.close(c.estimate.tau2, Self.number(r["tau2"]), 1e-8))
            #expect(Self.close(c.estimate.phiPValue, Self.number(r["phi_p"]), 1e-6) && c.estimate.count == r["count"] as! Int)
            let flags = r["flag_\(over)"] as! [String]
            for (k, u) in c.units.enumerated() {
                #expect(u.observed == Self.numbers(r["observed"])[k], "\(u.unit) O")
                #expect(Self.close(u.expected, Self.numbers(r["expected"])[k], 1e-9), "\(u.unit) E")
                #expect(u.flag == flags[k], "\(over) \(u.unit) flag \(u.flag) against \(flags[k])")
            }
        }
    }

    /// Limits from the fitted negative binomial itself (moment-matched unit totals).
    @Test(arguments: BackendKind.available)
    func modelBasedLimits(kind: BackendKind) throws {
        let fit = try Self.welsh(kind: kind)
        let r = Self.reference
        var settings = ComparisonSettings(unit: "la_name", exposure: "population_0_15")
        (settings.overdispersion, settings.leaveOneOut, settings.rankSets) = (.model, false, false)
        let c = try UnitComparison.compare(fit, settings: settings)
        #expect(Self.close(c.limits.modelSize, Self.number(r["model_size"])), "size \(c.limits.modelSize)")
        for (k, u) in c.units.enumerated() {
            for (level, low, high) in [(0.95, "model_low_95", "model_high_95"), (0.998, "model_low_998", "model_high_998")] {
                let ours = c.limits.limits(expected: u.expected, level: level)
                #expect(Self.close(ours.low, Self.numbers(r[low])[k]) && Self.close(ours.high, Self.numbers(r[high])[k]),
                        "\(u.unit) \(level): \(ours) against \(Self.numbers(r[low])[k]), \(Self.numbers(r[high])[k])")
            }
            #expect(u.flag == (r["model_flag"] as! [String])[k], "\(u.unit) model flag")
        }
    }

    /// The flags are the limits': a unit is above a level's limits exactly when its ratio
    /// exceeds the curve a plot would draw at its E, for every method.
    @Test func flagsAgreeWithTheDrawnLimits() throws {
        let fit = try Self.welsh(kind: .swift)
        for method in LimitMethod.allCases {
            for over in OverdispersionMethod.allCases where !(over == .model && method == .chisq) {
                var settings = ComparisonSettings(unit: "la_name")
                (settings.limits, settings.overdispersion, settings.leaveOneOut, settings.rankSets) = (method, over, false, false)
                Self.expectFlagsAreTheLimits(try UnitComparison.compare(fit, settings: settings), "\(method) \(over)")
            }
        }
    }

    /// Each unit's flag is where its ratio falls against the limits at its E (levels 0.95, 0.998).
    static func expectFlagsAreTheLimits(_ c: UnitComparison, _ name: String) {
        for u in c.units {
            var expected = "within"
            for level in [0.95, 0.998] {
                let (low, high) = c.limits.limits(expected: u.expected, level: level)
                if u.ratio > high { expected = "above \(level == 0.95 ? "95" : "99.8")%" }
                if u.ratio < low { expected = "below \(level == 0.95 ? "95" : "99.8")%" }
            }
            #expect(u.flag == expected, "\(name) \(u.unit)")
        }
    }

    /// Without overdispersion, on data simulated from the model with a known phi, the
    /// multiplicative estimate recovers it (on 400 units, within 15%).
    @Test func phiIsRecoveredOnSimulatedOverdispersedCounts() throws {
        var rng = SeededGenerator(seed: 11)
        var text = "unit,y,pop\n"
        for u in 0..<400 {
            let pop = 2000.0 + Double(u % 50) * 400
            let mean = pop * 0.01
            // Gamma-Poisson with variance mean * phi: shape mean / (phi - 1), phi = 4.
            let lambda = rng.gamma(shape: mean / 3) * 3
            text += "u\(u),\(rng.poisson(lambda)),\(pop)\n"
        }
        let table = try DataTable.parse(bytes: Array(text.utf8), source: "sim.csv")
        let fit = try GLMOptions(family: .poisson, exposure: "pop").fit(Formula("y ~ 1"), data: table, backend: nil)
        var settings = ComparisonSettings(unit: "unit", exposure: "pop")
        (settings.scale, settings.leaveOneOut, settings.trim, settings.rankSets) = (.sqrt, false, 0, false)
        let c = try UnitComparison.compare(fit, settings: settings)
        #expect(abs(c.estimate.phi - 4) < 0.6, "phi \(c.estimate.phi)")
        #expect(c.estimate.phiPValue < 1e-10)
    }
}
