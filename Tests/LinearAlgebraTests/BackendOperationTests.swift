import LinearAlgebra
import Testing

/// The backend operations other than QR, in every backend, against plain definitions.
/// Tolerance: 1e-12 relative to the size of the result.
@Suite struct BackendOperationTests {
    static let a = randomMatrix(rows: 50, columns: 6, plant: .none, seed: 42)
    static let weights = (0..<50).map { 0.5 + Double($0 % 7) / 3 }

    func close(_ x: Matrix, _ y: Matrix, _ tol: Double = 1e-12) -> Bool {
        let scale = max(frobenius(y), 1e-300)
        return x.rows == y.rows && x.columns == y.columns
            && zip(x.elements, y.elements).allSatisfy { abs($0 - $1) <= tol * scale }
    }

    @Test(arguments: BackendKind.available)
    func weightedGram(kind: BackendKind) throws {
        let backend = try kind.make()
        var weighted = Self.a
        for j in 0..<6 { for i in 0..<50 { weighted[i, j] *= Self.weights[i] } }
        #expect(close(backend.weightedGram(Self.a, weights: Self.weights), Self.a.transposed * weighted))
        #expect(close(backend.weightedGram(Self.a, weights: nil), Self.a.transposed * Self.a))
    }

    @Test(arguments: BackendKind.available)
    func choleskyAndCovariance(kind: BackendKind) throws {
        let backend = try kind.make()
        let gram = backend.weightedGram(Self.a, weights: nil)
        let u = try backend.cholesky(gram)
        #expect(close(u.transposed * u, gram))
        for j in 0..<6 { for i in (j + 1)..<6 { #expect(u[i, j] == 0) } }
        // (U^T U)^{-1} times U^T U is the identity.
        let c = try backend.unscaledCovariance(u, order: 6)
        #expect(close(c * gram, .identity(6), 1e-10))
        // Triangular solves against a known solution.
        let x = [1.0, -2, 3, 0.5, 4, -1]
        #expect(zip(backend.solveUpperTriangular(u, order: 6, u * x, transpose: false), x).allSatisfy { abs($0 - $1) < 1e-10 })
        #expect(zip(backend.solveUpperTriangular(u, order: 6, u.transposed * x, transpose: true), x).allSatisfy { abs($0 - $1) < 1e-10 })
    }

    @Test(arguments: BackendKind.available)
    func choleskyRefusesAnIndefiniteMatrix(kind: BackendKind) throws {
        let backend = try kind.make()
        let m = Matrix(rows: 3, columns: 3, elements: [4, 2, 0, 2, 1, 0, 0, 0, 3])  // singular leading 2x2
        #expect(throws: LinearAlgebraError.self) { try backend.cholesky(m) }
    }

    @Test(arguments: BackendKind.available)
    func emptyDesignIsAllAliased(kind: BackendKind) throws {
        let s = LeastSquares.solve(Matrix(rows: 4, columns: 0), [1, 2, 3, 4], backend: try kind.make())
        #expect(s.rank == 0 && s.residuals == [1, 2, 3, 4])
    }
}
