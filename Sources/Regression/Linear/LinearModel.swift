#if canImport(Glibc)
import Glibc
#endif
import DataTable
import LinearAlgebra

/// Ordinary least squares on a model frame, with classical inference as R's `summary.lm`
/// gives it.
///
/// ```swift
/// let table = try DataTable.read(path: "longley.csv")
/// let fit = try LinearModel.fit(Formula("y ~ x1 + x2"), data: table)
/// print(fit.coefficients.map(\.estimate))
/// ```
public enum LinearModel {
    /// Fits `formula` to `data`.
    ///
    /// - Parameters:
    ///   - formula: the model formula, as R writes it.
    ///   - data: the table to fit.
    ///   - backend: the linear-algebra backend (default: LAPACK where built in).
    ///   - tolerance: rank tolerance for aliasing (`PivotedQR`); nil for the default.
    ///   - standardErrors: the estimator (default classical); `.cluster(column:)` names the
    ///     column whose values group the rows.
    ///   - level: confidence level of the intervals (default 0.95).
    ///   - weights: a column of weights (nil: unweighted).
    ///   - weightKind: how the weights are read: analytic (inverse-variance) or frequency.
    ///   - alsoRequire: columns that must be present in a row for it to be used.
    /// - Throws: ``ModelError`` naming the file, line and column or the formula position.
    public static func fit(
        _ formula: Formula, data: DataTable, backend: (any Backend)? = nil, tolerance: Double? = nil,
        standardErrors: StandardErrorKind = .classical, level: Double = 0.95, weights: String? = nil,
        weightKind: WeightKind = .analytic, alsoRequire: [String] = []
    ) throws(ModelError) -> LinearModelFit {
        let options = LinearModelOptions(
            tolerance: tolerance, standardErrors: standardErrors, level: level, weights: weights, weightKind: weightKind,
            alsoRequire: alsoRequire)
        return try fit(formula, data: data, options: options, backend: backend)
    }

    /// Fits `formula` to `data` with `options`, on the table rows `candidates` only when given
    /// (``ModelFrame/init(formula:table:groupColumn:weightsColumn:alsoRequire:candidates:)``).
    public static func fit(
        _ formula: Formula, data: DataTable, options: LinearModelOptions, backend: (any Backend)? = nil,
        candidates: [Int]? = nil
    ) throws(ModelError) -> LinearModelFit {
        try fit(formula, data: data, options: options, backend: backend, frame: nil, candidates: candidates)
    }

