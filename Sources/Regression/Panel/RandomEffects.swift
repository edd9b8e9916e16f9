#if canImport(Glibc)
import Glibc
#endif
import DataTable
import LinearAlgebra

/// How to fit a random-effects (individual) panel model by feasible GLS, as plm's
/// `plm(model = "random")` with Swamy and Arora's variance components (its default).
public struct RandomEffectsOptions: ModelSpecification {
    /// The panel's unit column (the individual effect's).
    public var unit: String
    /// Classical errors (plm's) or cluster-robust by one column (the unit: plm's
    /// `vcovHC(method = "arellano")` under the `plm` convention).
    public var standardErrors: PanelStandardErrors
    /// How clustered errors are scaled.
    public var convention: SmallSampleConvention
    /// Confidence level of the intervals.
    public var level: Double
    /// Columns that must be present in a row for it to be used.
    public var alsoRequire: [String]
    /// How the variance components are estimated (plm's `random.method`).
    public var method: RandomEffectsMethod

    /// Options for the individual effect of `unit`, Swamy-Arora components, classical errors and
    /// 95% intervals unless told otherwise.
    public init(
        unit: String, standardErrors: PanelStandardErrors = .classical, convention: SmallSampleConvention = .plm,
        level: Double = 0.95, alsoRequire: [String] = [], method: RandomEffectsMethod = .swar
    ) {
        self.unit = unit
        self.method = method
        self.standardErrors = standardErrors
        self.convention = convention
        self.level = level
        self.alsoRequire = alsoRequire
    }

    public var columns: [String] { [unit] + standardErrors.clusterColumns }

    public func fit(_ formula: Formula, data: DataTable, backend: (any Backend)?) throws(ModelError) -> RandomEffectsFit {
        try RandomEffectsModel.fit(formula, data: data, options: self, backend: backend)
    }
}

