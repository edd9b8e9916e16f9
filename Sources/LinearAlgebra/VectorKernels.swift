// Vectorised level-1 kernels for the pure-Swift backend. Floating-point reductions are not
// vectorised by the compiler (that would reorder additions), so the SIMD accumulators are
// written out; results differ from a sequential sum only by rounding.

@inline(__always)
func load8(_ p: UnsafePointer<Double>) -> SIMD8<Double> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Double>.self)
}

@inline(__always)
func store8(_ v: SIMD8<Double>, _ p: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Double>.self)
}

/// `sum_i x[i] * y[i]`, in SIMD accumulators. Public for the other modules' kernels, and not
/// inlinable on purpose: only this module is built for the native CPU (`-target-cpu native`),
/// so inlined elsewhere its fused multiply-adds would become libm calls.
@inline(__always)
public func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ n: Int) -> Double {
    var a0 = SIMD8<Double>(), a1 = SIMD8<Double>()
    var i = 0
    while i + 16 <= n {
        a0.addProduct(load8(x + i), load8(y + i))
        a1.addProduct(load8(x + i + 8), load8(y + i + 8))
        i += 16
    }
    if i + 8 <= n {
        a0.addProduct(load8(x + i), load8(y + i))
        i += 8
    }
    var s = (a0 + a1).sum()
    while i < n {
        s += x[i] * y[i]
        i += 1
    }
    return s
}

/// `y += alpha * x`.
@inline(__always)
func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
    let a = SIMD8<Double>(repeating: alpha)
    var i = 0
    while i + 8 <= n {
        store8(load8(y + i).addingProduct(a, load8(x + i)), y + i)
        i += 8
    }
    while i < n {
        y[i] += alpha * x[i]
        i += 1
    }
}

/// `x *= alpha`.
@inline(__always)
func scale(_ alpha: Double, _ x: UnsafeMutablePointer<Double>, _ n: Int) {
    let a = SIMD8<Double>(repeating: alpha)
    var i = 0
    while i + 8 <= n {
        store8(load8(x + i) * a, x + i)
        i += 8
    }
    while i < n {
        x[i] *= alpha
        i += 1
    }
}

/// The Euclidean norm, safe from overflow and underflow: a plain sum of squares when that is
/// representable, otherwise a second pass scaled by the largest magnitude.
func norm2(_ x: UnsafePointer<Double>, _ n: Int) -> Double {
    let ss = dot(x, x, n)
    if ss.isFinite && ss > 1e-280 { return ss.squareRoot() }
    var big = 0.0
    for i in 0..<n { big = max(big, abs(x[i])) }
    if big == 0 || !big.isFinite { return big }
    var s = 0.0
    for i in 0..<n {
        let t = x[i] / big
        s += t * t
    }
    return big * s.squareRoot()
}

/// The upper triangle of `A^T A` for a contiguous column-major `rows` x `columns` panel, into
/// `c` (column-major, `columns` x `columns`). Blocks of 4 x 4 columns share their loads (8
/// loads for 16 products per 4 rows), so the panel is read about `columns / 4` times.
func gramUpper(_ a: UnsafePointer<Double>, rows m: Int, columns w: Int, into c: UnsafeMutablePointer<Double>) {
    var jb = 0
    while jb < w {
        var kb = 0
        while kb <= jb {
            if jb + 4 <= w && kb + 4 <= w {
                gramBlock4(a, rows: m, kb: kb, jb: jb, ld: m, into: c, columns: w)
            } else {
                for j in jb..<min(jb + 4, w) {
                    for k in kb..<min(kb + 4, j + 1) { c[k + j * w] = dot(a + k * m, a + j * m, m) }
                }
            }
            kb += 4
        }
        jb += 4
    }
}

/// `c[k, j] = a_k . a_j` for the 4 x 4 block of columns `kb..<kb+4` by `jb..<jb+4` (upper part
/// only when the block is on the diagonal).
@inline(__always)
private func gramBlock4(
    _ a: UnsafePointer<Double>, rows m: Int, kb: Int, jb: Int, ld: Int, into c: UnsafeMutablePointer<Double>, columns w: Int
) {
    typealias V = SIMD4<Double>
    @inline(__always) func load(_ p: UnsafePointer<Double>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    let k0 = a + kb * ld, k1 = k0 + ld, k2 = k1 + ld, k3 = k2 + ld
    let j0 = a + jb * ld, j1 = j0 + ld, j2 = j1 + ld, j3 = j2 + ld
    var s00 = V(), s01 = V(), s02 = V(), s03 = V(), s10 = V(), s11 = V(), s12 = V(), s13 = V()
    var s20 = V(), s21 = V(), s22 = V(), s23 = V(), s30 = V(), s31 = V(), s32 = V(), s33 = V()
    var i = 0
    while i + 4 <= m {
        let a0 = load(k0 + i), a1 = load(k1 + i), a2 = load(k2 + i), a3 = load(k3 + i)
        let b0 = load(j0 + i), b1 = load(j1 + i), b2 = load(j2 + i), b3 = load(j3 + i)
        s00.addProduct(a0, b0); s01.addProduct(a0, b1); s02.addProduct(a0, b2); s03.addProduct(a0, b3)
        s10.addProduct(a1, b0); s11.addProduct(a1, b1); s12.addProduct(a1, b2); s13.addProduct(a1, b3)
        s20.addProduct(a2, b0); s21.addProduct(a2, b1); s22.addProduct(a2, b2); s23.addProduct(a2, b3)
        s30.addProduct(a3, b0); s31.addProduct(a3, b1); s32.addProduct(a3, b2); s33.addProduct(a3, b3)
        i += 4
    }
    var out = [s00.sum(), s01.sum(), s02.sum(), s03.sum(), s10.sum(), s11.sum(), s12.sum(), s13.sum(),
               s20.sum(), s21.sum(), s22.sum(), s23.sum(), s30.sum(), s31.sum(), s32.sum(), s33.sum()]
    let ks = [k0, k1, k2, k3], js = [j0, j1, j2, j3]
    while i < m {
        for r in 0..<4 { for t in 0..<4 { out[r * 4 + t] += ks[r][i] * js[t][i] } }
        i += 1
    }
    for r in 0..<4 {
        for t in 0..<4 where kb + r <= jb + t { c[(kb + r) + (jb + t) * w] = out[r * 4 + t] }
    }
}
