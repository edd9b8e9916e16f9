import DataTable
import LinearAlgebra
import Regression
#if canImport(Glibc)
import Glibc
#endif

/// The covariance behind the rank sets: the model's, by the delta method, or a parametric
/// bootstrap's.
extension UnitComparison {
    /// Rank sets of `theta_j = log(O_j / E_j)` with covariance `D + G V G^T`: `D_jj = V_j / E_j^2`
    /// (the unit's count's variance under the model, on the log scale, as its z-score takes it)
    /// and `G_j = sum_i c_i mu'(eta_i) x_i / E_j`, the gradient of `log E_j` in the coefficients
    /// (`c_i` the row's count per unit of the response), `V` their covariance. The count's
    /// correlation with the coefficients it helped fit is left out, which widens the sets.
    static func rankSets(
        _ fit: any FittedModel, counts: RowCounts, groups: [[Int]], expected: [Double], observed: [Double],
        settings: ComparisonSettings, warnings: inout [String]
    ) -> RankSets? {
        let theta = zip(observed, expected).map { log(max($0, 0.5) / $1) }
        if settings.replicates > 0 {
            guard let sigma = bootstrapCovariance(fit, counts: counts, groups: groups, settings: settings, warnings: &warnings)
            else { return nil }
            var sets = RankSets(theta: theta, covariance: sigma, level: settings.level, draws: settings.rankDraws, seed: settings.seed)
            sets.replicates = settings.replicates
            return sets
        }
        let x = fit.frame.design, b = fit.coef, v = fit.vcov
        let kept = b.indices.filter { !b[$0].isNaN }
        let slopes = zip(fit.meanSlopes, counts.perRow).map { $0 * $1 }
        let variances = counts.variances
        let gradients = groups.indices.map { g -> [Double] in
            kept.map { j in groups[g].reduce(0.0) { $0 + slopes[$1] * x[$1, j] } / expected[g] }
        }
        let p = groups.count
        var sigma = Matrix(rows: p, columns: p)
        for a in 0..<p {
            for c in 0...a {
                var s = 0.0
                for (t, j) in kept.enumerated() {
                    for (u, k) in kept.enumerated() { s += gradients[a][t] * v[j, k] * gradients[c][u] }
                }
                if a == c { s += groups[a].reduce(0.0) { $0 + variances[$1] } / (expected[a] * expected[a]) }
                sigma[a, c] = s
                sigma[c, a] = s
            }
        }
        return RankSets(theta: theta, covariance: sigma, level: settings.level, draws: settings.rankDraws, seed: settings.seed)
    }

    /// The covariance of the units' log(O/E) over a parametric bootstrap of the fitted model:
    /// each replicate draws every row's response from the model at its fitted mean (a count:
    /// negative binomial with the model's variance, Poisson where the variance is the mean; a
    /// proportion: binomial of its trials; a continuous response: normal with the model's
    /// variance), refits the model to them (warm-started) and takes each unit's log(O*/E*). Replicate `r` draws from
    /// its own generator, seeded by `settings.seed` and `r`, and the replicates of a batch run on
    /// every core, their sums taken in replicate order: the result depends on neither the cores
    /// nor the batch size.
    static func bootstrapCovariance(
        _ fit: any FittedModel, counts: RowCounts, groups: [[Int]], settings: ComparisonSettings, warnings: inout [String]
    ) -> Matrix? {
        let mu = fit.fitted, variances = fit.responseVariances, p = groups.count, kind = fit.responseKind
        let perRow = counts.perRow
        if kind == .proportion, let bad = perRow.first(where: { $0 != $0.rounded() }) {
            warnings.append("no rank sets: the bootstrap draws binomial counts of whole trials, and a weight is \(bad)")
            return nil
        }
        // Sums of the values less the fit's own (which leaves the covariance as it is) lose no
        // digits to a large mean.
        let centre = groups.map { g in
            log(max(g.reduce(0.0) { $0 + counts.observed[$1] }, 0.5) / g.reduce(0.0) { $0 + counts.expected[$1] })
        }
        var sum = [Double](repeating: 0, count: p), products = [Double](repeating: 0, count: p * p)
        var done = 0, failed = 0
        // A batch's values: replicates times units, NaN for a failed refit.
        let batch = max(1, min(settings.replicates, 256, 50_000_000 / max(p, 1)))
        var values = [Double](repeating: 0, count: batch * p)
        for first in stride(from: 0, to: settings.replicates, by: batch) {
            let count = min(batch, settings.replicates - first)
            values.withUnsafeMutableBufferPointer { buffer in
                let out = SharedPointer(base: buffer.baseAddress!)
                parallelFor(count) { b in
                    let row = out.base + b * p
                    var generator = SeededGenerator(seed: settings.seed &+ 0x5EED &+ UInt64(first + b) &* 0x9E37_79B9_7F4A_7C15)
                    let y = mu.indices.map { i -> Double in
                        switch kind {
                        case .count:
                            let excess = variances[i] - mu[i]
                            return excess > 1e-12 * mu[i] ? generator.negativeBinomial(mean: mu[i], theta: mu[i] * mu[i] / excess)
                                : generator.poisson(mu[i])
                        case .proportion:
                            return perRow[i] > 0 ? generator.binomial(trials: perRow[i], probability: mu[i]) / perRow[i] : mu[i]
                        case .continuous:
                            return mu[i] + variances[i].squareRoot() * generator.normal()
                        }
                    }
                    guard let refit = try? fit.refit(response: y) else {
                        row[0] = .nan
                        return
                    }
                    let fitted = refit.fitted
                    for (a, g) in groups.enumerated() {
                        let o = g.reduce(0.0) { $0 + y[$1] * perRow[$1] }, e = g.reduce(0.0) { $0 + fitted[$1] * perRow[$1] }
                        row[a] = log(max(o, 0.5) / e)
                    }
                }
            }
            for b in 0..<count {
                let row = b * p
                guard !values[row].isNaN else {
                    failed += 1
                    continue
                }
                for a in 0..<p {
                    let va = values[row + a] - centre[a]
                    sum[a] += va
                    for c in 0...a { products[a * p + c] += va * (values[row + c] - centre[c]) }
                }
                done += 1
            }
            settings.progress?(first + count, settings.replicates)
        }
        if failed > 0 { warnings.append("\(failed) of \(settings.replicates) bootstrap refits failed and were left out") }
        guard done > p else {
            warnings.append("no rank sets: \(done) bootstrap replicates succeeded, fewer than the \(p) units")
            return nil
        }
        var sigma = Matrix(rows: p, columns: p)
        let n = Double(done)
        for a in 0..<p {
            for c in 0...a {
                let v = (products[a * p + c] - sum[a] * sum[c] / n) / (n - 1)
                sigma[a, c] = v
                sigma[c, a] = v
            }
        }
        return sigma
    }
}
