import DataTable
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// How to fit a generalized linear model, beyond the formula and the data.
public struct GLMOptions: Sendable {
    /// The family.
    public var family: GLMFamily
    /// nil: the family's default link (R's).
    public var link: LinkFunction?
    /// A column of exposures (e.g. the child population) whose log is added to the offset.
    public var exposure: String?
    /// A column of prior weights (R's `glm(weights =)`; for a binomial proportion, the trials).
    public var weights: String?
    /// Negative binomial: theta fixed by the user; nil estimates it by maximum likelihood.
    public var theta: Double?
    /// The standard errors' estimator.
    public var standardErrors: StandardErrorKind
    /// The intervals' level.
    public var level: Double
    /// IRLS iterations allowed per fit (R's `glm.control(maxit = 25)`); also the limit of the
    /// negative binomial's alternations and of each theta's Newton steps, as in `MASS::glm.nb`.
    public var maxIterations: Int
    /// When iterations stop: at the optimum (the default), or by R's rule.
    public var convergence: ConvergenceRule
    /// Columns that must be present in a row for it to be used (nested comparisons).
    public var alsoRequire: [String]

    /// The options of a fit; R's defaults but the convergence rule (to the optimum).
    public init(
        family: GLMFamily, link: LinkFunction? = nil, exposure: String? = nil, weights: String? = nil,
        theta: Double? = nil, standardErrors: StandardErrorKind = .classical, level: Double = 0.95,
        maxIterations: Int = 25, convergence: ConvergenceRule = .optimum, alsoRequire: [String] = []
    ) {
        self.family = family
        self.link = link
        self.exposure = exposure
        self.weights = weights
        self.theta = theta
        self.standardErrors = standardErrors
        self.level = level
        self.maxIterations = maxIterations
        self.convergence = convergence
        self.alsoRequire = alsoRequire
    }
}

/// Generalized linear models by iteratively reweighted least squares (`IRLS`), replicating
/// R's `glm` and `MASS::glm.nb` so that results agree with R's to its convergence, on the
/// refined least-squares solver.
///
/// ```swift
/// let fit = try GeneralizedLinearModel.fit(
///     Formula("children_looked_after ~ unemployment_rate_pct"), data: table,
///     options: GLMOptions(family: .negbin, exposure: "population_0_15"))
/// ```
public enum GeneralizedLinearModel {
    /// Fits `formula` to `data` (see ``GLMOptions``).
    /// - Throws: ``ModelError`` naming the file, line and column of a response outside the
    ///   family's support, a bad exposure or weight, or an option the family does not take.
    public static func fit(
        _ formula: Formula, data: DataTable, options: GLMOptions, backend: (any Backend)? = nil
    ) throws(ModelError) -> GeneralizedLinearModelFit {
        try fit(formula, data: data, options: options, backend: backend, candidates: nil, start: nil)
    }

    /// A fit to the table rows `candidates` only (nil: all), warm-started from `start` when
    /// given: the means of a fit to more rows, by table row, and its theta.
    static func fit(
        _ formula: Formula, data: DataTable, options: GLMOptions, backend: (any Backend)?, candidates: [Int]?,
        start: (mu: [Int: Double], theta: Double?)?
    ) throws(ModelError) -> GeneralizedLinearModelFit {
        try fit(formula, data: data, options: options, backend: backend, frame: nil, candidates: candidates, start: start)
    }

