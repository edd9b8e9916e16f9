#if canImport(Glibc)
import Glibc
#endif

/// Digamma and trigamma for positive arguments: the recurrence `psi(x) = psi(x + 1) - 1/x` up
/// to `x >= 10`, then the asymptotic series (error below 1e-16 there).
enum SpecialFunctions {
    static func digamma(_ x: Double) -> Double {
        var x = x, shift = 0.0
        while x < 10 {
            shift -= 1 / x
            x += 1
        }
        let f = 1 / (x * x)
        let series = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132 + f * (691.0 / 32760 + f * (-1.0 / 12)))))))
        return shift + log(x) - 0.5 / x + series
    }

    static func trigamma(_ x: Double) -> Double {
        var x = x, shift = 0.0
        while x < 10 {
            shift += 1 / (x * x)
            x += 1
        }
        let f = 1 / (x * x)
        let series = 1 / x + f / 2 + (f / x) * (1.0 / 6 + f * (-1.0 / 30 + f * (1.0 / 42 + f * (-1.0 / 30 + f * (5.0 / 66 + f * (-691.0 / 2730 + f * (7.0 / 6)))))))
        return shift + series
    }
}
