import DataTable
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// Families of count models fitted so far (log link).
public enum CountFamily: String, Sendable, CaseIterable {
    /// Poisson, dispersion fixed at 1: z tests.
    case poisson
    /// Poisson mean and variance function with the dispersion estimated from Pearson's
    /// statistic: t tests, no likelihood (R's `quasipoisson`).
    case quasipoisson
    /// Negative binomial (NB2, variance `mu + mu^2 / theta`) with theta estimated by maximum
    /// likelihood, alternating with IRLS exactly as `MASS::glm.nb` does: z tests.
    case negbin
}

/// Generalized linear models by iteratively reweighted least squares, replicating R's
/// `glm.fit` step for step (start `mu = y + 0.1`; convergence when the deviance changes by less
/// than `1e-8 * (|deviance| + 0.1)`, at most 25 iterations; the step is halved while the
/// deviance is not finite or rises) so that results agree with R's to its convergence, on the
/// refined least-squares solver.
public enum GeneralizedLinearModel {
    /// Fits a log-link count model. `exposure` names a column whose log is added to the offset.
    public static func fit(
        _ formula: Formula, data: DataTable, family: CountFamily, exposure: String? = nil,
        backend: (any Backend)? = nil, level: Double = 0.95, standardErrors: StandardErrorKind = .classical
    ) throws(ModelError) -> GeneralizedLinearModelFit {
        if case .clusterCR2 = standardErrors { throw .unsupported("CR2 standard errors for count models are not available yet; use --se cluster (CR1)") }
        let frame = try ModelFrame(
            formula: formula, table: data, groupColumn: standardErrors.clusterColumn, alsoRequire: exposure.map { [$0] } ?? [])
        let n = frame.rows.count, p = frame.columnNames.count
        let chosen = try resolveBackend(backend)
        let y = frame.response
        for (i, v) in y.enumerated() where v < 0 || v != v.rounded() {
            throw .badResponse(frame.table.location(row: frame.rows[i], column: formula.response), value: v,
                               reason: "a count must be a whole number of at least 0")
        }
        var offset = frame.offset ?? [Double](repeating: 0, count: n)
        if let exposure {
            let column: Column
            do { column = try data.column(named: exposure) } catch { throw .data(error) }
            for (k, row) in frame.rows.enumerated() {
                let e = column.kind == .numeric ? column.numbers[row] : .nan
                guard e > 0 && e.isFinite else {
                    throw .badResponse(data.location(row: row, column: exposure), value: e, reason: "exposure must be positive")
                }
                offset[k] += log(e)
            }
        }
        if n <= p { throw .tooFewRows(file: data.source, rows: n, coefficients: p, dropped: frame.dropped.count) }
        let irls = IRLS(x: frame.design, y: y, offset: offset, backend: chosen)
        var main = irls.run(startMu: y.map { $0 + 0.1 })
        var theta: (value: Double, standardError: Double, logLikelihood: Double, alternations: Int, warning: String?)?
        if family == .negbin {
            // MASS::glm.nb: Poisson start, then alternate theta by ML and IRLS at fixed theta.
            var mu = main.mu
            var th = thetaML(y, mu)
            let d1 = Double(max(1, n - main.solution.rank) * 2).squareRoot()
            var del = 1.0
            var lm = negbinLogLikelihood(y, mu, th.value), lm0 = lm + 2 * d1
            var alternations = 0
            while true {
                alternations += 1
                guard alternations <= 25 && (abs(lm0 - lm) / d1 + abs(del)) > 1e-8 else { break }
                main = IRLS(x: frame.design, y: y, offset: offset, backend: chosen, theta: th.value).run(startMu: mu)
                let t0 = th.value
                th = thetaML(y, mu)
                mu = main.mu
                del = t0 - th.value
                lm0 = lm
                lm = negbinLogLikelihood(y, mu, th.value)
            }
            let warning = alternations > 25 ? "alternation limit reached" : th.warning
            theta = (th.value, th.standardError, lm, min(alternations - 1, 25), warning)
        }
        // Null deviance: R refits the intercept-only model when there is an offset.
        let nullDeviance: Double
        let final = IRLS(x: frame.design, y: y, offset: offset, backend: chosen, theta: theta?.value)
        if formula.intercept {
            if frame.offset != nil || exposure != nil {
                let ones = Matrix(rows: n, columns: 1, repeating: 1)
                let null = IRLS(x: ones, y: y, offset: offset, backend: chosen, theta: theta?.value)
                // glm.nb refits from the family's own start; glm from the fitted means.
                nullDeviance = null.run(startMu: theta == nil ? main.mu : y.map { $0 + ($0 == 0 ? 1.0 / 6 : 0) }).deviance
            } else {
                let mean = y.reduce(0, +) / Double(n)
                nullDeviance = final.deviance(Array(repeating: mean, count: n))
            }
        } else {
            nullDeviance = final.deviance(offset.map { exp($0) })
        }
        // Sandwich estimators on the working problem of the last IRLS step, as R's sandwich does
        // for glm objects: rows sqrt(w) x, residuals sqrt(w) (y - mu) / mu.
        var robust: CovarianceEstimate?
        if standardErrors != .classical {
            let root = main.lastWeights.map { $0.squareRoot() }
            var design = frame.design
            for j in 0..<p { for i in 0..<n { design[i, j] *= root[i] } }
            let residuals = (0..<n).map { root[$0] * (y[$0] - main.mu[$0]) / main.mu[$0] }
            robust = CovarianceEstimator.estimate(
                standardErrors, frame: frame, solution: main.solution, design: design, observations: n,
                clusters: frame.groups, residuals: residuals)
        }
        return GeneralizedLinearModelFit(
            frame: frame, family: family, offset: offset, result: main, nullDeviance: nullDeviance, level: level,
            theta: theta?.value, thetaStandardError: theta?.standardError, negbinLogLikelihood: theta?.logLikelihood,
            alternations: theta?.alternations, warning: theta?.warning ?? (main.converged ? nil : "IRLS did not converge"),
            robustCovariance: robust)
    }
}