    /// A fit of `frame` when given (a frame already built, with a new response: a bootstrap
    /// replicate), else of the frame `formula` makes of `data`'s `candidates` rows.
    static func fit(
        _ formula: Formula, data: DataTable, options: GLMOptions, backend: (any Backend)?, frame given: ModelFrame?,
        candidates: [Int]?, start: (mu: [Int: Double], theta: Double?)?
    ) throws(ModelError) -> GeneralizedLinearModelFit {
        let family = options.family
        let link = options.link ?? family.defaultLink
        guard family.links.contains(link) else {
            throw .unsupported("the \(family.rName) family takes the link " + family.links.map(\.rawValue).joined(separator: ", ")
                + "; not \(link.rawValue)")
        }
        if options.theta != nil && family != .negbin { throw .unsupported("a fixed theta is for the negative binomial family") }
        if let theta = options.theta, !(theta > 0 && theta.isFinite) {
            throw .unsupported("theta must be a positive number, not \(theta)")
        }
        if formula.responseFailures != nil && family != .binomial {
            throw .unsupported("a cbind(successes, failures) response is for the binomial family")
        }
        if !formula.fixedEffects.isEmpty {
            throw .unsupported("absorbed fixed effects (after | in the formula) are for least squares so far; "
                + "for a generalized linear model write the factor as a term, factor(la_code)")
        }
        let frame: ModelFrame
        if let given {
            frame = given
        } else {
            frame = try ModelFrame(
                formula: formula, table: data, groupColumn: options.standardErrors.clusterColumn, weightsColumn: options.weights,
                alsoRequire: options.alsoRequire + (options.exposure.map { [$0] } ?? []), candidates: candidates)
        }
        let n = frame.rows.count, p = frame.columnNames.count
        let chosen = try resolveBackend(backend)
        let response = try GLMResponse(frame: frame, family: family, link: link)
        let offset = try frame.offsets(exposure: options.exposure)
        let used = response.priorWeights.filter { $0 > 0 }.count
        if used <= p && p > 0 { throw .tooFewRows(file: data.source, rows: used, coefficients: p, dropped: frame.dropped.count) }
        if let groups = frame.groups, Set(groups).count < 2 {
            throw .tooFewClusters(file: data.source, column: options.standardErrors.clusterColumn ?? "", clusters: Set(groups).count)
        }

        var model = FamilyModel(family: family, link: link, theta: options.theta)
        let workspace = IRLS.Workspace(rows: n, columns: p)
        func irls(_ m: FamilyModel, x: Matrix = frame.design) -> IRLS {
            IRLS(x: x, y: response.y, priorWeights: response.priorWeights, offset: offset, model: m, backend: chosen,
                 maxIterations: options.maxIterations, rule: options.convergence, workspace: x.columns == p ? workspace : nil)
        }
        // A warm start needs a mean for every row used.
        var startMu: [Double]?
        if let start {
            let mu = frame.rows.compactMap { start.mu[$0] }
            if mu.count == n { startMu = mu }
        }
        var main: IRLS.Result
        var thetaFit: ThetaFit?
        if family == .negbin && options.theta == nil {
            let warm = startMu.flatMap { mu in start?.theta.map { (mu: mu, theta: $0) } }
            (main, thetaFit) = fitNegativeBinomial(
                irls: { irls($0) }, y: response.y, weights: response.priorWeights, rule: options.convergence,
                limit: options.maxIterations, start: warm)
            model.theta = thetaFit!.theta
        } else {
            main = irls(model).run(startMu: startMu ?? response.start(model))
        }
        if !main.deviance.isFinite || !main.mu.allSatisfy({ model.isValid(mu: $0) }) {
            throw .unsupported("no valid set of coefficients was found for the \(family.rName) family with the \(link.rawValue) link "
                + "(the fitted means left the family's range); try another link")
        }

        var warnings = response.warnings
        if let message = thetaFit?.warning { warnings.append(message) }
        if !main.converged {
            warnings.append("IRLS did not converge in \(main.iterations) iterations: the deviance stood at "
                + "\(NumberFormatting.short(main.deviance)) and changed by \(NumberFormatting.short(main.lastChange)) in the last one")
        }
        warnings += BoundaryCheck.warnings(frame: frame, response: response, result: main, family: family)
        let robust = try robustCovariance(options.standardErrors, frame: frame, result: main, response: response, model: model)
        return GeneralizedLinearModelFit(
            frame: frame, options: options, model: model, response: response, offset: offset, result: main,
            thetaFit: thetaFit, warnings: warnings, robustCovariance: robust, backend: chosen)
    }

    /// Sandwich and cluster-robust (CR1) estimators on the working problem of the last IRLS
    /// step, as R's sandwich does for glm objects (rows `sqrt(w) x`, residuals
    /// `sqrt(w) (y - mu) / mu'`).
    static func robustCovariance(
        _ kind: StandardErrorKind, frame: ModelFrame, result: IRLS.Result, response: GLMResponse, model: FamilyModel
    ) throws(ModelError) -> CovarianceEstimate? {
        guard kind != .classical else { return nil }
        let n = frame.rows.count
        let used = response.priorWeights.filter { $0 > 0 }.count
        if case .clusterCR2 = kind {
            return CovarianceEstimator.estimate(
                kind, frame: frame, solution: result.solution, design: frame.design, observations: used,
                clusters: frame.groups, cr2Model: cr2Model(frame: frame, result: result, response: response, model: model))
        }
        let w = result.workingWeights
        let design = rowsScaled(frame.design, byRootOf: w)
        let residuals = (0..<n).map { i in
            w[i] > 0 ? w[i].squareRoot() * (response.y[i] - result.mu[i]) / model.link.derivative(result.eta[i]) : 0
        }
        return CovarianceEstimator.estimate(
            kind, frame: frame, solution: result.solution, design: design, observations: used, clusters: frame.groups,
            residuals: residuals, zTests: true)
    }

