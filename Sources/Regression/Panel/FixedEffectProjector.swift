import LinearAlgebra

/// Projects vectors off the span of absorbed factors' level indicators, in the inner product
/// weighted by the rows' weights: `M v = v - D a`, `a` solving `D' W D a = D' W v`. By the
/// Frisch-Waugh-Lovell theorem a regression on the projected columns gives the coefficients
/// and residuals of the regression with every level's indicator.
///
/// How, by the levels: one factor is a weighted mean per level (closed form). With more, the
/// factor of most levels is eliminated in closed form and the rest solved exactly by a
/// Cholesky factor of their Schur complement (block elimination: the normal equations of the
/// other factors' levels), when they number at most `exactLimit`; each solve is refined once
/// from its residual, so the projection is exact to rounding. Past that, alternating
/// projections (Gauss-Seidel sweeps over the factors, as Guimaraes and Portugal 2010 and
/// Gaure 2013) with Irons-Tuck extrapolation, to `tolerance`.
///
/// Every projection reports its accuracy: the largest weighted mean of the residual in any
/// level of any factor, relative to the root mean square of the vector projected (zero for an
/// exact projection in exact arithmetic; what the next step would still remove).
struct FixedEffectProjector: Sendable {
    /// Each factor's level per row, in the order given.
    let factors: [[Int32]]
    /// Levels per factor.
    let levelCounts: [Int]
    /// Row weights (nil: all 1).
    private(set) var weights: [Double]?
    /// Rows.
    let n: Int
    /// The factors in elimination order: the one of most levels first.
    let order: [Int]
    /// Each factor's total weight per level.
    private(set) var levelWeights: [[Double]]
    /// Where each factor's levels start in the flat index of every level.
    let levelOffsets: [Int]
    /// Levels of every factor.
    let totalLevels: Int
    /// Each row's flat level in every factor, row by row (`n` x factors): one pass reads them all.
    let flatCodes: [Int32]
    /// ``levelWeights`` flat.
    private(set) var flatWeights: [Double]
    /// The exact solver of the other factors' levels, when they are few enough.
    private(set) var elimination: Elimination?
    /// Levels not identified (one per factor beyond the first in each connected set of levels),
    /// counted exactly by the elimination or, for two factors, from the connected sets; with
    /// three or more factors solved iteratively, a lower bound (one per further factor), as fixest.
    private(set) var redundant: Int
    /// Whether ``redundant`` is exact.
    private(set) var redundantExact: Bool
    /// Relative accuracy at which alternating projections stop.
    let tolerance: Double
    /// Most Irons-Tuck steps (two sweeps each) per vector.
    let maxIterations: Int

    /// Most levels outside the largest factor solved exactly (their Schur complement is this
    /// square, and is factored again at every IRLS step of a count model).
    static let exactLimit = 1000

    /// How a vector was projected.
    struct Projection {
        /// `M v`.
        var residual: [Double]
        /// The effects `a` per factor (the order given), with `FixedEffectProjector`'s
        /// normalisation.
        var effects: [[Double]]
        /// The accuracy reached (see the type's description).
        var accuracy: Double
        /// Sweeps taken (0 for a closed form, the refinements for an exact solve).
        var iterations: Int
        /// The root mean square of the vector projected (weighted).
        var scale: Double
    }

    /// `exactLimit`: most levels outside the largest factor to solve exactly (tests lower it
    /// to compare the two ways).
    init(
        factors: [[Int32]], levelCounts: [Int], weights: [Double]?, tolerance: Double = 1e-12, maxIterations: Int = 10_000,
        exactLimit: Int = FixedEffectProjector.exactLimit
    ) {
        self.factors = factors
        self.levelCounts = levelCounts
        self.weights = weights
        self.n = factors.first?.count ?? 0
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        order = factors.indices.sorted { (levelCounts[$0], -$0) > (levelCounts[$1], -$1) }
        var offsets = [Int](), at = 0
        for c in levelCounts {
            offsets.append(at)
            at += c
        }
        levelOffsets = offsets
        totalLevels = at
        let k = factors.count, rows = n
        flatCodes = [Int32](unsafeUninitializedCapacity: rows * k) { buffer, count in
            for f in 0..<k {
                let o = Int32(offsets[f])
                factors[f].withUnsafeBufferPointer { c in for i in 0..<rows { buffer[i * k + f] = c[i] + o } }
            }
            count = rows * k
        }
        self.exactLimit = exactLimit
        (levelWeights, flatWeights, elimination, redundant, redundantExact) = ([], [], nil, 0, true)
        weigh()
    }