/// Theta of the negative binomial by maximum likelihood for fixed means, as `MASS::theta.ml`:
/// Newton's method on the score from the moment estimate, at most 24 steps, stopping when a step
/// is below `eps^(1/4)`; the standard error from the observed information.
func thetaML(_ y: [Double], _ mu: [Double]) -> (value: Double, standardError: Double, warning: String?) {
    let n = Double(y.count)
    var t0 = n / zip(y, mu).reduce(0) { $0 + ($1.0 / $1.1 - 1) * ($1.0 / $1.1 - 1) }
    var del = 1.0, info = 1.0
    var it = 0
    let eps = pow(Double.ulpOfOne, 0.25)
    while true {
        it += 1
        guard it < 25 && abs(del) > eps else { break }
        t0 = abs(t0)
        var score = 0.0
        info = 0
        for (yi, mi) in zip(y, mu) {
            score += SpecialFunctions.digamma(t0 + yi) - SpecialFunctions.digamma(t0) + log(t0) + 1 - log(t0 + mi) - (yi + t0) / (mi + t0)
            info += -SpecialFunctions.trigamma(t0 + yi) + SpecialFunctions.trigamma(t0) - 1 / t0 + 2 / (mi + t0)
                - (yi + t0) / ((mi + t0) * (mi + t0))
        }
        del = score / info
        t0 += del
    }
    var warning: String?
    if t0 < 0 {
        t0 = 0
        warning = "theta estimate truncated at zero"
    }
    if it == 25 { warning = "theta iteration limit reached: theta may be running to infinity (no overdispersion); consider --family poisson" }
    return (t0, (1 / info).squareRoot(), warning)
}

/// The negative binomial log-likelihood (as `MASS`'s `loglik`).
func negbinLogLikelihood(_ y: [Double], _ mu: [Double], _ th: Double) -> Double {
    var total = 0.0
    for (yi, mi) in zip(y, mu) {
        total += lgamma(th + yi) - lgamma(th) - lgamma(yi + 1) + th * log(th) + yi * log(mi + (yi == 0 ? 1 : 0))
            - (th + yi) * log(th + mi)
    }
    return total
}

