import LinearAlgebra

/// An IRLS step's weighted least squares with absorbed factors by its normal equations, for the
/// steps on the way to the optimum: one pass over the rows gathers each column's weighted level
/// sums and the weighted cross-products of the design and the working response; the levels are
/// eliminated exactly in level space (`FixedEffectProjector`'s solver), leaving a
/// coefficients-by-coefficients system. Its error, about the square of the within design's
/// condition number times the rounding unit, is contracted by the next step; the last step of
/// every fit is a `WithinSolve` (QR of the projected design), so the fit has its digits.
enum AbsorbedNormalEquations {
    /// The coefficients (`NaN` for a column whose within variation is lost: absorbed or
    /// collinear), the effects per factor, and `X b + D a` per row; nil where the projector's
    /// level solve is not exact (alternating projections).
    static func solve(design x: Matrix, z: [Double], projector: FixedEffectProjector)
        -> (coefficients: [Double], effects: [[Double]], linear: [Double])?
    {
        guard projector.factors.count == 1 || projector.elimination != nil, let w = projector.weights else { return nil }
        let n = x.rows, p = x.columns, k = p + 1, levels = projector.totalLevels, f = projector.factors.count
        let total = gather(design: x, z: z, weights: w, projector: projector)
        // Each column's effects, and the within Gram matrix G~ = G - T' a.
        let effects: [[Double]] = (0..<k).map { c in
            projector.solveLevels(Array(total[(c * levels)..<((c + 1) * levels)]))
        }
        var gram = [Double](repeating: 0, count: k * k)
        for c in 0..<k {
            for d in 0...c {
                var s = total[k * levels + c * k + d]
                for g in 0..<levels { s -= total[c * levels + g] * effects[d][g] }
                gram[c * k + d] = s
                gram[d * k + c] = s
            }
        }
        // Cholesky of G~_XX in column order, a column dropped when its within variation is lost.
        var beta = [Double](repeating: .nan, count: p)
        var kept = [Int]()
        var l = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            var d = gram[j * k + j]
            for t in kept { d -= l[j * p + t] * l[j * p + t] }
            guard d > 1e-10 * max(total[k * levels + j * k + j], .leastNormalMagnitude), d.isFinite else { continue }
            l[j * p + j] = d.squareRoot()
            for i in (j + 1)..<p {
                var s = gram[i * k + j]
                for t in kept { s -= l[i * p + t] * l[j * p + t] }
                l[i * p + j] = s / l[j * p + j]
            }
            kept.append(j)
        }
        var y = [Double](repeating: 0, count: p)
        for (a, j) in kept.enumerated() {
            var s = gram[p * k + j]
            for t in kept[..<a] { s -= l[j * p + t] * y[t] }
            y[j] = s / l[j * p + j]
        }
        for (a, j) in kept.enumerated().reversed() {
            var s = y[j]
            for t in kept[(a + 1)...] { s -= l[t * p + j] * beta[t] }
            beta[j] = s / l[j * p + j]
        }
        // a = a_z - sum_j b_j a_j, and X b + D a per row.
        var a = effects[p]
        for j in kept { for g in 0..<levels { a[g] -= beta[j] * effects[j][g] } }
        var linear = [Double](repeating: 0, count: n)
        linear.withUnsafeMutableBufferPointer { out in
            let out = SharedPointer(base: out.baseAddress!)
            x.elements.withUnsafeBufferPointer { xb in
                let xb = xb
                projector.flatCodes.withUnsafeBufferPointer { codes in
                    let codes = codes
                    forEachRowBlock(n) { range in
                        for i in range {
                            var s = 0.0
                            for j in kept { s += xb[j * n + i] * beta[j] }
                            for g in 0..<f { s += a[Int(codes[i * f + g])] }
                            out.base[i] = s
                        }
                    }
                }
            }
        }
        return (beta, projector.split(a), linear)
    }
}

