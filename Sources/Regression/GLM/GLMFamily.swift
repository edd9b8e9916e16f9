#if canImport(Glibc)
import Glibc
#endif

/// Link functions `eta = g(mu)`, with R's guards against overflow at the ends of their range
/// (`make.link` and `binomial()`), so that fits agree with R's glm to its digits.
public enum LinkFunction: String, Sendable, CaseIterable {
    /// `eta = mu`.
    case identity
    /// `eta = log(mu)`.
    case log
    /// `eta = log(mu / (1 - mu))`.
    case logit
    /// `eta = Phi^{-1}(mu)`, the normal quantile.
    case probit
    /// `eta = log(-log(1 - mu))`.
    case cloglog
    /// `eta = 1 / mu`.
    case inverse

    /// `g(mu)`.
    func link(_ mu: Double) -> Double {
        switch self {
        case .identity: mu
        case .log: Glibc.log(mu)
        case .logit: Glibc.log(mu / (1 - mu))
        case .probit: LinkFunction.probitQuantile(mu)
        case .cloglog: Glibc.log(-log1p(-mu))
        case .inverse: 1 / mu
        }
    }

    /// `g^{-1}(eta)`.
    func mean(_ eta: Double) -> Double {
        switch self {
        case .identity: return eta
        case .log: return max(exp(eta), Double.ulpOfOne)
        case .logit:
            // R's C code: exp(eta) clamped to [eps, 1/eps] before eta / (1 + eta).
            let t = eta < -30 ? Double.ulpOfOne : (eta > 30 ? 1 / Double.ulpOfOne : exp(eta))
            return t / (1 + t)
        case .probit:
            let bound = LinkFunction.probitBound
            return Distributions.normalCDF(min(max(eta, -bound), bound))
        case .cloglog:
            return max(min(-expm1(-exp(eta)), 1 - Double.ulpOfOne), Double.ulpOfOne)
        case .inverse: return 1 / eta
        }
    }

    /// `d mu / d eta` at `eta`.
    func derivative(_ eta: Double) -> Double {
        switch self {
        case .identity: return 1
        case .log: return max(exp(eta), Double.ulpOfOne)
        case .logit:
            guard eta <= 30 && eta >= -30 else { return Double.ulpOfOne }
            let e = exp(eta), d = 1 + e
            return e / (d * d)
        case .probit:
            return max(exp(-0.5 * eta * eta) / (2 * Double.pi).squareRoot(), Double.ulpOfOne)
        case .cloglog:
            let e = min(eta, 700)
            return max(exp(e) * exp(-exp(e)), Double.ulpOfOne)
        case .inverse: return -1 / (eta * eta)
        }
    }

    /// Whether `eta` is in the link's domain (R's `valideta`).
    func isValid(eta: Double) -> Bool {
        switch self {
        case .inverse: eta.isFinite && eta != 0
        default: true
        }
    }

    /// `-qnorm(eps)`: R's probit clamps eta to +- this.
    static let probitBound = 8.125890664701906

    /// `qnorm(p)` for the probit link: the Abramowitz–Stegun 26.2.23 start (error below 4.5e-4)
    /// and three Halley steps on the lower tail, which converge cubically to double precision.
    static func probitQuantile(_ p: Double) -> Double {
        guard p > 0 && p < 1 else { return p <= 0 ? -.infinity : .infinity }
        if p > 0.5 { return -probitQuantile(1 - p) }
        let t = (-2 * Glibc.log(p)).squareRoot()
        var x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t))
        for _ in 0..<3 {
            let e = Distributions.normalCDF(x) - p
            let u = e * (2 * Double.pi).squareRoot() * exp(0.5 * x * x)
            x -= u / (1 + 0.5 * x * u)
        }
        return x
    }
}

/// Families of generalized linear models.
public enum GLMFamily: String, Sendable, CaseIterable {
    /// Normal errors (with the log or inverse link; with identity it is the linear model).
    case gaussian
    /// Poisson counts, dispersion fixed at 1: z tests.
    case poisson
    /// Poisson mean and variance function with the dispersion estimated from Pearson's
    /// statistic: t tests, no likelihood (R's `quasipoisson`).
    case quasipoisson
    /// Negative binomial NB2 (variance `mu + mu^2 / theta`), theta by maximum likelihood
    /// alternating with IRLS as `MASS::glm.nb` does, or fixed: z tests.
    case negbin
    /// Binomial proportions: a 0/1 response, a proportion with the trials as weights, or
    /// `cbind(successes, failures)`: z tests.
    case binomial
    /// Gamma, for positive continuous responses (constant coefficient of variation), dispersion
    /// estimated: t tests.
    case gamma

    /// The link used when none is named: R's default (Gamma's is its canonical `inverse`; name
    /// `log` for multiplicative effects on costs or durations).
    public var defaultLink: LinkFunction {
        switch self {
        case .gaussian: .identity
        case .poisson, .quasipoisson, .negbin: .log
        case .binomial: .logit
        case .gamma: .inverse
        }
    }

    /// The links each family accepts.
    public var links: [LinkFunction] {
        switch self {
        case .gaussian: [.identity, .log, .inverse]
        case .poisson, .quasipoisson, .negbin: [.log]
        case .binomial: [.logit, .probit, .cloglog]
        case .gamma: [.log, .inverse, .identity]
        }
    }