/// The IRLS iteration of a log-link model with variance function `variance(mu)` (Poisson:
/// `mu`; negative binomial: `mu + mu^2 / theta`).
struct IRLS {
    let x: Matrix
    let y: [Double]
    let offset: [Double]
    let backend: any Backend
    /// Negative binomial theta; nil for Poisson.
    var theta: Double? = nil

    init(x: Matrix, y: [Double], offset: [Double], backend: any Backend, theta: Double? = nil) {
        self.x = x
        self.y = y
        self.offset = offset
        self.backend = backend
        self.theta = theta
    }

    func deviance(_ mu: [Double]) -> Double {
        guard let theta else { return IRLS.deviance(y, mu) }
        var total = 0.0
        for (yi, mi) in zip(y, mu) {
            total += 2 * (yi * log(max(1, yi) / mi) - (yi + theta) * log((yi + theta) / (mi + theta)))
        }
        return total
    }

    struct Result {
        var solution: LeastSquaresSolution  // of the last weighted least-squares step
        var coefficients: [Double]
        var eta: [Double], mu: [Double]
        var lastWeights: [Double]  // working weights of the last step (w^2 in glm.fit)
        var deviance: Double
        var iterations: Int
        var converged: Bool
    }

    static func deviance(_ y: [Double], _ mu: [Double]) -> Double {
        var total = 0.0
        for (yi, mi) in zip(y, mu) { total += 2 * ((yi > 0 ? yi * log(yi / mi) : 0) - (yi - mi)) }
        return total
    }

    /// Runs from the given starting means (R's `mustart`, or `linkinv(etastart)`).
    func run(startMu: [Double]) -> Result {
        let n = y.count, p = x.columns
        var mu = startMu
        var eta = mu.map { log($0) }
        var devOld = deviance(mu)
        var solution: LeastSquaresSolution?
        var coefficients = [Double](repeating: 0, count: p)
        var weights = [Double](repeating: 0, count: n)
        var converged = false
        var iterations = 0
        for iteration in 1...25 {
            iterations = iteration
            // Working response and weights for the log link: z = eta - offset + (y - mu)/mu,
            // w = mu^2 / variance(mu).
            let z = (0..<n).map { eta[$0] - offset[$0] + (y[$0] - mu[$0]) / mu[$0] }
            weights = theta.map { th in mu.map { $0 * $0 / ($0 + $0 * $0 / th) } } ?? mu
            let root = weights.map { $0.squareRoot() }
            var xw = x
            for j in 0..<p { for i in 0..<n { xw[i, j] *= root[i] } }
            let step = LeastSquares.solve(xw, zip(root, z).map { $0 * $1 }, backend: backend)
            var next = step.coefficients.map { $0.isNaN ? 0 : $0 }
            var newEta = linearPredictor(next), newMu = newEta.map { exp($0) }
            var dev = deviance(newMu)
            // Step-halving while the deviance is not finite or rises.
            var halvings = 0
            while (!dev.isFinite || dev > devOld + 1e-8 * abs(devOld)) && iteration > 1 && halvings < 30 {
                next = zip(next, coefficients).map { ($0 + $1) / 2 }
                newEta = linearPredictor(next)
                newMu = newEta.map { exp($0) }
                dev = deviance(newMu)
                halvings += 1
            }
            solution = step
            coefficients = next
            eta = newEta
            mu = newMu
            if abs(dev - devOld) / (abs(dev) + 0.1) < 1e-8 {
                converged = true
                devOld = dev
                break
            }
            devOld = dev
        }
        let final = solution!
        return Result(
            solution: final, coefficients: zip(coefficients, final.coefficients).map { $1.isNaN ? .nan : $0 },
            eta: eta, mu: mu, lastWeights: weights, deviance: devOld, iterations: iterations, converged: converged)
    }

    private func linearPredictor(_ b: [Double]) -> [Double] {
        var eta = offset
        for j in 0..<x.columns where b[j] != 0 {
            for i in 0..<x.rows { eta[i] += x[i, j] * b[j] }
        }
        return eta
    }
}

