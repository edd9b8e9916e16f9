extension LeastSquares {
    /// One solve of the row-weighted problem `min ||y - diag(s) X_K b||` over the columns `kept`
    /// by the normal equations: `[X_K y]^T diag(s)^2 [X_K y]` is accumulated leaf by leaf (each
    /// leaf scaled as it is copied, its Gram matrix from the backend, the leaves summed in a fixed
    /// order, so the rounding does not depend on the number of cores), then Cholesky. About twice
    /// as fast as a Q-less QR, but its error grows with the square of the condition number, so it
    /// is for iterations whose last problem is solved again by QR (IRLS), and it returns nil
    /// (solve by QR instead) when Cholesky fails or the factor's scaled condition estimate exceeds
    /// `maxCondition` (1e3: an error of about 1e-10 relative at most). The residuals are not
    /// computed (`residuals` is empty); `method` is ``Method/none``.
    public static func normalEquationsSolve(
        _ x: Matrix, rowScale s: [Double], _ y: [Double], kept: [Int], backend: any Backend, maxCondition: Double = 1e3
    ) -> LeastSquaresSolution? {
        let n = x.rows, k = kept.count, w = k + 1
        guard k > 0, n > k else { return nil }
        let leaves = splitRange(n, parts: max(1, n / QRFactorization.leafRows(columns: w))).filter { !$0.isEmpty }
        var grams = [Double](repeating: 0, count: leaves.count * w * w)
        let longest = leaves.map(\.count).max()!
        x.elements.withUnsafeBufferPointer { xb in
            s.withUnsafeBufferPointer { sb in
                y.withUnsafeBufferPointer { yb in
                    grams.withUnsafeMutableBufferPointer { gb in
                        let xp = SharedPointer(base: UnsafeMutablePointer(mutating: xb.baseAddress!))
                        let sp = SharedPointer(base: UnsafeMutablePointer(mutating: sb.baseAddress!))
                        let yp = SharedPointer(base: UnsafeMutablePointer(mutating: yb.baseAddress!))
                        let gp = SharedPointer(base: gb.baseAddress!)
                        let chunks = splitRange(leaves.count, parts: workerCount)
                        parallelFor(chunks.count) { c in
                            var panel = [Double](repeating: 0, count: longest * w)
                            panel.withUnsafeMutableBufferPointer { pb in
                                let panel = pb.baseAddress!
                                for l in chunks[c] {
                                    let range = leaves[l], m = range.count, scale = sp.base + range.lowerBound
                                    for (t, j) in kept.enumerated() {
                                        let column = xp.base + j * n + range.lowerBound, out = panel + t * m
                                        for i in 0..<m { out[i] = column[i] * scale[i] }
                                    }
                                    (panel + k * m).update(from: yp.base + range.lowerBound, count: m)
                                    backend.panelGram(panel, rows: m, columns: w, into: gp.base + l * w * w)
                                }
                            }
                        }
                    }
                }
            }
        }
        var a = Matrix(rows: k, columns: k)
        var rhs = [Double](repeating: 0, count: k)
        for l in leaves.indices {
            let g = l * w * w
            for j in 0..<k {
                for i in 0...j { a[i, j] += grams[g + i + j * w] }
                rhs[j] += grams[g + j + k * w]
            }
        }
        for j in 0..<k { for i in 0..<j { a[j, i] = a[i, j] } }
        guard let u = try? backend.cholesky(a) else { return nil }
        let kappa = conditionEstimate(u, order: k)
        guard kappa <= maxCondition, let covariance = try? backend.unscaledCovariance(u, order: k) else { return nil }
        let b = backend.solveUpperTriangular(u, order: k, backend.solveUpperTriangular(u, order: k, rhs, transpose: true),
                                             transpose: false)
        let pivot = kept + (0..<x.columns).filter { !kept.contains($0) }
        return solution(
            b, residuals: [], pivot: pivot, rank: k, tolerance: PivotedQR.defaultTolerance(rows: n, columns: x.columns),
            covariance: covariance, conditionEstimate: kappa, method: .none, steps: 0,
            converged: true, covarianceRefined: false, backend: backend)
    }
}
