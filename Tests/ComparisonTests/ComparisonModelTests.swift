import Comparison
import DataTable
import Foundation
import LinearAlgebra
import Regression
import Testing

/// Comparisons under a binomial model and a linear model of rates, binomial limits, Clopper-
/// Pearson intervals and the REML tau2, against values computed independently in R
/// (scripts/reference/comparison_models.R), in every backend. Tolerances: limits and intervals
/// 1e-9 relative (R's pbinom, pbeta and binom.test against ours); O exactly; E, z and
/// leave-one-out E 1e-8 relative (fits at the optimum on both sides; explicit refits in R
/// against our warm-started refits and exact deletion formulas); REML tau2 1e-9 relative
/// (optimize, then uniroot on the derivative to rounding); flags exactly.
@Suite struct ComparisonModelTests {
    nonisolated(unsafe) static let reference: [String: Any] = {
        let url = Bundle.module.url(forResource: "Fixtures/comparison_models", withExtension: "json")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()
    static func numbers(_ any: Any?) -> [Double] { ComparisonReferenceTests.numbers(any) }
    static func number(_ any: Any?) -> Double { ComparisonReferenceTests.number(any) }
    static func close(_ a: Double, _ b: Double, _ rel: Double = 1e-9) -> Bool { ComparisonReferenceTests.close(a, b, rel) }

    @Test func binomialLimitsOnAGrid() {
        let grid = Self.reference["binomial_grid"] as! [String: Any]
        let e = Self.numbers(grid["expected"]), p0 = Self.numbers(grid["proportion"]), level = Self.numbers(grid["level"])
        let low = Self.numbers(grid["low"]), high = Self.numbers(grid["high"])
        for k in e.indices {
            let a = (1 - level[k]) / 2
            let ours = (PoissonLimits.exactBinomial(a, expected: e[k], proportion: p0[k]),
                        PoissonLimits.exactBinomial(1 - a, expected: e[k], proportion: p0[k]))
            #expect(Self.close(ours.0, low[k]) && Self.close(ours.1, high[k]),
                    "E \(e[k]) p0 \(p0[k]) level \(level[k]): \(ours) against \(low[k]), \(high[k])")
        }
    }

    @Test func clopperPearsonIntervals() {
        let cp = Self.reference["clopper_pearson"] as! [String: Any]
        let o = Self.numbers(cp["observed"]), n = Self.numbers(cp["trials"]), e = Self.numbers(cp["expected"])
        let low = Self.numbers(cp["low"]), high = Self.numbers(cp["high"])
        for k in o.indices {
            let ours = (PoissonLimits.clopperPearson(0.025, observed: o[k], trials: n[k], expected: e[k]),
                        PoissonLimits.clopperPearson(0.975, observed: o[k], trials: n[k], expected: e[k]))
            #expect(Self.close(ours.0, low[k]) && Self.close(ours.1, high[k]), "\(o[k]) of \(n[k]): \(ours) against \(low[k]), \(high[k])")
        }
    }

    @Test func remlTau2() {
        let r = Self.reference["reml"] as! [String: Any]
        let estimate = OverdispersionEstimate(
            z: Self.numbers(r["z"]), s: Self.numbers(r["s"]), trim: 0.1, method: .winsorise, tau2Method: .reml)
        #expect(Self.close(estimate.tau2, Self.number(r["tau2"])), "REML tau2 \(estimate.tau2)")
    }

    /// The Welsh panel as successes and failures of the children aged 0-15 (rows complete in
    /// the columns both models use, as the R script keeps them).
    static func welshTable() throws -> DataTable {
        let table = try DataTable.read(path: ComparisonReferenceTests.root.appendingPathComponent("datasets/wales_la_panel.csv").path)
        let names = ["la_name", "children_looked_after", "population_0_15", "children_low_income_pct", "unemployment_rate_pct",
                     "rate_per_10000"]
        let columns = try names.map { try table.column(named: $0) }
        var text = "la_name,lac,notlac,pop,low,unemp,rate\n"
        for row in 0..<table.rowCount {
            let values = columns.dropFirst().map { $0.numbers[row] }
            guard let name = table.cellText(row: row, column: columns[0]), values.allSatisfy(\.isFinite) else { continue }
            let fields = [values[0], values[1] - values[0], values[1], values[2], values[3], values[4]].map(\.shortText)
            text += "\"\(name)\"," + fields.joined(separator: ",") + "\n"
        }
        return try DataTable.parse(bytes: Array(text.utf8), source: "wales_binomial.csv")
    }

