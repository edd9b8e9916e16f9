import DataTable
import LinearAlgebra

/// How to fit the between estimator of a panel, as plm's `plm(model = "between")`: least
/// squares of each unit's mean response on its mean regressors, one row per unit.
public struct BetweenOptions: ModelSpecification {
    /// The panel's unit column.
    public var unit: String
    /// Confidence level of the intervals.
    public var level: Double
    /// Columns that must be present in a row for it to be used.
    public var alsoRequire: [String]

    /// Options for the units of `unit` and 95% intervals unless told otherwise.
    public init(unit: String, level: Double = 0.95, alsoRequire: [String] = []) {
        self.unit = unit
        self.level = level
        self.alsoRequire = alsoRequire
    }

    public var columns: [String] { [unit] }

    public func fit(_ formula: Formula, data: DataTable, backend: (any Backend)?) throws(ModelError) -> BetweenFit {
        try BetweenModel.fit(formula, data: data, options: self, backend: backend)
    }
}

/// The between estimator: the unit means of the response and of every design column (over the
/// rows used), least squares with classical errors on `N - k` degrees of freedom (N units).
public enum BetweenModel {
    /// Fits `formula` to `data` (on table rows `candidates` when given), the units those of `options.unit`.
    public static func fit(
        _ formula: Formula, data: DataTable, options: BetweenOptions, backend: (any Backend)? = nil, candidates: [Int]? = nil
    ) throws(ModelError) -> BetweenFit {
        if !formula.fixedEffects.isEmpty { throw .unsupported("the between estimator takes no absorbed factors (after |)") }
        if formula.responseFailures != nil { throw .unsupported("a cbind(successes, failures) response is for --family binomial") }
        let frame = try ModelFrame(
            formula: formula.withPanel(unit: formula.panelUnit ?? options.unit), table: data,
            alsoRequire: [options.unit] + options.alsoRequire, candidates: candidates)
        let chosen = try resolveBackend(backend)
        let column: Column
        do { column = try data.column(named: options.unit) } catch { throw .data(error) }
        let encoded = AbsorbedFactors.encode(column, rows: frame.rows)
        let unit = AbsorbedFactor(name: options.unit, levels: encoded.levels, codes: encoded.codes)
        let n = frame.rows.count, p = frame.columnNames.count, units = unit.levels.count
        let counts = unit.counts.map(Double.init)
        var means = Matrix(rows: units, columns: p), yMeans = [Double](repeating: 0, count: units)
        for i in 0..<n {
            let g = Int(unit.codes[i])
            yMeans[g] += frame.response[i] / counts[g]
            for j in 0..<p { means[g, j] += frame.design[i, j] / counts[g] }
        }
        let solution = LeastSquares.solve(means, yMeans, backend: chosen)
        guard units > solution.rank else {
            throw .tooFewRows(file: data.source, rows: units, coefficients: p, dropped: frame.dropped.count)
        }
        let covariance = try PanelCovariance.estimate(PanelCovariance.Inputs(
            kind: .classical, convention: .plm, observations: units, absorbedDOF: 0, factors: [], solution: solution,
            workingDesign: means, clusterLabels: [], source: data.source))
        return BetweenFit(frame: frame, options: options, unit: unit, solution: solution, unitMeans: means, unitResponse: yMeans,
                          covariance: covariance, backend: chosen)
    }
}

/// A fitted between estimator. Its observations are the units; per-row vectors (``fitted``,
/// residuals) give each row its unit's value.
public struct BetweenFit: Sendable {
    /// The formula applied to the data (the rows, before averaging).
    public let frame: ModelFrame
    /// How the model was fitted.
    public let options: BetweenOptions
    /// The unit factor over the rows used.
    public let unit: AbsorbedFactor
    /// Least squares on the unit means.
    public let solution: LeastSquaresSolution
    /// The unit means of the design (one row per unit, in the order of ``unit``'s levels) and of the response.
    public let unitMeans: Matrix
    /// Each unit's mean response.
    public let unitResponse: [Double]
    /// The coefficient covariance (classical).
    public let covariance: CovarianceEstimate
    let backend: any Backend

