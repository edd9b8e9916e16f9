#if canImport(Glibc)
import Glibc
#endif

/// The deviance of a log-link Poisson or negative binomial with `log mu` taken from the linear
/// predictor `eta`: what depends on y alone (`sum w y log y`, less `sum w (y + theta)
/// log(y + theta)`) is a constant of the fit, so a step's deviance needs no logarithm per row
/// (Poisson) or one (negative binomial) instead of two or three. Equal to the row-by-row sum to
/// rounding (the constant's size relative to the deviance, times eps): for the steps'
/// comparisons; a deviance reported is summed row by row.
struct LogLinkDeviance {
    let constant: Double
    private let negbin: Bool
    private let theta: Double

    /// nil for other families and links, and for theta past 1e4, where the constant's terms
    /// (growing as theta log theta) would cost the comparisons their digits, and overflow as
    /// theta runs to infinity.
    init?(_ model: FamilyModel, y: [Double], weights: [Double]) {
        guard model.link == .log else { return nil }
        switch model.family {
        case .poisson, .quasipoisson:
            (negbin, theta) = (false, 0)
            constant = blockSum(y.count) { i in y[i] > 0 ? weights[i] * y[i] * log(y[i]) : 0 }
        case .negbin:
            let th = model.theta!
            guard th <= 1e4 else { return nil }
            (negbin, theta) = (true, th)
            constant = blockSum(y.count) { i in weights[i] * ((y[i] > 1 ? y[i] * log(y[i]) : 0) - (y[i] + th) * log(y[i] + th)) }
        default: return nil
        }
    }

    /// Row i's share of the deviance, less the constant's and halved.
    @inline(__always)
    func term(y: Double, eta: Double, mu: Double, weight: Double) -> Double {
        negbin ? weight * ((y + theta) * log(mu + theta) - y * eta) : weight * (mu - y - y * eta)
    }

    /// The deviance from the sum of the rows' ``term(y:eta:mu:weight:)``.
    func deviance(terms: Double) -> Double { 2 * (constant + terms) }

    /// The deviance at `eta` (`mu = exp(eta)`), the family's branch outside the pass over the rows.
    func deviance(y: [Double], eta: [Double], mu: [Double], weights w: [Double]) -> Double {
        let th = theta
        if negbin { return deviance(terms: blockSum(y.count) { i in w[i] * ((y[i] + th) * log(mu[i] + th) - y[i] * eta[i]) }) }
        return deviance(terms: blockSum(y.count) { i in w[i] * (mu[i] - y[i] - y[i] * eta[i]) })
    }
}
