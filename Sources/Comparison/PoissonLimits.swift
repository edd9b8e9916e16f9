#if canImport(Glibc)
import Glibc
#endif
import Regression

/// Limits on the ratio O/E of a count with expected value E, and the exact interval of an
/// observed ratio (methods: `shared/methods/comparison.md`).
public enum PoissonLimits {
    /// P(X <= r) for X ~ Poisson(mean): Q(r + 1, mean).
    static func cdf(_ r: Int, mean: Double) -> Double {
        r < 0 ? 0 : Distributions.regularizedGammaQ(a: Double(r + 1), x: mean)
    }

    /// The exact Poisson prediction limit for lower-tail probability `p`, interpolated as
    /// Spiegelhalter (2005, appendix) and Stata's funnelcompar: with r the smallest count whose
    /// distribution function reaches p, the limit is (r - alpha) / E for
    /// alpha = (F(r) - p) / (F(r) - F(r - 1)); never below 0 (at small E, where r = 0, the
    /// interpolation would go below it).
    public static func exact(_ p: Double, expected e: Double) -> Double {
        guard e > 0 else { return .nan }
        return interpolated(p, expected: e, sd: e.squareRoot()) { cdf($0, mean: e) }
    }

    /// P(X <= r) for X negative binomial with `size` and `mean`: I_p(size, r + 1), p = size / (size + mean).
    static func negativeBinomialCDF(_ r: Int, size: Double, mean: Double) -> Double {
        r < 0 ? 0 : Distributions.regularizedBeta(x: size / (size + mean), a: size, b: Double(r + 1))
    }

    /// The exact prediction limit of a negative binomial count with `size` and mean `e`,
    /// interpolated as ``exact(_:expected:)`` is for the Poisson.
    public static func exactNegativeBinomial(_ p: Double, expected e: Double, size: Double) -> Double {
        guard e > 0 else { return .nan }
        guard size.isFinite else { return exact(p, expected: e) }
        return interpolated(p, expected: e, sd: (e + e * e / size).squareRoot()) { negativeBinomialCDF($0, size: size, mean: e) }
    }

    /// P(X <= r) for X binomial with `trials` (not necessarily whole) and probability `p`:
    /// I_{1-p}(trials - r, r + 1), 1 from r = trials on.
    static func binomialCDF(_ r: Int, trials n: Double, probability p: Double) -> Double {
        r < 0 ? 0 : Double(r) >= n ? 1 : Distributions.regularizedBeta(x: 1 - p, a: n - Double(r), b: Double(r + 1))
    }

    /// The exact binomial prediction limit on O/E of a unit with expected count `e` under the
    /// overall proportion `proportion` (p0): the count of `e / p0` trials, interpolated as
    /// ``exact(_:expected:)`` is for the Poisson (Spiegelhalter 2005's binomial funnel).
    public static func exactBinomial(_ p: Double, expected e: Double, proportion p0: Double) -> Double {
        guard e > 0 && p0 > 0 && p0 < 1 else { return .nan }
        let n = e / p0
        return interpolated(p, expected: e, sd: (e * (1 - p0)).squareRoot()) { binomialCDF($0, trials: n, probability: p0) }
    }

    /// The exact (Clopper-Pearson) confidence limit of a binomial proportion with `o` successes
    /// in `n` trials, over the expected proportion `e / n`: lower (`p` below 0.5) the Beta(o,
    /// n - o + 1) quantile, 0 when o = 0; upper the Beta(o + 1, n - o) quantile, 1 when o = n.
    public static func clopperPearson(_ p: Double, observed o: Double, trials n: Double, expected e: Double) -> Double {
        let proportion: Double
        if p < 0.5 {
            proportion = o <= 0 ? 0 : o / (o + (n - o + 1) * Distributions.fQuantile(1 - p, d1: 2 * (n - o + 1), d2: 2 * o))
        } else if o >= n {
            proportion = 1
        } else {
            let f = Distributions.fQuantile(p, d1: 2 * (o + 1), d2: 2 * (n - o))
            proportion = (o + 1) * f / (n - o + (o + 1) * f)
        }
        return proportion * n / e
    }

    /// Spiegelhalter's interpolated limit for a count distribution function `cdf` with mean `e`
    /// and standard deviation about `sd`: the smallest r with F(r) >= p (by bisection, F being
    /// increasing), then (r - alpha) / e, never below 0.
    static func interpolated(_ p: Double, expected e: Double, sd: Double, cdf: (Int) -> Double) -> Double {
        var lo = -1, hi = Int(e + 40 * sd + 40)
        while cdf(hi) < p { hi *= 2 }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if cdf(mid) >= p { hi = mid } else { lo = mid }
        }
        let f = cdf(hi), below = cdf(hi - 1)
        let alpha = f > below ? (f - p) / (f - below) : 0
        return max(0, (Double(hi) - alpha) / e)
    }

    /// The exact (Garwood) confidence limit of a Poisson mean with count `o`, over `e`: lower
    /// (`p` below 0.5) qchisq(p, 2o) / 2e, 0 when o = 0; upper qchisq(p, 2(o + 1)) / 2e.
    public static func garwood(_ p: Double, observed o: Double, expected e: Double) -> Double {
        if p < 0.5 {
            return o <= 0 ? 0 : Distributions.chiSquaredQuantile(p, df: 2 * o) / (2 * e)
        }
        return Distributions.chiSquaredQuantile(p, df: 2 * (o + 1)) / (2 * e)
    }

    /// FunnelPlotR's "Poisson limits": the Garwood confidence limits with O set to E.
    public static func confidenceWithObservedAsExpected(_ p: Double, expected e: Double) -> Double {
        p < 0.5 ? Distributions.chiSquaredQuantile(p, df: 2 * e) / (2 * e)
            : Distributions.chiSquaredQuantile(p, df: 2 * (e + 1)) / (2 * e)
    }
}
