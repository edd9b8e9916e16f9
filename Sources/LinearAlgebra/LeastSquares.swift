/// Linear least squares that keeps its digits: `min ||y - X b||` by pivoted Householder QR,
/// refined with residuals computed in double-double arithmetic.
///
/// Two refinement methods, chosen by ``Method/automatic``:
///
/// - **Augmented** (Björck): iterative refinement of the augmented system `r + X b = y`,
///   `X^T r = 0`. Each step computes the residuals of both equations in double-double (about 32
///   digits), solves for corrections of `b` and `r` with the stored QR factors, and shrinks the
///   error by about `kappa * eps` (`kappa`: condition number of the column-scaled design), so
///   designs with `kappa` up to about 1e14 converge to full double precision where one QR
///   solve loses `log10(kappa)` digits or more. The residual vector is refined alongside, so it
///   is accurate even where `X b` cancels heavily. Needs `Q`, i.e. a copy of the design.
/// - **Seminormal**: the QR is "Q-less" (the design is read once and never copied, which on a
///   large design saves more time than the factorization takes), and refinement solves
///   `R^T R d = X^T (y - X b)` with the right side in double-double (corrected seminormal
///   equations). Each step shrinks the error by about `kappa^2 * eps`, so it is used only for
///   well-conditioned designs (`kappa <= 500`, shrinking by 1e-11 or better per step).
///
/// `automatic` uses the augmented method for designs of up to 2^20 elements and for any design
/// with `kappa > 500`, and the seminormal method otherwise. Refinement stops when a correction
/// no longer changes the solution at double precision, when the estimated remaining error (the
/// last correction times the contraction factor) is below that, or when corrections stop
/// shrinking.
///
/// When `kappa * eps` exceeds 1e-13 (`kappa` above about 450), the unscaled covariance
/// `(X^T X)^{-1}` is refined the same way (augmented method), one column at a time, so standard
/// errors keep their digits too; otherwise it is `R^{-1} R^{-T}` from the backend, already
/// accurate to `kappa * eps`.
public enum LeastSquares {
    /// How to refine.
    public enum Method: String, Sendable, CaseIterable {
        /// Augmented for small or ill-conditioned designs, seminormal otherwise (the default).
        case automatic
        /// Björck's refinement of the augmented system, with `Q` kept.
        case augmented
        /// Corrected seminormal equations with a Q-less QR; falls back to augmented when
        /// `kappa > 500`.
        case seminormal
        /// A plain QR solve, as R's `lm.fit` and LAPACK's `dgelsy` do: no refinement. Q-less on
        /// designs of more than one leaf (the QR of `[X y]` gives `Q^T y`, so the design is not
        /// copied); the residual is `y - X b`.
        case none
    }

    /// Condition number above which the seminormal method is not used and the covariance is refined.
    public static let wellConditioned = 500.0
    /// Designs with at most this many elements always use the augmented method.
    static let smallDesign = 1 << 20

