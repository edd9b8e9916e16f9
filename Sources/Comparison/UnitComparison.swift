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
    /// A column splitting each unit (a year), or nil to pool the unit's rows.
    public var by: String?
    /// The exposure column whose sum makes the rates (nil: no rates). For a model of a
    /// continuous response, the population its response is a rate per ``per`` of: a row's
    /// counts are then its rate times this over ``per``.
    public var exposure: String?
    /// Rates per this many of the exposure.
    public var per: Double = 10_000
    /// The funnel's levels.
    public var levels: [Double] = [0.95, 0.998]
    /// The funnel's limits without overdispersion.
    public var limits: LimitMethod = .exact
    /// How overdispersion enters the limits.
    public var overdispersion: OverdispersionMethod = .none
    /// nil: log for counts and rates, arcsine for proportions (the only scale they take).
    public var scale: ComparisonScale?
    /// The estimator of the additive tau^2.
    public var tau2Method: Tau2Method = .dl
    /// The share of z-scores trimmed in each tail before estimating overdispersion.
    public var trim: Double = 0.1
    /// How they are trimmed: winsorised or truncated.
    public var trimMethod: TrimMethod = .winsorise
    /// Each unit also compared with a model fitted without its rows.
    public var leaveOneOut = true
    /// The level of each unit's own interval, of the shrunken ratio's and of the rank sets.
    public var level = 0.95
    /// Whether to make rank confidence sets, the draws of N(0, Sigma) behind their critical
    /// values, and the draws' seed.
    public var rankSets = true
    /// Draws behind the rank sets' critical values.
    public var rankDraws = 2_000
    /// The seed of those draws and of the bootstrap.
    public var seed: UInt64 = 1
    /// Replicates of a parametric bootstrap of the fitted model behind the rank sets' covariance
    /// (0: the model's covariance, by the delta method).
    public var replicates = 0
    /// Told (replicates done, of how many) as the bootstrap goes.
    public var progress: (@Sendable (Int, Int) -> Void)?

    /// Settings comparing the units of column `unit`, with the defaults above.
    public init(unit: String, by: String? = nil, exposure: String? = nil) {
        self.unit = unit
        self.by = by
        self.exposure = exposure
    }
}

/// One unit against the model. For a binomial model, counts are successes; for a model of a
/// continuous rate, counts are the rate times the exposure over `per`.
public struct ComparedUnit: Sendable {
    /// The unit's name (its value of the unit column).
    public let unit: String
    /// The `by` value, when units are split.
    public let by: String?
    /// Table rows of the unit that the model used.
    public let rows: [Int]
    /// The observed count O over the unit's rows.
    public let observed: Double
    /// Sum of the fitted counts over the unit's rows (indirect standardisation).
    public let expected: Double
    /// O/E.
    public var ratio: Double { observed / expected }
    /// The unit's trials, for a binomial model.
    public let trials: Double?
    /// Exact interval of O/E at the settings' level: Garwood's (Poisson), Clopper-Pearson's for
    /// proportions.
    public let ratioLow: Double, ratioHigh: Double
    /// Rates per `per` of the summed exposure; nil without an exposure.
    public let rate: Double?, expectedRate: Double?
    /// The z-score on the comparison scale, and adjusted for overdispersion.
    public let z: Double, zAdjusted: Double
    /// Where O/E falls against the limits: "above 99.8%", "below 95%", "within".
    public let flag: String
    /// With the unit's rows left out of the fit and of the overdispersion estimate; nil when
    /// the model cannot be fitted or predict without them (a level only the unit has).
    public let looExpected: Double?, looZ: Double?, looFlag: String?
    /// O/E against the model fitted without the unit.
    public var looRatio: Double? { looExpected.map { observed / $0 } }
    /// Empirical-Bayes O/E (log scale, towards the precision-weighted mean) and its interval;
    /// the reliability `tau2 / (tau2 + s^2)` of the unit's own estimate.
    public let shrunkRatio: Double, shrunkLow: Double, shrunkHigh: Double, reliability: Double
    /// 1 for the highest O/E.
    public let rank: Int
    /// The marginal rank confidence set (``RankSets``); nil where not made.
    public let rankLow: Int?, rankHigh: Int?
    /// The simultaneous rank confidence set; nil where not made.
    public let rankLowSimultaneous: Int?, rankHighSimultaneous: Int?
}

/// Units compared against a fitted model: observed against expected, funnel limits with
/// overdispersion, leave-one-out, shrinkage, rank sets (`shared/methods/comparison.md`). A
/// count model's units compare counts; a binomial model's, successes (binomial limits at the
/// overall proportion); a linear (or other continuous) model of a rate, the counts its rates
/// imply with the exposure.
public struct UnitComparison: Sendable {
    /// The settings the comparison was made with.
    public let settings: ComparisonSettings
    /// The units, in order of first appearance in the data.
    public let units: [ComparedUnit]
    /// The limits every flag was taken from (for plots and `--limits-table`).
    public let limits: FunnelLimits
    /// The overdispersion of the units' z-scores (on the settings' scale), always estimated.
    public let estimate: OverdispersionEstimate
    /// tau^2 on the log scale, behind the shrinkage; the rankability of the set.
    public let shrinkageTau2: Double
    /// The rankability of the set, tau^2 / (tau^2 + median s^2) (van Dishoeck et al. 2011).
    public let rankability: Double
    /// The rank confidence sets of log(O/E) (nil where they could not be made: see warnings).
    public let rankSets: RankSets?
    /// Units whose leave-one-out comparison could not be made, with why.
    public let warnings: [String]
    /// What the model's response measures (what O and E count).
    public let response: ResponseKind

