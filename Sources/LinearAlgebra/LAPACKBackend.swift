#if LAPACK
import CLAPACK

/// The OpenBLAS/LAPACKE backend (builds with the `LAPACK` trait).
///
/// Panels are factored by `dgeqrf` and applied by `dormqr`; triangular solves use `dtrsv`,
/// `X^T W X` uses `dsyrk`, Cholesky `dpotrf`, and `(R^T R)^{-1}` `dpotri`. LAPACK counts from
/// 1 and takes `lapack_int` (Int32) sizes; both conversions happen here and nowhere else.
/// Creating one makes sure OpenBLAS runs its best kernels for this CPU (see ``OpenBLASRuntime``).
public struct LAPACKBackend: Backend {
    /// The OpenBLAS/LAPACKE backend, its threads and kernels set up on first use.
    public init() { OpenBLASRuntime.prepare() }

    public var kind: BackendKind { .lapack }

    public func householderQR(
        _ a: UnsafeMutablePointer<Double>, rows m: Int, columns p: Int, leadingDimension lda: Int,
        tau: UnsafeMutablePointer<Double>
    ) {
        // dgeqrt, not dgeqrf: the same Householder reflectors, its panels factored recursively
        // (dgeqrt3, level-3 BLAS) where dgeqrf's are column by column (level 2): 1.6 to 2 times
        // faster for the tall, narrow leaves of TSQR. Each reflector's tau is the diagonal of its
        // block's triangular factor T. The _work call skips LAPACKE's NaN scan of the input.
        let k = min(m, p)
        if k == 0 { return }
        let nb = min(32, k)
        var t = [Double](repeating: 0, count: nb * k), work = [Double](repeating: 0, count: nb * p)
        let info = LAPACKE_dgeqrt_work(LAPACK_COL_MAJOR, Int32(m), Int32(p), Int32(nb), a, Int32(lda), &t, Int32(nb), &work)
        precondition(info == 0, "dgeqrt failed with info \(info)")
        for i in 0..<k { tau[i] = t[(i % nb) + i * nb] }
    }

    public func applyHouseholder(
        _ a: UnsafePointer<Double>, rows m: Int, reflectors k: Int, leadingDimension lda: Int,
        tau: UnsafePointer<Double>, to c: UnsafeMutablePointer<Double>, transpose: Bool
    ) {
        if k == 0 { return }
        let info = LAPACKE_dormqr(
            LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int8(UInt8(ascii: transpose ? "T" : "N")),
            Int32(m), 1, Int32(k), a, Int32(lda), tau, c, Int32(m))
        precondition(info == 0, "dormqr failed with info \(info)")
    }

    public func solveUpperTriangular(_ t: Matrix, order n: Int, _ b: [Double], transpose: Bool) -> [Double] {
        var x = Array(b.prefix(n))
        if n == 0 { return x }
        t.elements.withUnsafeBufferPointer { tp in
            cblas_dtrsv(
                CblasColMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans, CblasNonUnit,
                Int32(n), tp.baseAddress, Int32(t.rows), &x, 1)
        }
        return x
    }

    public func weightedGram(_ x: Matrix, weights: [Double]?) -> Matrix {
        let n = x.rows, p = x.columns
        var source = x.elements
        if let w = weights {
            // X^T W X = (W^{1/2} X)^T (W^{1/2} X) needs w >= 0; fall back to the plain sum otherwise.
            guard w.allSatisfy({ $0 >= 0 }) else { return SwiftBackend().weightedGram(x, weights: w) }
            let root = w.map { $0.squareRoot() }
            for j in 0..<p {
                for i in 0..<n { source[i + j * n] *= root[i] }
            }
        }
        var g = Matrix(rows: p, columns: p)
        if p == 0 { return g }
        source.withUnsafeBufferPointer { s in
            g.elements.withUnsafeMutableBufferPointer { gp in
                cblas_dsyrk(
                    CblasColMajor, CblasUpper, CblasTrans, Int32(p), Int32(n), 1, s.baseAddress,
                    Int32(max(n, 1)), 0, gp.baseAddress, Int32(p))
            }
        }
        for j in 0..<p {
            for i in (j + 1)..<max(p, j + 1) { g[i, j] = g[j, i] }
        }
        return g
    }

    public func panelGram(_ a: UnsafePointer<Double>, rows: Int, columns: Int, into c: UnsafeMutablePointer<Double>) {
        guard columns > 0 else { return }
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(columns), Int32(rows), 1, a, Int32(max(rows, 1)), 0, c,
                    Int32(columns))
    }

    public func cholesky(_ a: Matrix) throws(LinearAlgebraError) -> Matrix {
        var u = a
        let n = a.rows
        if n == 0 { return u }
        let info = u.elements.withUnsafeMutableBufferPointer {
            LAPACKE_dpotrf(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), $0.baseAddress, Int32(n))
        }
        if info > 0 { throw .notPositiveDefinite(order: Int(info)) }
        for j in 0..<n {
            for i in (j + 1)..<max(n, j + 1) { u[i, j] = 0 }
        }
        return u
    }

    public func unscaledCovariance(_ r: Matrix, order n: Int) throws(LinearAlgebraError) -> Matrix {
        var c = Matrix(rows: n, columns: n)
        for j in 0..<n {
            for i in 0...j { c[i, j] = r[i, j] }
        }
        if n == 0 { return c }
        let info = c.elements.withUnsafeMutableBufferPointer {
            LAPACKE_dpotri(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), $0.baseAddress, Int32(n))
        }
        if info > 0 { throw .singular(column: Int(info) - 1) }
        for j in 0..<n {
            for i in (j + 1)..<max(n, j + 1) { c[i, j] = c[j, i] }
        }
        return c
    }
}
#endif
