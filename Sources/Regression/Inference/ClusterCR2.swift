#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra

/// Bell–McCaffrey (CR2) cluster-robust covariance with Satterthwaite degrees of freedom per
/// coefficient, as R's clubSandwich computes them for linear and generalized linear models.
///
/// In clubSandwich's notation a model supplies its model matrix `X` (for a GLM, `mu'(eta) X`),
/// a diagonal weight matrix `W` (1; the analytic weights; `w / V(mu)`), a diagonal target
/// variance `Theta` (`W^-1`, "inverse variance", unless the model says otherwise: 1 for a
/// weighted linear model) and residuals `r` (`y - mu`). With `M = (X^T W X)^{-1}`, cluster `g`'s
/// adjustment is `A_g = Theta_g^{1/2} G_g^{-1/2} Theta_g^{1/2}` (inverse square root of the
/// pseudo-inverse) for `G_g = Theta_g^{1/2} (Theta_g - H Theta_g - Theta_g H^T + X_g Omega X_g^T)
/// Theta_g^{1/2}`, `H = X_g M X_g^T W_g`, `Omega = M (X^T W Theta W X) M` (which reduces to
/// `(I - H) Theta` under inverse variance), and `V = M (sum_g c_g c_g^T) M` for
/// `c_g = X_g^T W_g A_g r_g`. Satterthwaite's df for coefficient j come from the mean and
/// variance of the estimator under the target (clubSandwich's P array). Rows of weight 0 are
/// left out, as lm leaves them. The cost grows with the cube of each cluster's size (a Jacobi
/// eigendecomposition each: four clusters of 400 rows take 18 s on this project's machines), so
/// clusters whose sizes cubed sum past ``largestWork`` are refused, and the estimate is not made.
enum ClusterCR2 {
    /// The most `sum_g n_g^3` computed (about 3 s here): clusters of 300 rows, or 30 of 120.
    static let largestWork = 5e7

    /// The working model CR2 adjusts by.
    struct WorkingModel {
        /// `n` x `p` over the design's columns (`kept` selects).
        var x: Matrix
        var residuals: [Double]
        /// Diagonal of `W`; nil: 1.
        var weights: [Double]? = nil
        /// Diagonal of `Theta`; nil: `W^-1` (inverse variance).
        var target: [Double]? = nil
        /// `(X^T W X)^{-1}` for the adjustment matrices when it differs from the bread's (a GLM's
        /// bread is the last IRLS step's; its `W` and `X` are at the final means); kept columns.
        var adjustment: Matrix? = nil
    }

    struct Result {
        var covariance: Matrix  // k x k over kept columns
        var degreesOfFreedom: [Double]  // per kept column
        var clusters: Int
    }

    /// One cluster's rows of the working model.
    private struct Block {
        var x: Matrix  // n_g x k
        var w: [Double], theta: [Double], r: [Double]
        var a = Matrix(rows: 0, columns: 0)  // A_g
    }

