// Residuals of least-squares systems in double-double arithmetic.
//
// Each product x*b is split exactly into a high and a low double (TwoProduct, by fused
// multiply-add), and each addition keeps its rounding error (TwoSum), so a sum of products is
// accurate as if computed with twice the precision of Double (about 32 digits) before it is
// rounded once. That is more than x86 Float80 gives (19 digits) and the same on every CPU.
// The design is read in row blocks that stay in cache, split across cores.

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

/// A double-double accumulator: the value is `hi + lo`.
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
        add(p)
        lo += (-p).addingProduct(a, b)  // the exact error of the product
    }

    var value: Double { hi + lo }
}

/// Lane-wise double-double accumulators for a dot product over a row block.
struct DotAccumulator {
    var hi = SIMD8<Double>(), lo = SIMD8<Double>(), tail = DoubleDouble()

    /// Adds `sum_i x[i] * (a[i] + b[i])` (`b` may be nil).
    @inline(__always)
    mutating func add(_ x: UnsafePointer<Double>, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>?, _ m: Int) {
        var i = 0
        while i + 8 <= m {
            let xv = load8(x + i), av = load8(a + i)
            let p = xv * av
            let (s, e) = twoSum(hi, p)
            hi = s
            var low = e + (-p).addingProduct(xv, av)
            if let b { low.addProduct(xv, load8(b + i)) }
            lo += low
            i += 8
        }
        while i < m {
            tail.addProduct(x[i], a[i])
            if let b { tail.lo += x[i] * b[i] }
            i += 1
        }
    }

    var total: DoubleDouble {
        var acc = tail
        for lane in 0..<8 {
            acc.add(hi[lane])
            acc.lo += lo[lane]
        }
        return acc
    }
}

/// Runs `body(rows, hi, lo)` over row blocks of `n` rows, split across cores, where `hi` and
/// `lo` are scratch buffers as long as the block. Returns each chunk's accumulators.
private func forEachRowBlock(
    rows n: Int, accumulators k: Int,
    _ body: (Range<Int>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, inout [DotAccumulator]) -> Void
) -> [DoubleDouble] {
    let blocks = splitRange(n, parts: max(1, n / 2048))
    let chunks = splitRange(blocks.count, parts: n >= 65536 ? workerCount : 1)
    let longest = blocks.map(\.count).max() ?? 0
    var totals = [DoubleDouble](repeating: DoubleDouble(), count: chunks.count * k)
    totals.withUnsafeMutableBufferPointer { tb in
        let tp = SharedPointer(base: tb.baseAddress!)
        parallelFor(chunks.count) { c in
            var hi = [Double](repeating: 0, count: longest)
            var lo = [Double](repeating: 0, count: longest)
            var acc = [DotAccumulator](repeating: DotAccumulator(), count: k)
            hi.withUnsafeMutableBufferPointer { hb in
                lo.withUnsafeMutableBufferPointer { lb in
                    for b in chunks[c] { body(blocks[b], hb.baseAddress!, lb.baseAddress!, &acc) }
                }
            }
            for t in 0..<k { tp.base[c * k + t] = acc[t].total }
        }
    }
    return (0..<k).map { t in
        var sum = DoubleDouble()
        for c in 0..<chunks.count {
            sum.add(totals[c * k + t].hi)
            sum.lo += totals[c * k + t].lo
        }
        return sum
    }
}

/// `hi + lo = f0 - r - X_K b` over `rows`, in double-double (`f0`, `r` nil for zero).
@inline(__always)
private func residualBlock(
    _ x: UnsafePointer<Double>, n: Int, kept: [Int], negB: [Double], rows: Range<Int>,
    f0: UnsafePointer<Double>?, r: UnsafePointer<Double>?,
    hi h: UnsafeMutablePointer<Double>, lo l: UnsafeMutablePointer<Double>
) {
    let m = rows.count, start = rows.lowerBound
    for i in 0..<m {
        h[i] = f0?[start + i] ?? 0
        l[i] = 0
    }
    if let r {
        for i in 0..<m {
            let (s, e) = twoSum(h[i], -r[start + i])
            h[i] = s
            l[i] = e
        }
    }
    for (t, j) in kept.enumerated() where negB[t] != 0 {
        let col = x + j * n + start
        let bv = SIMD8<Double>(repeating: negB[t])
        var i = 0
        while i + 8 <= m {
            let xv = load8(col + i)
            let p = xv * bv
            let (s, e) = twoSum(load8(h + i), p)
            store8(s, h + i)
            store8(load8(l + i) + e + (-p).addingProduct(xv, bv), l + i)
            i += 8
        }
        while i < m {
            let p = col[i] * negB[t]
            let (s, e) = twoSum(h[i], p)
            h[i] = s
            l[i] += e + (-p).addingProduct(col[i], negB[t])
            i += 1
        }
    }
}

