#if canImport(Glibc)
import Glibc
#endif

/// Kahan–Babuška summation.
func compensatedSum(_ values: [Double]) -> Double {
    var sum = 0.0, c = 0.0
    for v in values {
        let t = sum + v
        c += abs(sum) >= abs(v) ? (sum - t) + v : (v - t) + sum
        sum = t
    }
    return sum + c
}
