import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// Newton's method on the negative binomial log-likelihood in `(beta, log theta)` jointly, for
/// a fit warm-started near its optimum (a bootstrap replicate, a fit without one unit). From
/// there it converges quadratically, in a handful of steps each costing one pass over the rows
/// (an `exp` and a `log` per row), where MASS's alternation of IRLS runs and theta's Newton
/// steps takes five to ten times as many. It only finds the optimum: the fit is then taken from
/// an IRLS run at its theta, as any other fit is, so the result is the same.
///
/// The steps use the observed information: with `a = mu + theta` and log link,
/// `dl/deta = w theta (y - mu) / a`, `-d2l/deta2 = w mu theta (y + theta) / a^2`,
/// `d2l/deta dtheta = w mu (y - mu) / a^2`, and theta's score and curvature as `thetaML`'s.
/// A step that does not raise the likelihood is halved; where the information is not positive
/// definite, or halving fails, it gives up (nil) and the caller alternates instead.
struct NegativeBinomialNewton {
    let x: Matrix
    let y: [Double], weights: [Double], offset: [Double]
    let counts: CountTally

    /// The optimum's means and theta from coefficients `beta` (over the columns `kept`; the
    /// others are held at zero) and `theta`, in at most `limit` steps.
    func run(beta start: [Double], kept: [Int], theta start0: Double, limit: Int) -> (mu: [Double], theta: Double)? {
        let n = y.count, k = kept.count
        let total = weights.reduce(0, +)
        // The kept columns, contiguous, for the column-wise sums below.
        let columns = kept.map { x.column($0) }
        var beta = start, phi = log(start0)
        let factorials = counts.sum { lgamma($0 + 1) }
        // Whole counts up to 100,000 in increasing order, for the recurrence (nil: others).
        let whole = counts.values.allSatisfy { $0 >= 0 && $0 <= 100_000 && $0 == $0.rounded() }
        let countOrder = whole ? counts.values.indices.sorted { counts.values[$0] < counts.values[$1] } : nil
        var point = evaluate(beta: beta, columns: columns, theta: start0, factorials: factorials, total: total)
        guard point.logLikelihood.isFinite else { return nil }
        var u = [Double](repeating: 0, count: n), h = u, c = u
        for _ in 0..<limit {
            let th = exp(phi)
            // Per row: dl/deta, -d2l/deta2 and d2l/deta dtheta; theta's score and curvature.
            var thetaScore = 0.0, thetaCurvature = 0.0
            for i in 0..<n {
                let w = weights[i], mu = point.mu[i], a = mu + th, r = (y[i] + th) / a
                guard w != 0 else {
                    (u[i], h[i], c[i]) = (0, 0, 0)
                    continue
                }
                u[i] = w * th * (y[i] - mu) / a
                h[i] = w * mu * r * th / a
                c[i] = w * mu * (y[i] - mu) / (a * a)
                thetaScore -= w * (point.logA[i] + r)
                thetaCurvature += w * (r - 2) / a
            }
            let (digammas, trigammas) = polygammaSums(th, order: countOrder)
            thetaScore += digammas + total * (log(th) + 1 - SpecialFunctions.digamma(th))
            thetaCurvature += trigammas - total * (SpecialFunctions.trigamma(th) - 1 / th)
            // The gradient and negative Hessian in (beta, phi = log theta), lower triangle.
            var g = [Double](repeating: 0, count: k + 1)
            var m = [Double](repeating: 0, count: (k + 1) * (k + 1))
            for s in 0..<k {
                let xs = columns[s]
                var gs = 0.0, cs = 0.0
                for i in 0..<n {
                    gs += xs[i] * u[i]
                    cs += xs[i] * c[i]
                }
                g[s] = gs
                m[k * (k + 1) + s] = -th * cs
                for t in 0...s {
                    let xt = columns[t]
                    var a = 0.0
                    for i in 0..<n { a += xs[i] * h[i] * xt[i] }
                    m[s * (k + 1) + t] = a
                }
            }
            g[k] = th * thetaScore
            m[k * (k + 1) + k] = -(th * th * thetaCurvature + th * thetaScore)
            guard let step = solvePositiveDefinite(m, g, order: k + 1) else { return nil }
            // Halve until the likelihood rises (to rounding).
            var scale = 1.0, next = point, nextBeta = beta, nextPhi = phi
            var accepted = false
            for _ in 0..<30 {
                nextBeta = zip(beta, step).map { $0 + scale * $1 }
                nextPhi = phi + scale * step[k]
                next = evaluate(beta: nextBeta, columns: columns, theta: exp(nextPhi), factorials: factorials, total: total)
                if next.logLikelihood.isFinite
                    && next.logLikelihood >= point.logLikelihood - 1e-12 * abs(point.logLikelihood) {
                    accepted = true
                    break
                }
                scale /= 2
            }
            guard accepted else { return nil }
            (beta, phi, point) = (nextBeta, nextPhi, next)
            // The Newton decrement: the step's squared length in standard errors. Past 1e-14 the
            // next would be near 1e-28 (quadratic convergence), below rounding: the IRLS run and
            // theta's Newton steps that follow settle the last digits.
            let decrement = zip(g, step).reduce(0.0) { $0 + $1.0 * $1.1 }
            if scale == 1 && decrement <= 1e-14 { return (point.mu, exp(phi)) }
        }
        return nil
    }

    /// Means, `log(mu + theta)` and the log-likelihood (as `negbinLogLikelihood`, with
    /// `y log mu = y eta`) at `beta` (over `columns`) and `theta`; `factorials` is `sum w lgamma(y + 1)`,
    /// `total` the sum of the weights.
    private func evaluate(beta: [Double], columns: [[Double]], theta th: Double, factorials: Double, total: Double)
        -> (mu: [Double], logA: [Double], logLikelihood: Double)
    {
        let n = y.count
        var eta = offset
        for (s, column) in columns.enumerated() where beta[s] != 0 {
            let b = beta[s]
            for i in 0..<n { eta[i] += column[i] * b }
        }
        var mu = [Double](repeating: 0, count: n), logA = mu
        var rows = 0.0
        for i in 0..<n {
            mu[i] = exp(eta[i])
            logA[i] = log(mu[i] + th)
            if weights[i] != 0 { rows += weights[i] * (y[i] * eta[i] - (th + y[i]) * logA[i]) }
        }
        let gammaTerms = counts.sum { lgamma(th + $0) } - factorials
        return (mu, logA, gammaTerms + total * (th * log(th) - lgamma(th)) + rows)
    }

    /// `sum w psi(theta + y)` and `sum w psi'(theta + y)` over the tallied counts. For whole
    /// counts up to 100,000, by the recurrence `psi(x + 1) = psi(x) + 1/x` from `psi(theta)`
    /// (one division per count up to the largest, where the series costs a `log` per distinct
    /// count; relative error about 1e-14, for the steps only).
    private func polygammaSums(_ th: Double, order: [Int]?) -> (Double, Double) {
        guard let order else {
            return (counts.sum { SpecialFunctions.digamma(th + $0) }, counts.sum { SpecialFunctions.trigamma(th + $0) })
        }
        var psi = SpecialFunctions.digamma(th), psi1 = SpecialFunctions.trigamma(th), at = 0.0
        var digammas = 0.0, trigammas = 0.0
        for index in order {
            let v = counts.values[index]
            while at < v {
                let d = 1 / (th + at)
                psi += d
                psi1 -= d * d
                at += 1
            }
            digammas += counts.weights[index] * psi
            trigammas += counts.weights[index] * psi1
        }
        return (digammas, trigammas)
    }
}