    /// Solves `min ||y - X b||` with column pivoting and refinement.
    ///
    /// - Parameters:
    ///   - x: the `n` x `p` design.
    ///   - y: the response, length `n`.
    ///   - backend: where the arithmetic runs.
    ///   - tolerance: the rank tolerance (``PivotedQR``); nil for the default.
    ///   - method: ``Method/automatic`` unless you need a particular one.
    public static func solve(
        _ x: Matrix, _ y: [Double], backend: any Backend, tolerance: Double? = nil,
        method: Method = .automatic
    ) -> LeastSquaresSolution {
        precondition(y.count == x.rows, "LeastSquares.solve: y must have one entry per row of X")
        let n = x.rows, p = x.columns
        if n == 0 || p == 0 {
            // Nothing to fit: every coefficient is aliased and the residual is y itself.
            return LeastSquaresSolution(
                coefficients: Array(repeating: .nan, count: p), residuals: y, rank: 0, pivot: Array(0..<p),
                aliased: Array(0..<p), unscaledCovariance: Matrix(rows: p, columns: p, repeating: .nan),
                tolerance: tolerance ?? PivotedQR.defaultTolerance(rows: n, columns: p), conditionEstimate: 1,
                method: method, refinementSteps: 0, refinementConverged: true, covarianceRefined: false,
                backend: backend.kind)
        }
        var chosen: Method = method == .automatic ? (n * p <= smallDesign ? .augmented : .seminormal) : method
        let qless = chosen == .seminormal || chosen == .none
        var qr = PivotedQR(x, backend: backend, tolerance: tolerance, keepingQ: !qless, appending: qless ? y : nil)
        var kappa = conditionEstimate(qr.r, order: qr.rank)
        if chosen == .seminormal && (kappa > wellConditioned || n == 0) {
            chosen = .augmented
            qr = PivotedQR(factorization: QRFactorization(x, backend: backend), tolerance: qr.tolerance)
            kappa = conditionEstimate(qr.r, order: qr.rank)
        }
        let k = qr.rank
        let kept = Array(qr.pivot[0..<k])

        var b: [Double], residuals: [Double], steps: Int, converged: Bool
        if chosen == .none, let top = qr.appendedTop {
            b = backend.solveUpperTriangular(qr.r, order: k, top, transpose: false)
            residuals = y
            for (t, j) in kept.enumerated() where b[t] != 0 {
                let bt = b[t]
                x.elements.withUnsafeBufferPointer { xb in
                    let column = xb.baseAddress! + j * n
                    for i in 0..<n { residuals[i] -= column[i] * bt }
                }
            }
            (steps, converged) = (0, true)
        } else if chosen == .seminormal {
            let rho = min(0.5, 8 * kappa * kappa * Double.ulpOfOne)
            (b, residuals, steps, converged) = seminormal(x, y, qr: qr, kept: kept, backend: backend, contraction: rho)
        } else {
            let rho = min(0.5, 8 * kappa * Double.ulpOfOne)
            let system = AugmentedSystem(x: x, qr: qr, kept: kept, backend: backend)
            (b, residuals, steps, converged) = system.solve(
                f0: y, g0: nil, maxSteps: chosen == .none ? 0 : 30, contraction: rho)
        }

        var covariance: Matrix
        let refineCovariance = chosen == .augmented && kappa * Double.ulpOfOne > 1e-13
        if refineCovariance {
            let rho = min(0.5, 8 * kappa * Double.ulpOfOne)
            let system = AugmentedSystem(x: x, qr: qr, kept: kept, backend: backend)
            covariance = Matrix(rows: k, columns: k)
            for t in 0..<k {
                var e = [Double](repeating: 0, count: k)
                e[t] = 1
                // r + X c = 0, X^T r = e_t  gives  c = -(X^T X)^{-1} e_t.
                let c = system.solve(f0: nil, g0: e, maxSteps: 30, contraction: rho).b
                for s in 0..<k { covariance[s, t] = -c[s] }
            }
            for j in 0..<k {
                for i in 0..<j {
                    let v = 0.5 * (covariance[i, j] + covariance[j, i])
                    covariance[i, j] = v
                    covariance[j, i] = v
                }
            }
        } else {
            covariance = (try? backend.unscaledCovariance(qr.r, order: k)) ?? Matrix(rows: k, columns: k, repeating: .nan)
        }

        return solution(
            b, residuals: residuals, qr: qr, covariance: covariance, conditionEstimate: kappa, method: chosen,
            steps: steps, converged: converged, covarianceRefined: refineCovariance, backend: backend)
    }

    /// One plain solve of the row-weighted problem `min ||y - diag(s) X b||` (`y` already
    /// scaled), for iterations that need only the coefficients, as IRLS's: on designs of more than
    /// one QR leaf, each leaf is scaled as the Q-less QR copies it, so `diag(s) X` is never formed
    /// and the design is read once; the residuals are not computed (`residuals` is empty).
    public static func plainWeightedSolve(
        _ x: Matrix, rowScale s: [Double], _ y: [Double], backend: any Backend, tolerance: Double? = nil
    ) -> LeastSquaresSolution {
        let n = x.rows, p = x.columns
        if p == 0 || n / QRFactorization.leafRows(columns: p) <= 1 {
            // One leaf: small enough to form.
            var scaled = x
            for j in 0..<p { for i in 0..<n { scaled[i, j] *= s[i] } }
            return solve(scaled, y, backend: backend, tolerance: tolerance, method: .none)
        }
        let qr = PivotedQR(x, backend: backend, tolerance: tolerance, keepingQ: false, appending: y, rowScale: s)
        let k = qr.rank
        let b = backend.solveUpperTriangular(qr.r, order: k, qr.appendedTop!, transpose: false)
        let covariance = (try? backend.unscaledCovariance(qr.r, order: k)) ?? Matrix(rows: k, columns: k, repeating: .nan)
        return solution(
            b, residuals: [], qr: qr, covariance: covariance, conditionEstimate: conditionEstimate(qr.r, order: k),
            method: .none, steps: 0, converged: true, covarianceRefined: false, backend: backend)
    }