    /// Most levels outside the largest factor this projector solves exactly.
    let exactLimit: Int

    /// The same factors with other row weights (an IRLS step's): the levels' layout kept, their
    /// weights and the exact solver made again.
    func reweighted(_ weights: [Double]?) -> FixedEffectProjector {
        var copy = self
        copy.weights = weights
        copy.weigh()
        return copy
    }

    /// The parts that depend on the weights: the level weights and the exact solver.
    private mutating func weigh() {
        let weights = self.weights
        levelWeights = factors.indices.map { f in
            var total = [Double](repeating: 0, count: levelCounts[f])
            let codes = factors[f]
            if let weights { for i in codes.indices { total[Int(codes[i])] += weights[i] } } else {
                for c in codes { total[Int(c)] += 1 }
            }
            return total
        }
        flatWeights = Array(levelWeights.joined())
        let rest = order.dropFirst().map { levelCounts[$0] }.reduce(0, +)
        if factors.count >= 2 && rest <= exactLimit {
            let e = Elimination(factors: factors, order: order, levelCounts: levelCounts, weights: weights, levelWeights: levelWeights)
            elimination = e
            redundant = e.dropped.filter { $0 }.count
            redundantExact = true
        } else {
            elimination = nil
            if factors.count >= 2 {
                let components = Self.connectedSets(factors[order[0]], levelCounts[order[0]], factors[order[1]], levelCounts[order[1]])
                redundant = components.count + factors.count - 2
                redundantExact = factors.count == 2
            } else {
                redundant = 0
                redundantExact = true
            }
        }
    }

    /// Projects `v` (one value per row).
    func project(_ v: [Double]) -> Projection { v.withUnsafeBufferPointer { project($0) } }

    /// Projects the `n` values at `v`.
    func project(_ v: UnsafeBufferPointer<Double>) -> Projection {
        var r = [Double](unsafeUninitializedCapacity: n) { _, count in count = n }  // every element written
        var projection = r.withUnsafeMutableBufferPointer { project(v, into: $0) }
        projection.residual = r
        return projection
    }

    /// Projects the `n` values at `v`, writing `M v` to `out` (the projection's `Projection.residual`
    /// is then empty): a design's columns are projected where they will be solved from.
    func project(_ v: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) -> Projection {
        if factors.count == 1 || elimination != nil { return projectExactly(v, into: out) }
        var projection = projectAlternating(v, scale: Self.rootMeanSquare(v, weights))
        projection.residual.withUnsafeBufferPointer { out.baseAddress!.update(from: $0.baseAddress!, count: n) }
        projection.residual = []
        return projection
    }

    /// The weighted root mean square of `v`.
    static func rootMeanSquare(_ v: [Double], _ weights: [Double]?) -> Double {
        v.withUnsafeBufferPointer { rootMeanSquare($0, weights) }
    }

    static func rootMeanSquare(_ v: UnsafeBufferPointer<Double>, _ weights: [Double]?) -> Double {
        var sum = 0.0, total = 0.0
        if let weights {
            for i in v.indices {
                sum += weights[i] * v[i] * v[i]
                total += weights[i]
            }
        } else {
            for i in v.indices { sum += v[i] * v[i] }
            total = Double(v.count)
        }
        return total > 0 ? (sum / total).squareRoot() : 0
    }

    /// A flat vector over every level (factor by factor, the order given) split per factor.
    func split(_ flat: [Double]) -> [[Double]] {
        factors.indices.map { f in Array(flat[levelOffsets[f]..<(levelOffsets[f] + levelCounts[f])]) }
    }