    /// A fit of `frame` when given (a frame already built, with a new response), else of the
    /// frame `formula` makes of `data`'s `candidates` rows.
    static func fit(
        _ formula: Formula, data: DataTable, options: LinearModelOptions, backend: (any Backend)?, frame given: ModelFrame?,
        candidates: [Int]?
    ) throws(ModelError) -> LinearModelFit {
        let (standardErrors, weights, weightKind) = (options.standardErrors, options.weights, options.weightKind)
        let groupColumn = standardErrors.clusterColumn
        let frame: ModelFrame
        if let given {
            frame = given
        } else {
            frame = try ModelFrame(
                formula: formula, table: data, groupColumn: groupColumn, weightsColumn: weights,
                alsoRequire: options.alsoRequire, candidates: candidates)
        }
        if formula.responseFailures != nil {
            throw .unsupported("a cbind(successes, failures) response is for --family binomial")
        }
        if !formula.fixedEffects.isEmpty {
            throw .unsupported("a formula with absorbed fixed effects (after |) is fitted by FixedEffectsModel")
        }
        if weightKind == .frequency, let w = frame.weights, let bad = w.firstIndex(where: { $0 != $0.rounded() }) {
            throw .badFrequencyWeight(data.location(row: frame.rows[bad], column: weights ?? ""), value: w[bad])
        }
        let n = frame.rows.count, p = frame.columnNames.count
        if p == 0 { throw .formula(FormulaError(text: formula.text, position: 1, message: "the model has no terms and no intercept")) }
        if n == 0 { throw .tooFewRows(file: data.source, rows: 0, coefficients: p, dropped: frame.dropped.count) }
        let chosen = try resolveBackend(backend)
        // Weighted least squares solves the working problem sqrt(w) y ~ sqrt(w) X.
        let working = frame.workingProblem
        let solution = LeastSquares.solve(working.design, working.response, backend: chosen, tolerance: options.tolerance)
        let used = LinearModelFit.observations(frame, weightKind)
        if used <= solution.rank {
            throw .tooFewRows(file: data.source, rows: n, coefficients: p, dropped: frame.dropped.count)
        }
        if let groups = frame.groups, Set(groups).count < 2 {
            throw .tooFewClusters(file: data.source, column: groupColumn ?? "", clusters: Set(groups).count)
        }
        // clubSandwich's CR2 for weighted lm: X unweighted, W the weights, target variance 1
        // (not inverse variance), residuals y - X b. Frequency weights: the unweighted form of
        // the working problem, which is CR2 of the data with each row repeated w times.
        let cr2Model = frame.weights.flatMap { w in weightKind == .frequency ? nil :
            ClusterCR2.WorkingModel(
                x: frame.design, residuals: w.indices.map { w[$0] > 0 ? solution.residuals[$0] / w[$0].squareRoot() : 0 },
                weights: w, target: [Double](repeating: 1, count: w.count))
        }
        let covariance = CovarianceEstimator.estimate(
            standardErrors, frame: frame, solution: solution, design: working.design, observations: used,
            clusters: frame.groups, cr2Model: cr2Model, frequencyWeights: weightKind == .frequency ? frame.weights : nil)
        return LinearModelFit(
            frame: frame, solution: solution, workingDesign: working.design, covariance: covariance, options: options,
            backend: chosen)
    }
}

/// A fitted linear model: coefficients, their classical standard errors, and fit statistics.
public struct LinearModelFit: Sendable {
    public let frame: ModelFrame
    /// The least-squares solution of the working problem (weighted by `sqrt(w)` for WLS).
    public let solution: LeastSquaresSolution
    /// The design of the working problem: `sqrt(w) X` for WLS, `X` otherwise.
    public let workingDesign: Matrix
    /// The coefficient covariance behind the standard errors.
    public let covariance: CovarianceEstimate
    /// How the model was fitted (refits use the same).
    public let options: LinearModelOptions
    let backend: any Backend

    /// Confidence level of the intervals.
    public var level: Double { options.level }
    /// How the weights, if any, are read.
    public var weightKind: WeightKind { options.weightKind }

    /// The name of the standard-error estimator, printed beside every table.
    public var standardErrorKind: String { covariance.description }

    /// Observations used: with analytic weights those of non-zero weight, as R counts them; with
    /// frequency weights the sum of the weights.
    public var observations: Int { Self.observations(frame, weightKind) }

    static func observations(_ frame: ModelFrame, _ kind: WeightKind) -> Int {
        guard let weights = frame.weights else { return frame.rows.count }
        return kind == .frequency ? Int(compensatedSum(weights)) : weights.filter { $0 > 0 }.count
    }
    /// The design's numerical rank.
    public var rank: Int { solution.rank }
    /// Observations less the rank.
    public var residualDegreesOfFreedom: Int { observations - rank }
    /// Residuals of the working problem: `sqrt(w) e` for WLS (R's weighted residuals), `e` otherwise.
    public var workingResiduals: [Double] { solution.residuals }
    /// `y - X b`, unweighted (R's `residuals()`).
    public var residuals: [Double] {
        guard let w = frame.weights else { return solution.residuals }
        let b = solution.coefficients.map { $0.isNaN ? 0 : $0 }
        return w.indices.map { i in
            if w[i] > 0 { return solution.residuals[i] / w[i].squareRoot() }
            var fit = frame.offset?[i] ?? 0
            for j in b.indices where b[j] != 0 { fit += frame.design[i, j] * b[j] }
            return frame.response[i] - fit
        }
    }
    public var fitted: [Double] { zip(frame.response, residuals).map { $0 - $1 } }
    /// The (weighted) residual sum of squares.
    public var residualSumOfSquares: Double { solution.residualSumOfSquares }
    /// A description of the weights, printed with the results.
    public var weightsDescription: String? {
        guard frame.weights != nil else { return nil }
        switch weightKind {
        case .analytic: return "analytic (inverse-variance) weights, as R's lm: they scale each row's variance, not its count"
        case .frequency: return "frequency weights: each row counts as that many identical observations (n is their sum)"
        }
    }
    /// The residual standard error, sigma.
    public var sigma: Double { (residualSumOfSquares / Double(residualDegreesOfFreedom)).squareRoot() }
    /// Names of aliased terms, in design order.
    public var aliased: [String] { solution.aliased.map { frame.columnNames[$0] } }
    /// Whether the formula keeps the intercept.
    public var hasIntercept: Bool { frame.formula.intercept }

