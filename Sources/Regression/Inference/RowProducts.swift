import LinearAlgebra

/// `diag(sqrt(w)) X`: the design of a weighted least-squares problem.
func rowsScaled(_ x: Matrix, byRootOf w: [Double]) -> Matrix {
    let root = w.map { $0.squareRoot() }
    var out = x
    for j in 0..<x.columns { for i in 0..<x.rows { out[i, j] *= root[i] } }
    return out
}

/// `x_i^T M x_i` for row `i` of `x`, over the design columns `kept` (M indexed by design column):
/// the variance of a linear prediction.
func rowQuadraticForm(_ x: Matrix, row i: Int, kept: [Int], _ m: Matrix) -> Double {
    var total = 0.0
    for a in kept {
        var inner = 0.0
        for c in kept { inner += m[a, c] * x[i, c] }
        total += x[i, a] * inner
    }
    return total
}