    /// The weighted sums of `r` per level of every factor (flat), and the root mean square of
    /// `r`, in one pass.
    private func levelSums(_ r: UnsafeBufferPointer<Double>) -> (sums: [Double], rootMeanSquare: Double) {
        var t = [Double](repeating: 0, count: totalLevels)
        let k = factors.count
        var squares = 0.0, total = 0.0
        t.withUnsafeMutableBufferPointer { t in
            flatCodes.withUnsafeBufferPointer { c in
                if let weights {
                    for i in 0..<n {
                        let v = weights[i] * r[i]
                        squares += v * r[i]
                        total += weights[i]
                        for f in 0..<k { t[Int(c[i * k + f])] += v }
                    }
                } else if k == 2 {
                    for i in 0..<n {
                        squares += r[i] * r[i]
                        t[Int(c[2 * i])] += r[i]
                        t[Int(c[2 * i + 1])] += r[i]
                    }
                    total = Double(n)
                } else {
                    for i in 0..<n {
                        squares += r[i] * r[i]
                        for f in 0..<k { t[Int(c[i * k + f])] += r[i] }
                    }
                    total = Double(n)
                }
            }
        }
        return (t, total > 0 ? (squares / total).squareRoot() : 0)
    }

    /// `r = source - D a` (a flat; `r` itself without a source), and the weighted level sums of
    /// the new `r`, in one pass.
    private func subtractSumming(
        _ a: [Double], _ r: UnsafeMutableBufferPointer<Double>, from source: UnsafeBufferPointer<Double>? = nil
    ) -> [Double] {
        var t = [Double](repeating: 0, count: totalLevels)
        let k = factors.count
        let input = source ?? UnsafeBufferPointer(r)
        t.withUnsafeMutableBufferPointer { t in
            a.withUnsafeBufferPointer { a in
                flatCodes.withUnsafeBufferPointer { c in
                    if let weights {
                        weights.withUnsafeBufferPointer { w in
                            if k == 2 {
                                // Two factors (authority and year), the common case, unrolled.
                                for i in 0..<n {
                                    let g = Int(c[2 * i]), h = Int(c[2 * i + 1])
                                    let v = input[i] - a[g] - a[h]
                                    r[i] = v
                                    let wv = w[i] * v
                                    t[g] += wv
                                    t[h] += wv
                                }
                                return
                            }
                            for i in 0..<n {
                                var v = input[i]
                                for f in 0..<k { v -= a[Int(c[i * k + f])] }
                                r[i] = v
                                let wv = w[i] * v
                                for f in 0..<k { t[Int(c[i * k + f])] += wv }
                            }
                        }
                    } else if k == 2 {
                        for i in 0..<n {
                            let g = Int(c[2 * i]), h = Int(c[2 * i + 1])
                            let v = input[i] - a[g] - a[h]
                            r[i] = v
                            t[g] += v
                            t[h] += v
                        }
                    } else {
                        for i in 0..<n {
                            var v = input[i]
                            for f in 0..<k { v -= a[Int(c[i * k + f])] }
                            r[i] = v
                            for f in 0..<k { t[Int(c[i * k + f])] += v }
                        }
                    }
                }
            }
        }
        return t
    }

    /// The largest level mean of flat sums `t`, relative to `scale`.
    private func accuracy(_ t: [Double], scale: Double) -> Double {
        guard scale > 0 else { return 0 }
        var worst = 0.0
        for g in t.indices where flatWeights[g] > 0 { worst = max(worst, abs(t[g] / flatWeights[g])) }
        return worst / scale
    }

    /// The effects (flat) whose level sums are `t` (flat): `(D' W D)^- t`, exactly (one factor,
    /// or the elimination), normalised as every projection is.
    func solveLevels(_ t: [Double]) -> [Double] {
        factors.count == 1 ? zip(t, flatWeights).map { $1 > 0 ? $0 / $1 : 0 } : Array(elimination!.solve(split(t)).joined())
    }

    private func projectExactly(_ v: UnsafeBufferPointer<Double>, into r: UnsafeMutableBufferPointer<Double>) -> Projection {
        var effects = [Double](repeating: 0, count: totalLevels)
        var (t, scale) = levelSums(v)
        var reached = accuracy(t, scale: scale)
        var steps = 0
        // The first solve (r = v - D a), then refinements from the residual while they still gain.
        while steps < 4 && (steps == 0 || reached > 4 * Double.ulpOfOne) {
            let a = solveLevels(t)
            t = subtractSumming(a, r, from: steps == 0 ? v : nil)
            for g in effects.indices { effects[g] += a[g] }
            let next = accuracy(t, scale: scale)
            steps += 1
            if steps > 1 && next >= reached { reached = min(reached, next); break }
            reached = next
        }
        return Projection(residual: [], effects: split(effects), accuracy: reached, iterations: steps, scale: scale)
    }

