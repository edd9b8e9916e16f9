import DataTable
import Foundation
import LinearAlgebra
import Testing

@testable import Regression

/// The projection off absorbed factors: its two algorithms agree, its accuracy is what it
/// reports, and the levels it cannot identify are counted.
@Suite struct FixedEffectProjectorTests {
    /// A seeded design: `n` rows, factors of the given sizes (every level used), weights in [0.5, 2.5).
    static func design(n: Int, levels: [Int], seed: UInt64) -> (factors: [[Int32]], weights: [Double], v: [Double]) {
        var random = SeededGenerator(seed: seed)
        let factors = levels.map { l in (0..<n).map { i in Int32(i < l ? i : Int.random(in: 0..<l, using: &random)) } }
        let weights = (0..<n).map { _ in Double.random(in: 0.5..<2.5, using: &random) }
        let v = (0..<n).map { i in Double(factors[0][i] % 7) + sin(Double(i)) + Double.random(in: -1..<1, using: &random) }
        return (factors, weights, v)
    }

    @Test func alternatingProjectionsAgreeWithTheExactSolve() {
        let (factors, weights, v) = Self.design(n: 4000, levels: [300, 40, 25], seed: 7)
        let counts = factors.map { Int($0.max()!) + 1 }
        let exact = FixedEffectProjector(factors: factors, levelCounts: counts, weights: weights)
        let iterative = FixedEffectProjector(factors: factors, levelCounts: counts, weights: weights, tolerance: 1e-13, exactLimit: 0)
        #expect(exact.elimination != nil && iterative.elimination == nil)
        let a = exact.project(v), b = iterative.project(v)
        #expect(a.accuracy < 1e-14, "exact accuracy \(a.accuracy)")
        #expect(b.accuracy < 1e-12, "iterative accuracy \(b.accuracy)")
        let scale = v.map(abs).max()!
        #expect(zip(a.residual, b.residual).allSatisfy { abs($0 - $1) <= 1e-10 * scale })
        // The same normalisation: the first level of each factor after the largest is zero, so
        // the effects themselves agree.
        for f in 1..<factors.count { #expect(a.effects[f][0] == 0 && abs(b.effects[f][0]) <= 1e-12) }
        for f in factors.indices {
            for g in a.effects[f].indices { #expect(abs(a.effects[f][g] - b.effects[f][g]) <= 1e-9 * scale) }
        }
        #expect(exact.redundant == 2 && iterative.redundant == 2)
        // The residual is orthogonal to every level: its weighted level sums vanish.
        for f in factors.indices {
            var sums = [Double](repeating: 0, count: counts[f])
            for i in v.indices { sums[Int(factors[f][i])] += weights[i] * a.residual[i] }
            #expect(sums.allSatisfy { abs($0) <= 1e-11 * scale })
        }
    }

    @Test func disconnectedLevelsAreCountedAsRedundant() {
        // Units 0-4 are seen only in years 0-2, units 5-9 only in years 3-5: two connected sets,
        // so two year levels cannot be told from the unit effects (one per set).
        var units = [Int32](), years = [Int32]()
        for u in 0..<10 { for y in 0..<3 { units.append(Int32(u)); years.append(Int32(u < 5 ? y : y + 3)) } }
        let v = units.indices.map { Double($0 % 5) + Double(years[$0]) * 0.5 }
        for limit in [FixedEffectProjector.exactLimit, 0] {
            let p = FixedEffectProjector(factors: [units, years], levelCounts: [10, 6], weights: nil, exactLimit: limit)
            #expect(p.redundant == 2 && p.redundantExact, "limit \(limit)")
            let r = p.project(v)
            #expect(r.accuracy < 1e-12)
            // Normalised: the first year of each connected set is zero.
            #expect(abs(r.effects[1][0]) <= 1e-12 && abs(r.effects[1][3]) <= 1e-12, "limit \(limit): \(r.effects[1])")
        }
    }

    @Test func singletonsAreRemovedUntilNoneIsLeft() {
        // Row 4 is alone in unit c; once it goes, row 3 is alone in year 3, and then row 2 alone in unit b.
        let unit = AbsorbedFactor(name: "unit", levels: ["a", "b", "c", "d"], codes: [0, 0, 1, 1, 2, 0, 3, 3])
        let year = AbsorbedFactor(name: "year", levels: ["1", "2", "3"], codes: [0, 1, 1, 2, 2, 0, 0, 1])
        let (kept, removed) = AbsorbedFactors.withoutSingletons([unit, year], weights: nil)
        #expect(removed == 3 && kept == [0, 1, 5, 6, 7], "\(kept)")
    }

    @Test func oneFactorIsLevelMeans() {
        let codes: [Int32] = [0, 0, 1, 1, 1, 2, 2]
        let v = [1.0, 3, 2, 4, 9, 5, 5], w = [1.0, 3, 1, 1, 2, 1, 1]
        let r = FixedEffectProjector(factors: [codes], levelCounts: [3], weights: w).project(v)
        #expect(r.effects[0] == [2.5, 6, 5])
        #expect(zip(r.residual, [-1.5, 0.5, -4, -2, 3, 0, 0]).allSatisfy { abs($0 - $1) < 1e-15 })
    }
}
