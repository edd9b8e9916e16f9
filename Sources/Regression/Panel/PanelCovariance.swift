import DataTable
import Foundation
import LinearAlgebra

/// The coefficient covariance of a fixed-effects fit: the sandwich of the within-transformed
/// working design (which, by Frisch-Waugh-Lovell, is the coefficients' block of the sandwich
/// of the fit with a dummy per level), scaled by a named ``SmallSampleConvention``.
enum PanelCovariance {
    struct Inputs {
        let kind: PanelStandardErrors
        let convention: SmallSampleConvention
        /// Rows of positive weight.
        let observations: Int
        /// Levels absorbed less those not identified.
        let absorbedDOF: Int
        /// Each factor's levels per row, and its count of levels.
        let factors: [AbsorbedFactor]
        let solution: LeastSquaresSolution
        let workingDesign: Matrix
        /// Each cluster column's labels per row.
        let clusterLabels: [[String]]
        let source: String
        /// The working residuals the scores use (nil: the solution's).
        var residuals: [Double]? = nil
        /// The dispersion the classical covariance scales by (nil: the residual mean square).
        var dispersion: Double? = nil
        /// Whether the tests are z tests (count models, as glm and PyFixest's fepois).
        var zTests = false
        /// The most rows of any unit (Driscoll-Kraay's default lag).
        var longestUnit = 1
        /// For CR2: the fit with every level's dummy (its design, residuals and weights).
        /// `breadWeights`: the weights of the bread `(Z' W Z)^{-1}` over the dummy design `Z`
        /// (a count model's last IRLS step's; nil: the working model's own `x` and weights).
        var dummyModel: (() throws(ModelError) -> (model: ClusterCR2.WorkingModel, interest: Int, design: Matrix, breadWeights: [Double]?))? = nil
    }