    @Test(arguments: BackendKind.available)
    func welshAuthoritiesUnderABinomialModel(kind: BackendKind) throws {
        let table = try Self.welshTable()
        let fit = try GLMOptions(family: .binomial).fit(Formula("cbind(lac, notlac) ~ low + unemp"), data: table, backend: kind.make())
        let r = Self.reference["binomial"] as! [String: Any]
        var settings = ComparisonSettings(unit: "la_name")
        settings.rankSets = false
        let c = try UnitComparison.compare(fit, settings: settings)
        #expect(c.units.map(\.unit) == Self.reference["units"] as! [String])
        #expect(c.limits.scale == .arcsine)
        #expect(Self.close(c.limits.proportion!, Self.number(r["proportion"]), 1e-8))
        let (o, e, n, z) = (Self.numbers(r["observed"]), Self.numbers(r["expected"]), Self.numbers(r["trials"]), Self.numbers(r["z"]))
        let loo = Self.numbers(r["loo_expected"]), flags = r["flag"] as! [String]
        for (k, u) in c.units.enumerated() {
            #expect(u.observed == o[k] && u.trials == n[k], "\(u.unit) O and trials")
            #expect(Self.close(u.expected, e[k], 1e-8), "\(u.unit) E \(u.expected) against \(e[k])")
            #expect(Self.close(u.z, z[k], 1e-8), "\(u.unit) z \(u.z) against \(z[k])")
            #expect(Self.close(try #require(u.looExpected), loo[k], 1e-8), "\(u.unit) loo E \(u.looExpected ?? .nan) against \(loo[k])")
            #expect(u.flag == flags[k], "\(u.unit) flag \(u.flag) against \(flags[k])")
            for (level, low, high) in [(0.95, "low_95", "high_95"), (0.998, "low_998", "high_998")] {
                let ours = c.limits.limits(expected: u.expected, level: level)
                // The limits are functions of E, which agrees to 1e-8.
                #expect(Self.close(ours.low, Self.numbers(r[low])[k], 1e-7) && Self.close(ours.high, Self.numbers(r[high])[k], 1e-7),
                        "\(u.unit) \(level)")
            }
        }
        #expect(c.warnings.isEmpty, "\(c.warnings)")
    }

    @Test(arguments: BackendKind.available)
    func welshAuthoritiesUnderALinearModelOfRates(kind: BackendKind) throws {
        let table = try Self.welshTable()
        let fit = try LinearModelOptions().fit(Formula("rate ~ low + unemp"), data: table, backend: kind.make())
        let r = Self.reference["linear"] as! [String: Any]
        var settings = ComparisonSettings(unit: "la_name", exposure: "pop")
        settings.rankSets = false
        let c = try UnitComparison.compare(fit, settings: settings)
        let (o, e, loo, flags) = (Self.numbers(r["observed"]), Self.numbers(r["expected"]), Self.numbers(r["loo_expected"]),
                                  r["flag"] as! [String])
        for (k, u) in c.units.enumerated() {
            #expect(Self.close(u.observed, o[k], 1e-12), "\(u.unit) O")
            #expect(Self.close(u.expected, e[k], 1e-9), "\(u.unit) E \(u.expected) against \(e[k])")
            #expect(Self.close(try #require(u.looExpected), loo[k], 1e-9), "\(u.unit) loo E by deletion against R's refit")
            #expect(u.flag == flags[k], "\(u.unit) flag")
        }
        // Without an exposure there are no counts to compare.
        #expect(throws: ModelError.self) { try UnitComparison.compare(fit, settings: ComparisonSettings(unit: "la_name")) }
    }

    /// The deletion formulas against explicit refits, with weights, a factor, an offset and
    /// units of unequal size; a unit that alone has a level gets a failure, not a number.
    @Test(arguments: BackendKind.available)
    func deletionFormulasEqualRefits(kind: BackendKind) throws {
        var rng = SeededGenerator(seed: 5)
        var text = "unit,g,x,w,y\n"
        for i in 0..<90 {
            let unit = i < 3 ? "solo" : "u\(i % 9)"
            let g = i < 3 ? "only" : ["a", "b", "c"][i % 3]
            let x = rng.normal()
            text += "\(unit),\(g),\(x),\(1 + rng.uniform()),\(2 + x + rng.normal())\n"
        }
        let table = try DataTable.parse(bytes: Array(text.utf8), source: "deletion.csv")
        let fit = try LinearModelOptions(weights: "w").fit(Formula("y ~ x + g + offset(x)"), data: table, backend: kind.make())
        let units = Dictionary(grouping: fit.frame.rows.indices) { table.cellText(row: fit.frame.rows[$0], column: try! table.column(named: "unit"))! }
        let groups = units.keys.sorted().map { units[$0]! }
        let deleted = fit.predictionsLeavingOut(groups)
        for (group, result) in zip(groups, deleted) {
            let own = Set(group.map { fit.frame.rows[$0] })
            if own.contains(0) {
                #expect(throws: ModelError.self) { try result.get() }
                continue
            }
            let refit = try fit.refit(rows: fit.frame.rows.filter { !own.contains($0) })
            let predicted = try refit.predictMean(table)
            let byRow = Dictionary(uniqueKeysWithValues: zip(predicted.rows, predicted.mean))
            for (position, value) in zip(group, try result.get()) {
                #expect(Self.close(value, byRow[fit.frame.rows[position]]!, 1e-10), "row \(fit.frame.rows[position])")
            }
        }
    }

    /// As for counts, every flag is the drawn limits' (proportions and rates, every method each takes).
    @Test func flagsAgreeWithTheDrawnLimits() throws {
        let table = try Self.welshTable()
        let binomial = try GLMOptions(family: .binomial).fit(Formula("cbind(lac, notlac) ~ low + unemp"), data: table, backend: nil)
        let linear = try LinearModelOptions().fit(Formula("rate ~ low + unemp"), data: table, backend: nil)
        for (fit, exposure) in [(binomial as any FittedModel, nil as String?), (linear, "pop")] {
            for method in LimitMethod.allCases where !(fit.responseKind == .proportion && method == .chisq) {
                for over in OverdispersionMethod.allCases
                where !(over == .model && (method == .chisq || fit.responseKind == .proportion)) {
                    for tau2 in Tau2Method.allCases {
                        var settings = ComparisonSettings(unit: "la_name", exposure: exposure)
                        (settings.limits, settings.overdispersion, settings.tau2Method) = (method, over, tau2)
                        (settings.leaveOneOut, settings.rankSets) = (false, false)
                        ComparisonReferenceTests.expectFlagsAreTheLimits(
                            try UnitComparison.compare(fit, settings: settings), "\(fit.responseKind) \(method) \(over) \(tau2)")
                    }
                }
            }
            // What a binomial model cannot take is refused, naming the option.
            if fit.responseKind == .proportion {
                for (limits, over, scale) in [(LimitMethod.chisq, OverdispersionMethod.none, nil as ComparisonScale?),
                                              (.exact, .model, nil), (.exact, .none, .log)] {
                    var settings = ComparisonSettings(unit: "la_name")
                    (settings.limits, settings.overdispersion, settings.scale) = (limits, over, scale)
                    #expect(throws: ModelError.self) { try UnitComparison.compare(fit, settings: settings) }
                }
            }
        }
    }
}
