import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// A fitted generalized linear model: coefficients with model-based or robust standard errors,
/// and the statistics of R's `summary.glm` (and `MASS::glm.nb`).
public struct GeneralizedLinearModelFit: Sendable {
    public let frame: ModelFrame
    /// The options the fit was made with (refits use the same).
    public let options: GLMOptions
    let model: FamilyModel
    let glmResponse: GLMResponse
    /// Offsets per used row: the formula's `offset()` terms plus the log exposure.
    public let offset: [Double]
    let result: IRLS.Result
    let thetaFit: ThetaFit?
    /// Cautions about the fit (non-convergence, separation, theta at its limits, R's warnings).
    public let warnings: [String]
    /// Sandwich or cluster-robust covariance when asked for, nil for model-based.
    public let robustCovariance: CovarianceEstimate?

    init(
        frame: ModelFrame, options: GLMOptions, model: FamilyModel, response: GLMResponse, offset: [Double],
        result: IRLS.Result, thetaFit: ThetaFit?, warnings: [String], robustCovariance: CovarianceEstimate?,
        backend: any Backend
    ) {
        self.frame = frame
        self.options = options
        self.model = model
        self.glmResponse = response
        self.offset = offset
        self.result = result
        self.backend = backend
        self.thetaFit = thetaFit
        self.warnings = warnings
        self.robustCovariance = robustCovariance
        observations = response.priorWeights.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
    }

    let backend: any Backend
    let memo = FitMemo()

    /// The deviance of the model with only the intercept (and the offsets), as R's glm reports
    /// it: with offsets it refits that model (from the fitted means; glm.nb from the family's
    /// start), so it is computed when asked for, not during the fit.
    public var nullDeviance: Double { memo.value("null deviance") { computeNullDeviance() } }

    private func computeNullDeviance() -> Double {
        let n = frame.rows.count
        let irls = IRLS(x: Matrix(rows: n, columns: 1, repeating: 1), y: glmResponse.y, priorWeights: glmResponse.priorWeights,
                        offset: offset, model: model, backend: backend, maxIterations: options.maxIterations,
                        rule: options.convergence)
        guard frame.formula.intercept else { return irls.deviance(offset.map { link.mean($0) }) }
        if frame.offset != nil || options.exposure != nil {
            // The intercept alone (at this fit's theta), without a design matrix, where it can be.
            if let null = interceptOnly(estimateTheta: false) { return null.deviance }
            return irls.run(startMu: thetaFit == nil ? result.mu : glmResponse.start(model)).deviance
        }
        let w = glmResponse.priorWeights
        let mean = zip(w, glmResponse.y).reduce(0) { $0 + $1.0 * $1.1 } / w.reduce(0, +)
        return irls.deviance(Array(repeating: mean, count: n))
    }

    /// The family.
    public var family: GLMFamily { model.family }
    /// The link.
    public var link: LinkFunction { model.link }
    public var level: Double { options.level }
    /// Negative binomial theta (estimated or fixed).
    public var theta: Double? { model.theta }
    /// The standard error of an estimated theta.
    public var thetaStandardError: Double? { thetaFit?.standardError }
    /// Negative binomial: the alternations of theta and IRLS after the Poisson start.
    public var alternations: Int? { thetaFit?.alternations }

    public var deviance: Double { result.deviance }
    /// IRLS iterations of the last run (R's `iter`).
    public var iterations: Int { result.iterations }
    /// Whether IRLS (and for the negative binomial the alternation with theta) met the rule.
    public var converged: Bool { result.converged && (thetaFit?.converged ?? true) }
    /// The rule the iterations stopped by.
    public var convergence: ConvergenceRule { options.convergence }
    /// The design's numerical rank.
    public var rank: Int { result.solution.rank }
    /// Rows with a non-zero prior weight (R's `n.ok`, and `nobs`).
    public let observations: Int
    /// Observations less the rank.
    public var residualDegreesOfFreedom: Int { observations - rank }
    /// The null model's degrees of freedom.
    public var nullDegreesOfFreedom: Int { observations - (frame.formula.intercept ? 1 : 0) }
    /// The fitted means.
    public var fitted: [Double] { result.mu }
    /// The linear predictor, offsets included.
    public var linearPredictor: [Double] { result.eta }
    /// The response as fitted (binomial: the proportion of successes).
    public var responseValues: [Double] { glmResponse.y }
    /// The prior weights per used row (binomial: times the trials).
    public var priorWeights: [Double] { glmResponse.priorWeights }
    /// The estimates in design order (NaN for aliased terms).
    public var coefficientEstimates: [Double] { result.coefficients }
    /// The aliased terms' names.
    public var aliased: [String] { result.solution.aliased.map { frame.columnNames[$0] } }