    /// clubSandwich's working model for a glm: `X` times `mu'(eta)` and `W = w / V(mu)` at the
    /// final means, inverse-variance target, response residuals; its adjustment matrices use
    /// `(X^T W X)^{-1}` at those means, its bread the last IRLS step's.
    static func cr2Model(frame: ModelFrame, result: IRLS.Result, response: GLMResponse, model: FamilyModel)
        -> ClusterCR2.WorkingModel
    {
        let n = frame.rows.count
        let slope = result.eta.map { model.link.derivative($0) }
        var x = frame.design
        for j in 0..<x.columns { for i in 0..<n { x[i, j] *= slope[i] } }
        let w = (0..<n).map { response.priorWeights[$0] / model.variance(result.mu[$0]) }
        let kept = result.solution.keptColumns
        let gram = CovarianceEstimator.gram(x, kept: kept, weights: w)
        return ClusterCR2.WorkingModel(
            x: x, residuals: (0..<n).map { response.y[$0] - result.mu[$0] }, weights: w,
            adjustment: ClusterCR2.matrixPower(gram, -1))
    }

    /// `MASS::glm.nb`: a Poisson fit, theta by ML at its means, then IRLS at fixed theta and theta
    /// again, alternating until the log-likelihood and theta settle by `rule` (at most `limit`
    /// alternations, each theta in at most `limit` Newton steps).
    /// Only the last IRLS run's least-squares problem is refined. A warm `start` (means and theta
    /// of a nearby fit) replaces the Poisson fit by a negative binomial one at that theta.
    static func fitNegativeBinomial(
        irls make: (FamilyModel) -> IRLS, y: [Double], weights: [Double], rule: ConvergenceRule, limit: Int,
        start: (mu: [Double], theta: Double)? = nil
    ) -> (IRLS.Result, ThetaFit) {
        // Every run shares one workspace, so that the last problem can be refined from it.
        var shared: IRLS.Workspace?
        func irls(_ model: FamilyModel) -> IRLS {
            var run = make(model)
            shared = shared ?? run.workspace ?? IRLS.Workspace(rows: run.x.rows, columns: run.x.columns)
            run.workspace = shared
            return run
        }
        // To the optimum, the IRLS runs stop by R's rule until the alternation passes MASS's test;
        // from then on they go to the optimum (the last run, which the fit is taken from, always).
        var lastRunOptimum = rule != .optimum
        func run(_ model: FamilyModel, from mu: [Double], optimum: Bool) -> (IRLS, IRLS.Result) {
            var runner = irls(model)
            if rule == .optimum && !optimum { runner.rule = .deviance(epsilon: 1e-8) }
            lastRunOptimum = rule != .optimum || optimum
            return (runner, runner.run(startMu: mu, refine: false))
        }
        let counts = CountTally(y: y, weights: weights)
        // Warm-started to the optimum, Newton's method in (beta, log theta) finds it in a few
        // passes, and one IRLS run at its theta (already converged) gives the fit.
        let newton = rule == .optimum
            ? start.flatMap { newtonOptimum(make, counts: counts, y: y, weights: weights, start: $0, limit: limit) } : nil
        var last: IRLS, main: IRLS.Result
        if let newton {
            (last, main) = run(FamilyModel(family: .negbin, link: .log, theta: newton.theta), from: newton.mu, optimum: true)
        } else if let start {
            (last, main) = run(FamilyModel(family: .negbin, link: .log, theta: start.theta), from: start.mu, optimum: false)
        } else {
            // The Poisson fit only starts theta and the means: to a loose rule (the alternation refines both).
            var poisson = irls(FamilyModel(family: .poisson, link: .log))
            poisson.rule = .deviance(epsilon: rule == .optimum ? 1e-4 : rule.devianceEpsilon)
            (last, main) = (poisson, poisson.run(startMu: y.map { $0 + 0.1 }, refine: false))
        }
        var mu = main.mu
        var th = thetaML(counts, y: y, weights: weights, mu: mu, rule: rule, limit: limit, start: newton?.theta)
        let d1 = Double(max(1, y.count - main.solution.rank) * 2).squareRoot()
        var del = 1.0, lastDel = Double.infinity
        var lm = negbinLogLikelihood(counts, y: y, weights: weights, mu: mu, theta: th.value), lm0 = lm + 2 * d1
        var alternations = 0
        /// MASS's test; past it, to the optimum, until theta settles (or stops settling: rounding).
        func passed() -> Bool { abs(lm0 - lm) / d1 + abs(del) <= rule.devianceEpsilon }
        func settled() -> Bool {
            guard rule == .optimum, passed() else { return passed() }
            return lastRunOptimum && (abs(del) <= ConvergenceRule.settled * th.value || abs(del) >= lastDel)
        }
        while newton == nil {
            alternations += 1
            guard alternations <= limit && !settled() else { break }
            lastDel = passed() && lastRunOptimum ? abs(del) : .infinity
            (last, main) = run(FamilyModel(family: .negbin, link: .log, theta: th.value), from: mu, optimum: passed())
            let t0 = th.value
            // MASS takes theta at the means before this IRLS run; two runs at one theta then give
            // the same theta, which looks settled though the means moved. To the optimum, theta
            // is taken at the new means.
            if rule == .optimum { mu = main.mu }
            // To the optimum, Newton for theta starts from the last theta (the root is the same, to
            // 1e-12, whatever the start; R's rule stops at 1e-4 and starts where MASS does), unless
            // theta is running to infinity, where only the moment estimate keeps Newton in range.
            let warm = rule == .optimum && th.value.isFinite && th.value < 1e4
            th = thetaML(counts, y: y, weights: weights, mu: mu, rule: rule, limit: limit, start: warm ? th.value : nil)
            mu = main.mu
            del = t0 - th.value
            lm0 = lm
            lm = negbinLogLikelihood(counts, y: y, weights: weights, mu: mu, theta: th.value)
        }
        main = last.refined(main, workspace: shared!)
        var warning = th.warning
        if alternations > limit {
            warning = (warning.map { $0 + "; " } ?? "") + "the theta-IRLS alternation limit (\(limit)) was reached"
        }
        // No overdispersion: theta grows without bound and mu^2 / theta vanishes beside mu.
        let largest = mu.max() ?? 1
        if th.value > 1e4 * max(largest, 1) || th.hitLimit {
            warning = "theta = \(NumberFormatting.short(th.value)) is running to infinity: these data show no overdispersion, "
                + "so the negative binomial reduces to the Poisson; use --family poisson"
        }
        return (main, ThetaFit(theta: th.value, standardError: th.standardError, logLikelihood: lm,
                               alternations: newton != nil ? 1 : min(alternations - 1, limit), converged: alternations <= limit,
                               warning: warning))
    }

