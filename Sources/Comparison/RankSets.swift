#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra
import Regression

/// Confidence sets for ranks, as Mogstad, Romano, Shaikh and Wilhelm (2024, Review of Economic
/// Studies) construct them from all pairwise differences (the R package csranks implements
/// them): for estimates `theta` with covariance `Sigma`, the pair (j, k) is decided when
/// `|theta_j - theta_k| > c sigma_jk`, `sigma_jk^2 = Sigma_jj + Sigma_kk - 2 Sigma_jk`, with `c`
/// the `level` quantile of `max |Z_j - Z_k| / sigma_jk` over the pairs still undecided, for
/// `Z ~ N(0, Sigma)` drawn with a seed; repeated (step-down) until no pair is added. Unit j's
/// set is `[1 + N-_j, p - N+_j]` with `N-_j` the units decided above it and `N+_j` below
/// (rank 1 is the highest). Marginal sets use j's own pairs (each covers j's rank); the
/// simultaneous sets use every pair at once (they cover all the ranks jointly: the ones to read
/// a league table by).
///
/// The work is `draws` times the number of pairs, repeated for each step-down, and again for
/// each unit's marginal set; ``affordable(units:draws:)`` bounds it.
public struct RankSets: Sendable {
    /// Whether sets for `units` units with `draws` draws stay within a few seconds' work and
    /// the memory of the pairwise table.
    public static func affordable(units p: Int, draws: Int) -> Bool {
        let pairs = Double(p) * Double(p - 1) / 2
        return pairs * Double(draws) <= 2e9 && Double(p) * Double(p) * 8 <= 2e9
    }

    /// Each unit's rank, 1 for the highest estimate.
    public let rank: [Int]
    /// Each unit's marginal rank confidence set: it covers that unit's rank.
    public let marginalLow: [Int], marginalHigh: [Int]
    /// The simultaneous sets: together they cover every unit's rank.
    public let simultaneousLow: [Int], simultaneousHigh: [Int]
    /// The single-step critical value of the simultaneous sets (before step-down).
    public let simultaneousCritical: Double
    /// The sets' coverage level.
    public let level: Double
    /// Draws of N(0, Sigma) behind the critical values.
    public let draws: Int
    /// The draws' seed.
    public let seed: UInt64
    /// Replicates of the parametric bootstrap behind the covariance (0: the model's covariance).
    public var replicates = 0
    /// Each estimate's variance (the covariance's diagonal).
    public let variance: [Double]

    /// Units that may be among the `tau` highest (their simultaneous set reaches rank `tau`):
    /// with probability `level` the `tau` truly highest are all in it.
    public func best(_ tau: Int) -> [Int] { rank.indices.filter { simultaneousLow[$0] <= tau } }
    /// Units that may be among the `tau` lowest.
    public func worst(_ tau: Int) -> [Int] { rank.indices.filter { simultaneousHigh[$0] > rank.count - tau } }

