import DataTable
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// Predictions of a generalized linear model for new rows or the fitted ones.
///
/// - On the link scale: `eta = x b + offset` with its standard error `sqrt(x V x)` (the fit's
///   covariance, robust if asked for) and a Wald interval (t where the dispersion is estimated).
/// - On the response scale: the mean `g^{-1}(eta)`, its delta-method standard error
///   `|mu'(eta)| se` (R's `predict.glm(se.fit = TRUE, type = "response")`), and the interval
///   transformed from the link scale (so it stays inside the family's range).
/// - Prediction intervals for a new observation (Poisson, negative binomial, Gamma, gaussian):
///   by simulation with a seed. Each draw takes coefficients from their estimated normal
///   distribution (Cholesky of the covariance), for the negative binomial also `log theta` from
///   its normal approximation (standard error `se(theta) / theta`), then one observation from the
///   family at that mean; the interval is the draws' equal-tailed quantiles. Coefficient
///   uncertainty is included, which R's `predict.glm` and statsmodels' `get_prediction` leave out.
///   The offset or exposure of each new row is carried through.
public struct GLMPredictions: Sendable {
    /// The table rows predicted.
    public let rows: [Int]
    /// Rows not predicted, for a missing predictor.
    public let dropped: [ModelFrame.DroppedRow]
    /// The prediction on the link scale.
    public let linkFit: [Double]
    /// Its standard error.
    public let linkStandardError: [Double]
    /// The confidence interval's lower end on the link scale.
    public let linkLow: [Double]
    /// Its upper end.
    public let linkHigh: [Double]
    /// The predicted mean on the response scale.
    public let fit: [Double]
    /// Its standard error by the delta method.
    public let standardError: [Double]
    /// The prediction interval's lower end (simulated).
    public let low: [Double]
    /// Its upper end.
    public let high: [Double]
    /// nil where the family has no simulated prediction interval (binomial, quasi-Poisson).
    public let predictionLow: [Double]?, predictionHigh: [Double]?
    /// The intervals' level.
    public let level: Double
    /// Simulated draws per row.
    public let draws: Int
    /// Their seed.
    public let seed: UInt64
}

extension GeneralizedLinearModelFit {
    /// Predicts the rows of `data` (default: the rows fitted), with the exposure column of the
    /// fit read from `data` too.
    public func predict(_ data: DataTable? = nil, level: Double = 0.95, draws: Int = 10_000, seed: UInt64 = 1)
        throws(ModelError) -> GLMPredictions
    {
        let (design, rows, dropped, offset) = try predictionInputs(data)
        let v = covariance
        let kept = result.solution.keptColumns
        let b = result.coefficients
        let dfj = usesT ? Double(residualDegreesOfFreedom) : .infinity
        let q = dfj.isFinite ? Distributions.studentTQuantile(1 - (1 - level) / 2, df: dfj)
            : Distributions.normalQuantile(1 - (1 - level) / 2)
        var eta = [Double](), se = [Double]()
        for i in 0..<design.rows {
            var e = offset[i]
            for j in kept { e += design[i, j] * b[j] }
            eta.append(e)
            se.append(rowQuadraticForm(design, row: i, kept: kept, v).squareRoot())
        }
        let linkLow = zip(eta, se).map { $0 - q * $1 }, linkHigh = zip(eta, se).map { $0 + q * $1 }
        // A decreasing inverse link (inverse) swaps the bounds.
        let bounds = zip(linkLow, linkHigh).map { lo, hi in
            let a = link.mean(lo), c = link.mean(hi)
            return (min(a, c), max(a, c))
        }
        var interval: (low: [Double], high: [Double])?
        if family != .binomial && family != .quasipoisson {
            // Every row's draws are kept to take their quantiles.
            try MemoryBudget.require(
                Double(design.rows) * Double(draws) * 8,
                for: "\(draws) simulated draws for each of \(design.rows) rows", advice: "predict fewer rows at a time, or take fewer --draws")
            interval = simulate(design: design, offset: offset, level: level, draws: draws, seed: seed)
        }
        return GLMPredictions(
            rows: rows, dropped: dropped, linkFit: eta, linkStandardError: se, linkLow: linkLow, linkHigh: linkHigh,
            fit: eta.map { link.mean($0) }, standardError: zip(eta, se).map { abs(link.derivative($0)) * $1 },
            low: bounds.map(\.0), high: bounds.map(\.1), predictionLow: interval?.low, predictionHigh: interval?.high,
            level: level, draws: draws, seed: seed)
    }