    /// The optimum by ``NegativeBinomialNewton`` from a nearby fit's means and theta, the
    /// coefficients taken from the means by least squares on the design (nil where it fails).
    private static func newtonOptimum(
        _ make: (FamilyModel) -> IRLS, counts: CountTally, y: [Double], weights: [Double], start: (mu: [Double], theta: Double),
        limit: Int
    ) -> (mu: [Double], theta: Double)? {
        let probe = make(FamilyModel(family: .negbin, link: .log, theta: start.theta))
        let eta = zip(start.mu, probe.offset).map { log($0) - $1 }
        guard eta.allSatisfy(\.isFinite) else { return nil }
        let fit = LeastSquares.plainWeightedSolve(probe.x, rowScale: weights.map { $0 > 0 ? 1 : 0 }, eta, backend: probe.backend)
        let kept = fit.keptColumns
        return NegativeBinomialNewton(x: probe.x, y: y, weights: weights, offset: probe.offset, counts: counts)
            .run(beta: kept.map { fit.coefficients[$0] }, kept: kept, theta: start.theta, limit: limit)
    }
}

/// Theta of a negative binomial fit and how it was reached.
struct ThetaFit: Sendable {
    var theta: Double
    var standardError: Double
    var logLikelihood: Double
    var alternations: Int
    /// Whether the alternation met its rule within the limit.
    var converged = true
    var warning: String?
}