/// Random-effects GLS (Swamy-Arora), with the Hausman test against the fixed-effects fit in
/// its classical and regression-based forms.
///
/// The variance components are plm's (`ercomp`; `RandomEffectsOptions/method`, Swamy-Arora
/// by default: the idiosyncratic variance from the within regression's residuals,
/// `SSR_w / (n - N - K_w)`; the unit variance from the between regression (the unit means, each
/// counted `T_i` times), `(q_b - (N - K - 1) s2_e) / m`, `m = T (N - K - 1)` in a balanced panel
/// and `n - tr((Z_B' Z_B)^{-1} Z_S' Z)` otherwise (`Z_B` the unit means and `Z_S` the unit sums
/// of the design, row by row), zero if negative; the others in `VarianceComponents`). Each unit's `theta_i = 1 - sqrt(s2_e / (T_i s2_u + s2_e))`; the GLS is least squares of
/// `y - theta_i ybar_i` on `z - theta_i zbar_i`.
public enum RandomEffectsModel {
    /// Fits `formula` to `data` (on table rows `candidates` when given), the units those of `options.unit`.
    public static func fit(
        _ formula: Formula, data: DataTable, options: RandomEffectsOptions, backend: (any Backend)? = nil, candidates: [Int]? = nil
    ) throws(ModelError) -> RandomEffectsFit {
        if !formula.fixedEffects.isEmpty { throw .unsupported("a random-effects model takes no absorbed factors (after |)") }
        if formula.responseFailures != nil { throw .unsupported("a cbind(successes, failures) response is for --family binomial") }
        guard formula.intercept else { throw .unsupported("a random-effects model needs its intercept") }
        let clusters = options.standardErrors.clusterColumns
        let frame = try ModelFrame(
            formula: formula.withPanel(unit: formula.panelUnit ?? options.unit), table: data, groupColumn: clusters.first,
            alsoRequire: [options.unit] + clusters.dropFirst() + options.alsoRequire, candidates: candidates)
        let chosen = try resolveBackend(backend)
        let unitColumn: Column
        do { unitColumn = try data.column(named: options.unit) } catch { throw .data(error) }
        let encoded = AbsorbedFactors.encode(unitColumn, rows: frame.rows)
        let unit = AbsorbedFactor(name: options.unit, levels: encoded.levels, codes: encoded.codes)
        let n = frame.rows.count, p = frame.columnNames.count, units = unit.levels.count
        let k = p - 1
        guard n > p + 1, units > p else {
            throw .unsupported("\(data.source): \(n) rows in \(units) units for \(p) coefficients; a random-effects model needs more units than coefficients")
        }
        let y = frame.response, z = frame.design
        let counts = unit.counts.map(Double.init)
        func means(_ v: UnsafeBufferPointer<Double>) -> [Double] {
            var m = [Double](repeating: 0, count: units)
            for i in 0..<n { m[Int(unit.codes[i])] += v[i] }
            return m.indices.map { m[$0] / counts[$0] }
        }
        let yMeans = y.withUnsafeBufferPointer(means)
        let zMeans: [[Double]] = (0..<p).map { j in z.elements.withUnsafeBufferPointer { means(UnsafeBufferPointer(rebasing: $0[(j * n)..<((j + 1) * n)])) } }

        // The within regression (columns constant within every unit dropped: plm's cstcovar.rm).
        let varying = (1..<p).filter { j in (0..<n).contains { i in abs(z[i, j] - zMeans[j][Int(unit.codes[i])]) > 1e-12 * max(1, abs(z[i, j])) } }
        var within = Matrix(rows: n, columns: varying.count)
        for (t, j) in varying.enumerated() { for i in 0..<n { within[i, t] = z[i, j] - zMeans[j][Int(unit.codes[i])] } }
        let yWithin = (0..<n).map { y[$0] - yMeans[Int(unit.codes[$0])] }
        let withinFit = LeastSquares.solve(within, yWithin, backend: chosen)
        var gram = [Double](repeating: 0, count: varying.count * varying.count)
        for r in varying.indices { for c in varying.indices { gram[r * varying.count + c] = (0..<n).reduce(0) { $0 + within[$1, r] * within[$1, c] } } }
        let withinRegression = VarianceComponents.WithinRegression(
            columns: varying, coefficients: withinFit.coefficients, rank: withinFit.rank,
            residualSumOfSquares: withinFit.residualSumOfSquares, gram: gram)

        // The between regression, each unit's means counted T_i times.
        var between = Matrix(rows: units, columns: p)
        for g in 0..<units { for j in 0..<p { between[g, j] = zMeans[j][g] * counts[g].squareRoot() } }
        let betweenFit = LeastSquares.solve(between, yMeans.indices.map { yMeans[$0] * counts[$0].squareRoot() }, backend: chosen)
        let components = try VarianceComponents.estimate(
            options.method, panel: VarianceComponents.Panel(y: y, z: z, codes: unit.codes, counts: counts), within: withinRegression,
            zMeans: zMeans, yMeans: yMeans, between: (betweenFit.residualSumOfSquares, betweenFit.rank), backend: chosen)
        let s2e = components.idiosyncratic, s2u = components.unit
        let theta = counts.map { 1 - (s2e / ($0 * s2u + s2e)).squareRoot() }

        // GLS: quasi-demeaned least squares.
        var star = Matrix(rows: n, columns: p)
        for j in 0..<p { for i in 0..<n { star[i, j] = z[i, j] - theta[Int(unit.codes[i])] * zMeans[j][Int(unit.codes[i])] } }
        let yStar = (0..<n).map { y[$0] - theta[Int(unit.codes[$0])] * yMeans[Int(unit.codes[$0])] }
        let solution = LeastSquares.solve(star, yStar, backend: chosen)
        let labels = try PanelCovariance.labels(frame, options.standardErrors)
        let covariance = try PanelCovariance.estimate(PanelCovariance.Inputs(
            kind: options.standardErrors, convention: options.convention, observations: n, absorbedDOF: 0, factors: [],
            solution: solution, workingDesign: star, clusterLabels: labels, source: data.source, longestUnit: unit.counts.max() ?? 1))
        return RandomEffectsFit(
            frame: frame, options: options, unit: unit, idiosyncraticVariance: s2e, unitVariance: s2u, theta: theta,
            solution: solution, transformedDesign: star, transformedResponse: yStar, covariance: covariance,
            withinColumns: varying, backend: chosen)
    }
}

