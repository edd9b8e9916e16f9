import LinearAlgebra

/// How a random-effects model's variance components are estimated: plm's `random.method`.
public enum RandomEffectsMethod: String, Sendable, CaseIterable {
    /// Swamy and Arora: the within and between regressions' residuals (plm's default).
    case swar
    /// Wallace and Hussain: the pooled regression's residuals, for both quadratic forms.
    case walhus
    /// Amemiya: the within regression's residuals, for both.
    case amemiya
    /// Nerlove: the within regression's residual variance and the variance of its unit effects.
    case nerlove

    /// The estimator's name, for summaries.
    public var name: String {
        switch self {
        case .swar: return "Swamy-Arora"
        case .walhus: return "Wallace-Hussain"
        case .amemiya: return "Amemiya"
        case .nerlove: return "Nerlove"
        }
    }
}

/// The idiosyncratic and unit variances of a one-way random-effects model, as plm's `ercomp`
/// computes them for individual effects. Each method but Nerlove's takes two quadratic forms of
/// a first-stage regression's residuals `e`, `q_1 = sum (e_it - ebar_i)^2` and
/// `q_2 = sum_i T_i ebar_i^2`, and solves `M (s2_e, s2_u)' = (q_1, q_2)'` for their
/// expectations `M`; a negative variance is set to zero. In a balanced panel `M` is plm's
/// `dfcor` 2 (Swamy-Arora) or 1 (the others); unbalanced, its exact traces (`dfcor` 3).
struct VarianceComponents {
    var idiosyncratic: Double, unit: Double

    /// The panel's pieces: the response, the design (intercept first), each row's unit code,
    /// the rows per unit.
    struct Panel {
        let y: [Double]
        let z: Matrix
        let codes: [Int32]
        let counts: [Double]
        var n: Int { y.count }
        var units: Int { counts.count }
        var p: Int { z.columns }

        /// Unit means of a row vector.
        func means(_ v: [Double]) -> [Double] {
            var m = [Double](repeating: 0, count: units)
            for i in 0..<n { m[Int(codes[i])] += v[i] }
            return m.indices.map { m[$0] / counts[$0] }
        }

        /// The two quadratic forms of residuals `e`: within units, and of the unit means (each `T_i` times).
        func quadraticForms(_ e: [Double]) -> (within: Double, between: Double) {
            let m = means(e)
            var q1 = 0.0
            for i in 0..<n { q1 += (e[i] - m[Int(codes[i])]) * (e[i] - m[Int(codes[i])]) }
            return (q1, m.indices.reduce(0) { $0 + counts[$1] * m[$1] * m[$1] })
        }
    }

    /// The within regression the methods share: its coefficients on the varying columns and residual sum of squares.
    struct WithinRegression {
        let columns: [Int]
        let coefficients: [Double]
        let rank: Int
        let residualSumOfSquares: Double
        /// The within design's Gram matrix (its columns' within cross-products).
        let gram: [Double]
    }

    static func estimate(
        _ method: RandomEffectsMethod, panel: Panel, within: WithinRegression, zMeans: [[Double]], yMeans: [Double],
        between: (residualSumOfSquares: Double, rank: Int), backend: any Backend
    ) throws(ModelError) -> VarianceComponents {
        let o = Double(panel.n), units = Double(panel.units), k = panel.p - 1, kw = within.rank
        let balanced = Set(panel.counts).count == 1, t = panel.counts[0]
        // The within regression's residuals in pooled form: y - X b_w - c, c making them sum to zero.
        func withinResiduals() -> [Double] {
            var e = panel.y
            for (a, j) in within.columns.enumerated() where !within.coefficients[a].isNaN {
                for i in 0..<panel.n { e[i] -= panel.z[i, j] * within.coefficients[a] }
            }
            let c = e.reduce(0, +) / o
            return e.map { $0 - c }
        }
        switch method {
        case .nerlove:
            // s2_e = SSR_w / n; s2_u from the unit effects (deviations from their row-weighted mean).
            let effects = panel.means(withinResiduals())
            let s2e = within.residualSumOfSquares / o
            let s2u = balanced
                ? effects.reduce(0) { $0 + $1 * $1 } / (units - 1)
                : effects.indices.reduce(0) { $0 + effects[$1] * effects[$1] * panel.counts[$1] } / o * units / (units - 1)
            return VarianceComponents(idiosyncratic: s2e, unit: s2u)
        case .swar:
            let q = (within.residualSumOfSquares, between.residualSumOfSquares)
            if balanced {
                let kb = Double(between.rank - 1)
                return solve([o - units - Double(kw), 0, units - kb - 1, t * (units - kb - 1)], q)
            }
            let sums = Sums(panel: panel, zMeans: zMeans)
            guard let trace = sums.trace(inverseOf: sums.a, times: sums.b) else {
                throw .unsupported("the between regression's design is singular: a regressor does not vary between units")
            }
            return solve([o - units - Double(kw), 0, units - Double(k) - 1, o - trace], q)
        case .walhus:
            let pooled = LeastSquares.solve(panel.z, panel.y, backend: backend)
            let q = panel.quadraticForms(pooled.residuals)
            if balanced { return solve([o - units, 0, units, t * units], q) }
            let sums = Sums(panel: panel, zMeans: zMeans)
            guard let ga = sums.trace(inverseOf: sums.gram, times: sums.a), let gb = sums.trace(inverseOf: sums.gram, times: sums.b),
                  let gagb = sums.trace(inverseOf: sums.gram, times: sums.a, inverseOf: sums.gram, times: sums.b)
            else { throw .unsupported("the pooled regression's design is singular") }
            let p = Double(panel.p)
            return solve([o - units - (p - ga), gb - gagb, units - ga, o - 2 * gb + gagb], q)
        case .amemiya:
            let q = panel.quadraticForms(withinResiduals())
            if balanced { return solve([o - units, 0, units, t * units], q) }
            guard kw == k else {
                throw .unsupported("Amemiya's variance components need every regressor to vary within units (plm's amemiya_check); "
                    + "use --random-method swar")
            }
            // tr((X_w' X_w)^{-1} X_B' X_B), X_B the unit means of X centred on the overall means, each row counted.
            var xb = [Double](repeating: 0, count: k * k)
            let overall = (1...k).map { j in zMeans[j].indices.reduce(0) { $0 + zMeans[j][$1] * panel.counts[$1] } / o }
            for g in 0..<panel.units {
                for r in 0..<k {
                    for c in 0..<k {
                        xb[r * k + c] += panel.counts[g] * (zMeans[r + 1][g] - overall[r]) * (zMeans[c + 1][g] - overall[c])
                    }
                }
            }
            guard let trace = Sums.trace(inverseOf: within.gram, times: xb, order: k) else {
                throw .unsupported("the within regression's design is singular")
            }
            let squares = panel.counts.reduce(0) { $0 + $1 * $1 }
            return solve([o - units - Double(kw), 0, units - 1 + trace, o - squares / o], q)
        }
    }

