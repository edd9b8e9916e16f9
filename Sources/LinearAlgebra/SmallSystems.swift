/// `M^{-1} g` for a small symmetric positive definite `M` (order `k`, row-major, the lower
/// triangle read) by Cholesky, for the few-by-few systems of Newton steps and deletion
/// formulas, where a backend call costs more than the arithmetic. Nil where a pivot is not
/// positive and finite or falls below `minimumPivot` times its diagonal element (singular).
public func solvePositiveDefinite(_ m: [Double], _ g: [Double], order k: Int, minimumPivot: Double = 0) -> [Double]? {
    var l = [Double](repeating: 0, count: k * k)
    for i in 0..<k {
        for j in 0...i {
            var s = m[i * k + j]
            for t in 0..<j { s -= l[i * k + t] * l[j * k + t] }
            if i == j {
                guard s > 0 && s.isFinite && s > minimumPivot * m[i * k + i] else { return nil }
                l[i * k + i] = s.squareRoot()
            } else {
                l[i * k + j] = s / l[j * k + j]
            }
        }
    }
    var z = g
    for i in 0..<k {
        for t in 0..<i { z[i] -= l[i * k + t] * z[t] }
        z[i] /= l[i * k + i]
    }
    for i in stride(from: k - 1, through: 0, by: -1) {
        for t in (i + 1)..<k { z[i] -= l[t * k + i] * z[t] }
        z[i] /= l[i * k + i]
    }
    return z
}