    /// Whether the tests are t (dispersion estimated, model-based or CR2) rather than z.
    var usesT: Bool {
        if case .clusterCR2 = options.standardErrors { return true }
        return robustCovariance == nil && family.estimatesDispersion
    }

    /// The standard errors' estimator, as printed.
    public var standardErrorKind: String {
        if let robust = robustCovariance {
            // sandwich/lmtest and Stata test GLM coefficients against the normal; CR2 uses
            // Satterthwaite t as clubSandwich.
            return robust.description + (options.standardErrors.shortName.hasPrefix("HC") ? "; z tests" : "")
        }
        if family.estimatesDispersion { return "model-based (Pearson dispersion, t tests)" }
        return "model-based (dispersion 1, z tests)"
    }

    /// The dispersion as R's summary.glm takes it: Pearson's statistic (with the last IRLS
    /// step's working weights) over the residual df where it is estimated, else 1.
    public var dispersion: Double {
        guard family.estimatesDispersion else { return 1 }
        var total = 0.0
        for i in glmResponse.y.indices where result.workingWeights[i] > 0 {
            let r = (glmResponse.y[i] - result.mu[i]) / link.derivative(result.eta[i])
            total += result.workingWeights[i] * r * r
        }
        return total / Double(residualDegreesOfFreedom)
    }

    /// Pearson's chi-squared statistic, `sum w (y - mu)^2 / V(mu)`.
    public var pearsonChiSquared: Double {
        var total = 0.0
        for i in glmResponse.y.indices where glmResponse.priorWeights[i] > 0 {
            let r = glmResponse.y[i] - result.mu[i]
            total += glmResponse.priorWeights[i] * r * r / model.variance(result.mu[i])
        }
        return total
    }

    /// The log-likelihood (nil for quasi-Poisson, which has none). Gaussian and Gamma plug in
    /// the ML estimate of the dispersion, as R's `logLik.glm`.
    public var logLikelihood: Double? {
        memo.value("log-likelihood") { logLikelihood(mu: result.mu, deviance: result.deviance, thetaFit: thetaFit) }
    }

    func logLikelihood(mu: [Double], deviance: Double, thetaFit: ThetaFit?) -> Double? {
        guard family.hasLikelihood else { return nil }
        if let thetaFit { return thetaFit.logLikelihood }
        let term = model.aicTerm(y: glmResponse.y, trials: glmResponse.trials, mu: mu, weights: glmResponse.priorWeights, deviance: deviance)
        return (family == .gaussian || family == .gamma ? 1 : 0) - term / 2
    }

    /// Parameters counted by AIC and BIC: the coefficients, plus the dispersion (gaussian,
    /// Gamma) or an estimated theta.
    public var parameters: Int { rank + (family == .gaussian || family == .gamma || thetaFit != nil ? 1 : 0) }

    /// Akaike's criterion, as R's `AIC` (nil without a likelihood).
    public var aic: Double? { logLikelihood.map { -2 * $0 + 2 * Double(parameters) } }
    /// The Bayesian information criterion, as R's `BIC`.
    public var bic: Double? { logLikelihood.map { -2 * $0 + log(Double(observations)) * Double(parameters) } }

    /// The covariance behind the standard errors (design order, NaN for aliased terms).
    public var covariance: Matrix {
        if let robust = robustCovariance { return robust.matrix }
        let phi = dispersion
        return Matrix(rows: frame.columnNames.count, columns: frame.columnNames.count,
                      elements: result.solution.unscaledCovariance.elements.map { $0 * phi })
    }

