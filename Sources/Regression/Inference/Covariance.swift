import LinearAlgebra

/// Which standard errors to compute. Every output names the one used.
public enum StandardErrorKind: Sendable, Equatable {
    /// `sigma^2 (X^T X)^{-1}`: homoskedastic errors.
    case classical
    /// White's heteroskedasticity-consistent estimator, `(X^T X)^{-1} X^T diag(e^2) X (X^T X)^{-1}`.
    case hc0
    /// HC0 times `n / (n - k)` (Stata's `robust`).
    case hc1
    /// HC0 with `e_i^2 / (1 - h_ii)`.
    case hc2
    /// HC0 with `e_i^2 / (1 - h_ii)^2` (MacKinnon and White), R sandwich's default.
    case hc3
    /// Cluster-robust CR1 by a column: the sandwich of cluster score sums, times
    /// `G / (G - 1) * (n - 1) / (n - k)`, with t on `G - 1` degrees of freedom (Stata's
    /// `vce(cluster)`, R's `sandwich::vcovCL(type = "HC1")`).
    case cluster(column: String)
    /// Cluster-robust CR2 (Bell–McCaffrey) by a column, with Satterthwaite degrees of freedom
    /// for each coefficient, as R's clubSandwich gives them; recommended with few clusters.
    case clusterCR2(column: String)
    /// Driscoll-Kraay by a time column: panel models only (``PanelStandardErrors``).
    case driscollKraay(time: String)

    /// The grouping column of a cluster-robust estimator (the time column of Driscoll-Kraay).
    public var clusterColumn: String? {
        switch self {
        case .cluster(let column), .clusterCR2(let column), .driscollKraay(let column): column
        default: nil
        }
    }

    /// The estimator's short name (HC1, CR2), for messages and tables.
    public var shortName: String {
        switch self {
        case .classical: "classical"
        case .hc0: "HC0"
        case .hc1: "HC1"
        case .hc2: "HC2"
        case .hc3: "HC3"
        case .cluster: "CR1"
        case .clusterCR2: "CR2"
        case .driscollKraay: "Driscoll-Kraay"
        }
    }
}

/// A coefficient covariance and the reference distribution for its tests.
public struct CovarianceEstimate: Sendable {
    /// `p` x `p` in design order; `NaN` in rows and columns of aliased terms.
    public let matrix: Matrix
    /// Degrees of freedom of the t tests and intervals.
    public let degreesOfFreedom: Double
    /// Per-coefficient degrees of freedom (design order, `NaN` for aliased terms) where they
    /// differ by coefficient (CR2's Satterthwaite df); nil otherwise.
    public let coefficientDegreesOfFreedom: [Double]?
    /// The estimator's full name as printed, e.g. "HC3 (heteroskedasticity-consistent)".
    public let description: String
    /// A caution to print with the results, if any.
    public let warning: String?
}

