// Residuals of the augmented least-squares system in double-double arithmetic.
//
// Each product x*b is split exactly into a high and a low double (TwoProduct, by fused
// multiply-add), and each addition keeps its rounding error (TwoSum), so a sum of products is
// accurate as if computed with twice the precision of Double (about 32 digits) before it is
// rounded once. That is more than x86 Float80 gives (19 digits) and the same on every CPU.

@inline(__always)
func twoSum(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> (SIMD8<Double>, SIMD8<Double>) {
    let s = a + b
    let bb = s - a
    return (s, (a - (s - bb)) + (b - bb))
}

@inline(__always)
func twoSum(_ a: Double, _ b: Double) -> (Double, Double) {
    let s = a + b
    let bb = s - a
    return (s, (a - (s - bb)) + (b - bb))
}

/// A double-double accumulator: `hi + lo` with `|lo| <= ulp(hi) / 2` after ``normalized``.
struct DoubleDouble {
    var hi = 0.0, lo = 0.0

    @inline(__always)
    mutating func add(_ x: Double) {
        let (s, e) = twoSum(hi, x)
        hi = s
        lo += e
    }

    @inline(__always)
    mutating func addProduct(_ a: Double, _ b: Double) {
        let p = a * b
        let e = (-p).addingProduct(a, b)  // exact error of the product
        add(p)
        lo += e
    }

    mutating func add(_ other: DoubleDouble) {
        add(other.hi)
        lo += other.lo
    }

    var value: Double { hi + lo }
}

/// The residuals `f = f0 - r - X_K b` (rounded once from double-double) and `g = g0 - X_K^T r`
/// (double-double, rounded once) of the augmented system `r + X_K b = f0`, `X_K^T r = g0`,
/// where `X_K` is the columns `kept` of `x`. `f0` and `r` default to zero.
func augmentedResiduals(
    x: Matrix, kept: [Int], b: [Double], r: [Double]?, f0: [Double]?, g0: [Double]?
) -> (f: [Double], g: [Double]) {
    let n = x.rows, k = kept.count
    var f = [Double](repeating: 0, count: n)
    let blocks = splitRange(n, parts: max(1, n / 2048))
    let chunks = splitRange(blocks.count, parts: n >= 65536 ? workerCount : 1)
    var partial = [DoubleDouble](repeating: DoubleDouble(), count: chunks.count * k)
    let negB = b.map { -$0 }
    x.elements.withUnsafeBufferPointer { xb in
        f.withUnsafeMutableBufferPointer { fb in
            partial.withUnsafeMutableBufferPointer { pb in
                let xp = SharedPointer(base: UnsafeMutablePointer(mutating: xb.baseAddress!))
                let fp = SharedPointer(base: fb.baseAddress!)
                let pp = SharedPointer(base: pb.baseAddress!)
                parallelFor(chunks.count) { c in
                    var hi = [Double](repeating: 0, count: 2048 + 8)
                    var lo = [Double](repeating: 0, count: 2048 + 8)
                    var gAcc = [SIMD8<Double>](repeating: .zero, count: 2 * k)
                    for blockIndex in chunks[c] {
                        let block = blocks[blockIndex]
                        let m = block.count, start = block.lowerBound
                        hi.withUnsafeMutableBufferPointer { hb in
                            lo.withUnsafeMutableBufferPointer { lb in
                                let h = hb.baseAddress!, l = lb.baseAddress!
                                for i in 0..<m {
                                    h[i] = f0?[start + i] ?? 0
                                    l[i] = 0
                                }
                                if let r {
                                    for i in 0..<m {
                                        let (s, e) = twoSum(h[i], -r[start + i])
                                        h[i] = s
                                        l[i] += e
                                    }
                                }
                                for (t, j) in kept.enumerated() {
                                    let col = xp.base + j * n + start
                                    let bj = SIMD8<Double>(repeating: negB[t])
                                    var i = 0
                                    while i + 8 <= m {
                                        let xv = load8(col + i)
                                        let p = xv * bj
                                        let pe = (-p).addingProduct(xv, bj)
                                        let (s, e) = twoSum(load8(h + i), p)
                                        store8(s, h + i)
                                        store8(load8(l + i) + e + pe, l + i)
                                        i += 8
                                    }
                                    while i < m {
                                        let p = col[i] * negB[t]
                                        let pe = (-p).addingProduct(col[i], negB[t])
                                        let (s, e) = twoSum(h[i], p)
                                        h[i] = s
                                        l[i] += e + pe
                                        i += 1
                                    }
                                    // g accumulates X^T r for this column.
                                    if let r {
                                        var gh = gAcc[2 * t], gl = gAcc[2 * t + 1]
                                        r.withUnsafeBufferPointer { rb in
                                            let rp = rb.baseAddress! + start
                                            var i = 0
                                            while i + 8 <= m {
                                                let xv = load8(col + i), rv = load8(rp + i)
                                                let p = xv * rv
                                                let pe = (-p).addingProduct(xv, rv)
                                                let (s, e) = twoSum(gh, p)
                                                gh = s
                                                gl += e + pe
                                                i += 8
                                            }
                                            var tail = DoubleDouble()
                                            while i < m {
                                                tail.addProduct(col[i], rp[i])
                                                i += 1
                                            }
                                            let (s, e) = twoSum(gh[0], tail.hi)
                                            gh[0] = s
                                            gl[0] += e + tail.lo
                                        }
                                        gAcc[2 * t] = gh
                                        gAcc[2 * t + 1] = gl
                                    }
                                }
                                for i in 0..<m { fp.base[start + i] = h[i] + l[i] }
                            }
                        }
                    }
                    for t in 0..<k {
                        var acc = DoubleDouble()
                        for lane in 0..<8 {
                            acc.add(gAcc[2 * t][lane])
                            acc.lo += gAcc[2 * t + 1][lane]
                        }
                        pp.base[c * k + t] = acc
                    }
                }
            }
        }
    }
    var g = [Double](repeating: 0, count: k)
    for t in 0..<k {
        var acc = DoubleDouble()
        if let g0 { acc.add(g0[t]) }
        for c in 0..<chunks.count {
            acc.add(-partial[c * k + t].hi)
            acc.lo -= partial[c * k + t].lo
        }
        g[t] = acc.value
    }
    return (f, g)
}