    /// The coefficient table in design order; aliased terms have nil entries.
    public var coefficients: [CoefficientRow] {
        CoefficientRow.tTable(names: frame.columnNames, estimates: solution.coefficients, covariance: covariance, level: level)
    }

    /// The (weighted) sum of squares the model explains, as R's `summary.lm` computes it: of the
    /// fitted values less any offset, about their (weighted) mean with an intercept, about zero
    /// without.
    public var modelSumOfSquares: Double {
        let f = zip(fitted, frame.offset ?? [Double](repeating: 0, count: fitted.count)).map { $0 - $1 }
        let w = frame.weights ?? [Double](repeating: 1, count: f.count)
        let mean = hasIntercept ? compensatedSum(zip(w, f).map { $0 * $1 }) / compensatedSum(w) : 0
        return compensatedSum(zip(w, f).map { $0 * ($1 - mean) * ($1 - mean) })
    }

    /// `mss / (mss + rss)`, as R (with an offset, the share of `y - offset` explained).
    public var rSquared: Double {
        let mss = modelSumOfSquares
        return mss / (mss + residualSumOfSquares)
    }

    /// R-squared adjusted for the degrees of freedom.
    public var adjustedRSquared: Double {
        let n = Double(observations), df = Double(residualDegreesOfFreedom)
        return 1 - (1 - rSquared) * ((n - (hasIntercept ? 1 : 0)) / df)
    }

    /// The overall F test against the intercept-only model (or the empty model without one).
    public var fStatistic: (value: Double, numeratorDF: Int, denominatorDF: Int, pValue: Double)? {
        let numerator = rank - (hasIntercept ? 1 : 0)
        guard numerator > 0 else { return nil }
        let f = (modelSumOfSquares / Double(numerator)) / (sigma * sigma)
        return (f, numerator, residualDegreesOfFreedom,
                Distributions.fUpperTail(f, d1: Double(numerator), d2: Double(residualDegreesOfFreedom)))
    }

    /// The Gaussian log-likelihood at the ML variance, as R's `logLik.lm` (never nil: the
    /// optional is ``FittedModel``'s, for models that have none).
    public var logLikelihood: Double? { gaussianLogLikelihood }

    var gaussianLogLikelihood: Double {
        let n = Double(observations)
        let perObservation: Double = log(2 * Double.pi) + log(residualSumOfSquares / n) + 1
        // Analytic weights enter the Gaussian density; frequency weights only count rows.
        let logWeights = weightKind == .frequency ? 0 : frame.weights.map { w in w.filter { $0 > 0 }.reduce(0) { $0 + log($1) } } ?? 0
        return 0.5 * logWeights - n / 2 * perObservation
    }

    /// AIC with the variance counted as a parameter, as R's `AIC`.
    public var aic: Double { -2 * gaussianLogLikelihood + 2 * Double(rank + 1) }
    /// BIC, as R's `BIC`.
    public var bic: Double { -2 * gaussianLogLikelihood + log(Double(observations)) * Double(rank + 1) }
}