/// A fitted count model.
public struct GeneralizedLinearModelFit: Sendable {
    public let frame: ModelFrame
    public let family: CountFamily
    public let offset: [Double]
    let result: IRLS.Result
    public let nullDeviance: Double
    public let level: Double
    /// Negative binomial: theta, its standard error, the log-likelihood, and the alternations
    /// (IRLS refits at updated theta after the Poisson start).
    public let theta: Double?
    public let thetaStandardError: Double?
    let negbinLogLikelihood: Double?
    public let alternations: Int?
    /// A caution about the fit, if any (non-convergence, theta at its limits).
    public let warning: String?
    /// Sandwich or cluster-robust covariance when asked for (z tests then), nil for model-based.
    public let robustCovariance: CovarianceEstimate?

    /// The standard errors' estimator, as printed.
    public var standardErrorKind: String {
        robustCovariance.map { $0.description + "; z tests" }
            ?? "model-based (" + (family == .quasipoisson ? "Pearson dispersion, t tests" : "dispersion 1, z tests") + ")"
    }

    public var deviance: Double { result.deviance }
    public var iterations: Int { result.iterations }
    public var converged: Bool { result.converged }
    public var rank: Int { result.solution.rank }
    public var observations: Int { frame.rows.count }
    public var residualDegreesOfFreedom: Int { observations - rank }
    public var nullDegreesOfFreedom: Int { observations - (frame.formula.intercept ? 1 : 0) }
    public var fitted: [Double] { result.mu }
    public var aliased: [String] { result.solution.aliased.map { frame.columnNames[$0] } }

    /// Pearson-type dispersion as R's summary.glm computes it (1 for Poisson).
    public var dispersion: Double {
        guard family == .quasipoisson else { return 1 }
        let y = frame.response, mu = result.mu, w = result.lastWeights
        var total = 0.0
        for i in y.indices {
            let r = (y[i] - mu[i]) / mu[i]
            total += w[i] * r * r
        }
        return total / Double(residualDegreesOfFreedom)
    }

    /// Poisson log-likelihood (nil for quasi-Poisson, which has none).
    public var logLikelihood: Double? {
        if family == .negbin { return negbinLogLikelihood }
        guard family == .poisson else { return nil }
        return zip(frame.response, result.mu).reduce(0) { $0 + $1.0 * log($1.1) - $1.1 - lgamma($1.0 + 1) }
    }

    /// AIC; for the negative binomial theta counts as a parameter (as MASS).
    public var aic: Double? { logLikelihood.map { -2 * $0 + 2 * Double(rank) + (family == .negbin ? 2 : 0) } }

    /// Coefficient rows: z tests for Poisson, t tests (residual df) for quasi-Poisson.
    public var coefficients: [CoefficientRow] {
        let phi = dispersion, df = Double(residualDegreesOfFreedom)
        let useT = family == .quasipoisson && robustCovariance == nil
        let q = useT ? Distributions.studentTQuantile(1 - (1 - level) / 2, df: df) : Distributions.normalQuantile(1 - (1 - level) / 2)
        return frame.columnNames.enumerated().map { j, name in
            let b = result.coefficients[j]
            guard !b.isNaN else {
                return CoefficientRow(term: name, estimate: nil, standardError: nil, statistic: nil, pValue: nil,
                                      confidenceLow: nil, confidenceHigh: nil, degreesOfFreedom: nil)
            }
            let se = robustCovariance.map { $0.matrix[j, j].squareRoot() } ?? (phi * result.solution.unscaledCovariance[j, j]).squareRoot()
            let z = b / se
            let p = useT ? Distributions.studentTTwoSided(z, df: df) : 2 * Distributions.normalSF(abs(z))
            return CoefficientRow(term: name, estimate: b, standardError: se, statistic: z, pValue: p,
                                  confidenceLow: b - q * se, confidenceHigh: b + q * se,
                                  degreesOfFreedom: useT ? df : .infinity)
        }
    }
}
