#if canImport(Glibc)
import Glibc
#endif

/// A seeded random number generator (xoshiro256**, seeded through SplitMix64), so that
/// simulated intervals are reproducible from `--seed` on every platform.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose stream is fixed by `seed` (xoshiro256**, seeded by splitmix64).
    public init(seed: UInt64) {
        var z = seed
        func splitMix() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// Uniform on (0, 1): 53 random bits, never 0.
    public mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }

    /// Standard normal (Marsaglia's polar method; the second value is discarded for simplicity).
    public mutating func normal() -> Double {
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * log(s) / s).squareRoot() }
        }
    }

    /// Gamma with the given shape and scale 1 (Marsaglia and Tsang 2000; shape < 1 by
    /// `G(a) = G(a + 1) U^(1/a)`).
    public mutating func gamma(shape a: Double) -> Double {
        if a < 1 { return gamma(shape: a + 1) * pow(uniform(), 1 / a) }
        let d = a - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniform()
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// Poisson with mean `mu`: multiplication of uniforms below 10, else Hörmann's (1993)
    /// transformed rejection with squeeze (PTRS).
    public mutating func poisson(_ mu: Double) -> Double {
        guard mu > 0 else { return 0 }
        if mu < 10 {
            let limit = exp(-mu)
            var k = 0.0, product = uniform()
            while product > limit {
                k += 1
                product *= uniform()
            }
            return k
        }
        let smu = mu.squareRoot(), b = 0.931 + 2.53 * smu, a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = uniform() - 0.5, v = uniform()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + mu + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return k }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(inverseAlpha) - log(a / (us * us) + b) <= -mu + k * log(mu) - lgamma(k + 1) { return k }
        }
    }

    /// Binomial with whole `trials` and probability `p`, by inversion searched outwards from
    /// the mode (m, m - 1, m + 1, m - 2, ...; Kemp 1986), the probabilities by their ratios:
    /// exact, in about as many steps as the standard deviation.
    public mutating func binomial(trials n: Double, probability p: Double) -> Double {
        guard n > 0 && p > 0 else { return 0 }
        guard p < 1 else { return n }
        let mode = min(((n + 1) * p).rounded(.down), n), odds = p / (1 - p)
        let pm = exp(lgamma(n + 1) - lgamma(mode + 1) - lgamma(n - mode + 1) + mode * log(p) + (n - mode) * log1p(-p))
        var u = uniform() - pm
        guard u > 0 else { return mode }
        var down = mode, up = mode, pDown = pm, pUp = pm
        while down > 0 || up < n {
            if down > 0 {
                pDown *= down / ((n - down + 1) * odds)  // P(down - 1) from P(down)
                down -= 1
                u -= pDown
                if u <= 0 { return down }
            }
            if up < n {
                pUp *= (n - up) * odds / (up + 1)  // P(up + 1) from P(up)
                up += 1
                u -= pUp
                if u <= 0 { return up }
            }
        }
        return mode  // rounding left a sliver of probability unassigned
    }

    /// Negative binomial NB2 with mean `mu` and size `theta`, as a gamma mixture of Poissons.
    public mutating func negativeBinomial(mean mu: Double, theta: Double) -> Double {
        poisson(gamma(shape: theta) * mu / theta)
    }
}
