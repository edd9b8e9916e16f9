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

    /// The unit's value on this scale and its standard error under the null.
    func value(observed o: Double, expected e: Double) -> (y: Double, s: Double) {
        switch self {
        case .log: (naturalLog(max(o, 0.5) / e), 1 / e.squareRoot())
        case .sqrt: ((o / e).squareRoot() - 1, 1 / (2 * e.squareRoot()))
        }
    }

    /// A value on this scale back on the ratio scale (square-root limits squared back, never
    /// below 0).
    func ratio(_ y: Double) -> Double {
        switch self {
        case .log: exp(y)
        case .sqrt: y < -1 ? 0 : (1 + y) * (1 + y)
        }
    }
}

/// `log`, which the case `.log` hides inside the enum.
private func naturalLog(_ x: Double) -> Double { log(x) }

/// How overdispersion enters the limits.
public enum OverdispersionMethod: String, Sendable, CaseIterable {
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
    /// DerSimonian-Laird between-unit variance on the comparison scale (0 when I phi <= I - 1).
    public let tau2: Double
    /// Indices (into the units given) that the trimming altered or left out.
    public let trimmed: [Int]

    /// From z-scores and their null standard errors.
    public init(z: [Double], s: [Double], trim q: Double, method: TrimMethod) {
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
        tau2 = i * phi <= i - 1 ? 0 : (i * phi - (i - 1)) / (sw - sw2 / sw)
        self.trimmed = trimmed
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