/// The residuals `f = f0 - r - X_K b` (rounded once from double-double) and `g = g0 - X_K^T r`
/// of the augmented system `r + X_K b = f0`, `X_K^T r = g0`, where `X_K` is the columns `kept`
/// of `x`. `f0`, `r` and `g0` default to zero.
func augmentedResiduals(
    x: Matrix, kept: [Int], b: [Double], r: [Double]?, f0: [Double]?, g0: [Double]?
) -> (f: [Double], g: [Double]) {
    let n = x.rows
    var f = [Double](repeating: 0, count: n)
    let negB = b.map { -$0 }
    let sums = withOptionalPointers(f0, r) { f0p, rp in
        x.elements.withUnsafeBufferPointer { xb in
            f.withUnsafeMutableBufferPointer { fb in
                let xp = SharedPointer(base: UnsafeMutablePointer(mutating: xb.baseAddress!))
                let fp = SharedPointer(base: fb.baseAddress!)
                let f0s = f0p.map { SharedPointer(base: UnsafeMutablePointer(mutating: $0)) }
                let rs = rp.map { SharedPointer(base: UnsafeMutablePointer(mutating: $0)) }
                return forEachRowBlock(rows: n, accumulators: rs == nil ? 0 : kept.count) { rows, h, l, acc in
                    residualBlock(xp.base, n: n, kept: kept, negB: negB, rows: rows, f0: f0s?.base, r: rs?.base, hi: h, lo: l)
                    if let rs {
                        for (t, j) in kept.enumerated() {
                            acc[t].add(xp.base + j * n + rows.lowerBound, rs.base + rows.lowerBound, nil, rows.count)
                        }
                    }
                    for i in 0..<rows.count { fp.base[rows.lowerBound + i] = h[i] + l[i] }
                }
            }
        }
    }
    let g = (0..<kept.count).map { t -> Double in
        var acc = DoubleDouble()
        if let g0 { acc.add(g0[t]) }
        if t < sums.count {
            acc.add(-sums[t].hi)
            acc.lo -= sums[t].lo
        }
        return acc.value
    }
    return (f, g)
}

/// The residual `r = y - X_K b` (rounded once) and the normal-equations residual
/// `g = X_K^T (y - X_K b)`, both from double-double sums, in one pass over the design.
func seminormalResiduals(x: Matrix, kept: [Int], b: [Double], y: [Double]) -> (g: [Double], r: [Double]) {
    let n = x.rows
    var r = [Double](repeating: 0, count: n)
    let negB = b.map { -$0 }
    let sums = y.withUnsafeBufferPointer { yb in
        x.elements.withUnsafeBufferPointer { xb in
            r.withUnsafeMutableBufferPointer { rb in
                let xp = SharedPointer(base: UnsafeMutablePointer(mutating: xb.baseAddress!))
                let yp = SharedPointer(base: UnsafeMutablePointer(mutating: yb.baseAddress!))
                let rp = SharedPointer(base: rb.baseAddress!)
                return forEachRowBlock(rows: n, accumulators: kept.count) { rows, h, l, acc in
                    residualBlock(xp.base, n: n, kept: kept, negB: negB, rows: rows, f0: yp.base, r: nil, hi: h, lo: l)
                    for (t, j) in kept.enumerated() {
                        acc[t].add(xp.base + j * n + rows.lowerBound, h, l, rows.count)
                    }
                    for i in 0..<rows.count { rp.base[rows.lowerBound + i] = h[i] + l[i] }
                }
            }
        }
    }
    return (sums.map(\.value), r)
}

/// `r -= X_K d` in plain double: for corrections `d` so small that rounding here is negligible.
func subtractProduct(x: Matrix, kept: [Int], d: [Double], from r: inout [Double]) {
    let n = x.rows
    x.elements.withUnsafeBufferPointer { xb in
        r.withUnsafeMutableBufferPointer { rb in
            let xp = SharedPointer(base: UnsafeMutablePointer(mutating: xb.baseAddress!))
            let rp = SharedPointer(base: rb.baseAddress!)
            parallelFor(n >= 65536 ? workerCount : 1) { c in
                let rows = splitRange(n, parts: n >= 65536 ? workerCount : 1)[c]
                for (t, j) in kept.enumerated() where d[t] != 0 {
                    axpy(-d[t], xp.base + j * n + rows.lowerBound, rp.base + rows.lowerBound, rows.count)
                }
            }
        }
    }
}

private func withOptionalPointers<R>(
    _ a: [Double]?, _ b: [Double]?, _ body: (UnsafePointer<Double>?, UnsafePointer<Double>?) -> R
) -> R {
    func withB(_ ap: UnsafePointer<Double>?) -> R {
        if let b { return b.withUnsafeBufferPointer { body(ap, $0.baseAddress) } }
        return body(ap, nil)
    }
    if let a { return a.withUnsafeBufferPointer { withB($0.baseAddress) } }
    return withB(nil)
}
