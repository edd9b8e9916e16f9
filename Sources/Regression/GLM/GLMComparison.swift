import DataTable
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// A test of one generalized linear model against a smaller one fitted to the same rows: the
/// likelihood-ratio chi-squared test (`lmtest::lrtest`; for negative binomial models each with
/// its own theta, as `MASS`'s `anova.negbin`), or for quasi-Poisson, which has no likelihood,
/// the F test of R's `anova.glm(test = "F")`: deviance difference over its df and the larger
/// model's dispersion.
public struct GLMTest: Sendable {
    /// "LR chi-squared" or "F".
    public let kind: String
    /// The statistic (LR chi-squared or F).
    public let statistic: Double
    /// Its degrees of freedom.
    public let degreesOfFreedom: Int
    /// Denominator df of an F test.
    public let residualDegreesOfFreedom: Int?
    /// Its p-value.
    public let pValue: Double
    /// The smaller model's deviance and log-likelihood (nil for quasi-Poisson).
    public let smallerDeviance: Double
    /// The smaller model's log-likelihood (nil for quasi-Poisson).
    public let smallerLogLikelihood: Double?
}

/// Cameron and Trivedi's (1990) regression-based test for overdispersion in a Poisson fit, as
/// `AER::dispersiontest` computes it: with `a_i = ((y_i - mu_i)^2 - y_i) / mu_i`,
/// - NB1 (`Var = (1 + alpha) mu`): `z = sqrt(n) mean(a) / sd(a)`, dispersion `1 + mean(a)`;
/// - NB2 (`Var = mu + alpha mu^2`): `alpha` by least squares of `a` on `mu` (no intercept), `z`
///   its t statistic. One-sided p-values (overdispersion: `alpha > 0`) from the normal.
public struct OverdispersionTest: Sendable {
    /// NB1 or NB2, with what the estimate is.
    public let form: String
    /// NB1: the dispersion `1 + alpha`; NB2: `alpha`.
    public let estimate: Double
    /// The z statistic.
    public let statistic: Double
    /// The one-sided p-value (overdispersion: alpha > 0).
    public let pValue: Double
}

extension GeneralizedLinearModelFit {
    /// The test against the model with only the intercept (and the offsets), on the same rows.
    public func testAgainstNull() -> GLMTest {
        let n = frame.rows.count
        let x = frame.formula.intercept ? Matrix(rows: n, columns: 1, repeating: 1) : Matrix(rows: n, columns: 0)
        return test(againstDesign: x, rank: frame.formula.intercept ? 1 : 0)
    }

    /// The test of this model against `smaller`, a model nested in it fitted to the same rows.
    public func test(against smaller: GeneralizedLinearModelFit) throws(ModelError) -> GLMTest {
        guard smaller.frame.rows == frame.rows else {
            throw .unsupported("nested models must be fitted to the same rows (fit both with the variables of both required)")
        }
        guard smaller.family == family && smaller.link == link else {
            throw .unsupported("nested models must have the same family and link")
        }
        return test(smallerDeviance: smaller.deviance, smallerLogLikelihood: smaller.logLikelihood, smallerRank: smaller.rank)
    }

    private func test(againstDesign x: Matrix, rank smallerRank: Int) -> GLMTest {
        let irls = IRLS(x: x, y: glmResponse.y, priorWeights: glmResponse.priorWeights, offset: offset, model: model, backend: backend,
                        maxIterations: options.maxIterations, rule: options.convergence)
        var mu: [Double], deviance: Double, theta: ThetaFit?
        if x.columns == 0 {
            mu = offset.map { link.mean($0) }
            deviance = irls.deviance(mu)
            if thetaFit != nil {
                let counts = CountTally(y: glmResponse.y, weights: glmResponse.priorWeights)
                let th = thetaML(counts, y: glmResponse.y, weights: glmResponse.priorWeights, mu: mu, rule: options.convergence,
                                 limit: options.maxIterations)
                theta = ThetaFit(theta: th.value, standardError: th.standardError,
                                 logLikelihood: negbinLogLikelihood(counts, y: glmResponse.y, weights: glmResponse.priorWeights,
                                                                    mu: mu, theta: th.value), alternations: 0, warning: nil)
            }
        } else if x.columns == 1, let null = interceptOnly(estimateTheta: thetaFit != nil) {
            (mu, deviance, theta) = null
        } else if thetaFit != nil {
            let (result, fit) = GeneralizedLinearModel.fitNegativeBinomial(
                irls: { m in IRLS(x: x, y: glmResponse.y, priorWeights: glmResponse.priorWeights, offset: offset, model: m,
                                  backend: backend, maxIterations: options.maxIterations, rule: options.convergence) },
                y: glmResponse.y, weights: glmResponse.priorWeights, rule: options.convergence, limit: options.maxIterations)
            (mu, deviance, theta) = (result.mu, result.deviance, fit)
        } else {
            let result = irls.run(startMu: glmResponse.start(model))
            (mu, deviance) = (result.mu, result.deviance)
        }
        return test(smallerDeviance: deviance, smallerLogLikelihood: logLikelihood(mu: mu, deviance: deviance, thetaFit: theta),
                    smallerRank: smallerRank)
    }

    /// The model with only the intercept (and the offsets), log link, without a design matrix:
    /// Poisson's mean in closed form (`exp(b0) = sum w y / sum w exp(offset)`), the negative
    /// binomial's intercept and theta by joint Newton steps from there (a pass over the rows
    /// each), or its intercept alone at this fit's theta. Nil for other families and links.
    func interceptOnly(estimateTheta: Bool) -> (mu: [Double], deviance: Double, theta: ThetaFit?)? {
        // Poisson's is the same either way; a summary asks for it twice (null deviance, LR test).
        memo.value("intercept only \(estimateTheta && family == .negbin)") { InterceptOnly(value: computeInterceptOnly(estimateTheta: estimateTheta)) }.value
    }