    /// Irons-Tuck extrapolation of Gauss-Seidel sweeps in the space of the effects.
    private func projectAlternating(_ v: UnsafeBufferPointer<Double>, scale: Double) -> Projection {
        let k = factors.count
        var effects = [Double](repeating: 0, count: totalLevels)
        var r = Array(v)
        var reached = Double.infinity
        var iterations = 0
        /// One sweep from the effects `a` (with `r = v - D a`): each factor's level means removed in turn.
        func sweep(_ a: inout [Double], _ r: inout [Double]) -> Double {
            var largest = 0.0
            for f in order {
                var t = [Double](repeating: 0, count: totalLevels)
                flatCodes.withUnsafeBufferPointer { c in
                    for i in 0..<n { t[Int(c[i * k + f])] += (weights?[i] ?? 1) * r[i] }
                }
                for g in levelOffsets[f]..<(levelOffsets[f] + levelCounts[f]) where flatWeights[g] > 0 {
                    t[g] /= flatWeights[g]
                    largest = max(largest, abs(t[g]))
                    a[g] += t[g]
                }
                flatCodes.withUnsafeBufferPointer { c in
                    for i in 0..<n { r[i] -= t[Int(c[i * k + f])] }
                }
            }
            return scale > 0 ? largest / scale : 0
        }
        while iterations < maxIterations {
            let x0 = effects
            _ = sweep(&effects, &r)
            let x1 = effects
            reached = sweep(&effects, &r)
            iterations += 1
            if reached <= tolerance { break }
            // x2 - (delta2 . dx / delta2 . delta2) dx, with dx = x2 - x1, delta2 = x2 - 2 x1 + x0.
            var num = 0.0, den = 0.0
            for g in effects.indices {
                let dx = effects[g] - x1[g], d2 = dx - (x1[g] - x0[g])
                num += d2 * dx
                den += d2 * d2
            }
            if den > 0 {
                let step = num / den
                for g in effects.indices { effects[g] -= step * (effects[g] - x1[g]) }
                r = Array(v)
                _ = r.withUnsafeMutableBufferPointer { subtractSumming(effects, $0) }
            }
        }
        var perFactor = split(effects)
        normalise(&perFactor)
        r = Array(v)
        let t = r.withUnsafeMutableBufferPointer { subtractSumming(Array(perFactor.joined()), $0) }
        reached = accuracy(t, scale: scale)
        return Projection(residual: r, effects: perFactor, accuracy: reached, iterations: 2 * iterations, scale: scale)
    }

    /// The normalisation of the exact solve for effects found iteratively: the first level of
    /// each factor after the largest is zero (for two factors, the first in each connected set
    /// of levels), the largest factor taking up the difference.
    private func normalise(_ a: inout [[Double]]) {
        let first = order[0]
        if factors.count == 2 {
            let second = order[1]
            let sets = Self.connectedSets(factors[first], levelCounts[first], factors[second], levelCounts[second])
            for set in sets {
                guard let reference = set.second.min() else { continue }
                let s = a[second][reference]
                for g in set.second { a[second][g] -= s }
                for g in set.first { a[first][g] += s }
            }
            return
        }
        for f in order.dropFirst() {
            guard !a[f].isEmpty else { continue }
            let s = a[f][0]
            for g in a[f].indices { a[f][g] -= s }
            for g in a[first].indices { a[first][g] += s }
        }
    }

    /// The connected sets of levels of two factors (levels joined by a row in both).
    static func connectedSets(_ a: [Int32], _ la: Int, _ b: [Int32], _ lb: Int) -> [(first: [Int], second: [Int])] {
        var parent = Array(0..<(la + lb))
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        for i in a.indices {
            let p = find(Int(a[i])), q = find(la + Int(b[i]))
            if p != q { parent[max(p, q)] = min(p, q) }
        }
        var index = [Int: Int](), sets = [(first: [Int], second: [Int])]()
        for x in 0..<(la + lb) {
            let root = find(x)
            let k: Int
            if let found = index[root] { k = found } else {
                k = sets.count
                index[root] = k
                sets.append(([], []))
            }
            if x < la { sets[k].first.append(x) } else { sets[k].second.append(x - la) }
        }
        return sets.filter { !$0.first.isEmpty || !$0.second.isEmpty }
    }
}