    static func estimate(_ given: Inputs) throws(ModelError) -> CovarianceEstimate {
        var inputs = given
        // Driscoll-Kraay's default lag: from the longest unit (the first factor's).
        if inputs.longestUnit == 1, let unit = inputs.factors.first { inputs.longestUnit = unit.counts.max() ?? 1 }
        let solution = inputs.solution, design = inputs.workingDesign
        let p = design.columns, k = solution.rank, kept = solution.keptColumns
        let c = solution.keptUnscaledCovariance
        let e = inputs.residuals ?? solution.residuals
        let n = Double(inputs.observations), kFull = Double(k + inputs.absorbedDOF)
        let residualDF = n - kFull
        var matrix: Matrix, description: String, df = residualDF, warning: String?, coefficientDF: [Double]?
        switch inputs.kind {
        case .classical:
            // A count model's inverse information; fixest and Stata scale it by (n - 1) / (n - K) too.
            let adjusted = inputs.dispersion != nil && (inputs.convention == .fixest || inputs.convention == .stata)
            let s2 = inputs.dispersion.map { $0 * (adjusted ? (n - 1) / residualDF : 1) } ?? solution.residualSumOfSquares / residualDF
            matrix = Matrix(rows: k, columns: k, elements: c.elements.map { $0 * s2 })
            description = inputs.dispersion.map { d in
                (d == 1 ? "classical (inverse Fisher information" : "classical (dispersion \(NumberFormatting.short(d)) from the Pearson statistic")
                    + (adjusted ? ", times (n-1)/(n-K) = \(NumberFormatting.short((n - 1) / residualDF)) as \(inputs.convention.rawValue))" : ")")
            } ?? "classical (homoskedastic; \(Int(residualDF)) residual df"
                + (inputs.absorbedDOF > 0 ? " after \(inputs.absorbedDOF) absorbed levels)" : ")")
        case .hc1:
            let meat = CovarianceEstimator.gram(design, kept: kept, weights: e.map { $0 * $0 })
            let factor = inputs.convention == .plm ? 1 : n / residualDF
            matrix = Matrix(rows: k, columns: k, elements: (c * meat * c).elements.map { $0 * factor })
            description = inputs.convention == .plm
                ? "HC0 (heteroskedasticity-consistent, as plm's vcovHC(method = \"white1\"))"
                : "HC1 (heteroskedasticity-consistent; n/(n-K) with K = \(Int(kFull)) counting the absorbed levels)"
        case .driscollKraay(let time, let maxLag):
            // Each period's sum of scores, the periods in order (numbers by value, else text).
            let labels = inputs.clusterLabels[0]
            let distinct = Array(Set(labels))
            let numeric = distinct.allSatisfy { Double($0) != nil }
            let sorted = numeric ? distinct.sorted { Double($0)! < Double($1)! } : distinct.sorted()
            let index = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) })
            let periods = sorted.count
            var h = Matrix(rows: periods, columns: k)
            design.elements.withUnsafeBufferPointer { xb in
                for (t, j) in kept.enumerated() {
                    let col = xb.baseAddress! + j * design.rows
                    for i in 0..<design.rows { h[index[labels[i]]!, t] += col[i] * e[i] }
                }
            }
            let lag = maxLag ?? Int(pow(Double(inputs.longestUnit), 0.25).rounded(.down))
            var meat = h.transposed * h
            if lag > 0 {
                for l in 1...min(lag, periods - 1) {
                    let w = 1 - Double(l) / Double(lag + 1)
                    for a in 0..<k {
                        for b in 0..<k {
                            var s = 0.0
                            for t in l..<periods { s += h[t, a] * h[t - l, b] + h[t - l, a] * h[t, b] }
                            meat[a, b] += w * s
                        }
                    }
                }
            }
            matrix = c * meat * c
            description = "Driscoll-Kraay by \(time) (\(periods) periods; Bartlett weights to lag \(lag)"
                + (maxLag == nil ? ", floor(T^(1/4)) with T = \(inputs.longestUnit)" : "") + "; no small-sample factor, as plm's vcovSCC)"
            if periods < 20 {
                warning = "only \(periods) periods: Driscoll-Kraay errors rest on the periods, and are unreliable with few"
            }
        case .cr2(let column):
            guard let dummyModel = inputs.dummyModel else {
                throw .unsupported("CR2 is not available for this model")
            }
            var (model, interest, z, breadWeights) = try dummyModel()
            let breadDesign = breadWeights.map { rowsScaled(z, byRootOf: $0) } ?? model.weights.map { rowsScaled(model.x, byRootOf: $0) } ?? model.x
            let full = LeastSquares.solve(breadDesign, [Double](repeating: 0, count: z.rows), backend: SwiftBackend())
            if breadWeights != nil, let w = model.weights {
                // A count model's adjustment matrices use (X' W X)^{-1} at the final means.
                model.adjustment = ClusterCR2.matrixPower(CovarianceEstimator.gram(model.x, kept: full.keptColumns, weights: w), -1)
            }
            let interestPositions = Set(full.keptColumns.enumerated().filter { $0.element < interest }.map(\.offset))
            guard let cr2 = ClusterCR2.estimate(
                model, kept: full.keptColumns, bread: full.keptUnscaledCovariance, labels: inputs.clusterLabels[0], dfFor: interestPositions)
            else {
                throw .unsupported("CR2 was not computed: its cost grows with the cube of each cluster's size, and these clusters are too large; use --se cluster")
            }
            // The coefficients of interest are the dummy design's first columns.
            var position = [Int: Int]()
            for (t, j) in full.keptColumns.enumerated() where j < interest { position[j] = t }
            matrix = Matrix(rows: k, columns: k)
            var perCoefficient = [Double](repeating: .nan, count: p)
            for (a, j) in kept.enumerated() {
                guard let s = position[j] else { continue }
                perCoefficient[j] = cr2.degreesOfFreedom[s]
                for (b, l) in kept.enumerated() { if let t = position[l] { matrix[a, b] = cr2.covariance[s, t] } }
            }
            coefficientDF = perCoefficient
            df = Double(cr2.clusters - 1)
            description = "cluster-robust CR2 (Bell-McCaffrey) by \(column) (G = \(cr2.clusters) clusters; the fit with a dummy per level, "
                + "t with Satterthwaite df for each coefficient, as clubSandwich)"
        case .cluster(let columns):
            var codings = inputs.clusterLabels.map(codes)
            if codings.count == 2 {
                let pairs = zip(inputs.clusterLabels[0], inputs.clusterLabels[1]).map { $0 + "\u{1F}" + $1 }
                codings.append(codes(pairs))
            }
            for (t, coding) in codings.prefix(columns.count).enumerated() where coding.groups < 2 {
                throw .tooFewClusters(file: inputs.source, column: columns[t], clusters: coding.groups)
            }
            let sizes = codings.map(\.groups)
            let smallest = sizes.prefix(columns.count).min()!
            // K for the a factor: fixest and Stata leave out the levels of factors nested in a cluster factor.
            var kSmall = kFull
            if inputs.convention == .fixest || inputs.convention == .stata {
                for factor in inputs.factors {
                    let nested = codings.prefix(columns.count).contains { coding in
                        AbsorbedFactors.isNested(factor.codes, innerLevels: factor.levels.count, in: coding.codes)
                    }
                    if nested { kSmall -= Double(factor.levels.count - 1) }
                }
            }
            let a = inputs.convention == .plm ? 1 : (n - 1) / (n - kSmall)
            func clusterFactor(_ g: Int) -> Double { inputs.convention == .plm ? 1 : Double(g) / Double(g - 1) }
            let perTerm = inputs.convention == .stata || inputs.convention == .lm
            var total = Matrix(rows: k, columns: k)
            for (t, coding) in codings.enumerated() {
                let meat = scoreMeat(design, kept: kept, residuals: e, coding: coding)
                let sign: Double = t == 2 ? -1 : 1
                let scale = sign * (perTerm ? clusterFactor(coding.groups) : 1)
                let v = c * meat * c
                for i in 0..<(k * k) { total.elements[i] += scale * v.elements[i] }
            }
            let common = a * (perTerm ? 1 : clusterFactor(smallest))
            matrix = Matrix(rows: k, columns: k, elements: total.elements.map { $0 * common })
            df = inputs.convention == .plm ? residualDF : Double(smallest - 1)
            let by = columns.joined(separator: " and ")
            let counts = zip(columns, sizes).map { "G = \($1) \($0)" }.joined(separator: ", ")
            description = (columns.count == 2 ? "two-way cluster-robust (Cameron-Gelbach-Miller) by " : "cluster-robust by ") + by
                + " (\(counts); convention \(inputs.convention.rawValue), \(inputs.convention.summary); "
                + (inputs.convention == .plm ? "" : "K = \(Int(kSmall))") + (inputs.zTests ? ")" : ", t on \(Int(df)) df)")
            if smallest < 40 && inputs.convention != .plm {
                warning = "only \(smallest) clusters: cluster-robust standard errors tend to be too small with fewer than about 40"
            }
        }
        if inputs.zTests {
            df = .infinity
            description += "; z tests"
        }
        var full = Matrix(rows: p, columns: p, repeating: .nan)
        for (t, j) in kept.enumerated() {
            for (s, i) in kept.enumerated() { full[i, j] = matrix[s, t] }
        }
        return CovarianceEstimate(
            matrix: full, degreesOfFreedom: df, coefficientDegreesOfFreedom: coefficientDF, description: description, warning: warning)
    }

    struct Coding {
        let codes: [Int32]
        let groups: Int
    }

    static func codes(_ labels: [String]) -> Coding {
        var index = [String: Int32](), out = [Int32](repeating: 0, count: labels.count)
        for (i, label) in labels.enumerated() {
            if let c = index[label] { out[i] = c } else {
                out[i] = Int32(index.count)
                index[label] = out[i]
            }
        }
        return Coding(codes: out, groups: index.count)
    }

    /// `S' S` of the cluster sums of scores `x_i e_i` (kept columns).
    static func scoreMeat(_ x: Matrix, kept: [Int], residuals e: [Double], coding: Coding) -> Matrix {
        let n = x.rows, k = kept.count
        var scores = Matrix(rows: coding.groups, columns: k)
        x.elements.withUnsafeBufferPointer { xb in
            for (t, j) in kept.enumerated() {
                let col = xb.baseAddress! + j * n
                for i in 0..<n { scores[Int(coding.codes[i]), t] += col[i] * e[i] }
            }
        }
        return scores.transposed * scores
    }
}