    /// CR2 for `model` with bread `m` (k x k over `kept`) and each row's cluster label; the
    /// Satterthwaite df of the kept positions `dfFor` only (nil: all; the others `NaN`: a fit
    /// with a dummy per level wants those of its coefficients of interest).
    static func estimate(_ model: WorkingModel, kept: [Int], bread m: Matrix, labels: [String], dfFor: Set<Int>? = nil) -> Result? {
        let k = kept.count
        let inverseVariance = model.target == nil
        var index = [String: Int](), blocks = [[Int]]()
        for i in 0..<model.x.rows where (model.weights?[i] ?? 1) > 0 {
            if let g = index[labels[i]] { blocks[g].append(i) } else {
                index[labels[i]] = blocks.count
                blocks.append([i])
            }
        }
        guard blocks.reduce(0.0, { $0 + pow(Double($1.count), 3) }) <= largestWork else { return nil }
        var clusters = blocks.map { rows -> Block in
            var x = Matrix(rows: rows.count, columns: k)
            for (t, j) in kept.enumerated() { for (a, i) in rows.enumerated() { x[a, t] = model.x[i, j] } }
            let w = rows.map { model.weights?[$0] ?? 1 }
            let theta = model.target.map { t in rows.map { t[$0] } } ?? w.map { 1 / $0 }
            return Block(x: x, w: w, theta: theta, r: rows.map { model.residuals[$0] })
        }
        // X^T W Theta W X, for Omega.
        var xwtwx = Matrix(rows: k, columns: k)
        if !inverseVariance {
            for block in clusters {
                for s in 0..<k {
                    for t in 0..<k {
                        for a in 0..<block.x.rows {
                            xwtwx[s, t] += block.x[a, s] * block.w[a] * block.theta[a] * block.w[a] * block.x[a, t]
                        }
                    }
                }
            }
        }
        let mAdjust = model.adjustment ?? m
        let omegaAdjust = mAdjust * xwtwx * mAdjust
        for g in clusters.indices {
            let block = clusters[g], size = block.x.rows
            let b = block.x * mAdjust * block.x.transposed
            let extra = inverseVariance ? b : block.x * omegaAdjust * block.x.transposed
            let root = block.theta.map { $0.squareRoot() }
            var gMatrix = Matrix(rows: size, columns: size)
            for c in 0..<size {
                for a in 0..<size {
                    // Theta - H Theta - Theta H^T + X Omega X^T; with inverse variance, Theta - B.
                    var value = inverseVariance ? -b[a, c]
                        : extra[a, c] - b[a, c] * block.w[c] * block.theta[c] - block.theta[a] * block.w[a] * b[a, c]
                    if a == c { value += block.theta[a] }
                    gMatrix[a, c] = root[a] * value * root[c]
                }
            }
            var a = matrixPower(gMatrix, -0.5)
            for c in 0..<size { for r in 0..<size { a[r, c] *= root[r] * root[c] } }
            clusters[g].a = a
        }
        // Meat and covariance.
        var meat = Matrix(rows: k, columns: k)
        for block in clusters {
            let ar = block.a * block.r
            let score = block.x.transposed * zip(block.w, ar).map { $0 * $1 }
            for s in 0..<k { for t in 0..<k { meat[s, t] += score[s] * score[t] } }
        }
        let covariance = m * meat * m
        // Satterthwaite degrees of freedom per coefficient.
        let omega = m * xwtwx * m
        var df = [Double]()
        for j in 0..<k {
            if let dfFor, !dfFor.contains(j) {
                df.append(.nan)
                continue
            }
            let mc = m.column(j)  // M e_j
            var uu = [Double](), a = [[Double]](), bw = [[Double]]()
            for block in clusters {
                let q = block.a * zip(block.w, block.x * mc).map { $0 * $1 }
                uu.append(zip(q, block.theta).reduce(0) { $0 + $1.0 * $1.0 * $1.1 })
                a.append(block.x.transposed * q)
                if !inverseVariance {
                    bw.append(block.x.transposed * (0..<q.count).map { q[$0] * block.w[$0] * block.theta[$0] })
                }
            }
            let ma = a.map { m * $0 }
            let omegaA = inverseVariance ? [] : a.map { omega * $0 }
            let mb = bw.map { m * $0 }
            let dot = { (u: [Double], v: [Double]) in zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } }
            var mean = 0.0, variance = 0.0
            for g in clusters.indices {
                for h in clusters.indices {
                    // P_gh = [g = h] u_g^T u_g + a_g^T Omega a_h - a_g^T M b_h - b_g^T M a_h, which is
                    // [g = h] u_g^T u_g - a_g^T M a_h under inverse variance.
                    var value = inverseVariance ? -dot(a[g], ma[h])
                        : dot(a[g], omegaA[h]) - dot(a[g], mb[h]) - dot(bw[g], ma[h])
                    if g == h { value += uu[g]; mean += value }
                    variance += value * value
                }
            }
            df.append(mean * mean / variance)
        }
        return Result(covariance: covariance, degreesOfFreedom: df, clusters: clusters.count)
    }

    /// `B^p` of a symmetric positive semi-definite matrix by Jacobi eigendecomposition, with
    /// eigenvalues below `1e-12` of the largest counted as zero (a pseudo-inverse power).
    static func matrixPower(_ b: Matrix, _ power: Double) -> Matrix {
        let (values, vectors) = symmetricEigen(b)
        let top = values.map(abs).max() ?? 0
        var out = Matrix(rows: b.rows, columns: b.rows)
        for (t, lambda) in values.enumerated() where lambda > 1e-12 * top {
            let s = power == -0.5 ? 1 / lambda.squareRoot() : pow(lambda, power)
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