    /// Compares the units of `fit` (fitted to `fit.frame.table`).
    public static func compare(_ fit: any FittedModel, settings: ComparisonSettings) throws(ModelError) -> UnitComparison {
        let table = fit.frame.table
        let unitColumn: Column, byColumn: Column?, exposureColumn: Column?
        do {
            unitColumn = try table.column(named: settings.unit)
            byColumn = try settings.by.map { name throws(DataError) in try table.column(named: name) }
            exposureColumn = try settings.exposure.map { name throws(DataError) in try table.column(named: name) }
        } catch { throw .data(error) }
        let counts = try RowCounts(fit, exposure: exposureColumn, settings: settings)
        let scale = try resolvedScale(fit.responseKind, settings)
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
        let observed = groups.map { g in g.positions.reduce(0.0) { $0 + counts.observed[$1] } }
        let expected = groups.map { g in g.positions.reduce(0.0) { $0 + counts.expected[$1] } }
        let trials = counts.trials.map { n in groups.map { g in g.positions.reduce(0.0) { $0 + n[$1] } } }
        // Binomial units are judged at the overall proportion.
        let p0 = trials.map { expected.reduce(0, +) / $0.reduce(0, +) }
        if let trials {
            let successes = observed.reduce(0, +), total = trials.reduce(0, +)
            guard successes > 0 && successes < total, let p0, p0 > 0 && p0 < 1 else {
                throw .unsupported("the units have \(successes == 0 ? "no successes" : "only successes") in \(total.shortText) trials: "
                    + "there is nothing to compare")
            }
        }
        let scored = zip(observed, expected).map { scale.value(observed: $0, expected: $1, proportion: p0) }
        let z = scored.map { $0.y / $0.s }, s = scored.map(\.s)
        func overdispersion(_ z: [Double], _ s: [Double]) -> OverdispersionEstimate {
            OverdispersionEstimate(z: z, s: s, trim: settings.trim, method: settings.trimMethod, tau2Method: settings.tau2Method)
        }
        let estimate = overdispersion(z, s)
        var limits = FunnelLimits(
            method: settings.limits, levels: settings.levels, overdispersion: settings.overdispersion, scale: scale,
            estimate: settings.overdispersion == .none || settings.overdispersion == .model ? nil : estimate)
        limits.proportion = p0
        if settings.overdispersion == .model {
            // Each unit's variance on target from the model's row variances.
            let variances = counts.variances
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
            for (g, result) in fit.predictionsLeavingOut(groups.map(\.positions)).enumerated() {
                switch result {
                case .success(let mean):
                    looExpected[g] = zip(groups[g].positions, mean).reduce(0.0) { $0 + counts.perRow[$1.0] * $1.1 }
                case .failure(let error):
                    let group = groups[g]
                    warnings.append("\(group.unit)\(group.by.map { " \($0)" } ?? ""): no leave-one-out comparison: \(error)")
                }
            }
        }

        // Shrinkage on the log scale, with tau^2 estimated there.
        let logScored = scale == .log ? scored
            : zip(observed, expected).map { ComparisonScale.log.value(observed: $0, expected: $1, proportion: p0) }
        let logEstimate = scale == .log ? estimate : overdispersion(logScored.map { $0.y / $0.s }, logScored.map(\.s))
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
            : rankSets(fit, counts: counts, groups: groups.map(\.positions), expected: expected, observed: observed,
                       settings: settings, warnings: &warnings)

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
                    looLimits.estimate = overdispersion(others.map { z[$0] }, others.map { s[$0] })
                }
                let v = scale.value(observed: o, expected: le, proportion: p0)
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
                trials: trials?[g],
                ratioLow: trials.map { PoissonLimits.clopperPearson(a, observed: o, trials: $0[g], expected: e) }
                    ?? PoissonLimits.garwood(a, observed: o, expected: e),
                ratioHigh: trials.map { PoissonLimits.clopperPearson(1 - a, observed: o, trials: $0[g], expected: e) }
                    ?? PoissonLimits.garwood(1 - a, observed: o, expected: e),
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
            rankability: tau2 / (tau2 + medianS2), rankSets: sets, warnings: warnings, response: fit.responseKind)
    }

    /// The scale of `settings` for a model whose response is of `kind`.
    static func resolvedScale(_ kind: ResponseKind, _ settings: ComparisonSettings) throws(ModelError) -> ComparisonScale {
        if kind == .proportion {
            guard settings.scale == nil || settings.scale == .arcsine else {
                throw .unsupported("proportions are compared on the arcsine scale (the default for a binomial model), not --scale "
                    + settings.scale!.rawValue)
            }
            return .arcsine
        }
        guard settings.scale != .arcsine else {
            throw .unsupported("--scale arcsine is for proportions (a binomial model); counts and rates take log or sqrt")
        }
        return settings.scale ?? .log
    }
}
