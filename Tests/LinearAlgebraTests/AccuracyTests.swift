import Foundation
import LinearAlgebra
import Testing

/// Accuracy against certified answers, in every backend this build has.
/// Tolerances (as LRE, correct significant digits): NIST problems >= 10 for each coefficient,
/// standard error, residual SD and R-squared; exact-arithmetic problems >= 9 for coefficients
/// and standard errors, with no column dropped.
@Suite struct AccuracyTests {
    static let backends = BackendKind.available

    @Test(arguments: backends, ["Norris", "NoInt1", "Longley"])
    func nist(kind: BackendKind, name: String) throws {
        let problem = Fixtures.nist(name)
        let fit = FitSummary(problem, backend: try kind.make())
        #expect(fit.solution.rank == problem.x.columns)
        let coefficientLRE = zip(fit.estimate, problem.estimate).map(lre)
        let seLRE = zip(fit.stdError, problem.stdError).map(lre)
        report(kind, name, coefficientLRE, seLRE, lre(fit.residualSD, problem.residualSD), lre(fit.rSquared, problem.rSquared))
        for (term, value) in zip(problem.terms, coefficientLRE) { #expect(value >= 10, "\(name) \(term) coefficient LRE \(value)") }
        for (term, value) in zip(problem.terms, seLRE) { #expect(value >= 10, "\(name) \(term) std. error LRE \(value)") }
        #expect(lre(fit.residualSD, problem.residualSD) >= 10)
        #expect(lre(fit.rSquared, problem.rSquared) >= 10)
    }

    @Test(arguments: backends)
    func exactProblems(kind: BackendKind) throws {
        let backend = try kind.make()
        for problem in Fixtures.exact {
            let fit = FitSummary(problem, backend: backend)
            #expect(fit.solution.rank == problem.x.columns, "\(problem.name): a column was dropped")
            let coefficientLRE = zip(fit.estimate, problem.estimate).map(lre)
            let seLRE = zip(fit.stdError, problem.stdError).map(lre)
            report(kind, problem.name, coefficientLRE, seLRE, lre(fit.residualSD, problem.residualSD), lre(fit.rSquared, problem.rSquared))
            for (term, value) in zip(problem.terms, coefficientLRE) {
                #expect(value >= 9, "\(problem.name) \(term) coefficient LRE \(value)")
            }
            for (term, value) in zip(problem.terms, seLRE) {
                #expect(value >= 9, "\(problem.name) \(term) std. error LRE \(value)")
            }
            #expect(lre(fit.residualSD, problem.residualSD) >= 9)
        }
    }

    /// The seminormal method (Q-less QR, used for large well-conditioned designs) on the
    /// problems it accepts: the same LRE targets. Ill-conditioned ones must fall back.
    @Test(arguments: backends)
    func seminormalMethod(kind: BackendKind) throws {
        let backend = try kind.make()
        let problems = ["Norris", "NoInt1", "Longley"].map(Fixtures.nist) + Fixtures.exact
        for problem in problems {
            let fit = FitSummary(problem, backend: backend, method: .seminormal)
            let wellConditioned = fit.solution.conditionEstimate <= 500
            #expect(fit.solution.method == (wellConditioned ? .seminormal : .augmented), "\(problem.name)")
            let worst = zip(fit.estimate, problem.estimate).map(lre).min()!
            let worstSE = zip(fit.stdError, problem.stdError).map(lre).min()!
            #expect(worst >= 10 && worstSE >= 10, "\(problem.name): coefficient LRE \(worst), SE LRE \(worstSE)")
        }
    }

    /// On a design with many leaves (the Q-less QR of [X y] then seminormal refinement), the
    /// solution and residuals agree with the augmented method to 1e-14 relative.
    @Test(arguments: backends)
    func seminormalOnManyLeaves(kind: BackendKind) throws {
        let backend = try kind.make()
        let x = randomMatrix(rows: 30_000, columns: 6, plant: .none, seed: 5)
        var rng = SplitMix64(seed: 6)
        let y = (0..<x.rows).map { i in (0..<6).reduce(0.0) { $0 + x[i, $1] * Double($1 + 1) } + Double.random(in: -1...1, using: &rng) }
        let fast = LeastSquares.solve(x, y, backend: backend, method: .seminormal)
        let careful = LeastSquares.solve(x, y, backend: backend, method: .augmented)
        #expect(fast.method == .seminormal && careful.method == .augmented)
        for (a, b) in zip(fast.coefficients, careful.coefficients) { #expect(abs(a - b) <= 1e-14 * abs(b)) }
        let scale = maxAbs(careful.residuals)
        #expect(maxAbs(zip(fast.residuals, careful.residuals).map { $0 - $1 }) <= 1e-14 * scale)
        #expect(abs(fast.residualSumOfSquares - careful.residualSumOfSquares) <= 1e-13 * careful.residualSumOfSquares)
    }

    /// IRLS's fast steps: the row-weighted Q-less QR and the normal equations (several leaves,
    /// the design never scaled whole) against the refined solve of the explicitly scaled design;
    /// the normal equations give way (nil) on an ill-conditioned design.
    @Test(arguments: BackendKind.available)
    func weightedStepsMatchTheScaledProblem(kind: BackendKind) throws {
        let backend = try kind.make()
        let x = randomMatrix(rows: 30_000, columns: 6, plant: .none, seed: 7)
        var rng = SplitMix64(seed: 8)
        let root = (0..<x.rows).map { _ in Double.random(in: 0.5...3, using: &rng) }
        let y = (0..<x.rows).map { i in root[i] * ((0..<6).reduce(0.0) { $0 + x[i, $1] } + Double.random(in: -1...1, using: &rng)) }
        var scaled = x
        for j in 0..<6 { for i in 0..<x.rows { scaled[i, j] *= root[i] } }
        let careful = LeastSquares.solve(scaled, y, backend: backend, method: .augmented)
        let qr = LeastSquares.plainWeightedSolve(x, rowScale: root, y, backend: backend)
        let normal = try #require(LeastSquares.normalEquationsSolve(x, rowScale: root, y, kept: Array(0..<6), backend: backend))
        for (j, b) in careful.coefficients.enumerated() {
            #expect(abs(qr.coefficients[j] - b) <= 1e-13 * abs(b), "QR \(j)")
            #expect(abs(normal.coefficients[j] - b) <= 1e-12 * abs(b), "normal equations \(j)")
            for i in 0..<6 {
                let c = careful.unscaledCovariance[i, j]
                #expect(abs(normal.unscaledCovariance[i, j] - c) <= 1e-11 * careful.unscaledCovariance[j, j], "covariance \(i), \(j)")
            }
        }
        var collinear = x
        for i in 0..<x.rows { collinear[i, 5] = collinear[i, 4] + 1e-9 * collinear[i, 3] }
        #expect(LeastSquares.normalEquationsSolve(collinear, rowScale: root, y, kept: Array(0..<6), backend: backend) == nil)
    }

    /// Without refinement the hard problems lose digits: this is what the refinement buys.
    @Test func refinementMatters() throws {
        let problem = Fixtures.exact.first { $0.name == "poly10_hard" }!
        let plain = FitSummary(problem, backend: SwiftBackend(), method: .none)
        let worst = zip(plain.estimate, problem.estimate).map(lre).min()!
        #expect(worst < 9, "plain QR already reaches LRE \(worst); the problem is not hard")
    }

    private func report(_ kind: BackendKind, _ name: String, _ c: [Double], _ s: [Double], _ sd: Double, _ r2: Double) {
        guard ProcessInfo.processInfo.environment["CARERATES_LRE_REPORT"] != nil else { return }
        print(String(format: "LRE %@ %@ coef-min %.1f se-min %.1f residual-sd %.1f r2 %.1f",
                     kind.rawValue, name, c.min() ?? 15, s.min() ?? 15, sd, r2))
    }
}
