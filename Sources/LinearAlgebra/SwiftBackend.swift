/// The pure-Swift backend: always compiled, needs no system library.
///
/// Householder QR works column by column on panels small enough to stay in cache (the
/// tall-skinny driver in ``QRFactorization`` hands it row blocks), with vectorised dot
/// products and updates.
public struct SwiftBackend: Backend {
    /// The pure-Swift backend (no state).
    public init() {}

    public var kind: BackendKind { .swift }

    public func householderQR(
        _ a: UnsafeMutablePointer<Double>, rows m: Int, columns p: Int, leadingDimension lda: Int,
        tau: UnsafeMutablePointer<Double>
    ) {
        let k = min(m, p)
        for c in 0..<k {
            let col = a + c * lda
            let below = m - c - 1
            let alpha = col[c]
            let xnorm = below > 0 ? norm2(col + c + 1, below) : 0
            if xnorm == 0 {
                tau[c] = 0  // H = I, as LAPACK's dlarfg
                continue
            }
            let beta = -Double(signOf: alpha, magnitudeOf: hypot2(alpha, xnorm))
            let t = (beta - alpha) / beta
            tau[c] = t
            scale(1 / (alpha - beta), col + c + 1, below)
            col[c] = beta
            for j in (c + 1)..<max(p, c + 1) {
                let cj = a + j * lda
                let w = cj[c] + dot(col + c + 1, cj + c + 1, below)
                let tw = t * w
                cj[c] -= tw
                axpy(-tw, col + c + 1, cj + c + 1, below)
            }
        }
    }

    public func applyHouseholder(
        _ a: UnsafePointer<Double>, rows m: Int, reflectors k: Int, leadingDimension lda: Int,
        tau: UnsafePointer<Double>, to c: UnsafeMutablePointer<Double>, transpose: Bool
    ) {
        func reflect(_ j: Int) {
            let t = tau[j]
            if t == 0 { return }
            let v = a + j * lda + j + 1
            let below = m - j - 1
            let w = c[j] + dot(v, c + j + 1, below)
            c[j] -= t * w
            axpy(-t * w, v, c + j + 1, below)
        }
        if transpose {
            for j in 0..<k { reflect(j) }
        } else {
            for j in stride(from: k - 1, through: 0, by: -1) { reflect(j) }
        }
    }

    public func solveUpperTriangular(_ t: Matrix, order n: Int, _ b: [Double], transpose: Bool) -> [Double] {
        var x = Array(b.prefix(n))
        if transpose {
            // T^T x = b: forward substitution down the columns of T.
            for i in 0..<n {
                var s = x[i]
                for k in 0..<i { s -= t[k, i] * x[k] }
                x[i] = s / t[i, i]
            }
        } else {
            for i in stride(from: n - 1, through: 0, by: -1) {
                var s = x[i]
                for k in (i + 1)..<max(n, i + 1) { s -= t[i, k] * x[k] }
                x[i] = s / t[i, i]
            }
        }
        return x
    }

    public func weightedGram(_ x: Matrix, weights: [Double]?) -> Matrix {
        let n = x.rows, p = x.columns
        var g = Matrix(rows: p, columns: p)
        x.elements.withUnsafeBufferPointer { xb in
            let base = xb.baseAddress!
            var weighted = [Double](repeating: 0, count: n)
            for j in 0..<p {
                let cj = base + j * n
                if let w = weights {
                    for i in 0..<n { weighted[i] = w[i] * cj[i] }
                } else {
                    for i in 0..<n { weighted[i] = cj[i] }
                }
                weighted.withUnsafeBufferPointer { wb in
                    for k in 0...j {
                        let v = dot(wb.baseAddress!, base + k * n, n)
                        g[k, j] = v
                        g[j, k] = v
                    }
                }
            }
        }
        return g
    }

    public func panelGram(_ a: UnsafePointer<Double>, rows: Int, columns: Int, into c: UnsafeMutablePointer<Double>) {
        gramUpper(a, rows: rows, columns: columns, into: c)
    }

    public func cholesky(_ a: Matrix) throws(LinearAlgebraError) -> Matrix {
        let n = a.rows
        var u = Matrix(rows: n, columns: n)
        for j in 0..<n {
            var d = a[j, j]
            for k in 0..<j { d -= u[k, j] * u[k, j] }
            guard d > 0, d.isFinite else { throw .notPositiveDefinite(order: j + 1) }
            let ujj = d.squareRoot()
            u[j, j] = ujj
            for i in (j + 1)..<max(n, j + 1) {
                var s = a[j, i]
                for k in 0..<j { s -= u[k, j] * u[k, i] }
                u[j, i] = s / ujj
            }
        }
        return u
    }

    public func unscaledCovariance(_ r: Matrix, order n: Int) throws(LinearAlgebraError) -> Matrix {
        let inverse = try invertUpperTriangular(r, order: n)
        // (R^T R)^{-1} = R^{-1} R^{-T}
        var c = Matrix(rows: n, columns: n)
        for j in 0..<n {
            for i in 0...j {
                var s = 0.0
                for k in j..<n { s += inverse[i, k] * inverse[j, k] }
                c[i, j] = s
                c[j, i] = s
            }
        }
        return c
    }
}

/// `sqrt(a^2 + b^2)` without overflow.
@inline(__always)
func hypot2(_ a: Double, _ b: Double) -> Double {
    let big = max(abs(a), abs(b))
    if big == 0 || !big.isFinite { return big }
    let x = a / big, y = b / big
    return big * (x * x + y * y).squareRoot()
}

/// The inverse of the leading `n` x `n` upper triangle of `r`, itself upper triangular.
func invertUpperTriangular(_ r: Matrix, order n: Int) throws(LinearAlgebraError) -> Matrix {
    var inv = Matrix(rows: n, columns: n)
    for j in 0..<n {
        guard r[j, j] != 0, r[j, j].isFinite else { throw .singular(column: j) }
        inv[j, j] = 1 / r[j, j]
        for i in stride(from: j - 1, through: 0, by: -1) {
            var s = 0.0
            for k in (i + 1)...j { s += r[i, k] * inv[k, j] }
            inv[i, j] = -s / r[i, i]
        }
    }
    return inv
}