/// A fitted random-effects model: the GLS coefficients, the variance components and each
/// unit's theta; the Hausman tests against the fixed-effects fit on request.
public struct RandomEffectsFit: Sendable {
    /// The formula applied to the data: the rows used and dropped, the response, the design.
    public let frame: ModelFrame
    /// How the model was fitted.
    public let options: RandomEffectsOptions
    /// The unit factor over the rows used.
    public let unit: AbsorbedFactor
    /// The idiosyncratic variance, sigma^2_e.
    public let idiosyncraticVariance: Double
    /// The unit effects' variance, sigma^2_u.
    public let unitVariance: Double
    /// Each unit's quasi-demeaning share (by level of ``unit``).
    public let theta: [Double]
    /// The least squares of the quasi-demeaned problem.
    public let solution: LeastSquaresSolution
    let transformedDesign: Matrix
    let transformedResponse: [Double]
    /// The coefficient covariance behind the standard errors.
    public let covariance: CovarianceEstimate
    /// Design columns that vary within units (the fixed-effects fit's coefficients).
    let withinColumns: [Int]
    let backend: any Backend

    /// Confidence level of the intervals.
    public var level: Double { options.level }
    /// The coefficient table.
    public var coefficients: [CoefficientRow] {
        CoefficientRow.tTable(names: frame.columnNames, estimates: solution.coefficients, covariance: covariance, level: level)
    }
    /// The share of the error variance that is the units': sigma^2_u / (sigma^2_u + sigma^2_e).
    public var unitShare: Double { unitVariance / (unitVariance + idiosyncraticVariance) }
    /// Observations less the coefficients' rank.
    public var residualDegreesOfFreedom: Int { frame.rows.count - solution.rank }

    /// `y - Z b`, per used row (the composite error).
    public var residuals: [Double] {
        let b = solution.coefficients.map { $0.isNaN ? 0 : $0 }
        return frame.rows.indices.map { i in frame.response[i] - b.indices.reduce(0) { $0 + frame.design[i, $1] * b[$1] } }
    }

    /// A Hausman test: its statistic, degrees of freedom and p-value.
    public struct HausmanTest: Sendable {
        /// The chi-squared statistic.
        public let statistic: Double
        /// Its degrees of freedom: the coefficients compared.
        public let degreesOfFreedom: Int
        /// Whether the covariance of the difference was positive definite (the classical test's
        /// can be indefinite; the statistic is then the absolute value, as plm reports it).
        public var definite = true
        /// The upper tail of chi-squared at the statistic.
        public var pValue: Double { Distributions.chiSquaredUpperTail(statistic, df: Double(degreesOfFreedom)) }
    }

    /// Hausman's test (plm's `phtest`, method "chisq"): `(b_FE - b_RE)' (V_FE - V_RE)^{-1}
    /// (b_FE - b_RE)` over the coefficients that vary within units, both covariances classical;
    /// as plm, its absolute value, for `V_FE - V_RE` need not be positive definite in a sample
    /// (``HausmanTest/definite`` says whether it was).
    public func hausman() throws(ModelError) -> HausmanTest {
        let fe = try fixedEffectsFit()
        let re = try RandomEffectsModel.fit(
            frame.formula, data: frame.table, options: RandomEffectsOptions(unit: options.unit, method: options.method), backend: backend, candidates: frame.rows)
        let common = withinColumns
        let q = common.count
        var d = [Double](), v = [Double](repeating: 0, count: q * q)
        for (a, j) in common.enumerated() {
            d.append(fe.coef[j - 1] - re.solution.coefficients[j])
            for (b, l) in common.enumerated() { v[a * q + b] = fe.vcov[j - 1, l - 1] - re.covariance.matrix[j, l] }
        }
        guard let solved = solveSymmetric(v, d, order: q) else {
            throw .unsupported("the Hausman test's covariance difference is singular")
        }
        let quadratic = zip(d, solved).reduce(0) { $0 + $1.0 * $1.1 }
        return HausmanTest(
            statistic: abs(quadratic), degreesOfFreedom: q, definite: solvePositiveDefinite(v, d, order: q) != nil)
    }