extension AbsorbedNormalEquations {
    /// For each column of `[X z]`, its weighted level sums (`k x levels`), then the weighted
    /// Gram matrix of the columns (`k x k`, lower triangle filled), in one pass over the rows.
    /// The rows are cut into parts fixed by `n` alone (so the sums do not depend on the number of
    /// cores), each part into blocks small enough to stay in cache while every pair of columns
    /// is multiplied: the design is read once, not once per pair.
    static func gather(design x: Matrix, z: [Double], weights w: [Double], projector: FixedEffectProjector) -> [Double] {
        let n = x.rows, p = x.columns, k = p + 1, levels = projector.totalLevels, f = projector.factors.count
        let parts = max(1, min(64, n / 16_384)), block = 256
        // Level sums per part while they are small; past that, one pass per column into the total.
        let perPart = parts * k * levels <= 1 << 20
        let width = (perPart ? k * levels : 0) + k * k
        var partial = [Double](repeating: 0, count: parts * width)
        var total = [Double](repeating: 0, count: k * levels + k * k)
        partial.withUnsafeMutableBufferPointer { pb in total.withUnsafeMutableBufferPointer { tb in
            let (out, whole) = (SharedPointer(base: pb.baseAddress!), SharedPointer(base: tb.baseAddress!))
            x.elements.withUnsafeBufferPointer { xb in z.withUnsafeBufferPointer { zb in
                w.withUnsafeBufferPointer { wb in projector.flatCodes.withUnsafeBufferPointer { cb in
                    let (xs, zs, wt, codes) = (xb.baseAddress!, zb.baseAddress!, wb.baseAddress!, cb.baseAddress!)
                    func column(_ c: Int) -> UnsafePointer<Double> { c < p ? xs + c * n : zs }
                    // w v_c into a block's scratch, then its level sums and its dots with v_d, d <= c.
                    func rows(_ lo: Int, _ end: Int, columns: Range<Int>, sums: UnsafeMutablePointer<Double>?,
                              gram: UnsafeMutablePointer<Double>?)
                    {
                        withUnsafeTemporaryAllocation(of: Double.self, capacity: block) { scratch in
                            let wv = scratch.baseAddress!
                            var lo = lo
                            while lo < end {
                                let m = min(block, end - lo)
                                for c in columns {
                                    let vc = column(c) + lo
                                    for i in 0..<m { wv[i] = wt[lo + i] * vc[i] }
                                    if let sums { addLevelSums(sums + c * levels, wv, codes + lo * f, f, m) }
                                    if let gram { for d in 0...c { gram[c * k + d] += dot(wv, column(d) + lo, m) } }
                                }
                                lo += m
                            }
                        }
                    }
                    parallelFor(parts, parallel: n >= 1 << 16) { part in
                        let t = out.base + part * width
                        rows((part * n) / parts, ((part + 1) * n) / parts, columns: 0..<k, sums: perPart ? t : nil,
                             gram: t + (perPart ? k * levels : 0))
                    }
                    if !perPart {
                        parallelFor(k, parallel: n >= 1 << 15) { c in rows(0, n, columns: c..<(c + 1), sums: whole.base, gram: nil) }
                    }
                } }
            } }
        } }
        // The parts' sums, added in order.
        for part in 0..<parts {
            let base = part * width
            if perPart { for j in 0..<(k * levels) { total[j] += partial[base + j] } }
            let g = base + (perPart ? k * levels : 0)
            for j in 0..<(k * k) { total[k * levels + j] += partial[g + j] }
        }
        return total
    }
}

/// Adds `values[i]` to `sums` at each of row i's `f` level codes, for `m` rows.
private func addLevelSums(_ sums: UnsafeMutablePointer<Double>, _ values: UnsafePointer<Double>, _ code: UnsafePointer<Int32>,
                          _ f: Int, _ m: Int)
{
    switch f {
    case 1: for i in 0..<m { sums[Int(code[i])] += values[i] }
    case 2:
        for i in 0..<m {
            sums[Int(code[2 * i])] += values[i]
            sums[Int(code[2 * i + 1])] += values[i]
        }
    default: for i in 0..<m { for g in 0..<f { sums[Int(code[i * f + g])] += values[i] } }
    }
}
