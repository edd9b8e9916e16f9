#if canImport(Glibc)
import Glibc
#endif

/// Tail probabilities of the distributions linear-model inference needs.
///
/// Student's t and F are computed from the regularized incomplete beta function, evaluated by
/// its continued fraction (modified Lentz) on the side where it converges fast, with
/// `lgamma` for the prefactor; relative accuracy is about 1e-14 away from underflow, and tails
/// are computed directly (never as 1 - cdf), so small p-values keep their digits.
public enum Distributions {
    /// P(T > t) for Student's t with `df` degrees of freedom.
    public static func studentTUpperTail(_ t: Double, df: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 0 : 1 }
        let tail = 0.5 * regularizedBeta(x: df / (df + t * t), a: df / 2, b: 0.5)
        return t > 0 ? tail : 1 - tail
    }

    /// Two-sided p-value P(|T| > |t|).
    public static func studentTTwoSided(_ t: Double, df: Double) -> Double {
        guard !t.isNaN else { return .nan }
        guard t.isFinite else { return 0 }
        return regularizedBeta(x: df / (df + t * t), a: df / 2, b: 0.5)
    }

    /// P(F > f) for the F distribution with `d1`, `d2` degrees of freedom.
    public static func fUpperTail(_ f: Double, d1: Double, d2: Double) -> Double {
        guard !f.isNaN else { return .nan }
        guard f > 0 else { return 1 }
        guard f.isFinite else { return 0 }
        return regularizedBeta(x: d2 / (d2 + d1 * f), a: d2 / 2, b: d1 / 2)
    }

    /// The t quantile: the `p` point of Student's t (see `symmetricQuantile(_:upperTail:)`).
    public static func studentTQuantile(_ p: Double, df: Double) -> Double {
        symmetricQuantile(p) { studentTUpperTail($0, df: df) }
    }

    /// The quantile of a distribution symmetric about 0 from its upper tail: bisection on
    /// `asinh(q)` over the whole double range, to the last bit, with the tail probability
    /// `min(p, 1 - p)` as the target so that both tails keep their digits down to 1e-300.
    static func symmetricQuantile(_ p: Double, upperTail: (Double) -> Double) -> Double {
        guard p > 0 && p < 1 else { return p <= 0 ? -.infinity : (p >= 1 ? .infinity : .nan) }
        if p == 0.5 { return 0 }
        let target = min(p, 1 - p)
        var lo = 0.0, hi = asinh(Double.greatestFiniteMagnitude)
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if mid == lo || mid == hi { break }
            if upperTail(sinh(mid)) > target { lo = mid } else { hi = mid }
        }
        let q = sinh(0.5 * (lo + hi))
        return p < 0.5 ? -q : q
    }

    /// The F quantile: the `p` point of F with `d1`, `d2` degrees of freedom.
    public static func fQuantile(_ p: Double, d1: Double, d2: Double) -> Double {
        positiveQuantile(p, lowerTail: { fCDF($0, d1: d1, d2: d2) }, upperTail: { fUpperTail($0, d1: d1, d2: d2) })
    }

    /// The chi-squared quantile: the `p` point of chi-squared with `df` degrees of freedom.
    public static func chiSquaredQuantile(_ p: Double, df: Double) -> Double {
        positiveQuantile(p, lowerTail: { chiSquaredCDF($0, df: df) }, upperTail: { chiSquaredUpperTail($0, df: df) })
    }

    /// The quantile of a distribution on (0, inf): bisection on `log(q)` over the whole double
    /// range, against the lower tail for `p <= 0.5` and the upper tail `1 - p` (exact in
    /// doubles there) above, so that both tails keep their digits.
    static func positiveQuantile(_ p: Double, lowerTail: (Double) -> Double, upperTail: (Double) -> Double) -> Double {
        guard p > 0 && p < 1 else { return p == 0 ? 0 : (p == 1 ? .infinity : .nan) }
        let useLower = p <= 0.5
        let target = useLower ? p : 1 - p
        var lo = log(Double.leastNonzeroMagnitude), hi = log(Double.greatestFiniteMagnitude)
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if mid == lo || mid == hi { break }
            let q = exp(mid)
            let below = useLower ? lowerTail(q) < target : upperTail(q) > target
            if below { lo = mid } else { hi = mid }
        }
        return exp(0.5 * (lo + hi))
    }

    /// The regularized incomplete beta function I_x(a, b).
    public static func regularizedBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * continuedFraction(x: 1 - x, a: b, b: a) / b
    }

    private static func continuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}

extension Distributions {
    /// P(Z <= x) for the standard normal, from `erfc` (so the lower tail keeps its digits).
    public static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// P(Z > x) for the standard normal.
    public static func normalSF(_ x: Double) -> Double { 0.5 * erfc(x / 2.0.squareRoot()) }

    /// The standard normal quantile (see `symmetricQuantile(_:upperTail:)`).
    public static func normalQuantile(_ p: Double) -> Double { symmetricQuantile(p, upperTail: normalSF) }

    /// P(T <= t) for Student's t.
    public static func studentTCDF(_ t: Double, df: Double) -> Double { studentTUpperTail(-t, df: df) }

    /// P(F <= f) for the F distribution.
    public static func fCDF(_ f: Double, d1: Double, d2: Double) -> Double {
        guard f > 0 else { return 0 }
        guard f.isFinite else { return 1 }
        return regularizedBeta(x: d1 * f / (d1 * f + d2), a: d1 / 2, b: d2 / 2)
    }

    /// P(X <= x) for chi-squared with `df` degrees of freedom.
    public static func chiSquaredCDF(_ x: Double, df: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x.isFinite else { return 1 }
        return regularizedGammaP(a: df / 2, x: x / 2)
    }

    /// P(a, x) = γ(a, x) / Γ(a), computed directly below `a + 1` (series) and as 1 - Q above.
    public static func regularizedGammaP(a: Double, x: Double) -> Double {
        if x <= 0 { return 0 }
        if x < a + 1 { return gammaSeries(a: a, x: x) }
        return 1 - regularizedGammaQ(a: a, x: x)
    }

    private static func gammaSeries(a: Double, x: Double) -> Double {
        var term = 1 / a, sum = term, n = a
        for _ in 0..<100_000 {
            n += 1
            term *= x / n
            sum += term
            if abs(term) < abs(sum) * 1e-17 { break }
        }
        return exp(a * log(x) - x - lgamma(a)) * sum
    }

    /// P(X > x) for chi-squared with `df` degrees of freedom: the regularized upper incomplete
    /// gamma function Q(df/2, x/2), by its series below `a + 1` and its continued fraction above.
    public static func chiSquaredUpperTail(_ x: Double, df: Double) -> Double {
        guard !x.isNaN else { return .nan }
        guard x > 0 else { return 1 }
        guard x.isFinite else { return 0 }
        return regularizedGammaQ(a: df / 2, x: x / 2)
    }

    /// Q(a, x) = Γ(a, x) / Γ(a).
    public static func regularizedGammaQ(a: Double, x: Double) -> Double {
        if x <= 0 { return 1 }
        let logFront = a * log(x) - x - lgamma(a)
        if x < a + 1 { return 1 - gammaSeries(a: a, x: x) }
        // Continued fraction for Q (modified Lentz).
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return exp(logFront) * h
    }
}
