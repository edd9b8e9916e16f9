/// QR with column pivoting and numerical rank: `A P = Q R`, in the manner of R's `lm`.
///
/// The matrix is first factored without pivoting (``QRFactorization``, fast and backward
/// stable). The rank decision is then made on the small `p` x `p` triangle, which has the same
/// column norms and the same column dependencies as `A`: columns are taken in their given
/// order, and a column whose part orthogonal to the columns already kept is no larger than
/// `tolerance` times its own norm is declared *aliased* and moved to the end, as R's `dqrdc2`
/// (the routine behind `lm`) does. Keeping the given order means that, of two collinear
/// columns, the later one is aliased, so the terms reported as aliased are the ones R reports.
///
/// Tolerance: by default `p * sqrt(max(n, p)) * eps` (``defaultTolerance(rows:columns:)``),
/// about the size of the rounding error Householder QR can leave in a column, so only columns
/// dependent up to rounding are dropped. R's `lm` uses 1e-7, which drops columns of
/// well-posed ill-conditioned designs (NIST's degree-10 polynomial among them); pass 1e-7 to
/// reproduce R's decision.
public struct PivotedQR: Sendable {
    /// The unpivoted factorization of the matrix (`Q_1`).
    public let factorization: QRFactorization
    /// Column order: the kept columns in their original order, then the aliased ones.
    public let pivot: [Int]
    /// The numerical rank: how many columns were kept.
    public let rank: Int
    /// `R` of `A P`; its leading `rank` x `rank` block is upper triangular and nonsingular.
    public let r: Matrix
    /// The tolerance the rank decision used.
    public let tolerance: Double
    /// The original columns judged aliased, in their original order.
    public var aliased: [Int] { Array(pivot[rank...]).sorted() }

    // Householder reflectors of the second (small) factorization, acting on the top components.
    private let reflectors: Matrix
    private let tau: [Double]

    /// The default rank tolerance for an `rows` x `columns` matrix: `p * sqrt(max(n, p)) * eps`.
    public static func defaultTolerance(rows: Int, columns: Int) -> Double {
        Double(max(columns, 1)) * Double(max(rows, columns, 1)).squareRoot() * Double.ulpOfOne
    }

    /// Factors `a` on `backend`, deciding rank with `tolerance` (default: see the type).
    public init(
        _ a: Matrix, backend: any Backend, tolerance: Double? = nil, keepingQ: Bool = true, appending extra: [Double]? = nil,
        rowScale: [Double]? = nil
    ) {
        let tol = tolerance ?? PivotedQR.defaultTolerance(rows: a.rows, columns: a.columns)
        self.init(
            factorization: QRFactorization(a, backend: backend, keepingQ: keepingQ, appending: extra, rowScale: rowScale),
            tolerance: tol)
    }

    /// Pivots an existing factorization.
    public init(factorization: QRFactorization, tolerance: Double) {
        self.factorization = factorization
        self.tolerance = tolerance
        let p = factorization.columns
        var w = factorization.r
        var order = Array(0..<p)
        var norms = (0..<p).map { j in (0..<p).reduce(0.0) { $0 + w[$1, j] * w[$1, j] }.squareRoot() }
        var v = Matrix(rows: p, columns: p)
        var tau = [Double](repeating: 0, count: p)
        var k = 0
        var limit = p
        while k < limit {
            // Length of column k's part orthogonal to the kept columns (rows k..<p after reflection).
            var ss = 0.0
            for i in k..<p { ss += w[i, k] * w[i, k] }
            let rest = ss.squareRoot()
            if !(rest > tolerance * norms[k]) {
                // Aliased: rotate column k to the end.
                let col = w.column(k)
                let original = order[k], norm = norms[k]
                for j in k..<(p - 1) {
                    for i in 0..<p { w[i, j] = w[i, j + 1] }
                    order[j] = order[j + 1]
                    norms[j] = norms[j + 1]
                }
                for i in 0..<p { w[i, p - 1] = col[i] }
                order[p - 1] = original
                norms[p - 1] = norm
                limit -= 1
                continue
            }
            // Householder reflector zeroing w[k+1..<p, k].
            let alpha = w[k, k]
            var xs = 0.0
            for i in (k + 1)..<max(p, k + 1) { xs += w[i, k] * w[i, k] }
            if xs > 0 {
                let beta = -Double(signOf: alpha, magnitudeOf: rest)
                let t = (beta - alpha) / beta
                let s = 1 / (alpha - beta)
                v[k, k] = 1
                for i in (k + 1)..<p { v[i, k] = w[i, k] * s }
                tau[k] = t
                w[k, k] = beta
                for i in (k + 1)..<p { w[i, k] = 0 }
                for j in (k + 1)..<max(p, k + 1) {
                    var d = w[k, j]
                    for i in (k + 1)..<p { d += v[i, k] * w[i, j] }
                    d *= t
                    w[k, j] -= d
                    for i in (k + 1)..<p { w[i, j] -= d * v[i, k] }
                }
            }
            k += 1
        }
        pivot = order
        rank = k
        r = w
        reflectors = v
        self.tau = tau
    }

    /// `Q^T y` in the coordinates of ``QRFactorization``; ``top(of:)`` reads its first `p` parts.
    public func applyTranspose(_ y: [Double]) -> [Double] {
        let z = factorization.applyTranspose(y)
        return factorization.replacingTop(of: z, with: reflectSmall(factorization.top(of: z), transpose: true))
    }

    /// `Q z` for `z` in the coordinates of ``QRFactorization``.
    public func apply(_ z: [Double]) -> [Double] {
        let top = reflectSmall(factorization.top(of: z), transpose: false)
        return factorization.apply(factorization.replacingTop(of: z, with: top))
    }

    /// The first `p` components (`Q^T y` restricted to the column space, pivoted order).
    public func top(of z: [Double]) -> [Double] { factorization.top(of: z) }

    /// `Q^T y` restricted to the column space (pivoted order) for a Q-less factorization made
    /// with `appending: y`; nil when not available.
    public var appendedTop: [Double]? { factorization.appendedTop.map { reflectSmall($0, transpose: true) } }

    /// `z` with its first `p` components replaced.
    public func replacingTop(of z: [Double], with values: [Double]) -> [Double] {
        factorization.replacingTop(of: z, with: values)
    }

    private func reflectSmall(_ x: [Double], transpose: Bool) -> [Double] {
        var x = x
        let p = x.count
        let order = transpose ? Array(0..<rank) : Array((0..<rank).reversed())
        for k in order where tau[k] != 0 {
            var d = x[k]
            for i in (k + 1)..<p { d += reflectors[i, k] * x[i] }
            d *= tau[k]
            x[k] -= d
            for i in (k + 1)..<p { x[i] -= d * reflectors[i, k] }
        }
        return x
    }
}
