import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// Iteratively reweighted least squares, step for step as R's `glm.fit`: from the starting
/// means, each iteration solves the weighted least-squares problem of the working response
/// `z = eta - offset + (y - mu) / mu'(eta)` with working weights `w = prior * mu'(eta)^2 / V(mu)`
/// on the refined solver. Convergence: by ``ConvergenceRule`` (to the optimum, or R's
/// `|D - D_old| / (|D| + 0.1) < epsilon`), at most `maxIterations` (25) iterations. The step is halved (at most 30
/// times) while the deviance is not finite, the linear predictor or mean leaves the family's
/// domain, or (after the first iteration) the deviance rises.
///
/// Iterations on the way solve their weighted problem by the normal equations (Cholesky of
/// `X^T W X`, accumulated leaf by leaf with each leaf scaled as it is copied: one pass over the
/// design, `sqrt(w) X` never formed), as speedglm does, while the design's scaled condition
/// estimate is at most 1e3 (their error, about `kappa^2 eps`, is then below 1e-10 and is
/// contracted by the next step); otherwise, and on the first step that finds aliased columns,
/// by a plain Q-less QR that scales each leaf as it copies it. The last problem is always
/// solved by QR, as R's glm.fit solves it (Householder, pivoted on the same tolerance), with
/// refinement when it is ill-conditioned, and the fit taken from that solution: the result
/// has the QR solver's digits. Only a refined solve forms the weighted design.
struct IRLS {
    let x: Matrix
    let y: [Double]
    let priorWeights: [Double]
    let offset: [Double]
    let model: FamilyModel
    let backend: any Backend
    var maxIterations = 25
    var rule = ConvergenceRule.optimum
    /// The last step's weighted working response and the columns QR kept, shared by the IRLS
    /// runs of one fit (the negative binomial alternates many).
    var workspace: Workspace? = nil

