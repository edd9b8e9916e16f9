import LinearAlgebra

/// A small deterministic generator for test matrices.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: Int) { state = UInt64(bitPattern: Int64(seed)) }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Special columns planted in a random matrix.
enum Plant: Int, CaseIterable {
    case none, zeroColumn, constantBesideIntercept, duplicateColumn
}

/// An `n` x `p` matrix of values in [-1, 1] with a planted special column.
func randomMatrix(rows n: Int, columns p: Int, plant: Plant, seed: Int) -> Matrix {
    var rng = SplitMix64(seed: seed)
    var a = Matrix(rows: n, columns: p)
    for j in 0..<p {
        for i in 0..<n { a[i, j] = Double.random(in: -1...1, using: &rng) }
    }
    switch plant {
    case .none:
        break
    case .zeroColumn:
        let j = Int.random(in: 0..<p, using: &rng)
        for i in 0..<n { a[i, j] = 0 }
    case .constantBesideIntercept where p >= 2:
        for i in 0..<n {
            a[i, 0] = 1
            a[i, p - 1] = 3.5
        }
    case .duplicateColumn where p >= 2:
        for i in 0..<n { a[i, p - 1] = -2 * a[i, 0] }
    default:
        break
    }
    return a
}

func maxAbs(_ v: [Double]) -> Double { v.map(abs).max() ?? 0 }
func frobenius(_ a: Matrix) -> Double { a.elements.reduce(0) { $0 + $1 * $1 }.squareRoot() }