/// The distinct counts of a response with their total weights: the digamma and log-gamma terms
/// of the negative binomial depend on an observation only through its count, so they are
/// evaluated once per distinct count (a few hundred) rather than once per row.
struct CountTally {
    var values: [Double] = []
    var weights: [Double] = []

    init(y: [Double], weights w: [Double]) {
        // Counts are whole numbers: small ones are tallied by index, without hashing.
        let largest = y.reduce(0.0) { $1.isFinite ? max($0, $1) : $0 }
        let bound = Int(min(Double(1 << 16), largest + 1))
        var small = [Double](repeating: 0, count: bound)
        var index = [Double: Int]()
        for (yi, wi) in zip(y, w) where wi != 0 {
            if yi >= 0 && yi < Double(bound) && yi == yi.rounded(.down) {
                small[Int(yi)] += wi
                continue
            }
            if let k = index[yi] { weights[k] += wi } else {
                index[yi] = values.count
                values.append(yi)
                weights.append(wi)
            }
        }
        for (v, wv) in small.enumerated() where wv != 0 {
            values.append(Double(v))
            weights.append(wv)
        }
    }

    /// `sum_i w_i f(y_i)`.
    func sum(_ f: (Double) -> Double) -> Double {
        var total = 0.0
        for (v, w) in zip(values, weights) { total += w * f(v) }
        return total
    }
}

/// Theta of the negative binomial by maximum likelihood for fixed means, as `MASS::theta.ml`:
/// Newton's method on the score from the moment estimate (or from `start`), at most
/// `limit - 1` steps, stopping when a step is below `eps^(1/4)` (R's rule) or, to the optimum,
/// when it is below 1e-12 of theta or no smaller than the one before; the standard error from
/// the observed information.
func thetaML(
    _ counts: CountTally, y: [Double], weights: [Double], mu: [Double], rule: ConvergenceRule, limit: Int, start: Double? = nil
) -> (value: Double, standardError: Double, warning: String?, hitLimit: Bool) {
    let n = weights.reduce(0, +)
    var t0 = start ?? {
        var moments = 0.0
        for i in y.indices { moments += weights[i] * (y[i] / mu[i] - 1) * (y[i] / mu[i] - 1) }
        return n / moments
    }()
    var del = 1.0, info = 1.0, lastDel = Double.infinity
    var it = 0
    let eps = pow(Double.ulpOfOne, 0.25)
    func settled() -> Bool {
        guard rule == .optimum, abs(del) <= eps else { return abs(del) <= eps }
        return abs(del) <= ConvergenceRule.settled * abs(t0) || abs(del) >= lastDel
    }
    while true {
        it += 1
        guard it < limit && !settled() else { break }
        lastDel = abs(del)
        t0 = abs(t0)
        let th = t0
        let digammaSum: Double = counts.sum { SpecialFunctions.digamma(th + $0) }
        let trigammaSum: Double = counts.sum { SpecialFunctions.trigamma(th + $0) }
        var score = digammaSum + n * (log(th) + 1 - SpecialFunctions.digamma(th))
        info = n * (SpecialFunctions.trigamma(th) - 1 / th) - trigammaSum
        // Both per-row sums in one pass over the rows.
        let (rowScore, rowInfo) = blockSums(y.count) { i in
            guard weights[i] != 0 else { return (0, 0) }
            let s = mu[i] + th, r = (y[i] + th) / s
            return (weights[i] * (log(s) + r), weights[i] * (2 - r) / s)
        }
        score -= rowScore
        info += rowInfo
        del = score / info
        t0 += del
    }
    var warning: String?
    if t0 < 0 {
        t0 = 0
        warning = "theta estimate truncated at zero"
    }
    if it == limit { warning = "theta iteration limit reached" }
    return (t0, (1 / info).squareRoot(), warning, it == limit)
}

/// The negative binomial log-likelihood (as `MASS`'s `loglik`).
func negbinLogLikelihood(_ counts: CountTally, y: [Double], weights: [Double], mu: [Double], theta th: Double) -> Double {
    let gammaTerms: Double = counts.sum { lgamma(th + $0) - lgamma($0 + 1) }
    var total = gammaTerms + weights.reduce(0, +) * (th * log(th) - lgamma(th))
    total += blockSum(y.count) { i in
        weights[i] == 0 ? 0 : weights[i] * ((y[i] > 0 ? y[i] * log(mu[i]) : 0) - (th + y[i]) * log(th + mu[i]))
    }
    return total
}