enum CovarianceEstimator {
    /// Computes the covariance of `kind` for a fitted frame; `clusters` holds each used row's
    /// cluster label when `kind` is `.cluster`.
    /// `design` and `solution` are of the working problem (weighted for WLS); `observations`
    /// counts the rows with a non-zero weight.
    /// `residuals` overrides the solution's (a GLM's working residuals times the square root of
    /// its working weights, as sandwich's estfun uses them). `zTests`: the description says the
    /// coefficients are tested against the normal (GLMs, as lmtest's coeftest and Stata).
    /// `cr2Model`: the working model CR2 adjusts by, where it is not the unweighted `design`
    /// with the solution's residuals. `frequencyWeights`: the weights when each row stands for
    /// that many copies (HC errors then use each copy's leverage).
    static func estimate(
        _ kind: StandardErrorKind, frame: ModelFrame, solution: LeastSquaresSolution, design: Matrix,
        observations: Int, clusters: [String]?, residuals: [Double]? = nil, zTests: Bool = false,
        cr2Model: ClusterCR2.WorkingModel? = nil, frequencyWeights: [Double]? = nil
    ) -> CovarianceEstimate {
        let n = frame.rows.count, k = solution.rank, p = frame.columnNames.count
        let kept = solution.keptColumns
        let e = residuals ?? solution.residuals
        let c = solution.keptUnscaledCovariance  // (X_K^T X_K)^{-1}
        let df = Double(observations - k)
        var matrix: Matrix
        var description: String
        var degrees = df
        var perCoefficient: [Double]?
        var warning: String?
        switch kind {
        case .classical:
            let s2 = solution.residualSumOfSquares / df
            matrix = Matrix(rows: k, columns: k, elements: c.elements.map { $0 * s2 })
            description = "classical (OLS, homoskedastic)"
        case .hc0, .hc1, .hc2, .hc3:
            var h = kind == .hc2 || kind == .hc3 ? leverages(design, kept: kept, c: c) : []
            var e2 = e.map { $0 * $0 }
            if let w = frequencyWeights {
                // Row i repeated w_i times: each copy has leverage h_i / w_i and contributes
                // e_i^2 x_i x_i^T, which is (sqrt(w) e)^2 (sqrt(w) x)(sqrt(w) x)^T / w_i per copy.
                for i in 0..<n {
                    e2[i] = w[i] > 0 ? e2[i] / w[i] : 0
                    if !h.isEmpty { h[i] = w[i] > 0 ? h[i] / w[i] : 0 }
                }
            }
            let omega = (0..<n).map { i -> Double in
                switch kind {
                case .hc2: return e2[i] / (1 - h[i])
                case .hc3: return e2[i] / ((1 - h[i]) * (1 - h[i]))
                default: return e2[i]
                }
            }
            let meat = gram(design, kept: kept, weights: omega)
            matrix = c * meat * c
            if kind == .hc1 {
                let used = Double(observations)
                matrix = Matrix(rows: k, columns: k, elements: matrix.elements.map { $0 * used / df })
            }
            description = "\(kind.shortName) (heteroskedasticity-consistent" + (kind == .hc3 ? ", MacKinnon-White" : "") + ")"
        case .cluster(let column):
            let labels = clusters ?? []
            var index = [String: Int]()
            var groupOf = [Int](repeating: 0, count: n)
            for i in 0..<n {
                if let g = index[labels[i]] { groupOf[i] = g } else {
                    index[labels[i]] = index.count
                    groupOf[i] = index.count - 1
                }
            }
            let g = index.count
            var scores = Matrix(rows: g, columns: k)
            design.elements.withUnsafeBufferPointer { x in
                for (t, j) in kept.enumerated() {
                    let col = x.baseAddress! + j * n
                    for i in 0..<n { scores[groupOf[i], t] += col[i] * e[i] }
                }
            }
            let meat = scores.transposed * scores
            let factor = Double(g) / Double(g - 1) * Double(observations - 1) / df
            matrix = Matrix(rows: k, columns: k, elements: (c * meat * c).elements.map { $0 * factor })
            degrees = Double(g - 1)
            description = "cluster-robust CR1 by \(column) (G = \(g) clusters; small-sample factor G/(G-1) * (n-1)/(n-k) = "
                + formatFactor(factor) + (zTests ? "; z tests)" : "; t with G - 1 = \(g - 1) df)")
            if g < 40 {
                warning = "only \(g) clusters: CR1 standard errors tend to be too small with fewer than about 40 clusters; "
                    + "--se cr2 (Bell-McCaffrey, Satterthwaite df) is recommended"
            }
        case .driscollKraay:
            // Panel models compute it (PanelCovariance); the CLI refuses it for the others.
            matrix = Matrix(rows: k, columns: k, repeating: .nan)
            description = "Driscoll-Kraay: not available for this model"
            warning = "Driscoll-Kraay errors are for panel models (absorbed fixed effects or --model random)"
        case .clusterCR2(let column):
            let model = cr2Model ?? ClusterCR2.WorkingModel(x: design, residuals: e)
            guard let cr2 = ClusterCR2.estimate(model, kept: kept, bread: c, labels: clusters ?? []) else {
                matrix = Matrix(rows: k, columns: k, repeating: .nan)
                description = "cluster-robust CR2 by \(column): not computed"
                let largest = Dictionary(grouping: clusters ?? [], by: { $0 }).values.map(\.count).max() ?? 0
                warning = "CR2 was not computed: its cost grows with the cube of each cluster's size, and these clusters "
                    + "(the largest has \(largest) rows) would take more than a few seconds; use --se cluster (CR1) for clusters this large"
                break
            }
            matrix = cr2.covariance
            var full = [Double](repeating: .nan, count: p)
            for (t, j) in kept.enumerated() { full[j] = cr2.degreesOfFreedom[t] }
            perCoefficient = full
            degrees = Double(cr2.clusters - 1)
            description = "cluster-robust CR2 (Bell-McCaffrey) by \(column) (G = \(cr2.clusters) clusters; "
                + "t with Satterthwaite df for each coefficient, as clubSandwich)"
        }
        var full = Matrix(rows: p, columns: p, repeating: .nan)
        for (t, j) in kept.enumerated() {
            for (s, i) in kept.enumerated() { full[i, j] = matrix[s, t] }
        }
        return CovarianceEstimate(
            matrix: full, degreesOfFreedom: degrees, coefficientDegreesOfFreedom: perCoefficient,
            description: description, warning: warning)
    }

    /// Diagonal of the hat matrix, `h_i = x_i^T (X^T X)^{-1} x_i` over the kept columns.
    static func leverages(_ x: Matrix, kept: [Int], c: Matrix) -> [Double] {
        let n = x.rows, k = kept.count
        var h = [Double](repeating: 0, count: n)
        x.elements.withUnsafeBufferPointer { xb in
            let base = xb.baseAddress!
            var row = [Double](repeating: 0, count: k)
            for i in 0..<n {
                for (t, j) in kept.enumerated() { row[t] = base[j * n + i] }
                var sum = 0.0
                for s in 0..<k {
                    var inner = 0.0
                    for t in 0..<k { inner += c[s, t] * row[t] }
                    sum += row[s] * inner
                }
                h[i] = sum
            }
        }
        return h
    }

    /// `X_K^T diag(w) X_K`.
    static func gram(_ x: Matrix, kept: [Int], weights: [Double]) -> Matrix {
        let n = x.rows, k = kept.count
        var g = Matrix(rows: k, columns: k)
        x.elements.withUnsafeBufferPointer { xb in
            let base = xb.baseAddress!
            for (t, j) in kept.enumerated() {
                let cj = base + j * n
                for (s, i) in kept.enumerated() where s <= t {
                    let ci = base + i * n
                    var sum = 0.0
                    for r in 0..<n { sum += ci[r] * weights[r] * cj[r] }
                    g[s, t] = sum
                    g[t, s] = sum
                }
            }
        }
        return g
    }

    private static func formatFactor(_ v: Double) -> String {
        var s = "\((v * 1e6).rounded() / 1e6)"
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }
}