    final class Workspace {
        let rows: Int, columns: Int
        var z: [Double]  // sqrt(w) z
        var root: [Double]  // sqrt(w)
        /// The columns the last QR step kept (nil: none yet, try them all), and whether steps
        /// may use the normal equations (not after they failed on those columns).
        var kept: [Int]?
        var normalEquations = true
        init(rows: Int, columns: Int) {
            (self.rows, self.columns) = (rows, columns)
            z = [Double](repeating: 0, count: rows)
            root = z
        }
    }

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
        /// Whether the last step had to be halved.
        var lastHalved: Bool
        /// Whether the last step was solved by the normal equations (to be solved again by QR).
        var lastNormal: Bool
    }

    func deviance(_ mu: [Double]) -> Double {
        blockSum(y.count) { i in model.devianceContribution(y[i], mu[i], priorWeights[i]) }
    }

    /// Runs from the starting means (R's `mustart`). With `refine`, the last least-squares
    /// problem is solved again with refinement and the fit taken from it (see ``refined(_:)``).
    func run(startMu: [Double], refine: Bool = true) -> Result {
        let n = y.count, p = x.columns
        let link = model.link
        let ws = workspace.flatMap { $0.rows == n && $0.columns == p ? $0 : nil } ?? Workspace(rows: n, columns: p)
        var eta = startMu, mu = startMu
        eta.withUnsafeMutableBufferPointer { e in
            mu.withUnsafeMutableBufferPointer { m in
                let (e, m) = (e, m)
                forEachRowBlock(n) { range in
                    for i in range {
                        e[i] = link.link(startMu[i])
                        m[i] = link.mean(e[i])
                    }
                }
            }
        }
        let shortcut = LogLinkDeviance(model, y: y, weights: priorWeights)
        func stepDeviance(_ eta: [Double], _ mu: [Double]) -> Double {
            if let shortcut {
                let quick = shortcut.deviance(y: y, eta: eta, mu: mu, weights: priorWeights)
                if quick.isFinite { return quick }
            }
            return deviance(mu)
        }
        var devOld = stepDeviance(eta, mu)
        var solution: LeastSquaresSolution?
        var coefficients = [Double](repeating: 0, count: p), previous = coefficients
        var weights = [Double](repeating: 0, count: n)
        var converged = false, lastHalved = false, lastNormal = false
        var iterations = 0, change = Double.nan
        var lastStep = Double.infinity  // the last QR step's relative coefficient change, past R's test
        var lastNormalStep = Double.infinity  // and the last normal-equation step's
        var settling = false  // past R's test, on the way to the optimum: QR steps only
        for iteration in 1...maxIterations {
            iterations = iteration
            prepare(eta: eta, mu: mu, weights: &weights, workspace: ws)
            let step: LeastSquaresSolution
            if ws.normalEquations && !settling, let normal = LeastSquares.normalEquationsSolve(
                x, rowScale: ws.root, ws.z, kept: ws.kept ?? Array(0..<p), backend: backend)
            {
                (step, lastNormal) = (normal, true)
            } else {
                if ws.kept != nil && !settling { ws.normalEquations = false }  // failed on the QR's own columns
                step = LeastSquares.plainWeightedSolve(x, rowScale: ws.root, ws.z, backend: backend)
                (ws.kept, lastNormal) = (step.keptColumns, false)
            }
            var next = step.coefficients.map { $0.isNaN ? 0 : $0 }
            var (newEta, newMu) = predictor(next)
            var dev = stepDeviance(newEta, newMu)
            var halvings = 0
            while halvings < 30 && iteration > 1
                && (!dev.isFinite || !valid(newEta, newMu) || dev > devOld + 1e-8 * abs(devOld))
            {
                next = zip(next, coefficients).map { ($0 + $1) / 2 }
                (newEta, newMu) = predictor(next)
                dev = stepDeviance(newEta, newMu)
                halvings += 1
            }
            solution = step
            previous = coefficients
            coefficients = next
            eta = newEta
            mu = newMu
            change = dev - devOld
            devOld = dev
            lastHalved = halvings > 0
            guard abs(change) / (abs(dev) + 0.1) < rule.devianceEpsilon else { continue }
            if rule != .optimum {
                converged = true
                break
            }
            // Past R's test: normal-equation steps while the coefficients move by more than those
            // steps' own accuracy (about 1e-10), then QR steps until the coefficients settle (or
            // stop shrinking: rounding). Near the optimum each step squares the error, so the
            // cheap steps do the moving and one or two QR steps give the digits.
            let moved = largestRelativeChange(coefficients, previous)
            if lastNormal {
                if moved <= 1e-10 || (moved >= lastNormalStep && !lastHalved) { settling = true }
                lastNormalStep = moved
                continue
            }
            if moved <= ConvergenceRule.settled || (moved >= lastStep && !lastHalved) {
                converged = true
                break
            }
            lastStep = moved
            settling = true
        }
        if shortcut != nil { devOld = deviance(mu) }  // reported: summed row by row
        let result = Result(
            solution: solution!, coefficients: zip(coefficients, solution!.coefficients).map { $1.isNaN ? .nan : $0 },
            eta: eta, mu: mu, workingWeights: weights, deviance: devOld, iterations: iterations, converged: converged,
            lastChange: change, previousCoefficients: previous, lastHalved: lastHalved, lastNormal: lastNormal)
        return refine ? refined(result, workspace: ws) : result
    }

    /// The last least-squares problem of `result` (still in the workspace) solved again by QR when
    /// it was solved by the normal equations, and with refinement when its scaled condition
    /// number exceeds ``LeastSquares/wellConditioned`` (below it the plain QR solve is as
    /// accurate), the fit taken from that solution; a halved last step keeps its coefficients
    /// (they are not that problem's solution).
    func refined(_ result: Result, workspace ws: Workspace) -> Result {
        var out = result
        if result.lastNormal {
            out.solution = LeastSquares.plainWeightedSolve(x, rowScale: ws.root, ws.z, backend: backend)
            out.lastNormal = false
        }
        // A well-conditioned problem's plain solution is already accurate to about kappa * eps.
        if out.solution.conditionEstimate > LeastSquares.wellConditioned {
            out.solution = LeastSquares.solve(rowsScaled(x, byRootOf: result.workingWeights), ws.z, backend: backend)
        }
        guard !result.lastHalved && (result.lastNormal || out.solution.method != .none) else { return out }
        let next = out.solution.coefficients.map { $0.isNaN ? 0 : $0 }
        let (eta, mu) = predictor(next)
        let dev = deviance(mu)
        guard dev.isFinite else { return out }
        out.coefficients = out.solution.coefficients
        (out.eta, out.mu, out.deviance) = (eta, mu, dev)
        return out
    }

    /// Working weights `w = prior mu'^2 / V(mu)`, and into the workspace `sqrt(w)` and `sqrt(w) z`
    /// with the working response `z = eta - offset + (y - mu) / mu'`.
    private func prepare(eta: [Double], mu: [Double], weights: inout [Double], workspace ws: Workspace) {
        let n = y.count
        let link = model.link
        weights.withUnsafeMutableBufferPointer { wb in
            ws.z.withUnsafeMutableBufferPointer { zb in
                ws.root.withUnsafeMutableBufferPointer { rb in
                    let (wb, zb, rb) = (wb, zb, rb)
                    forEachRowBlock(n) { range in
                        for i in range {
                            // For the log link mu'(eta) = mu, already computed.
                            let d = link == .log ? max(mu[i], Double.ulpOfOne) : link.derivative(eta[i])
                            let w = priorWeights[i] > 0 && d != 0 ? priorWeights[i] * d * d / model.variance(mu[i]) : 0
                            wb[i] = w
                            rb[i] = w.squareRoot()
                            zb[i] = w > 0 ? rb[i] * (eta[i] - offset[i] + (y[i] - mu[i]) / d) : 0
                        }
                    }
                }
            }
        }
    }

    private func valid(_ eta: [Double], _ mu: [Double]) -> Bool {
        for i in eta.indices where !model.link.isValid(eta: eta[i]) || !model.isValid(mu: mu[i]) { return false }
        return true
    }

    /// `eta = offset + X b` (columns with non-zero coefficients) and `mu = g^{-1}(eta)`.
    func predictor(_ b: [Double]) -> (eta: [Double], mu: [Double]) {
        let n = x.rows
        var eta = offset
        var mu = [Double](repeating: 0, count: n)
        let link = model.link
        x.elements.withUnsafeBufferPointer { src in
            eta.withUnsafeMutableBufferPointer { e in
                mu.withUnsafeMutableBufferPointer { m in
                    let (src, e, m) = (src, e, m)
                    forEachRowBlock(n) { range in
                        // In tiles that stay in cache while every column is added in.
                        for start in stride(from: range.lowerBound, to: range.upperBound, by: 2048) {
                            let tile = start..<min(start + 2048, range.upperBound)
                            for j in 0..<x.columns where b[j] != 0 {
                                let s = src.baseAddress! + j * n, bj = b[j]
                                for i in tile { e[i] += s[i] * bj }
                            }
                            for i in tile { m[i] = link.mean(e[i]) }
                        }
                    }
                }
            }
        }
        return (eta, mu)
    }
}

/// `sum_i f(i)` over `0..<n` in up to 64 fixed blocks of rows, on every core for large `n`; the
/// blocks do not depend on the number of cores, so neither does the rounding.
func blockSum(_ n: Int, _ f: (Int) -> Double) -> Double { blockSums(n) { (f($0), 0) }.0 }

/// Two sums at once, `(sum_i f(i).0, sum_i f(i).1)`, over the blocks of ``blockSum(_:_:)``.
func blockSums(_ n: Int, _ f: (Int) -> (Double, Double)) -> (Double, Double) {
    let parts = max(1, min(64, n / 16_384))
    var partial = [(Double, Double)](repeating: (0, 0), count: parts)
    partial.withUnsafeMutableBufferPointer { out in
        let out = out
        parallelFor(parts, parallel: n >= 65_536) { b in
            var a = 0.0, c = 0.0
            for i in ((b * n) / parts)..<(((b + 1) * n) / parts) {
                let (u, v) = f(i)
                a += u
                c += v
            }
            out[b] = (a, c)
        }
    }
    return partial.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
}