    /// Whether the dispersion is estimated (Pearson's statistic over the residual df; t tests).
    public var estimatesDispersion: Bool { self == .gaussian || self == .quasipoisson || self == .gamma }

    /// Whether the family has a likelihood (quasi-Poisson has none: no AIC, no LR test).
    public var hasLikelihood: Bool { self != .quasipoisson }

    /// Whether the family models counts (whole numbers at least 0).
    public var isCount: Bool { self == .poisson || self == .quasipoisson || self == .negbin }

    /// R's name of the family, as `summary.glm` prints it.
    public var rName: String {
        switch self {
        case .gamma: "Gamma"
        default: rawValue
        }
    }
}

/// A family with its link and (negative binomial) theta: the functions IRLS needs, as R's
/// family objects define them.
struct FamilyModel: Sendable {
    let family: GLMFamily
    let link: LinkFunction
    /// Negative binomial theta; nil for the other families.
    var theta: Double?

    /// Variance function `V(mu)`.
    func variance(_ mu: Double) -> Double {
        switch family {
        case .gaussian: 1
        case .poisson, .quasipoisson: mu
        case .negbin: mu + mu * mu / theta!
        case .binomial: mu * (1 - mu)
        case .gamma: mu * mu
        }
    }

    /// The unit deviance times the prior weight (R's `dev.resids`).
    func devianceContribution(_ y: Double, _ mu: Double, _ w: Double) -> Double {
        switch family {
        case .gaussian: return w * (y - mu) * (y - mu)
        case .poisson, .quasipoisson: return 2 * w * ((y > 0 ? y * log(y / mu) : 0) - (y - mu))
        case .negbin:
            let th = theta!
            return 2 * w * (y * log(max(1, y) / mu) - (y + th) * log((y + th) / (mu + th)))
        case .binomial:
            let a = y > 0 ? y * log(y / mu) : 0
            let b = y < 1 ? (1 - y) * log((1 - y) / (1 - mu)) : 0
            return 2 * w * (a + b)
        case .gamma: return -2 * w * (log(y == 0 ? 1 : y / mu) - (y - mu) / mu)
        }
    }

    /// Whether `mu` is in the family's range (R's `validmu`).
    func isValid(mu: Double) -> Bool {
        switch family {
        case .gaussian: mu.isFinite
        case .binomial: mu.isFinite && mu > 0 && mu < 1
        default: mu.isFinite && mu > 0
        }
    }

    /// R's `family$aic(y, n, mu, wt, dev)`: minus twice the log-likelihood (the gaussian and
    /// Gamma forms plug in the dispersion's ML estimate and add 2 for it). `trials` are the
    /// binomial totals (1 for a 0/1 or proportion response).
    func aicTerm(y: [Double], trials: [Double], mu: [Double], weights: [Double], deviance: Double) -> Double {
        switch family {
        case .gaussian:
            let n = Double(y.count)
            return n * (log(deviance / n * 2 * Double.pi) + 1) + 2 - weights.reduce(0) { $0 + log($1) }
        case .poisson, .quasipoisson:
            // The log-gamma terms once per distinct count (a few hundred), not once per row.
            let counts = CountTally(y: y, weights: weights)
            var total = -counts.sum { lgamma($0 + 1) }
            for i in y.indices where weights[i] != 0 { total += weights[i] * ((y[i] > 0 ? y[i] * log(mu[i]) : 0) - mu[i]) }
            return -2 * total
        case .negbin:
            let th = theta!
            let counts = CountTally(y: y, weights: weights)
            var total = counts.sum { lgamma($0 + 1) - lgamma(th + $0) } + counts.weights.reduce(0, +) * (lgamma(th) - th * log(th))
            for i in y.indices where weights[i] != 0 {
                let yi = y[i]
                total += weights[i] * ((yi + th) * log(mu[i] + th) - (yi > 0 ? yi * log(mu[i]) : 0))
            }
            return 2 * total
        case .binomial:
            let m = trials.contains { $0 > 1 } ? trials : weights
            var total = 0.0
            for i in y.indices where m[i] > 0 {
                total += weights[i] / m[i] * binomialLogDensity((m[i] * y[i]).rounded(), m[i].rounded(), mu[i])
            }
            return -2 * total
        case .gamma:
            let n = weights.reduce(0, +)
            let dispersion = deviance / n
            let shape = 1 / dispersion
            var total = 0.0
            for i in y.indices where weights[i] != 0 {
                let scale = mu[i] * dispersion
                total += weights[i] * (-lgamma(shape) - shape * log(scale) + (shape - 1) * log(y[i]) - y[i] / scale)
            }
            return -2 * total + 2
        }
    }
}

/// `log dpois(y, mu)`.
func poissonLogDensity(_ y: Double, _ mu: Double) -> Double {
    y == 0 ? -mu : y * log(mu) - mu - lgamma(y + 1)
}

/// `log dbinom(k, n, p)`.
func binomialLogDensity(_ k: Double, _ n: Double, _ p: Double) -> Double {
    let choose = lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
    return choose + (k > 0 ? k * log(p) : 0) + (n - k > 0 ? (n - k) * log1p(-p) : 0)
}
