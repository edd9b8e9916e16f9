#if canImport(Glibc)
import Glibc
#endif
import Regression

/// The scale on which units are compared and overdispersion estimated.
public enum ComparisonScale: String, Sendable, CaseIterable {
    /// `y = log(O/E)`, `s = 1/sqrt(E)`, `z = sqrt(E) log(O/E)` (as the NHS SHMI). A unit with
    /// O = 0 is taken at O = 0.5 (log 0 must not reach the arithmetic).
    case log
    /// `y = sqrt(O/E) - 1`, `s = 1/(2 sqrt(E))`, `z = 2 (sqrt(O) - sqrt(E))` (as the CQC).
    case sqrt
    /// Proportions (and only they): the standardised proportion `q = p0 O/E` against the
    /// overall proportion `p0`, `y = asin(sqrt(q)) - asin(sqrt(p0))`, `s = 1/(2 sqrt(E/p0))`.
    case arcsine

    /// The value on this scale of a ratio `r` (O/E) against its target 1; `p0` is the overall
    /// proportion of a binomial model (nil: counts).
    func transform(ratio r: Double, proportion p0: Double?) -> Double {
        switch self {
        case .log: naturalLog(r)
        case .sqrt: r.squareRoot() - 1
        case .arcsine: asin(min(1, p0! * r).squareRoot()) - asin(p0!.squareRoot())
        }
    }

    /// The unit's value on this scale and its standard error under the null (on the log scale,
    /// a proportion's count varies as a binomial's: `s = sqrt((1 - p0)/E)`).
    func value(observed o: Double, expected e: Double, proportion p0: Double? = nil) -> (y: Double, s: Double) {
        switch self {
        case .log: (naturalLog(max(o, 0.5) / e), ((1 - (p0 ?? 0)) / e).squareRoot())
        case .sqrt: ((o / e).squareRoot() - 1, 1 / (2 * e.squareRoot()))
        case .arcsine: (transform(ratio: o / e, proportion: p0), 1 / (2 * (e / p0!).squareRoot()))
        }
    }

    /// A value on this scale back on the ratio scale (square-root limits squared back, never
    /// below 0; arcsine limits within the proportions 0 to 1).
    func ratio(_ y: Double, proportion p0: Double? = nil) -> Double {
        switch self {
        case .log: return exp(y)
        case .sqrt: return y < -1 ? 0 : (1 + y) * (1 + y)
        case .arcsine:
            let angle = min(max(y + asin(p0!.squareRoot()), 0), Double.pi / 2)
            return sin(angle) * sin(angle) / p0!
        }
    }
}

/// How tau^2, the between-unit variance of the additive model, is estimated.
public enum Tau2Method: String, Sendable, CaseIterable {
    /// DerSimonian-Laird, the moment estimate from phi (Spiegelhalter 2005).
    case dl
    /// Restricted maximum likelihood: `y_i ~ N(mu, s_i^2 + tau^2)`, mu estimated.
    case reml
}

/// `log`, which the case `.log` hides inside the enum.
private func naturalLog(_ x: Double) -> Double { log(x) }

/// How overdispersion enters the limits.
public enum OverdispersionMethod: String, Sendable, CaseIterable {
    /// Limits from the Poisson (or binomial) alone.
    case none
    /// phi: variances multiplied (Spiegelhalter 2005).
    case multiplicative
    /// tau^2: a between-unit variance added (DerSimonian-Laird).
    case additive
    /// From the fitted model itself: a unit's count on target has the model's mean E and
    /// variance V (the sum of its rows' variances), taken as the negative binomial with that
    /// mean and variance (a moment match), its size the median of the units' E^2 / (V - E) so
    /// that one curve serves every unit; Poisson when V = E.
    case model
}

/// How extreme z-scores are kept from the estimate.
public enum TrimMethod: String, Sendable, CaseIterable {
    /// Values beyond the q and 1 - q quantiles set to them; every unit kept.
    case winsorise
    /// The floor(q I) lowest and highest units left out of the estimate (the SHMI rule).
    case truncate
}

