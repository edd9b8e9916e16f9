#if canImport(Glibc)
import Glibc
#endif
import DataTable
import LinearAlgebra
import Regression

/// How to compare units against a fitted count model.
public struct ComparisonSettings: Sendable {
    /// The column naming each unit (an authority), and optionally one that splits it (a year).
    public var unit: String
    public var by: String?
    /// The exposure column whose sum makes the rates (nil: no rates).
    public var exposure: String?
    /// Rates per this many of the exposure.
    public var per: Double = 10_000
    public var levels: [Double] = [0.95, 0.998]
    public var limits: LimitMethod = .exact
    public var overdispersion: OverdispersionMethod = .none
    public var scale: ComparisonScale = .log
    public var trim: Double = 0.1
    public var trimMethod: TrimMethod = .winsorise
    /// Each unit also compared with a model fitted without its rows.
    public var leaveOneOut = true
    /// The level of each unit's own interval, of the shrunken ratio's and of the rank sets.
    public var level = 0.95
    /// Whether to make rank confidence sets, the draws of N(0, Sigma) behind their critical
    /// values, and the draws' seed.
    public var rankSets = true
    public var rankDraws = 2_000
    public var seed: UInt64 = 1
    /// Replicates of a parametric bootstrap of the fitted model behind the rank sets' covariance
    /// (0: the model's covariance, by the delta method).
    public var replicates = 0
    /// Told (replicates done, of how many) as the bootstrap goes.
    public var progress: (@Sendable (Int, Int) -> Void)?

    public init(unit: String, by: String? = nil, exposure: String? = nil) {
        self.unit = unit
        self.by = by
        self.exposure = exposure
    }
}

/// One unit against the model.
public struct ComparedUnit: Sendable {
    public let unit: String
    /// The `by` value, when units are split.
    public let by: String?
    /// Table rows of the unit that the model used.
    public let rows: [Int]
    public let observed: Double
    /// Sum of the fitted counts over the unit's rows (indirect standardisation).
    public let expected: Double
    public var ratio: Double { observed / expected }
    /// Exact (Garwood) interval of O/E at the settings' level.
    public let ratioLow: Double, ratioHigh: Double
    /// Rates per `per` of the summed exposure; nil without an exposure.
    public let rate: Double?, expectedRate: Double?
    /// The z-score on the comparison scale, and adjusted for overdispersion.
    public let z: Double, zAdjusted: Double
    public let flag: String
    /// With the unit's rows left out of the fit and of the overdispersion estimate; nil when
    /// the model cannot be fitted or predict without them (a level only the unit has).
    public let looExpected: Double?, looZ: Double?, looFlag: String?
    public var looRatio: Double? { looExpected.map { observed / $0 } }
    /// Empirical-Bayes O/E (log scale, towards the precision-weighted mean) and its interval;
    /// the reliability `tau2 / (tau2 + s^2)` of the unit's own estimate.
    public let shrunkRatio: Double, shrunkLow: Double, shrunkHigh: Double, reliability: Double
    /// 1 for the highest O/E.
    public let rank: Int
    /// The marginal and simultaneous rank confidence sets (``RankSets``); nil where not made.
    public let rankLow: Int?, rankHigh: Int?
    public let rankLowSimultaneous: Int?, rankHighSimultaneous: Int?
}

/// Units compared against a fitted count model: observed against expected, funnel limits
/// with overdispersion, leave-one-out, shrinkage (`shared/methods/comparison.md`).
public struct UnitComparison: Sendable {
    public let settings: ComparisonSettings
    public let units: [ComparedUnit]
    /// The limits every flag was taken from (for plots and `--limits-table`).
    public let limits: FunnelLimits
    /// The overdispersion of the units' z-scores (on the settings' scale), always estimated.
    public let estimate: OverdispersionEstimate
    /// tau^2 on the log scale, behind the shrinkage; the rankability of the set.
    public let shrinkageTau2: Double
    public let rankability: Double
    /// The rank confidence sets of log(O/E) (nil where they could not be made: see warnings).
    public let rankSets: RankSets?
    /// Units whose leave-one-out comparison could not be made, with why.
    public let warnings: [String]