    /// The regression-based Hausman test (Wooldridge 2010, 10.7.3; plm's `phtest`, method
    /// "aux"): least squares of the quasi-demeaned response on a constant, the quasi-demeaned
    /// regressors and the within-demeaned ones, and the Wald test that the last are zero, with
    /// the classical covariance or (`robust`) the cluster-robust one by unit (Arellano's, HC0,
    /// as plm's `vcovHC`).
    public func regressionHausman(robust: Bool) throws(ModelError) -> HausmanTest {
        let n = frame.rows.count, p = frame.columnNames.count
        let common = withinColumns
        var x = Matrix(rows: n, columns: p + common.count)
        let means: [[Double]] = common.map { j in
            var m = [Double](repeating: 0, count: unit.levels.count), c = [Double](repeating: 0, count: unit.levels.count)
            for i in 0..<n {
                m[Int(unit.codes[i])] += frame.design[i, j]
                c[Int(unit.codes[i])] += 1
            }
            return m.indices.map { m[$0] / c[$0] }
        }
        for i in 0..<n {
            x[i, 0] = 1
            for j in 1..<p { x[i, j] = transformedDesign[i, j] }
            for (t, j) in common.enumerated() { x[i, p + t] = frame.design[i, j] - means[t][Int(unit.codes[i])] }
        }
        let solution = LeastSquares.solve(x, transformedResponse, backend: backend)
        let covariance = try PanelCovariance.estimate(PanelCovariance.Inputs(
            kind: robust ? .cluster([options.unit]) : .classical, convention: .plm, observations: n, absorbedDOF: 0, factors: [],
            solution: solution, workingDesign: x, clusterLabels: [unit.codes.map { unit.levels[Int($0)] }],
            source: frame.table.source))
        let q = common.count
        let b = (0..<q).map { solution.coefficients[p + $0] }
        var v = [Double](repeating: 0, count: q * q)
        for a in 0..<q { for c in 0..<q { v[a * q + c] = covariance.matrix[p + a, p + c] } }
        guard let solved = solveSymmetric(v, b, order: q) else { throw .unsupported("the regression-based Hausman test's covariance is singular") }
        return HausmanTest(statistic: zip(b, solved).reduce(0) { $0 + $1.0 * $1.1 }, degreesOfFreedom: q)
    }

    /// The one-way fixed-effects fit of the same model on the same rows (classical errors).
    func fixedEffectsFit() throws(ModelError) -> FixedEffectsFit {
        let text = frame.formula.text.split(separator: "~", maxSplits: 1)[1]
        let formula: Formula
        do { formula = try Formula("\(frame.formula.response) ~ \(text) | `\(options.unit)`").withPanel(unit: frame.formula.panelUnit) } catch {
            throw .formula(error)
        }
        // (Units seen once are left out of it: they have no within variation, and its
        // coefficients and classical errors are those with them.)
        return try FixedEffectsModel.fit(formula, data: frame.table, options: FixedEffectsOptions(), backend: backend, candidates: frame.rows)
    }
}