    /// The design, rows, rows left out and offsets (the exposure's log included) of `data`
    /// through the fit's formula (nil: the rows fitted).
    func predictionInputs(_ data: DataTable?) throws(ModelError)
        -> (design: Matrix, rows: [Int], dropped: [ModelFrame.DroppedRow], offset: [Double])
    {
        let design: Matrix, rows: [Int], dropped: [ModelFrame.DroppedRow], offset: [Double]
        if let data {
            (design, rows, dropped) = try frame.design(for: data)
            var total = try frame.offsets(for: data, rows: rows)
            if let exposure = options.exposure {
                let column: Column
                do { column = try data.column(named: exposure) } catch { throw .data(error) }
                for (k, row) in rows.enumerated() {
                    let e = column.kind == .numeric && !column.isMissing(row) ? column.numbers[row] : .nan
                    guard e > 0 && e.isFinite else {
                        throw .badResponse(data.location(row: row, column: exposure), value: e, reason: "exposure must be positive")
                    }
                    total[k] += log(e)
                }
            }
            offset = total
        } else {
            (design, rows, dropped, offset) = (frame.design, frame.rows, [], self.offset)
        }
        return (design, rows, dropped, offset)
    }

    /// Equal-tailed prediction intervals from `draws` simulated observations per row.
    private func simulate(design: Matrix, offset: [Double], level: Double, draws: Int, seed: UInt64)
        -> (low: [Double], high: [Double])
    {
        let kept = result.solution.keptColumns, k = kept.count
        let v = covariance
        var factor = Matrix(rows: k, columns: k)  // lower Cholesky factor of V over kept columns
        for a in 0..<k {
            for c in 0...a {
                var sum = v[kept[a], kept[c]]
                for t in 0..<c { sum -= factor[a, t] * factor[c, t] }
                factor[a, c] = a == c ? max(sum, 0).squareRoot() : (factor[c, c] > 0 ? sum / factor[c, c] : 0)
            }
        }
        var generator = SeededGenerator(seed: seed)
        let phi = dispersion
        var samples = [[Double]](repeating: [Double](repeating: 0, count: draws), count: design.rows)
        var z = [Double](repeating: 0, count: k)
        for d in 0..<draws {
            for t in 0..<k { z[t] = generator.normal() }
            var beta = [Double](repeating: 0, count: k)
            for a in 0..<k {
                var s = result.coefficients[kept[a]]
                for t in 0...a { s += factor[a, t] * z[t] }
                beta[a] = s
            }
            var theta = self.theta ?? 1
            if let t = self.theta, let se = thetaStandardError { theta = t * exp(generator.normal() * se / t) }
            for i in 0..<design.rows {
                var eta = offset[i]
                for (a, j) in kept.enumerated() { eta += design[i, j] * beta[a] }
                let mu = link.mean(eta)
                let y: Double
                switch family {
                case .poisson: y = generator.poisson(mu)
                case .negbin: y = generator.negativeBinomial(mean: mu, theta: theta)
                case .gamma: y = generator.gamma(shape: 1 / phi) * mu * phi
                default: y = mu + phi.squareRoot() * generator.normal()
                }
                samples[i][d] = y
            }
        }
        let alpha = (1 - level) / 2
        var low = [Double](), high = [Double]()
        for var s in samples {
            s.sort()
            let n = Double(s.count)
            if family.isCount {
                // Counts: the inverse of the empirical distribution (R's quantile type 1).
                low.append(s[max(0, Int((alpha * n).rounded(.up)) - 1)])
                high.append(s[min(s.count - 1, Int(((1 - alpha) * n).rounded(.up)) - 1)])
            } else {
                // R's quantile type 7 (linear interpolation between order statistics).
                func quantile(_ p: Double) -> Double {
                    let h = (n - 1) * p
                    let lo = Int(h.rounded(.down)), hi = min(lo + 1, s.count - 1)
                    return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
                }
                low.append(quantile(alpha))
                high.append(quantile(1 - alpha))
            }
        }
        return (low, high)
    }
}