    /// Coefficient rows: z tests, or t on the residual df where the dispersion is estimated
    /// (Satterthwaite df with CR2), with Wald intervals at ``level``.
    public var coefficients: [CoefficientRow] {
        let v = covariance
        let df = Double(residualDegreesOfFreedom)
        return frame.columnNames.enumerated().map { j, name in
            let b = result.coefficients[j]
            guard !b.isNaN else {
                return CoefficientRow(term: name, estimate: nil, standardError: nil, statistic: nil, pValue: nil,
                                      confidenceLow: nil, confidenceHigh: nil, degreesOfFreedom: nil)
            }
            let se = v[j, j].squareRoot()
            let z = b / se
            let dfj = usesT ? (robustCovariance?.coefficientDegreesOfFreedom?[j] ?? df) : .infinity
            let q = dfj.isFinite ? Distributions.studentTQuantile(1 - (1 - level) / 2, df: dfj)
                : Distributions.normalQuantile(1 - (1 - level) / 2)
            let p = dfj.isFinite ? Distributions.studentTTwoSided(z, df: dfj) : 2 * Distributions.normalSF(abs(z))
            return CoefficientRow(term: name, estimate: b, standardError: se, statistic: z, pValue: p,
                                  confidenceLow: b - q * se, confidenceHigh: b + q * se, degreesOfFreedom: dfj)
        }
    }
}

/// One row's fitted values, residuals and influence, as R's `residuals.glm`, `hatvalues`,
/// `rstandard` and `cooks.distance` give them.
public struct GLMObservation: Sendable {
    /// The table row.
    public let row: Int
    /// The response as fitted.
    public let response: Double
    /// The fitted mean.
    public let fitted: Double
    /// The linear predictor, its offset included.
    public let linearPredictor: Double
    /// `y - mu`.
    public let responseResidual: Double
    /// `(y - mu) sqrt(w / V(mu))`.
    public let pearsonResidual: Double
    /// The signed square root of the row's deviance contribution.
    public let devianceResidual: Double
    /// `(y - mu) / mu'(eta)`.
    public let workingResidual: Double
    /// Diagonal of the hat matrix of the last IRLS step's weighted least squares.
    public let leverage: Double
    /// Deviance residual over `sqrt(dispersion (1 - h))` (R's `rstandard.glm`).
    public let standardizedResidual: Double
    /// `(r_P / (1 - h))^2 h / (dispersion p)` (R's `cooks.distance.glm`).
    public let cooksDistance: Double
}

extension GeneralizedLinearModelFit {
    /// Per-observation output for the rows used (prior weight 0 gives leverage 0, as R).
    public var observationDiagnostics: [GLMObservation] {
        let solution = result.solution
        let design = rowsScaled(frame.design, byRootOf: result.workingWeights)
        let h = CovarianceEstimator.leverages(design, kept: solution.keptColumns, c: solution.keptUnscaledCovariance)
        let phi = dispersion, k = Double(rank)
        return glmResponse.y.indices.map { i in
            let y = glmResponse.y[i], mu = result.mu[i], w = glmResponse.priorWeights[i]
            let e = y - mu
            let pearson = e * (w / model.variance(mu)).squareRoot()
            let unit = max(0, model.devianceContribution(y, mu, w))
            let devianceResidual = (e < 0 ? -1.0 : 1.0) * unit.squareRoot()
            let hi = w > 0 ? h[i] : 0
            return GLMObservation(
                row: frame.rows[i], response: y, fitted: mu, linearPredictor: result.eta[i], responseResidual: e,
                pearsonResidual: pearson, devianceResidual: devianceResidual,
                workingResidual: e / link.derivative(result.eta[i]), leverage: hi,
                standardizedResidual: devianceResidual / (phi * (1 - hi)).squareRoot(),
                cooksDistance: (pearson / (1 - hi)) * (pearson / (1 - hi)) * hi / (phi * k))
        }
    }
}