/// `M^{-1} g` for a small symmetric (possibly indefinite) `M` by Gaussian elimination with
/// partial pivoting; nil when singular.
func solveSymmetric(_ m: [Double], _ g: [Double], order k: Int) -> [Double]? {
    var a = m, b = g
    for c in 0..<k {
        guard let pivot = (c..<k).max(by: { abs(a[$0 * k + c]) < abs(a[$1 * k + c]) }), a[pivot * k + c] != 0 else { return nil }
        if pivot != c {
            for j in 0..<k { a.swapAt(c * k + j, pivot * k + j) }
            b.swapAt(c, pivot)
        }
        for r in (c + 1)..<k {
            let f = a[r * k + c] / a[c * k + c]
            for j in c..<k { a[r * k + j] -= f * a[c * k + j] }
            b[r] -= f * b[c]
        }
    }
    for r in stride(from: k - 1, through: 0, by: -1) {
        var s = b[r]
        for j in (r + 1)..<k { s -= a[r * k + j] * b[j] }
        b[r] = s / a[r * k + r]
    }
    return b
}

/// A random-effects fit as every consumer sees a fit: its means are the population-average
/// `Z b` (no unit's own effect).
extension RandomEffectsFit: FittedModel {
    public var callDescription: String { "plm(\(frame.formula.text), model = \"random\")" }
    public var coef: [Double] { solution.coefficients }
    public var vcov: Matrix { covariance.matrix }
    public var standardErrorKind: String { covariance.description }
    public var responseKind: ResponseKind { .continuous }
    public var response: [Double] { frame.response }
    public var fitted: [Double] { zip(frame.response, residuals).map { $0 - $1 } }
    public var responseVariances: [Double] { [Double](repeating: unitVariance + idiosyncraticVariance, count: frame.rows.count) }
    public var weights: [Double]? { nil }
    public var offsets: [Double]? { frame.offset }
    public var meanSlopes: [Double] { [Double](repeating: 1, count: frame.rows.count) }
    public var nobs: Int { frame.rows.count }
    /// The coefficients and the two variance components.
    public var dof: Int { solution.rank + 2 }
    public var dofResidual: Int { residualDegreesOfFreedom }
    public var logLikelihood: Double? { nil }
    /// The residual sum of squares of the quasi-demeaned problem.
    public var deviance: Double { solution.residualSumOfSquares }
    /// Of the quasi-demeaned problem.
    public var leverage: [Double] {
        CovarianceEstimator.leverages(transformedDesign, kept: solution.keptColumns, c: solution.keptUnscaledCovariance)
    }
    public var cooksDistance: [Double] {
        let h = leverage, e = solution.residuals, k = Double(solution.rank)
        let s2 = solution.residualSumOfSquares / Double(residualDegreesOfFreedom)
        return h.indices.map { e[$0] * e[$0] / (s2 * k) * h[$0] / ((1 - h[$0]) * (1 - h[$0])) }
    }
    public var residualKinds: [ResidualKind] { [.response, .working] }
    public func residuals(_ kind: ResidualKind) -> [Double]? {
        switch kind {
        case .response: residuals
        case .working: solution.residuals
        default: nil
        }
    }

    public func predictMean(_ data: DataTable?) throws(ModelError) -> MeanPrediction {
        guard let data else { return MeanPrediction(rows: frame.rows, dropped: [], mean: fitted) }
        let (design, rows, dropped) = try frame.design(for: data)
        let offset = frame.offset == nil ? [Double](repeating: 0, count: rows.count) : try frame.offsets(for: data, rows: rows)
        let mean = rows.indices.map { t in
            offset[t] + coef.indices.reduce(0) { coef[$1].isNaN ? $0 : $0 + design[t, $1] * coef[$1] }
        }
        return MeanPrediction(rows: rows, dropped: dropped, mean: mean)
    }

    public func refit(rows: [Int]) throws(ModelError) -> RandomEffectsFit {
        try RandomEffectsModel.fit(frame.formula, data: frame.table, options: options, backend: backend, candidates: rows)
    }

    public func refit(response y: [Double]) throws(ModelError) -> RandomEffectsFit {
        throw .unsupported("refits to a new response (the parametric bootstrap) are not available for random-effects models")
    }
}