    /// The solution in the design's column order from pivoted-order coefficients `b` and the
    /// kept columns' covariance.
    private static func solution(
        _ b: [Double], residuals: [Double], qr: PivotedQR, covariance: Matrix, conditionEstimate kappa: Double,
        method: Method, steps: Int, converged: Bool, covarianceRefined: Bool, backend: any Backend
    ) -> LeastSquaresSolution {
        solution(
            b, residuals: residuals, pivot: qr.pivot, rank: qr.rank, tolerance: qr.tolerance, covariance: covariance,
            conditionEstimate: kappa, method: method, steps: steps, converged: converged,
            covarianceRefined: covarianceRefined, backend: backend)
    }

    static func solution(
        _ b: [Double], residuals: [Double], pivot: [Int], rank: Int, tolerance: Double, covariance: Matrix,
        conditionEstimate kappa: Double, method: Method, steps: Int, converged: Bool, covarianceRefined: Bool,
        backend: any Backend
    ) -> LeastSquaresSolution {
        let p = pivot.count, kept = Array(pivot[0..<rank])
        var coefficients = [Double](repeating: .nan, count: p)
        for (t, j) in kept.enumerated() { coefficients[j] = b[t] }
        var fullCovariance = Matrix(rows: p, columns: p, repeating: .nan)
        for (t, j) in kept.enumerated() {
            for (s, i) in kept.enumerated() { fullCovariance[i, j] = covariance[s, t] }
        }
        return LeastSquaresSolution(
            coefficients: coefficients, residuals: residuals, rank: rank, pivot: pivot,
            aliased: Array(pivot[rank...]).sorted(), unscaledCovariance: fullCovariance, tolerance: tolerance,
            conditionEstimate: kappa, method: method, refinementSteps: steps, refinementConverged: converged,
            covarianceRefined: covarianceRefined, backend: backend.kind)
    }

    /// Corrected seminormal equations: `b += R^{-1} R^{-T} X^T (y - X b)`, right side in
    /// double-double. Returns `b` (pivoted order), the residual, steps, and convergence.
    static func seminormal(
        _ x: Matrix, _ y: [Double], qr: PivotedQR, kept: [Int], backend: any Backend, contraction rho: Double
    ) -> (b: [Double], r: [Double], steps: Int, converged: Bool) {
        let k = kept.count, eps = Double.ulpOfOne / 2
        var b = [Double](repeating: 0, count: k)
        var previous = Double.infinity
        var step = 0
        if let c = qr.appendedTop {
            // The QR of [X y] already gave Q^T y: start from the plain QR solution.
            b = backend.solveUpperTriangular(qr.r, order: k, c, transpose: false)
            step = 1
        }
        while true {
            var (g, r) = seminormalResiduals(x: x, kept: kept, b: b, y: y)
            let h = backend.solveUpperTriangular(qr.r, order: k, g, transpose: true)
            let db = backend.solveUpperTriangular(qr.r, order: k, h, transpose: false)
            let size = db.map(abs).max() ?? 0
            let bSize = max(b.map(abs).max() ?? 0, size)
            if step > 0 && !(size < 0.5 * previous) && size > eps * bSize {
                return (b, r, step, false)  // corrections stopped shrinking; r belongs to b
            }
            for t in 0..<k { b[t] += db[t] }
            if step > 0 && (size <= eps * bSize || size * rho / (1 - rho) <= eps * bSize) || step >= 30 {
                subtractProduct(x: x, kept: kept, d: db, from: &r)
                return (b, r, step, step < 30)
            }
            previous = size
            step += 1
        }
    }

    /// An estimate of the 1-norm condition number of the leading `order` x `order` block of
    /// `r` after scaling its columns to unit length (the condition that governs accuracy of
    /// Householder QR, which is blind to column scaling). Infinite when singular.
    public static func conditionEstimate(_ r: Matrix, order k: Int) -> Double {
        if k == 0 { return 1 }
        var scaled = Matrix(rows: k, columns: k)
        for j in 0..<k {
            var ss = 0.0
            for i in 0...j { ss += r[i, j] * r[i, j] }
            let norm = ss.squareRoot()
            for i in 0...j { scaled[i, j] = norm > 0 ? r[i, j] / norm : 0 }
        }
        guard let inverse = try? invertUpperTriangular(scaled, order: k) else { return .infinity }
        func norm1(_ m: Matrix) -> Double {
            (0..<k).map { j in (0..<k).reduce(0.0) { $0 + abs(m[$1, j]) } }.max() ?? 0
        }
        return norm1(scaled) * norm1(inverse)
    }
}