extension FixedEffectProjector {
    /// Block elimination: the largest factor's levels in closed form, the others' by the
    /// Cholesky factor of their Schur complement `S = B - C' diag(1/W1) C`, where `B` is the
    /// other levels' weighted cross-counts, `C` the largest factor's against them and `W1` its
    /// level weights. Levels dependent on those before them (`S` is singular: one per further
    /// factor in each connected set) are dropped, so their effect is zero; they are taken in
    /// reverse order, so the one dropped is the first level.
    struct Elimination: Sendable {
        let order: [Int]
        /// Where each other factor's levels start in the combined index.
        let offsets: [Int]
        let rest: Int
        /// The cross-weights of the largest factor's levels against the others', by level of
        /// the largest: (other level, weight).
        let cross: [[(Int, Double)]]
        /// The lower Cholesky factor of `S` (reverse level order), column-major, rest x rest.
        let factor: [Double]
        /// Whether each other level (combined index) was dropped.
        let dropped: [Bool]
        let firstWeights: [Double]

        init(factors: [[Int32]], order: [Int], levelCounts: [Int], weights: [Double]?, levelWeights: [[Double]]) {
            self.order = order
            var offsets = [Int](repeating: 0, count: factors.count), at = 0
            for f in order.dropFirst() {
                offsets[f] = at
                at += levelCounts[f]
            }
            self.offsets = offsets
            rest = at
            let n = factors[0].count, first = order[0], l1 = levelCounts[first]
            firstWeights = levelWeights[first]
            let others = Array(order.dropFirst())
            // B: cross-weights among the other levels; C: the largest factor's against them.
            var b = [Double](repeating: 0, count: rest * rest)
            var crossTable = [Int: Double]()
            let dense = l1 * rest <= 1 << 22
            var crossDense = dense ? [Double](repeating: 0, count: l1 * rest) : []
            if others.count == 1 && dense {
                // Two factors: B is the other factor's level weights; C one sum per row.
                let other = others[0], width = at
                for g in 0..<levelCounts[other] { b[g * width + g] = levelWeights[other][g] }
                factors[first].withUnsafeBufferPointer { a in
                    factors[other].withUnsafeBufferPointer { c in
                        crossDense.withUnsafeMutableBufferPointer { table in
                            if let weights {
                                for i in 0..<n { table[Int(a[i]) * width + Int(c[i])] += weights[i] }
                            } else {
                                for i in 0..<n { table[Int(a[i]) * width + Int(c[i])] += 1 }
                            }
                        }
                    }
                }
            } else {
                var positions = [Int](repeating: 0, count: others.count)
                for i in 0..<n {
                    let w = weights?[i] ?? 1
                    let g = Int(factors[first][i])
                    for (k, f) in others.enumerated() { positions[k] = offsets[f] + Int(factors[f][i]) }
                    for (k, p) in positions.enumerated() {
                        for q in positions[k...] {
                            b[min(p, q) * rest + max(p, q)] += w
                        }
                        if dense { crossDense[g * rest + p] += w } else { crossTable[g * rest + p, default: 0] += w }
                    }
                }
            }
            var cross = [[(Int, Double)]](repeating: [], count: l1)
            if dense {
                for g in 0..<l1 { for p in 0..<rest where crossDense[g * rest + p] != 0 { cross[g].append((p, crossDense[g * rest + p])) } }
            } else {
                for (key, w) in crossTable { cross[key / rest].append((key % rest, w)) }
                for g in 0..<l1 { cross[g].sort { $0.0 < $1.0 } }
            }
            self.cross = cross
            // S = B - C' diag(1/W1) C, upper triangle of b, then mirrored.
            for g in 0..<l1 where firstWeights[g] > 0 {
                let row = cross[g], inv = 1 / firstWeights[g]
                for (p, wp) in row {
                    for (q, wq) in row where q >= p { b[p * rest + q] -= wp * wq * inv }
                }
            }
            // Reverse order: index k of the factored matrix is level rest - 1 - k.
            var s = [Double](repeating: 0, count: rest * rest)
            for p in 0..<rest {
                for q in p..<rest {
                    let v = b[p * rest + q]
                    let i = rest - 1 - p, j = rest - 1 - q
                    s[i * rest + j] = v
                    s[j * rest + i] = v
                }
            }
            var diagonal = [Double](repeating: 0, count: rest)
            // B's diagonal: the level's own weight.
            for f in others {
                for g in 0..<levelCounts[f] { diagonal[rest - 1 - (offsets[f] + g)] = levelWeights[f][g] }
            }
            var isDropped = [Bool](repeating: false, count: rest)
            // Left-looking Cholesky, column by column (s is symmetric: column j is row j).
            for j in 0..<rest {
                var d = s[j * rest + j]
                for k in 0..<j where !isDropped[k] { d -= s[j * rest + k] * s[j * rest + k] }
                // Dependent when nearly all of the level's own weight (B's diagonal) cancels.
                if d <= 1e-9 * diagonal[j] {
                    isDropped[j] = true
                    for i in j..<rest { s[i * rest + j] = 0 }
                    continue
                }
                let root = d.squareRoot()
                s[j * rest + j] = root
                for i in (j + 1)..<rest {
                    var v = s[i * rest + j]
                    for k in 0..<j where !isDropped[k] { v -= s[i * rest + k] * s[j * rest + k] }
                    s[i * rest + j] = v / root
                }
            }
            // Stored row-major as L[i, j] at s[i * rest + j] (i >= j).
            factor = s
            let count = rest
            dropped = (0..<count).map { isDropped[count - 1 - $0] }
        }

