#if canImport(Glibc)
import Glibc
#endif
import Regression

/// Which limits a funnel draws without overdispersion.
public enum LimitMethod: String, Sendable, CaseIterable {
    /// Spiegelhalter's interpolated exact Poisson prediction limits (the default).
    case exact
    /// Exact confidence limits with O set to E, as FunnelPlotR draws them (too high at small E).
    case chisq
    /// `1 +- z / sqrt(E)`.
    case normal
}

/// The limits of a funnel: how they are drawn, at which levels, and how overdispersion widens
/// them. One function gives both the curves a plot draws and every unit's flag, so the two
/// cannot disagree.
public struct FunnelLimits: Sendable {
    /// Exact, chi-squared or normal limits.
    public var method: LimitMethod
    /// The levels drawn and flagged (0.95, 0.998).
    public var levels: [Double]
    /// How overdispersion widens the limits.
    public var overdispersion: OverdispersionMethod
    /// The scale the widening acts on.
    public var scale: ComparisonScale
    /// The estimate the widening uses (nil: none).
    public var estimate: OverdispersionEstimate?
    /// With model-based overdispersion: the negative binomial size of a unit's count on target
    /// (infinite: Poisson).
    public var modelSize: Double = .infinity
    /// For a binomial model, the overall proportion `p0` (expected over trials): a unit with
    /// expected count E is then judged as a binomial count of E / p0 trials with probability
    /// p0 (nil: counts, judged as Poisson).
    public var proportion: Double?

    /// The z-score multiplier of a unit with expected count `e`: 1 without overdispersion,
    /// `sqrt(phi)` multiplicative, `sqrt(1 + tau2 / s^2)` additive.
    public func widening(expected e: Double) -> Double {
        guard let estimate else { return 1 }
        switch overdispersion {
        case .none, .model: return 1
        case .multiplicative: return estimate.phi.squareRoot()
        case .additive:
            let s = scale.value(observed: e, expected: e, proportion: proportion).s
            return (1 + estimate.tau2 / (s * s)).squareRoot()
        }
    }

    /// The lower and upper limit on O/E at `level` for expected count `e`. Exact and chi-squared
    /// limits are widened on the z scale of ``scale`` (the limit's z-score times ``widening(expected:)``,
    /// then back to the ratio scale, squared back on the square-root scale); normal limits are
    /// `1 +- z w / sqrt(E)` (proportions: `1 +- z w sqrt((1 - p0)/E)`). For proportions the exact
    /// limits are the binomial's (``PoissonLimits/exactBinomial(_:expected:proportion:)``). Model-based limits are the negative binomial's exact prediction
    /// limits, interpolated (with `normal`, `1 +- z sqrt(1/E + 1/size)`).
    public func limits(expected e: Double, level: Double) -> (low: Double, high: Double) {
        let a = (1 - level) / 2, w = widening(expected: e)
        switch method {
        case .normal:
            let spread = overdispersion == .model ? (1 / e + 1 / modelSize).squareRoot() : ((1 - (proportion ?? 0)) / e).squareRoot()
            let half = Distributions.normalQuantile(1 - a) * w * spread
            return (max(0, 1 - half), 1 + half)
        case .exact where overdispersion == .model:
            return (PoissonLimits.exactNegativeBinomial(a, expected: e, size: modelSize),
                    PoissonLimits.exactNegativeBinomial(1 - a, expected: e, size: modelSize))
        case .exact, .chisq:
            let limit = { (p: Double) -> Double in
                if let proportion { return PoissonLimits.exactBinomial(p, expected: e, proportion: proportion) }
                return method == .exact ? PoissonLimits.exact(p, expected: e) : PoissonLimits.confidenceWithObservedAsExpected(p, expected: e)
            }
            var (low, high) = (limit(a), limit(1 - a))
            if w != 1 {
                let widen = { (r: Double) -> Double in
                    // The limit's value on the scale (a zero limit on the log scale stays at 0).
                    if scale == .log && r <= 0 { return 0 }
                    return scale.ratio(w * scale.transform(ratio: r, proportion: proportion), proportion: proportion)
                }
                (low, high) = (widen(low), widen(high))
            }
            return (low, high)
        }
    }

    /// Where `ratio` falls: the outermost level whose limits it lies beyond, with the direction
    /// (+1 above, -1 below); 0 and nil within them all.
    public func flag(ratio: Double, expected e: Double) -> (direction: Int, level: Double?) {
        var result: (Int, Double?) = (0, nil)
        for level in levels.sorted() {
            let (low, high) = limits(expected: e, level: level)
            if ratio > high { result = (1, level) } else if ratio < low { result = (-1, level) }
        }
        return result
    }

    /// A flag as printed: "above 99.8%", "below 95%", "within".
    public static func describe(_ flag: (direction: Int, level: Double?)) -> String {
        guard let level = flag.level, flag.direction != 0 else { return "within" }
        let percent = level * 100
        let text = percent == percent.rounded() ? String(Int(percent)) : String(format: "%g", percent)
        return (flag.direction > 0 ? "above " : "below ") + text + "%"
    }
}
