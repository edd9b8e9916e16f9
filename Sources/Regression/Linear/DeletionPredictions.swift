import LinearAlgebra

extension LinearModelFit {
    /// Each group's fitted values with the group's rows left out of the fit, exactly, by the
    /// block deletion formula: on the working problem (`sqrt(w) X`, residuals `sqrt(w) e`),
    /// `b_(-g) = b - (X^T W X)^{-1} X_g^T (I - H_gg)^{-1} e_g`, so a group of k rows costs a
    /// k-by-k solve, not a refit. `groups` holds positions in ``ModelFrame/rows``; a group whose
    /// `I - H_gg` is singular (it alone identifies a coefficient: a factor level only it has)
    /// gets a failure, as a refit without it could not predict it either.
    func deletionPredictions(_ groups: [[Int]]) -> [Result<[Double], ModelError>] {
        let x = workingDesign, e = workingResiduals, v = solution.unscaledCovariance
        let kept = solution.keptColumns
        let b = solution.coefficients.map { $0.isNaN ? 0 : $0 }
        return groups.map { group -> Result<[Double], ModelError> in
            let k = group.count
            // (X^T W X)^{-1} X_g^T, column by row of the group, over the kept columns.
            var vx = [[Double]](repeating: [Double](repeating: 0, count: kept.count), count: k)
            for (r, i) in group.enumerated() {
                for (s, a) in kept.enumerated() {
                    var t = 0.0
                    for c in kept { t += v[a, c] * x[i, c] }
                    vx[r][s] = t
                }
            }
            // I - H_gg and its solve against the group's residuals.
            var m = [Double](repeating: 0, count: k * k)
            for r in 0..<k {
                for q in 0...r {
                    var h = 0.0
                    for (s, a) in kept.enumerated() { h += x[group[q], a] * vx[r][s] }
                    m[r * k + q] = (r == q ? 1 : 0) - h
                }
            }
            guard let u = solvePositiveDefinite(m, group.map { e[$0] }, order: k, minimumPivot: 1e-10) else {
                return .failure(.unsupported("its rows alone determine a coefficient, so the model without them cannot predict them"))
            }
            // delta = (X^T W X)^{-1} X_g^T u; the prediction without the group is x_i (b - delta).
            var delta = [Double](repeating: 0, count: kept.count)
            for r in 0..<k { for s in kept.indices { delta[s] += vx[r][s] * u[r] } }
            return .success(group.map { i in
                var fit = frame.offset?[i] ?? 0
                for (s, a) in kept.enumerated() { fit += frame.design[i, a] * (b[a] - delta[s]) }
                return fit
            })
        }
    }
}