/// The overdispersion of a set of z-scores: phi, tau^2 and which units the trimming altered.
public struct OverdispersionEstimate: Sendable {
    /// Mean of the trimmed z^2; `I phi` is chi-squared on I df without overdispersion.
    public let phi: Double
    /// The units in the estimate (all, when winsorised).
    public let count: Int
    /// P(chi-squared on `count` df > count phi).
    public let phiPValue: Double
    /// The between-unit variance on the comparison scale: DerSimonian-Laird (0 when
    /// I phi <= I - 1) or REML.
    public let tau2: Double
    /// Indices (into the units given) that the trimming altered or left out.
    public let trimmed: [Int]

    /// From z-scores and their null standard errors; tau^2 by `tau2Method` from the trimmed
    /// values `y_i = z_i s_i`.
    public init(z: [Double], s: [Double], trim q: Double, method: TrimMethod, tau2Method: Tau2Method = .dl) {
        let n = z.count
        var kept = Array(0..<n), values = z, trimmed = [Int]()
        let order = z.indices.sorted { z[$0] < z[$1] }
        switch method {
        case .winsorise:
            if q > 0 && n > 1 {
                let low = quantile(z, q), high = quantile(z, 1 - q)
                for i in 0..<n where z[i] < low || z[i] > high {
                    values[i] = min(max(z[i], low), high)
                    trimmed.append(i)
                }
            }
        case .truncate:
            let k = Int((q * Double(n)).rounded(.down))
            if k > 0 && 2 * k < n {
                let out = Set(order.prefix(k) + order.suffix(k))
                trimmed = out.sorted()
                kept = kept.filter { !out.contains($0) }
            }
        }
        let i = Double(kept.count)
        let phi = kept.reduce(0.0) { $0 + values[$1] * values[$1] } / max(i, 1)
        let w = kept.map { 1 / (s[$0] * s[$0]) }
        let sw = w.reduce(0, +), sw2 = w.reduce(0) { $0 + $1 * $1 }
        self.phi = phi
        count = kept.count
        phiPValue = Distributions.chiSquaredUpperTail(i * phi, df: i)
        switch tau2Method {
        case .dl: tau2 = i * phi <= i - 1 ? 0 : (i * phi - (i - 1)) / (sw - sw2 / sw)
        case .reml: tau2 = Self.reml(y: kept.map { values[$0] * s[$0] }, s2: kept.map { s[$0] * s[$0] })
        }
        self.trimmed = trimmed
    }

    /// The REML estimate of tau^2 for `y_i ~ N(mu, s2_i + tau^2)`: the root of the restricted
    /// score `-sum w/2 + (sum w^2 / sum w)/2 + sum w^2 (y - mu_hat)^2 / 2`, `w = 1/(s2 + tau^2)`,
    /// by bisection to rounding (0 where the score is not positive at 0).
    static func reml(y: [Double], s2: [Double]) -> Double {
        guard y.count > 1 else { return 0 }
        func score(_ t: Double) -> Double {
            let w = s2.map { 1 / ($0 + t) }
            let sw = w.reduce(0, +)
            let mean = zip(w, y).reduce(0.0) { $0 + $1.0 * $1.1 } / sw
            var total = 0.0
            for (wi, yi) in zip(w, y) { total += wi * wi * (yi - mean) * (yi - mean) - wi }
            return total + w.reduce(0.0) { $0 + $1 * $1 } / sw
        }
        guard score(0) > 0 else { return 0 }
        var low = 0.0, high = max(y.map { $0 * $0 }.max() ?? 1, s2.max() ?? 1)
        while score(high) > 0 && high < 1e300 { high *= 2 }
        for _ in 0..<2000 {
            let mid = (low + high) / 2
            guard mid > low && mid < high else { break }
            if score(mid) > 0 { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }
}

/// R's default quantile (type 7).
func quantile(_ values: [Double], _ p: Double) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    let h = Double(s.count - 1) * p
    let lo = Int(h.rounded(.down)), hi = min(lo + 1, s.count - 1)
    return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
}