    /// The coefficient table.
    public var coefficients: [CoefficientRow] {
        CoefficientRow.tTable(names: frame.columnNames, estimates: solution.coefficients, covariance: covariance, level: options.level)
    }
    /// Units less the coefficients' rank.
    public var residualDegreesOfFreedom: Int { unit.levels.count - solution.rank }
    /// The residual standard error of the unit-means regression.
    public var sigma: Double { (solution.residualSumOfSquares / Double(residualDegreesOfFreedom)).squareRoot() }
    /// Each unit's fitted mean.
    var unitFitted: [Double] { zip(unitResponse, solution.residuals).map { $0 - $1 } }
}

/// The between estimator as every consumer sees a fit: each row carries its unit's fitted mean.
extension BetweenFit: FittedModel {
    public var callDescription: String { "plm(\(frame.formula.text), model = \"between\")" }
    public var coef: [Double] { solution.coefficients }
    public var vcov: Matrix { covariance.matrix }
    public var standardErrorKind: String { covariance.description }
    public var level: Double { options.level }
    public var responseKind: ResponseKind { .continuous }
    public var response: [Double] { frame.response }
    public var fitted: [Double] { let f = unitFitted; return unit.codes.map { f[Int($0)] } }
    public var responseVariances: [Double] { [Double](repeating: sigma * sigma, count: frame.rows.count) }
    public var weights: [Double]? { nil }
    public var offsets: [Double]? { frame.offset }
    public var meanSlopes: [Double] { [Double](repeating: 1, count: frame.rows.count) }
    /// The units.
    public var nobs: Int { unit.levels.count }
    public var dof: Int { solution.rank + 1 }
    public var dofResidual: Int { residualDegreesOfFreedom }
    public var logLikelihood: Double? { nil }
    public var deviance: Double { solution.residualSumOfSquares }
    /// Each row's unit's leverage in the unit-means regression.
    public var leverage: [Double] {
        let h = CovarianceEstimator.leverages(unitMeans, kept: solution.keptColumns, c: solution.keptUnscaledCovariance)
        return unit.codes.map { h[Int($0)] }
    }
    public var cooksDistance: [Double] {
        let h = CovarianceEstimator.leverages(unitMeans, kept: solution.keptColumns, c: solution.keptUnscaledCovariance)
        let e = solution.residuals, s2 = sigma * sigma, k = Double(solution.rank)
        return unit.codes.map { g in
            let i = Int(g)
            return e[i] * e[i] / (s2 * k) * h[i] / ((1 - h[i]) * (1 - h[i]))
        }
    }
    public var residualKinds: [ResidualKind] { [.response] }
    /// `y - (the unit's fitted mean)`.
    public func residuals(_ kind: ResidualKind) -> [Double]? {
        kind == .response ? zip(frame.response, fitted).map { $0 - $1 } : nil
    }

    public func predictMean(_ data: DataTable?) throws(ModelError) -> MeanPrediction {
        guard let data else { return MeanPrediction(rows: frame.rows, dropped: [], mean: fitted) }
        let (design, rows, dropped) = try frame.design(for: data)
        let mean = rows.indices.map { t in coef.indices.reduce(0) { coef[$1].isNaN ? $0 : $0 + design[t, $1] * coef[$1] } }
        return MeanPrediction(rows: rows, dropped: dropped, mean: mean)
    }

    public func refit(rows: [Int]) throws(ModelError) -> BetweenFit {
        try BetweenModel.fit(frame.formula, data: frame.table, options: options, backend: backend, candidates: rows)
    }

    public func refit(response y: [Double]) throws(ModelError) -> BetweenFit {
        throw .unsupported("refits to a new response (the parametric bootstrap) are not available for the between estimator")
    }
}
