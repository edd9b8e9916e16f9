/// The linear-algebra operations a regression engine needs, each coarse enough that an
/// implementation does real work per call.
///
/// Two implementations exist: ``SwiftBackend`` (pure Swift, always built) and, in builds with
/// the `LAPACK` trait, `LAPACKBackend` (OpenBLAS and LAPACKE). Whole-matrix QR, rank
/// decisions and refinement are shared code built on these operations (see
/// ``QRFactorization``, ``PivotedQR`` and ``LeastSquares``), so both backends make the same
/// rank decision and differ only in the arithmetic underneath.
public protocol Backend: Sendable {
    /// Which implementation this is.
    var kind: BackendKind { get }

    /// Householder QR of an `rows` x `columns` panel in place, with LAPACK `dgeqrf` semantics:
    /// on return the upper triangle holds R, the part below the diagonal holds the Householder
    /// vectors (unit first element implied), and `tau` holds `min(rows, columns)` scalars, so that
    /// `H_k = I - tau_k v_k v_k^T` and `Q = H_1 H_2 ... H_k`.
    func householderQR(
        _ a: UnsafeMutablePointer<Double>, rows: Int, columns: Int, leadingDimension: Int,
        tau: UnsafeMutablePointer<Double>)

    /// Applies `Q^T` (or `Q` when `transpose` is false) of a panel factored by `householderQR`
    /// with `reflectors` Householder vectors to the vector `c` of length `rows`, in place.
    func applyHouseholder(
        _ a: UnsafePointer<Double>, rows: Int, reflectors: Int, leadingDimension: Int,
        tau: UnsafePointer<Double>, to c: UnsafeMutablePointer<Double>, transpose: Bool)

    /// Solves `T x = b` (or `T^T x = b`) for the leading `order` x `order` upper triangle of `t`.
    func solveUpperTriangular(_ t: Matrix, order: Int, _ b: [Double], transpose: Bool) -> [Double]

    /// `X^T W X` for the diagonal matrix of `weights` (unweighted when `weights` is nil).
    func weightedGram(_ x: Matrix, weights: [Double]?) -> Matrix

    /// The upper triangle of `A^T A` for a contiguous column-major `rows` x `columns` panel, into
    /// `c` (`columns` x `columns`, column-major; the strict lower triangle is left as it was).
    func panelGram(_ a: UnsafePointer<Double>, rows: Int, columns: Int, into c: UnsafeMutablePointer<Double>)

    /// The upper Cholesky factor `U` of a symmetric positive definite matrix, `A = U^T U`.
    /// Throws ``LinearAlgebraError/notPositiveDefinite(order:)`` when a pivot is not positive.
    func cholesky(_ a: Matrix) throws(LinearAlgebraError) -> Matrix

    /// The unscaled covariance `(R^T R)^{-1}` of the leading `order` x `order` upper triangle of
    /// `r` (what R's `summary.lm` calls `cov.unscaled`).
    func unscaledCovariance(_ r: Matrix, order: Int) throws(LinearAlgebraError) -> Matrix
}

/// The implementations that can be chosen at run time.
public enum BackendKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// OpenBLAS and LAPACKE (only in builds with the `LAPACK` trait).
    case lapack
    /// Pure Swift, always available.
    case swift

    public var description: String { rawValue }

    /// The kinds compiled into this build.
    public static var available: [BackendKind] {
        #if LAPACK
        return [.lapack, .swift]
        #else
        return [.swift]
        #endif
    }

    /// The default: LAPACK where it was built in, otherwise pure Swift.
    public static var preferred: BackendKind { available[0] }

    /// An instance of this backend, or an error naming what this build lacks.
    public func make() throws(LinearAlgebraError) -> any Backend {
        switch self {
        case .swift:
            return SwiftBackend()
        case .lapack:
            #if LAPACK
            return LAPACKBackend()
            #else
            throw .backendUnavailable(
                "this build has no LAPACK backend (it was built with --disable-default-traits); use --backend swift")
            #endif
        }
    }
}

/// Errors of the linear-algebra layer.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// Cholesky met a pivot that is not positive, at this order.
    case notPositiveDefinite(order: Int)
    /// A triangular factor is singular at this column.
    case singular(column: Int)
    /// The backend asked for is not in this build.
    case backendUnavailable(String)
    /// Operands whose dimensions do not agree.
    case dimensionMismatch(String)

    public var description: String {
        switch self {
        case .notPositiveDefinite(let k):
            return "matrix is not positive definite (leading minor of order \(k) is not positive)"
        case .singular(let j):
            return "triangular factor is singular at column \(j + 1)"
        case .backendUnavailable(let why):
            return why
        case .dimensionMismatch(let why):
            return "dimension mismatch: \(why)"
        }
    }
}