    private func computeInterceptOnly(estimateTheta: Bool) -> (mu: [Double], deviance: Double, theta: ThetaFit?)? {
        guard link == .log, [.poisson, .quasipoisson, .negbin].contains(family) else { return nil }
        let y = glmResponse.y, w = glmResponse.priorWeights
        var scale = 0.0, total = 0.0
        for i in y.indices where w[i] != 0 {
            scale += w[i] * exp(offset[i])
            total += w[i] * y[i]
        }
        guard total > 0 && scale > 0 && scale.isFinite else { return nil }
        var b0 = log(total / scale)
        let irls = IRLS(x: Matrix(rows: y.count, columns: 0), y: y, priorWeights: w, offset: offset, model: model, backend: backend,
                        maxIterations: options.maxIterations, rule: options.convergence)
        if family != .negbin {
            let mu = offset.map { exp($0 + b0) }
            return (mu, irls.deviance(mu), nil)
        }
        let counts = CountTally(y: y, weights: w)
        if estimateTheta {
            let ones = Matrix(rows: y.count, columns: 1, repeating: 1)
            guard let found = NegativeBinomialNewton(x: ones, y: y, weights: w, offset: offset, counts: counts)
                .run(beta: [b0], kept: [0], theta: model.theta ?? 1, limit: max(options.maxIterations, 50))
            else { return nil }
            let th = thetaML(counts, y: y, weights: w, mu: found.mu, rule: options.convergence, limit: options.maxIterations,
                             start: found.theta)
            let fixed = FamilyModel(family: .negbin, link: .log, theta: th.value)
            let deviance = blockSum(y.count) { i in fixed.devianceContribution(y[i], found.mu[i], w[i]) }
            let ll = negbinLogLikelihood(counts, y: y, weights: w, mu: found.mu, theta: th.value)
            return (found.mu, deviance, ThetaFit(theta: th.value, standardError: th.standardError, logLikelihood: ll, alternations: 0))
        }
        // At this fit's theta: Newton on b0 alone, to the optimum (or where the step stops shrinking).
        let th = model.theta!
        var mu = offset.map { exp($0 + b0) }, last = Double.infinity
        for _ in 0..<200 {
            var score = 0.0, information = 0.0
            for i in y.indices where w[i] != 0 {
                let a = mu[i] + th
                score += w[i] * th * (y[i] - mu[i]) / a
                information += w[i] * mu[i] * th * (y[i] + th) / (a * a)
            }
            guard information > 0 && score.isFinite else { return nil }
            let step = score / information
            b0 += step
            mu = offset.map { exp($0 + b0) }
            if abs(step) <= 1e-15 * max(1, abs(b0)) || abs(step) >= last { break }
            last = abs(step)
        }
        return (mu, irls.deviance(mu), nil)
    }

    private func test(smallerDeviance: Double, smallerLogLikelihood: Double?, smallerRank: Int) -> GLMTest {
        let df = rank - smallerRank
        if let ll = logLikelihood, let ll0 = smallerLogLikelihood {
            let statistic = 2 * (ll - ll0)
            return GLMTest(kind: "LR chi-squared", statistic: statistic, degreesOfFreedom: df, residualDegreesOfFreedom: nil,
                           pValue: Distributions.chiSquaredUpperTail(statistic, df: Double(df)),
                           smallerDeviance: smallerDeviance, smallerLogLikelihood: ll0)
        }
        let f = (smallerDeviance - deviance) / Double(df) / dispersion
        return GLMTest(kind: "F", statistic: f, degreesOfFreedom: df, residualDegreesOfFreedom: residualDegreesOfFreedom,
                       pValue: Distributions.fUpperTail(f, d1: Double(df), d2: Double(residualDegreesOfFreedom)),
                       smallerDeviance: smallerDeviance, smallerLogLikelihood: nil)
    }

    /// Cameron–Trivedi overdispersion tests (NB1 and NB2 forms) of a Poisson fit; nil for other
    /// families.
    public var overdispersionTests: [OverdispersionTest]? {
        guard family == .poisson else { return nil }
        let y = glmResponse.y, mu = result.mu
        let a = y.indices.map { ((y[$0] - mu[$0]) * (y[$0] - mu[$0]) - y[$0]) / mu[$0] }
        let n = Double(a.count)
        let mean = a.reduce(0, +) / n
        let sd = (a.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        let z1 = n.squareRoot() * mean / sd
        let mm = mu.reduce(0) { $0 + $1 * $1 }
        let alpha = zip(a, mu).reduce(0) { $0 + $1.0 * $1.1 } / mm
        let s2 = zip(a, mu).reduce(0) { $0 + ($1.0 - alpha * $1.1) * ($1.0 - alpha * $1.1) } / (n - 1)
        let z2 = alpha / (s2 / mm).squareRoot()
        return [
            OverdispersionTest(form: "NB1: Var = (1 + alpha) mu; estimate: dispersion 1 + alpha", estimate: 1 + mean,
                               statistic: z1, pValue: Distributions.normalSF(z1)),
            OverdispersionTest(form: "NB2: Var = mu + alpha mu^2; estimate: alpha", estimate: alpha,
                               statistic: z2, pValue: Distributions.normalSF(z2)),
        ]
    }
}

/// The intercept-only fit, boxed for the memo.
private struct InterceptOnly: Sendable {
    let value: (mu: [Double], deviance: Double, theta: ThetaFit?)?
}
