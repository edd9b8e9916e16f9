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
        // Per column of [X z] (on every core): its weighted level sums (k x levels), and its
        // weighted cross-products with the columns before it (the Gram matrix's lower triangle).
        var total = [Double](repeating: 0, count: k * levels + k * k)
        total.withUnsafeMutableBufferPointer { out in
            let out = SharedPointer(base: out.baseAddress!)
            x.elements.withUnsafeBufferPointer { xb in
                z.withUnsafeBufferPointer { zb in
                    w.withUnsafeBufferPointer { wb in
                        projector.flatCodes.withUnsafeBufferPointer { codes in
                            let (xb, zb, wb, codes) = (xb, zb, wb, codes)
                            func column(_ c: Int) -> UnsafePointer<Double> { c < p ? xb.baseAddress! + c * n : zb.baseAddress! }
                            parallelFor(k, parallel: n >= 1 << 15) { c in
                                let v = column(c), t = out.base + c * levels
                                let code = codes.baseAddress!
                                switch f {
                                case 1: for i in 0..<n { t[Int(code[i])] += wb[i] * v[i] }
                                case 2:
                                    for i in 0..<n {
                                        let wv = wb[i] * v[i]
                                        t[Int(code[2 * i])] += wv
                                        t[Int(code[2 * i + 1])] += wv
                                    }
                                default:
                                    for i in 0..<n {
                                        let wv = wb[i] * v[i]
                                        for g in 0..<f { t[Int(code[i * f + g])] += wv }
                                    }
                                }
                                for d in 0...c {
                                    out.base[k * levels + c * k + d] = weightedDot(wb.baseAddress!, v, column(d), n)
                                }
                            }
                        }
                    }
                }
            }
        }
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

/// `sum_i w_i a_i b_i`, four lanes at a time in two accumulators.
func weightedDot(_ w: UnsafePointer<Double>, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    let rw = UnsafeRawPointer(w), ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
    var i = 0
    while i + 8 <= n {
        let o = i * 8
        s0 += rw.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self) * ra.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
            * rb.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
        s1 += rw.loadUnaligned(fromByteOffset: o + 32, as: SIMD4<Double>.self) * ra.loadUnaligned(fromByteOffset: o + 32, as: SIMD4<Double>.self)
            * rb.loadUnaligned(fromByteOffset: o + 32, as: SIMD4<Double>.self)
        i += 8
    }
    var total = (s0 + s1).sum()
    while i < n {
        total += w[i] * a[i] * b[i]
        i += 1
    }
    return total
}