    /// Compares the units of `fit` (a count model fitted to `fit.frame.table`).
    public static func compare(_ fit: any FittedModel, settings: ComparisonSettings) throws(ModelError) -> UnitComparison {
        guard fit.responseKind == .count else {
            throw .unsupported("compare needs a count model (--family poisson, quasipoisson or negbin) whose fitted "
                + "values are expected counts; proportions and linear models are not compared yet")
        }
        let table = fit.frame.table
        let unitColumn: Column, byColumn: Column?
        do {
            unitColumn = try table.column(named: settings.unit)
            byColumn = try settings.by.map { name throws(DataError) in try table.column(named: name) }
        } catch { throw .data(error) }
        let exposureColumn: Column?
        do { exposureColumn = try settings.exposure.map { name throws(DataError) in try table.column(named: name) } } catch {
            throw .data(error)
        }
        // Units in order of first appearance; each one's rows among those used (a row whose unit
        // is missing belongs to none, and is counted in a warning).
        var keys = [String: Int](), groups = [(unit: String, by: String?, positions: [Int])]()
        var unnamed = 0
        for (k, row) in fit.frame.rows.enumerated() {
            guard let unit = table.cellText(row: row, column: unitColumn),
                  byColumn.map({ table.cellText(row: row, column: $0) != nil }) ?? true
            else {
                unnamed += 1
                continue
            }
            let by = byColumn.map { table.cellText(row: row, column: $0) ?? "" }
            let key = unit + "\u{1F}" + (by ?? "")
            if let g = keys[key] { groups[g].positions.append(k) } else {
                keys[key] = groups.count
                groups.append((unit, by, [k]))
            }
        }
        guard groups.count >= 2 else { throw .unsupported("compare needs at least two units in column \"\(settings.unit)\"") }
        var warnings = [String]()
        if unnamed > 0 {
            warnings.append("\(unnamed) row\(unnamed == 1 ? "" : "s") of the fit with no \(settings.unit)"
                + (settings.by.map { " or \($0)" } ?? "") + (unnamed == 1 ? " belongs" : " belong")
                + " to no unit and \(unnamed == 1 ? "is" : "are") left out of every comparison")
        }
        let observed = groups.map { g in g.positions.reduce(0.0) { $0 + fit.response[$1] } }
        let expected = groups.map { g in g.positions.reduce(0.0) { $0 + fit.fitted[$1] } }
        let scored = zip(observed, expected).map { settings.scale.value(observed: $0, expected: $1) }
        let z = scored.map { $0.y / $0.s }, s = scored.map(\.s)
        let estimate = OverdispersionEstimate(z: z, s: s, trim: settings.trim, method: settings.trimMethod)
        var limits = FunnelLimits(
            method: settings.limits, levels: settings.levels, overdispersion: settings.overdispersion, scale: settings.scale,
            estimate: settings.overdispersion == .none || settings.overdispersion == .model ? nil : estimate)
        if settings.overdispersion == .model {
            guard settings.limits != .chisq else {
                throw .unsupported("--overdispersion model takes --limits exact or normal (the chi-squared limits are Poisson's)")
            }
            // Each unit's variance on target from the model's row variances.
            let variances = fit.responseVariances
            let sizes = groups.indices.map { g -> Double in
                let v = groups[g].positions.reduce(0.0) { $0 + variances[$1] }
                return v > expected[g] * (1 + 1e-12) ? expected[g] * expected[g] / (v - expected[g]) : .infinity
            }
            limits.modelSize = quantile(sizes.map { $0.isFinite ? $0 : Double.greatestFiniteMagnitude }, 0.5)
            if limits.modelSize >= Double.greatestFiniteMagnitude { limits.modelSize = .infinity }
        }

        // Leave one unit out: refit without its rows (warm-started), predict them, and judge
        // it against the overdispersion of the other units alone.
        var looExpected = [Double?](repeating: nil, count: groups.count)
        // A refit per unit: on by default where that is cheap (units times rows within 5e7).
        let affordable = Double(groups.count) * Double(fit.frame.rows.count) <= 5e7
        if settings.leaveOneOut && !affordable {
            warnings.append("no leave-one-out comparison: \(groups.count) units of \(fit.frame.rows.count) rows would take "
                + "\(groups.count) refits of the whole model")
        }
        if settings.leaveOneOut && affordable {
            for (g, group) in groups.enumerated() {
                let own = Set(group.positions.map { fit.frame.rows[$0] })
                do {
                    let refit = try fit.refit(rows: fit.frame.rows.filter { !own.contains($0) })
                    let prediction = try refit.predictMean(table)
                    let mean = Dictionary(uniqueKeysWithValues: zip(prediction.rows, prediction.mean))
                    looExpected[g] = own.reduce(0.0) { $0 + (mean[$1] ?? .nan) }
                } catch {
                    warnings.append("\(group.unit)\(group.by.map { " \($0)" } ?? ""): no leave-one-out comparison: \(error)")
                }
            }
        }

        // Shrinkage on the log scale, with tau^2 estimated there.
        let logScored = settings.scale == .log ? scored
            : zip(observed, expected).map { ComparisonScale.log.value(observed: $0, expected: $1) }
        let logEstimate = settings.scale == .log ? estimate : OverdispersionEstimate(
            z: logScored.map { $0.y / $0.s }, s: logScored.map(\.s), trim: settings.trim, method: settings.trimMethod)
        let tau2 = logEstimate.tau2
        let precision = logScored.map { 1 / ($0.s * $0.s + tau2) }
        let mean = zip(logScored, precision).reduce(0.0) { $0 + $1.0.y * $1.1 } / precision.reduce(0, +)
        let medianS2 = quantile(logScored.map { $0.s * $0.s }, 0.5)
        let q = Distributions.normalQuantile(1 - (1 - settings.level) / 2)
        let rank = ranks(of: zip(observed, expected).map { $0 / $1 })

        let affordableRanks = RankSets.affordable(units: groups.count, draws: settings.rankDraws)
        if settings.rankSets && !affordableRanks {
            warnings.append("no rank sets: \(groups.count) units make \(groups.count * (groups.count - 1) / 2) pairs, too many for "
                + "\(settings.rankDraws) draws (fewer --rank-draws, or compare fewer units)")
        }
        let sets = !settings.rankSets || !affordableRanks ? nil
            : rankSets(fit, groups: groups.map(\.positions), expected: expected, observed: observed, settings: settings,
                       warnings: &warnings)

        var units = [ComparedUnit]()
        for (g, group) in groups.enumerated() {
            let o = observed[g], e = expected[g]
            let exposure = exposureColumn.map { c in group.positions.reduce(0.0) { $0 + c.numbers[fit.frame.rows[$1]] } }
            // Model-based: the z-score in units of the model's own spread (variance E + E^2 / size).
            let w = settings.overdispersion == .model ? (1 + e / limits.modelSize).squareRoot() : limits.widening(expected: e)
            var looZ: Double?, looFlag: String?
            if let le = looExpected[g], le.isFinite, le > 0 {
                var looLimits = limits
                if settings.overdispersion == .multiplicative || settings.overdispersion == .additive {
                    let others = groups.indices.filter { $0 != g }
                    looLimits.estimate = OverdispersionEstimate(
                        z: others.map { z[$0] }, s: others.map { s[$0] }, trim: settings.trim, method: settings.trimMethod)
                }
                let v = settings.scale.value(observed: o, expected: le)
                let looWidening = settings.overdispersion == .model ? (1 + le / limits.modelSize).squareRoot()
                    : looLimits.widening(expected: le)
                looZ = v.y / v.s / looWidening
                looFlag = FunnelLimits.describe(looLimits.flag(ratio: o / le, expected: le))
            }
            let b = logScored[g].s * logScored[g].s / (logScored[g].s * logScored[g].s + tau2)
            let shrunk = mean + (1 - b) * (logScored[g].y - mean)
            let sd = ((1 - b) * logScored[g].s * logScored[g].s).squareRoot()
            let a = (1 - settings.level) / 2
            units.append(ComparedUnit(
                unit: group.unit, by: group.by, rows: group.positions.map { fit.frame.rows[$0] }, observed: o, expected: e,
                ratioLow: PoissonLimits.garwood(a, observed: o, expected: e),
                ratioHigh: PoissonLimits.garwood(1 - a, observed: o, expected: e),
                rate: exposure.map { o / $0 * settings.per }, expectedRate: exposure.map { e / $0 * settings.per },
                z: z[g], zAdjusted: z[g] / w, flag: FunnelLimits.describe(limits.flag(ratio: o / e, expected: e)),
                looExpected: looExpected[g], looZ: looZ, looFlag: looFlag,
                shrunkRatio: exp(shrunk), shrunkLow: exp(shrunk - q * sd), shrunkHigh: exp(shrunk + q * sd),
                reliability: tau2 / (tau2 + logScored[g].s * logScored[g].s), rank: rank[g],
                rankLow: sets?.marginalLow[g], rankHigh: sets?.marginalHigh[g],
                rankLowSimultaneous: sets?.simultaneousLow[g], rankHighSimultaneous: sets?.simultaneousHigh[g]))
        }
        return UnitComparison(
            settings: settings, units: units, limits: limits, estimate: estimate, shrinkageTau2: tau2,
            rankability: tau2 / (tau2 + medianS2), rankSets: sets, warnings: warnings)
    }

