import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// Iteratively reweighted least squares, step for step as R's `glm.fit`: from the starting
/// means, each iteration solves the weighted least-squares problem of the working response
/// `z = eta - offset + (y - mu) / mu'(eta)` with working weights `w = prior * mu'(eta)^2 / V(mu)`
/// on the refined solver. Convergence: `|D - D_old| / (|D| + 0.1) < epsilon` (R's rule,
/// `epsilon = 1e-8`), at most `maxIterations` (25) iterations. The step is halved (at most 30
/// times) while the deviance is not finite, the linear predictor or mean leaves the family's
/// domain, or (after the first iteration) the deviance rises.
///
/// The weighted design is written into one buffer reused by every iteration: on a large design
/// a fresh copy per iteration would cost more than the factorization.
struct IRLS {
    let x: Matrix
    let y: [Double]
    let priorWeights: [Double]
    let offset: [Double]
    let model: FamilyModel
    let backend: any Backend
    var maxIterations = 25
    var epsilon = 1e-8

    struct Result {
        var solution: LeastSquaresSolution  // of the last weighted least-squares step
        var coefficients: [Double]  // NaN for aliased columns
        var eta: [Double], mu: [Double]
        var workingWeights: [Double]  // w^2 of the last step (R's `fit$weights`)
        var deviance: Double
        var iterations: Int
        var converged: Bool
        /// The deviance change of the last iteration and the coefficients before it, for the
        /// non-convergence and separation messages.
        var lastChange: Double
        var previousCoefficients: [Double]
        /// Whether a step had to be halved.
        var halved: Bool
    }

    func deviance(_ mu: [Double]) -> Double {
        var total = 0.0
        for i in y.indices { total += model.devianceContribution(y[i], mu[i], priorWeights[i]) }
        return total
    }

    /// Runs from the starting means (R's `mustart`).
    func run(startMu: [Double]) -> Result {
        let n = y.count, p = x.columns
        let link = model.link
        var eta = startMu.map { link.link($0) }
        var mu = eta.map { link.mean($0) }
        var devOld = deviance(mu)
        var solution: LeastSquaresSolution?
        var coefficients = [Double](repeating: 0, count: p), previous = coefficients
        var weights = [Double](repeating: 0, count: n)
        var root = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: n)
        var xw = Matrix(rows: n, columns: p)
        var converged = false, halved = false
        var iterations = 0, change = Double.nan
        for iteration in 1...maxIterations {
            iterations = iteration
            for i in 0..<n {
                let d = link.derivative(eta[i])
                let w = priorWeights[i] > 0 && d != 0 ? priorWeights[i] * d * d / model.variance(mu[i]) : 0
                weights[i] = w
                root[i] = w.squareRoot()
                z[i] = w > 0 ? root[i] * (eta[i] - offset[i] + (y[i] - mu[i]) / d) : 0
            }
            fillWeighted(&xw, root)
            let step = LeastSquares.solve(xw, z, backend: backend)
            var next = step.coefficients.map { $0.isNaN ? 0 : $0 }
            var newEta = linearPredictor(next), newMu = newEta.map { link.mean($0) }
            var dev = deviance(newMu)
            var halvings = 0
            while halvings < 30 && iteration > 1
                && (!dev.isFinite || !valid(newEta, newMu) || dev > devOld + 1e-8 * abs(devOld))
            {
                next = zip(next, coefficients).map { ($0 + $1) / 2 }
                newEta = linearPredictor(next)
                newMu = newEta.map { link.mean($0) }
                dev = deviance(newMu)
                halvings += 1
                halved = true
            }
            solution = step
            previous = coefficients
            coefficients = next
            eta = newEta
            mu = newMu
            change = dev - devOld
            devOld = dev
            if abs(change) / (abs(dev) + 0.1) < epsilon {
                converged = true
                break
            }
        }
        let final = solution!
        return Result(
            solution: final, coefficients: zip(coefficients, final.coefficients).map { $1.isNaN ? .nan : $0 },
            eta: eta, mu: mu, workingWeights: weights, deviance: devOld, iterations: iterations, converged: converged,
            lastChange: change, previousCoefficients: previous, halved: halved)
    }

    private func valid(_ eta: [Double], _ mu: [Double]) -> Bool {
        for i in eta.indices where !model.link.isValid(eta: eta[i]) || !model.isValid(mu: mu[i]) { return false }
        return true
    }

    /// `xw = diag(root) x`, in place.
    private func fillWeighted(_ xw: inout Matrix, _ root: [Double]) {
        let n = x.rows
        x.elements.withUnsafeBufferPointer { src in
            xw.elements.withUnsafeMutableBufferPointer { dst in
                for j in 0..<x.columns {
                    let s = src.baseAddress! + j * n, d = dst.baseAddress! + j * n
                    for i in 0..<n { d[i] = s[i] * root[i] }
                }
            }
        }
    }

    /// `offset + X b` over the columns with non-zero coefficients.
    func linearPredictor(_ b: [Double]) -> [Double] {
        var eta = offset
        let n = x.rows
        x.elements.withUnsafeBufferPointer { src in
            eta.withUnsafeMutableBufferPointer { e in
                for j in 0..<x.columns where b[j] != 0 {
                    let s = src.baseAddress! + j * n, bj = b[j]
                    for i in 0..<n { e[i] += s[i] * bj }
                }
            }
        }
        return eta
    }
}