    /// `M x = q` for the 2 x 2 `M` (row-major), negative variances set to zero.
    static func solve(_ m: [Double], _ q: (Double, Double)) -> VarianceComponents {
        let det = m[0] * m[3] - m[1] * m[2]
        let e = (q.0 * m[3] - m[1] * q.1) / det, u = (m[0] * q.1 - m[2] * q.0) / det
        return VarianceComponents(idiosyncratic: max(0, e), unit: max(0, u))
    }

    /// The design's cross-product matrices the unbalanced expectations take: `Z'Z`,
    /// `A = sum_i T_i zbar_i zbar_i'` (the between design's) and `B = sum_i S_i S_i'` (the unit
    /// sums', `S_i = T_i zbar_i`).
    struct Sums {
        let p: Int
        var gram: [Double], a: [Double], b: [Double]

        init(panel: Panel, zMeans: [[Double]]) {
            p = panel.p
            gram = [Double](repeating: 0, count: p * p)
            a = gram
            b = gram
            panel.z.elements.withUnsafeBufferPointer { z in
                for r in 0..<p {
                    for c in 0...r {
                        var s = 0.0
                        for i in 0..<panel.n { s += z[r * panel.n + i] * z[c * panel.n + i] }
                        gram[r * p + c] = s
                        gram[c * p + r] = s
                    }
                }
            }
            for g in 0..<panel.units {
                let t = panel.counts[g]
                for r in 0..<p {
                    for c in 0..<p {
                        let m = zMeans[r][g] * zMeans[c][g]
                        a[r * p + c] += t * m
                        b[r * p + c] += t * t * m
                    }
                }
            }
        }

        func trace(inverseOf m: [Double], times x: [Double]) -> Double? { Self.trace(inverseOf: m, times: x, order: p) }

        /// `tr(M1^{-1} X1 M2^{-1} X2)`.
        func trace(inverseOf m1: [Double], times x1: [Double], inverseOf m2: [Double], times x2: [Double]) -> Double? {
            guard let left = Self.product(inverseOf: m1, times: x1, order: p), let right = Self.product(inverseOf: m2, times: x2, order: p)
            else { return nil }
            var s = 0.0
            for r in 0..<p { for c in 0..<p { s += left[r * p + c] * right[c * p + r] } }
            return s
        }

        /// `tr(M^{-1} X)` for symmetric positive definite `M`.
        static func trace(inverseOf m: [Double], times x: [Double], order p: Int) -> Double? {
            guard let product = product(inverseOf: m, times: x, order: p) else { return nil }
            return (0..<p).reduce(0) { $0 + product[$1 * p + $1] }
        }

        /// `M^{-1} X` (row-major), column by column.
        static func product(inverseOf m: [Double], times x: [Double], order p: Int) -> [Double]? {
            var out = [Double](repeating: 0, count: p * p)
            for c in 0..<p {
                guard let column = solvePositiveDefinite(m, (0..<p).map { x[$0 * p + c] }, order: p) else { return nil }
                for r in 0..<p { out[r * p + c] = column[r] }
            }
            return out
        }
    }
}