    /// Rank sets of `theta_j = log(O_j / E_j)` with covariance `D + G V G^T`: `D_jj = V_j / E_j^2`
    /// (the unit's count's variance under the model, on the log scale, as its z-score takes it)
    /// and `G_j = sum_i mu_i x_i / E_j`, the gradient of `log E_j` in the coefficients (log link),
    /// `V` their covariance. The count's correlation with the coefficients it helped fit is left
    /// out, which widens the sets. Nil, with a warning, for a link other than the log.
    static func rankSets(
        _ fit: any FittedModel, groups: [[Int]], expected: [Double], observed: [Double], settings: ComparisonSettings,
        warnings: inout [String]
    ) -> RankSets? {
        let theta = zip(observed, expected).map { log(max($0, 0.5) / $1) }
        if settings.replicates > 0 {
            guard let sigma = bootstrapCovariance(fit, groups: groups, settings: settings, warnings: &warnings) else { return nil }
            var sets = RankSets(theta: theta, covariance: sigma, level: settings.level, draws: settings.rankDraws, seed: settings.seed)
            sets.replicates = settings.replicates
            return sets
        }
        let x = fit.frame.design, b = fit.coef, v = fit.vcov, mu = fit.fitted, offsets = fit.offsets
        let kept = b.indices.filter { !b[$0].isNaN }
        for i in mu.indices {
            var eta = offsets?[i] ?? 0
            for j in kept { eta += x[i, j] * b[j] }
            guard abs(log(mu[i]) - eta) <= 1e-8 * max(1, abs(eta)) else {
                warnings.append("no rank sets: they are made for a model with the log link")
                return nil
            }
        }
        let variances = fit.responseVariances
        let gradients = groups.indices.map { g -> [Double] in
            kept.map { j in groups[g].reduce(0.0) { $0 + mu[$1] * x[$1, j] } / expected[g] }
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
    /// each replicate draws every row's count from the model at its fitted mean (negative
    /// binomial with the model's variance, Poisson where the variance is the mean), refits the
    /// model to them (warm-started) and takes each unit's log(O*/E*). Replicate `r` draws from
    /// its own generator, seeded by `settings.seed` and `r`, and the replicates of a batch run on
    /// every core, their sums taken in replicate order: the result depends on neither the cores
    /// nor the batch size.
    static func bootstrapCovariance(
        _ fit: any FittedModel, groups: [[Int]], settings: ComparisonSettings, warnings: inout [String]
    ) -> Matrix? {
        let mu = fit.fitted, variances = fit.responseVariances, p = groups.count
        // Sums of the values less the fit's own (which leaves the covariance as it is) lose no
        // digits to a large mean.
        let centre = groups.map { g in log(max(g.reduce(0.0) { $0 + fit.response[$1] }, 0.5) / g.reduce(0.0) { $0 + mu[$1] }) }
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
                        let excess = variances[i] - mu[i]
                        return excess > 1e-12 * mu[i] ? generator.negativeBinomial(mean: mu[i], theta: mu[i] * mu[i] / excess)
                            : generator.poisson(mu[i])
                    }
                    guard let refit = try? fit.refit(response: y) else {
                        row[0] = .nan
                        return
                    }
                    let fitted = refit.fitted
                    for (a, g) in groups.enumerated() {
                        row[a] = log(max(g.reduce(0.0) { $0 + y[$1] }, 0.5) / g.reduce(0.0) { $0 + fitted[$1] })
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
