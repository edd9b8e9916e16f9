import LinearAlgebra
import PropertyBased
import Testing

/// Invariants of the pivoted QR on random shapes (n < p, n = p, n > p) with planted zero,
/// constant and duplicate columns, in every backend. Tolerance: 1e-12 relative to ||A||.
@Suite struct QRPropertyTests {
    @Test(arguments: BackendKind.available)
    func invariants(kind: BackendKind) async throws {
        let backend = try kind.make()
        await propertyCheck(
            count: 200, input: Gen.int(in: 1...40), Gen.int(in: 1...12), Gen.int(in: 0...3), Gen.int(in: 0...1_000_000)
        ) { n, p, plantIndex, seed in
            let plant = Plant(rawValue: plantIndex)!
            let a = randomMatrix(rows: n, columns: p, plant: plant, seed: seed)
            let qr = PivotedQR(a, backend: backend)
            let scale = max(frobenius(a), 1)

            // Rank is at most min(n, p); pivot is a permutation with kept columns in order.
            #expect(qr.rank <= min(n, p))
            #expect(qr.pivot.sorted() == Array(0..<p))
            #expect(Array(qr.pivot[0..<qr.rank]) == Array(qr.pivot[0..<qr.rank]).sorted())

            // Q is orthogonal: Q^T preserves norms and Q undoes it.
            var rng = SplitMix64(seed: seed + 1)
            let y = (0..<n).map { _ in Double.random(in: -1...1, using: &rng) }
            let z = qr.applyTranspose(y)
            let norm = { (v: [Double]) in v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
            #expect(abs(norm(z) - norm(y)) <= 1e-12 * max(norm(y), 1))
            #expect(maxAbs(zip(qr.apply(z), y).map { $0 - $1 }) <= 1e-12 * max(norm(y), 1))

            // A P = Q R, column by column: Q applied to [R e_j; 0] gives column pivot[j] of A.
            for j in 0..<p {
                var top = [Double](repeating: 0, count: p)
                for i in 0..<min(p, n) { top[i] = qr.r[i, j] }
                let column = qr.apply(qr.replacingTop(of: [Double](repeating: 0, count: n), with: top))
                let expected = a.column(qr.pivot[j])
                #expect(maxAbs(zip(column, expected).map { $0 - $1 }) <= 1e-12 * scale, "column \(j)")
            }
            // R is upper triangular in its kept columns.
            for j in 0..<qr.rank {
                for i in (j + 1)..<p { #expect(qr.r[i, j] == 0) }
            }

            // Planted dependencies are found, and the later column is the aliased one.
            switch plant {
            case .zeroColumn:
                let zero = (0..<p).first { j in a.column(j).allSatisfy { $0 == 0 } }!
                #expect(qr.aliased.contains(zero))
            case .constantBesideIntercept where p >= 2:
                #expect(qr.aliased.contains(p - 1))
                #expect(!qr.aliased.contains(0))
            case .duplicateColumn where p >= 2:
                #expect(qr.aliased.contains(p - 1))
            default:
                if n >= p { #expect(qr.rank == p, "random \(n) x \(p) should have full rank") }
            }
        }
    }

    /// Both backends make the same rank decision and agree to 1e-12 on well-conditioned
    /// least-squares problems of many shapes.
    @Test func backendsAgree() async throws {
        let backends = try BackendKind.available.map { try $0.make() }
        guard backends.count == 2 else { return }
        await propertyCheck(count: 25, input: Gen.int(in: 2...12), Gen.int(in: 0...1_000_000)) { p, seed in
            for n in [p, 3 * p, 9000 + p] {
                let a = randomMatrix(rows: n, columns: p, plant: .none, seed: seed)
                var rng = SplitMix64(seed: seed + 7)
                let y = (0..<n).map { _ in Double.random(in: -10...10, using: &rng) }
                let s = backends.map { LeastSquares.solve(a, y, backend: $0) }
                #expect(s[0].rank == s[1].rank && s[0].pivot == s[1].pivot)
                for (u, v) in zip(s[0].coefficients, s[1].coefficients) where !(u.isNaN && v.isNaN) {
                    #expect(abs(u - v) <= 1e-12 * max(abs(v), 1e-300), "n \(n) p \(p): \(u) vs \(v)")
                }
            }
        }
    }
}
