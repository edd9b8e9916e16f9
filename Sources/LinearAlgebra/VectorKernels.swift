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

/// `sum_i x[i] * y[i]`.
@inline(__always)
func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ n: Int) -> Double {
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