        /// The effects from the weighted level sums `t` of a vector (every factor, the order given).
        func solve(_ t: [[Double]]) -> [[Double]] {
            let first = order[0]
            let t1 = t[first]
            var rhs = [Double](repeating: 0, count: rest)
            for f in order.dropFirst() { for g in t[f].indices { rhs[offsets[f] + g] = t[f][g] } }
            for g in cross.indices where firstWeights[g] > 0 {
                let m = t1[g] / firstWeights[g]
                for (p, w) in cross[g] { rhs[p] -= w * m }
            }
            // Solve L L' a = rhs in reverse order, dropped levels zero.
            var y = [Double](repeating: 0, count: rest)
            for i in 0..<rest {
                let p = rest - 1 - i
                if dropped[p] { continue }
                var v = rhs[p]
                for k in 0..<i { v -= factor[i * rest + k] * y[k] }
                y[i] = v / factor[i * rest + i]
            }
            for i in stride(from: rest - 1, through: 0, by: -1) {
                let p = rest - 1 - i
                if dropped[p] { y[i] = 0; continue }
                var v = y[i]
                for k in (i + 1)..<rest { v -= factor[k * rest + i] * y[k] }
                y[i] = v / factor[i * rest + i]
            }
            var a = t.map { [Double](repeating: 0, count: $0.count) }
            for f in order.dropFirst() { for g in a[f].indices { a[f][g] = y[rest - 1 - (offsets[f] + g)] } }
            for g in cross.indices where firstWeights[g] > 0 {
                var v = t1[g]
                for (p, w) in cross[g] { v -= w * y[rest - 1 - p] }
                a[first][g] = v / firstWeights[g]
            }
            return a
        }
    }
}

extension FixedEffectProjector {
    /// Each row's leverage in the projection on the factors' levels, `w_i d_i' (D' W D)^- d_i`,
    /// where the projection is exact; nil where it is iterative.
    func levelLeverage() -> [Double]? {
        if factors.count == 1 {
            return (0..<n).map { i in (weights?[i] ?? 1) / levelWeights[0][Int(factors[0][i])] }
        }
        guard let e = elimination else { return nil }
        let first = order[0], others = Array(order.dropFirst())
        var cache = [[Int32]: Double]()
        var u = [Double](repeating: 0, count: e.rest)
        return (0..<n).map { i in
            let w = weights?[i] ?? 1
            guard w > 0 else { return 0 }
            let key = [factors[first][i]] + others.map { factors[$0][i] }
            if let q = cache[key] { return w * q }
            let g = Int(key[0])
            let inverse = 1 / e.firstWeights[g]
            // u = e_rest - c_g / W1_g, in the factored (reverse) order.
            for k in u.indices { u[k] = 0 }
            for (p, c) in e.cross[g] { u[e.rest - 1 - p] -= c * inverse }
            for f in others { u[e.rest - 1 - (e.offsets[f] + Int(factors[f][i]))] += 1 }
            var quadratic = inverse
            for k in 0..<e.rest where !e.dropped[e.rest - 1 - k] {
                var v = u[k]
                for m in 0..<k { v -= e.factor[k * e.rest + m] * u[m] }
                u[k] = v / e.factor[k * e.rest + k]
                quadratic += u[k] * u[k]
            }
            cache[key] = quadratic
            return w * quadratic
        }
    }
}