    /// The rank sets of estimates `theta` with `covariance`, at `level`, from `draws` seeded draws.
    public init(theta: [Double], covariance: Matrix, level: Double = 0.95, draws: Int = 2_000, seed: UInt64 = 1) {
        let p = theta.count
        self.level = level
        self.draws = draws
        self.seed = seed
        rank = ranks(of: theta)
        variance = theta.indices.map { covariance[$0, $0] }
        // Z ~ N(0, Sigma) by a Cholesky factor (eigenvalues below 1e-12 of the largest count as 0).
        let factor = Self.cholesky(covariance)
        var generator = SeededGenerator(seed: seed)
        var z = [Double](repeating: 0, count: draws * p), e = [Double](repeating: 0, count: p)
        for d in 0..<draws {
            for t in 0..<p { e[t] = generator.normal() }
            for a in 0..<p {
                var s = 0.0
                for t in 0...a { s += factor[a, t] * e[t] }
                z[d * p + a] = s
            }
        }
        var inverse = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            for k in 0..<p where k != j {
                let v = covariance[j, j] + covariance[k, k] - 2 * covariance[j, k]
                inverse[j * p + k] = v > 0 ? 1 / v.squareRoot() : .infinity
            }
        }
        /// The `level` quantile over the draws of the largest studentized difference over `pairs`.
        func critical(_ pairs: [(Int, Int)]) -> Double {
            guard !pairs.isEmpty else { return 0 }
            var maxima = [Double](repeating: 0, count: draws)
            for d in 0..<draws {
                var m = 0.0
                let base = d * p
                for (j, k) in pairs { m = max(m, abs(z[base + j] - z[base + k]) * inverse[j * p + k]) }
                maxima[d] = m
            }
            maxima.sort()
            return maxima[min(draws - 1, Int((level * Double(draws)).rounded(.up)) - 1)]
        }
        /// The pairs among `pairs` decided by step-down.
        func decide(_ pairs: [(Int, Int)]) -> (decided: Set<Int>, first: Double) {
            var open = pairs, decided = Set<Int>(), first = Double.nan
            while true {
                let c = critical(open)
                if first.isNaN { first = c }
                let newly = open.filter { j, k in abs(theta[j] - theta[k]) * inverse[j * p + k] > c }
                if newly.isEmpty { break }
                for (j, k) in newly { decided.insert(j * p + k) }
                open = open.filter { !decided.contains($0.0 * p + $0.1) }
                if open.isEmpty { break }
            }
            return (decided, first)
        }
        func sets(_ decided: Set<Int>, unit j: Int) -> (Int, Int) {
            var above = 0, below = 0
            for k in 0..<p where k != j && decided.contains(min(j, k) * p + max(j, k)) {
                if theta[k] > theta[j] { above += 1 } else { below += 1 }
            }
            return (1 + above, p - below)
        }
        var all = [(Int, Int)]()
        for j in 0..<p { for k in (j + 1)..<max(j + 1, p) { all.append((j, k)) } }
        let joint = decide(all)
        simultaneousCritical = joint.first
        let simultaneous = (0..<p).map { sets(joint.decided, unit: $0) }
        simultaneousLow = simultaneous.map(\.0)
        simultaneousHigh = simultaneous.map(\.1)
        let marginal = (0..<p).map { j -> (Int, Int) in
            let own = (0..<p).filter { $0 != j }.map { (min(j, $0), max(j, $0)) }
            return sets(decide(own).decided, unit: j)
        }
        marginalLow = marginal.map(\.0)
        marginalHigh = marginal.map(\.1)
    }

    /// The lower Cholesky factor of a covariance, pivots below 1e-12 of the largest diagonal
    /// taken as 0 (a singular covariance draws in its own span).
    static func cholesky(_ a: Matrix) -> Matrix {
        let p = a.rows
        var l = Matrix(rows: p, columns: p)
        let floor = 1e-12 * ((0..<p).map { a[$0, $0] }.max() ?? 0)
        for j in 0..<p {
            var d = a[j, j]
            for t in 0..<j { d -= l[j, t] * l[j, t] }
            let pivot = d > floor ? d.squareRoot() : 0
            l[j, j] = pivot
            for i in (j + 1)..<max(j + 1, p) {
                var s = a[i, j]
                for t in 0..<j { s -= l[i, t] * l[j, t] }
                l[i, j] = pivot > 0 ? s / pivot : 0
            }
        }
        return l
    }
}

/// Each value's rank, 1 for the largest: one plus the number of values above it (ties share
/// the best rank), in O(p log p).
public func ranks(of values: [Double]) -> [Int] {
    let order = values.indices.sorted { values[$0] > values[$1] }
    var out = [Int](repeating: 0, count: values.count)
    for (position, index) in order.enumerated() {
        out[index] = position > 0 && values[order[position - 1]] == values[index] ? out[order[position - 1]] : position + 1
    }
    return out
}
