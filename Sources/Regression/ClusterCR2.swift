import LinearAlgebra

/// Bell–McCaffrey (CR2) cluster-robust covariance with Satterthwaite degrees of freedom per
/// coefficient, as R's clubSandwich computes them for an unweighted linear model (working
/// model: independent, equal-variance errors).
///
/// With `M = (X^T X)^{-1}`, `H_gg = X_g M X_g^T` and `A_g = (I - H_gg)^{+1/2}` (symmetric
/// square root of the pseudo-inverse), `V = M (sum_g X_g^T A_g e_g e_g^T A_g X_g) M`. For
/// coefficient j, with `u_g = A_g X_g M e_j` and `v_g = X_g^T u_g`, the estimator's mean and
/// variance under the working model give `df_j = (sum_g u_g^T u_g - v_g^T M v_g)^2 /
/// sum_{g,h} (delta_gh u_g^T u_h - v_g^T M v_h)^2`. The cost grows with the cube of the largest
/// cluster's size, so clusters of more than 5,000 rows are refused.
enum ClusterCR2 {
    static let largestCluster = 5_000

    struct Result {
        var covariance: Matrix  // k x k over kept columns
        var degreesOfFreedom: [Double]  // per kept column
        var clusters: Int
    }

    static func estimate(x: Matrix, kept: [Int], m: Matrix, residuals e: [Double], labels: [String]) -> Result? {
        let n = x.rows, k = kept.count
        var members = [String: [Int]]()
        var order = [String]()
        for i in 0..<n {
            if members[labels[i]] == nil { order.append(labels[i]) }
            members[labels[i], default: []].append(i)
        }
        guard members.values.allSatisfy({ $0.count <= largestCluster }) else { return nil }
        let groups = order.map { members[$0]! }
        // Per cluster: X_g (n_g x k) and A_g.
        var xg = [Matrix](), ag = [Matrix]()
        for rows in groups {
            var block = Matrix(rows: rows.count, columns: k)
            for (t, j) in kept.enumerated() {
                for (a, i) in rows.enumerated() { block[a, t] = x[i, j] }
            }
            let h = block * m * block.transposed
            var b = Matrix.identity(rows.count)
            for idx in b.elements.indices { b.elements[idx] -= h.elements[idx] }
            xg.append(block)
            ag.append(inverseSquareRoot(b))
        }
        // Meat and covariance.
        var meat = Matrix(rows: k, columns: k)
        for (g, rows) in groups.enumerated() {
            let eg = rows.map { e[$0] }
            let score = xg[g].transposed * (ag[g] * eg)
            for a in 0..<k { for b in 0..<k { meat[a, b] += score[a] * score[b] } }
        }
        let covariance = m * meat * m
        // Satterthwaite degrees of freedom per coefficient.
        var df = [Double]()
        for j in 0..<k {
            let mc = m.column(j)  // M e_j
            var u = [[Double]](), v = [[Double]]()
            for g in groups.indices {
                let ug = ag[g] * (xg[g] * mc)
                u.append(ug)
                v.append(xg[g].transposed * ug)
            }
            let mv = v.map { m * $0 }
            var mean = 0.0, variance = 0.0
            for g in groups.indices {
                for h in groups.indices {
                    var value = -zip(v[g], mv[h]).reduce(0) { $0 + $1.0 * $1.1 }
                    if g == h { value += u[g].reduce(0) { $0 + $1 * $1 } }
                    if g == h { mean += value }
                    variance += value * value
                }
            }
            df.append(mean * mean / variance)
        }
        return Result(covariance: covariance, degreesOfFreedom: df, clusters: groups.count)
    }

    /// `(B^+)^{1/2}` of a symmetric positive semi-definite matrix, by Jacobi eigendecomposition;
    /// eigenvalues below `1e-12` of the largest count as zero.
    static func inverseSquareRoot(_ b: Matrix) -> Matrix {
        let (values, vectors) = symmetricEigen(b)
        let top = values.map(abs).max() ?? 0
        var out = Matrix(rows: b.rows, columns: b.rows)
        for (t, lambda) in values.enumerated() where lambda > 1e-12 * top {
            let s = 1 / lambda.squareRoot()
            for a in 0..<b.rows {
                let va = vectors[a, t] * s
                for c in 0..<b.rows { out[a, c] += va * vectors[c, t] }
            }
        }
        return out
    }

    /// Eigenvalues and eigenvectors (columns) of a symmetric matrix, by cyclic Jacobi rotations.
    static func symmetricEigen(_ a: Matrix) -> ([Double], Matrix) {
        let n = a.rows
        var m = a
        var v = Matrix.identity(n)
        let total = a.elements.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<max(n, p + 1) { off += m[p, q] * m[p, q] } }
            if off <= 1e-26 * total { break }
            for p in 0..<n {
                for q in (p + 1)..<max(n, p + 1) where m[p, q] != 0 {
                    let theta = (m[q, q] - m[p, p]) / (2 * m[p, q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for r in 0..<n {
                        let mrp = m[r, p], mrq = m[r, q]
                        m[r, p] = c * mrp - s * mrq
                        m[r, q] = s * mrp + c * mrq
                    }
                    for r in 0..<n {
                        let mpr = m[p, r], mqr = m[q, r]
                        m[p, r] = c * mpr - s * mqr
                        m[q, r] = s * mpr + c * mqr
                    }
                    for r in 0..<n {
                        let vrp = v[r, p], vrq = v[r, q]
                        v[r, p] = c * vrp - s * vrq
                        v[r, q] = s * vrp + c * vrq
                    }
                }
            }
        }
        return ((0..<n).map { m[$0, $0] }, v)
    }
}