/// The augmented system `r + X_K b = f0`, `X_K^T r = g0` of the kept columns, solved with the
/// QR factors and refined with double-double residuals.
struct AugmentedSystem {
    let x: Matrix
    let qr: PivotedQR
    let kept: [Int]
    let backend: any Backend

    /// Returns `b` (pivoted order), `r`, the refinement steps taken and whether they converged.
    func solve(f0: [Double]?, g0: [Double]?, maxSteps: Int, contraction rho: Double)
        -> (b: [Double], r: [Double], steps: Int, converged: Bool)
    {
        let n = x.rows, k = kept.count
        let eps = Double.ulpOfOne / 2
        var b = [Double](repeating: 0, count: k)
        var r = [Double](repeating: 0, count: n)
        var f = f0 ?? [Double](repeating: 0, count: n)
        var g = g0 ?? [Double](repeating: 0, count: k)
        var previous = Double.infinity
        var step = 0
        var converged = maxSteps == 0
        while true {
            // Corrections from the current residuals (f, g).
            let fIsZero = !f.contains { $0 != 0 }
            let z = fIsZero ? f : qr.applyTranspose(f)
            let top = fIsZero ? [Double](repeating: 0, count: x.columns) : qr.top(of: z)
            let h = backend.solveUpperTriangular(qr.r, order: k, g, transpose: true)
            let rhs = (0..<k).map { top[$0] - h[$0] }
            let db = backend.solveUpperTriangular(qr.r, order: k, rhs, transpose: false)
            let size = db.map(abs).max() ?? 0
            if step > 0 && !(size < previous * 0.5) && !(size <= eps * (b.map(abs).max() ?? 0)) {
                break  // corrections stopped shrinking: keep the best solution
            }
            for t in 0..<k { b[t] += db[t] }
            // r += Q [h; top[k...]; rest of z]: the residual is refined alongside b, so it is the
            // exact residual to double precision, not the residual of the rounded b.
            let zr = qr.replacingTop(of: z, with: h + Array(top[k...]))
            let dr = qr.apply(zr)
            for i in 0..<n { r[i] += dr[i] }
            let bSize = b.map(abs).max() ?? 0
            if step > 0 && (size <= eps * bSize || size * rho / (1 - rho) <= eps * bSize) {
                converged = true
                break
            }
            if step >= maxSteps { break }
            previous = step == 0 ? .infinity : size
            step += 1
            (f, g) = augmentedResiduals(x: x, kept: kept, b: b, r: r, f0: f0, g0: g0)
        }
        return (b, r, step, converged)
    }
}

/// The solution of a least-squares problem, in the design's original column order.
public struct LeastSquaresSolution: Sendable {
    /// Coefficients; `NaN` for aliased columns, as R's `NA`.
    public let coefficients: [Double]
    /// `y - X b`: refined with the coefficients, so accurate to double precision even where
    /// `X b` cancels heavily.
    public let residuals: [Double]
    /// Numerical rank.
    public let rank: Int
    /// Column order of the pivoted factorization: kept columns first.
    public let pivot: [Int]
    /// Indices of aliased columns, in original order.
    public let aliased: [Int]
    /// `(X^T X)^{-1}` over the kept columns (`NaN` in rows and columns of aliased ones).
    public let unscaledCovariance: Matrix
    /// The rank tolerance used.
    public let tolerance: Double
    /// Estimated condition number of the column-scaled kept design.
    public let conditionEstimate: Double
    /// The refinement method used (see ``LeastSquares``).
    public let method: LeastSquares.Method
    /// Refinement steps taken for the coefficients.
    public let refinementSteps: Int
    /// Whether refinement met its convergence test.
    public let refinementConverged: Bool
    /// Whether the covariance was refined too (ill-conditioned designs).
    public let covarianceRefined: Bool
    /// The backend that did the arithmetic.
    public let backend: BackendKind

    /// The kept columns in pivot order, and `(X_K^T X_K)^{-1}` over them (`rank` x `rank`).
    public var keptColumns: [Int] { Array(pivot[0..<rank]) }
    /// ``unscaledCovariance`` over the kept columns only, in the order of ``keptColumns``.
    public var keptUnscaledCovariance: Matrix {
        let kept = keptColumns
        var c = Matrix(rows: rank, columns: rank)
        for (t, j) in kept.enumerated() {
            for (s, i) in kept.enumerated() { c[s, t] = unscaledCovariance[i, j] }
        }
        return c
    }

    /// The residual sum of squares, accumulated in double-double.
    public var residualSumOfSquares: Double {
        var acc = DoubleDouble()
        for e in residuals { acc.addProduct(e, e) }
        return acc.value
    }
}
