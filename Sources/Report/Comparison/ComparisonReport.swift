import Comparison
import DataTable
import Foundation
import Regression

/// Units against a model as a table: text with a header naming the model, the limits and the
/// overdispersion estimates; Markdown; CSV and JSON with the stable columns of ``columns``.
public struct ComparisonReport: RenderedReport {
    /// What the report renders.
    public let comparison: UnitComparison
    /// The model, as a call.
    public let model: String
    /// Units in the order to print (`--sort`, `--top`).
    public let units: [ComparedUnit]

    /// The stable columns (after `unit`, and `by` when units are split).
    public static let columns = [
        "observed", "expected", "ratio", "ratio_low", "ratio_high", "rate", "expected_rate", "z", "z_adjusted", "flag",
        "loo_expected", "loo_ratio", "loo_flag", "shrunk_ratio", "shrunk_low", "shrunk_high", "rank", "rank_low", "rank_high",
        "rank_low_simultaneous", "rank_high_simultaneous",
    ]

    /// The report of `comparison`, its units sorted and cut as asked.
    ///
    /// - Parameters:
    ///   - comparison: the units compared.
    ///   - model: the model, as a call, for the header.
    ///   - sort: a column of ``columns`` (or `unit`) to sort by, descending for numbers; nil keeps
    ///     the data's order.
    ///   - top: the first this many after sorting.
    public init(_ comparison: UnitComparison, model: String, sort: String? = nil, top: Int? = nil) throws(ModelError) {
        self.comparison = comparison
        self.model = model
        var units = comparison.units
        if let sort {
            guard sort == "unit" || Self.columns.contains(sort) else {
                throw .unsupported("--sort \(sort): not a column; sort by unit or one of " + Self.columns.joined(separator: ", "))
            }
            let key = { (u: ComparedUnit) -> Double? in Self.number(u, sort) }
            units.sort { a, b in
                if sort == "unit" || sort.hasSuffix("flag") { return Self.text(a, sort) < Self.text(b, sort) }
                switch (key(a), key(b)) {
                case (let x?, let y?) where !x.isNaN && !y.isNaN: return x > y
                case (_?, nil): return true
                default: return false
                }
            }
        }
        if let top { units = Array(units.prefix(top)) }
        self.units = units
    }

    private var split: Bool { comparison.settings.by != nil }

    static func number(_ u: ComparedUnit, _ column: String) -> Double? {
        switch column {
        case "observed": u.observed
        case "expected": u.expected
        case "trials": u.trials
        case "ratio": u.ratio
        case "ratio_low": u.ratioLow
        case "ratio_high": u.ratioHigh
        case "rate": u.rate
        case "expected_rate": u.expectedRate
        case "z": u.z
        case "z_adjusted": u.zAdjusted
        case "loo_expected": u.looExpected
        case "loo_ratio": u.looRatio
        case "shrunk_ratio": u.shrunkRatio
        case "shrunk_low": u.shrunkLow
        case "shrunk_high": u.shrunkHigh
        case "rank": Double(u.rank)
        case "rank_low": u.rankLow.map(Double.init)
        case "rank_high": u.rankHigh.map(Double.init)
        case "rank_low_simultaneous": u.rankLowSimultaneous.map(Double.init)
        case "rank_high_simultaneous": u.rankHighSimultaneous.map(Double.init)
        default: nil
        }
    }

    static func text(_ u: ComparedUnit, _ column: String) -> String {
        switch column {
        case "unit": u.unit
        case "flag": u.flag
        case "loo_flag": u.looFlag ?? ""
        default: ""
        }
    }

    /// The columns printed: ``columns``, with `trials` after `expected` for proportions.
    private var columns: [String] {
        guard comparison.limits.proportion != nil else { return Self.columns }
        var all = Self.columns
        all.insert("trials", at: all.firstIndex(of: "expected")! + 1)
        return all
    }

    private var header: [String] { ["unit"] + (split ? [comparison.settings.by!] : []) + columns }

    private func cells(_ u: ComparedUnit, _ number: (Double?) -> String) -> [String] {
        [u.unit] + (split ? [u.by ?? ""] : []) + columns.map { column in
            column.hasSuffix("flag") ? (Self.text(u, column).isEmpty ? "NA" : Self.text(u, column)) : number(Self.number(u, column))
        }
    }

    var method: String {
        let s = comparison.settings, e = comparison.estimate, p0 = comparison.limits.proportion
        let proportion = p0.map { NumberFormat.significant($0, digits: 5) } ?? ""
        let limits = switch s.limits {
        case .exact where s.overdispersion == .model: "exact negative binomial prediction limits (interpolated as Spiegelhalter's)"
        case .exact where p0 != nil: "exact binomial prediction limits at the overall proportion p0 = \(proportion), a unit of "
            + "expected count E taken as E / p0 trials (Spiegelhalter's interpolation)"
        case .exact: "exact Poisson prediction limits (Spiegelhalter's interpolation)"
        case .chisq: "exact confidence limits with O = E (as FunnelPlotR's; too high at small E)"
        case .normal where p0 != nil: "normal limits 1 +- z sqrt((1 - p0) / E), p0 = \(proportion)"
        case .normal: "normal limits 1 +- z / sqrt(E)"
        }
        let levels = s.levels.map { NumberFormat.significant($0 * 100, digits: 4) + "%" }.joined(separator: ", ")
        let trim = "\(s.trimMethod == .winsorise ? "winsorised" : "truncated") at \(NumberFormat.significant(s.trim * 100, digits: 3))%, "
            + "\(e.trimmed.count) of \(comparison.units.count) units altered"
        let estimates = "phi = \(NumberFormat.significant(e.phi, digits: 4)) (chi-squared \(NumberFormat.significant(Double(e.count) * e.phi, digits: 5)) "
            + "on \(e.count) df, p \(Self.pText(e.phiPValue))), tau2 = \(NumberFormat.significant(e.tau2, digits: 4)) "
            + "(\(comparison.limits.scale.rawValue) scale; z-scores \(trim))"
        let over = switch s.overdispersion {
        case .none: "none (estimates for reference: \(estimates))"
        case .multiplicative: "multiplicative, \(estimates)"
        case .additive: "additive (\(s.tau2Method == .dl ? "DerSimonian-Laird" : "REML")), \(estimates)"
        case .model: "from the fitted model: a unit's count on target taken as negative binomial with the model's mean and "
            + "variance (moment match), size \(NumberFormat.significant(comparison.limits.modelSize, digits: 5)) (the units' median); "
            + "for reference \(estimates)"
        }
        return "Limits: \(limits) at \(levels).\nOverdispersion: \(over).\n"
    }

    /// "= 0.012" or "< 2e-16", as R prints a p-value after "p".
    static func pText(_ p: Double) -> String {
        let text = NumberFormat.pValue(p)
        return text.hasPrefix("<") ? text : "= " + text
    }

    /// The report as text, laid out as R prints it.
    public var text: String {
        let s = comparison.settings
        let counts = switch comparison.response {
        case .count: "sum of fitted counts"
        case .proportion: "successes: sum of trials times fitted proportions"
        case .continuous: "counts the rates imply: sum of rate times \(s.exposure ?? "exposure") / \(NumberFormat.significant(s.per, digits: 15))"
        }
        var out = "Units (\(s.unit)\(s.by.map { " by \($0)" } ?? "")) against \(model): observed O against expected E "
            + "(\(counts))\n" + method
        out += "Leave-one-out: " + (s.leaveOneOut ? "each unit's rows left out of the fit and of the overdispersion estimate." : "off.") + "\n"
        out += "Shrunken O/E: empirical Bayes on the log scale, tau2 = \(NumberFormat.significant(comparison.shrinkageTau2, digits: 4)); "
            + "rankability \(NumberFormat.significant(comparison.rankability, digits: 3)). Rank 1 is the highest O/E.\n\n"
        let shown = ["unit"] + (split ? [s.by!] : []) + ["observed", "expected"]
            + (comparison.limits.proportion == nil ? [] : ["trials"]) + ["ratio", "ratio_low", "ratio_high"]
            + (s.exposure == nil ? [] : ["rate", "expected_rate"]) + ["z_adjusted", "flag"]
            + (s.leaveOneOut ? ["loo_ratio", "loo_flag"] : []) + ["shrunk_ratio", "rank", "rank_low", "rank_high",
                                                                  "rank_low_simultaneous", "rank_high_simultaneous"]
        let all = header
        let rows = units.map { u in cells(u) { $0.map { NumberFormat.significant($0, digits: 5) } ?? "NA" } }
        let pick = shown.compactMap { all.firstIndex(of: $0) }
        out += alignColumns([pick.map { all[$0] }] + rows.map { r in pick.map { r[$0] } }).map { $0 + "\n" }.joined()
        if let r = comparison.rankSets {
            let level = NumberFormat.significant(r.level * 100, digits: 4)
            let source = r.replicates > 0 ? "covariance from \(r.replicates) parametric-bootstrap replicates of the model"
                : "covariance from the model"
            out += "\nRank sets (\(level)%, of log O/E; Mogstad, Romano, Shaikh and Wilhelm 2024, step-down; \(source); \(r.draws) draws, "
                + "seed \(r.seed)): rank_low..rank_high covers each unit's rank; the simultaneous sets cover every rank at once "
                + "(single-step critical value \(NumberFormat.significant(r.simultaneousCritical, digits: 4))).\n"
            let names = comparison.units.map(\.unit)
            for tau in [3] {
                out += "May be among the \(tau) highest: " + r.best(tau).map { names[$0] }.joined(separator: ", ") + "\n"
                out += "May be among the \(tau) lowest: " + r.worst(tau).map { names[$0] }.joined(separator: ", ") + "\n"
            }
        }
        for warning in comparison.warnings { out += "Warning: \(warning).\n" }
        return out
    }

    /// The report as tidy CSV (one row per line of the table).
    public var csv: String {
        CSVWriter.render(header: header, rows: units.map { cells($0) { NumberFormat.exact($0) } })
    }

    public var markdownTable: String? {
        let rows = units.map { cells($0) { $0.map { NumberFormat.significant($0, digits: 5) } ?? "NA" } }
        var out = "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        return out
    }

    /// The report as JSON, with the same fields as the CSV and the statistics around them.
    public var json: String {
        let s = comparison.settings, e = comparison.estimate
        let all = comparison.units
        let items = JSONValue.array(units.map { u in
            .object(zip(header, cells(u) { NumberFormat.exact($0) }).map { name, cell in
                if name == "unit" || name == s.by || name.hasSuffix("flag") { return (name, cell == "NA" ? .number(nil) : .string(cell)) }
                return (name, .number(Double(cell)))
            })
        })
        let phiTest: JSONValue = .object([
            ("statistic", .number(Double(e.count) * e.phi)), ("df", .number(Double(e.count))), ("p_value", .number(e.phiPValue)),
        ])
        let trimmed: [JSONValue] = e.trimmed.map { .string(all[$0].unit + (all[$0].by.map { " " + $0 } ?? "")) }
        var fields: [(String, JSONValue)] = [("model", .string(model)), ("unit", .string(s.unit))]
        fields.append(("by", s.by.map { .string($0) } ?? .number(nil)))
        fields += [("limits", .string(s.limits.rawValue)), ("levels", .array(s.levels.map { .number($0) }))]
        fields += [("overdispersion", .string(s.overdispersion.rawValue)), ("scale", .string(comparison.limits.scale.rawValue))]
        fields += [("tau2_method", .string(s.tau2Method.rawValue)), ("proportion", .number(comparison.limits.proportion))]
        fields += [("trim", .number(s.trim)), ("trim_method", .string(s.trimMethod.rawValue))]
        fields += [("phi", .number(e.phi)), ("phi_test", phiTest), ("tau2", .number(e.tau2)), ("trimmed", .array(trimmed))]
        fields.append(("model_size", .number(comparison.limits.modelSize.isFinite ? comparison.limits.modelSize : nil)))
        fields += [("shrinkage_tau2", .number(comparison.shrinkageTau2)), ("rankability", .number(comparison.rankability))]
        if let r = comparison.rankSets {
            let names = all.map { $0.unit + ($0.by.map { " " + $0 } ?? "") }
            fields.append(("rank_sets", .object([
                ("level", .number(r.level)), ("draws", .number(Double(r.draws))), ("seed", .number(Double(r.seed))),
                ("simultaneous_critical", .number(r.simultaneousCritical)), ("replicates", .number(Double(r.replicates))),
                ("best_3", .array(r.best(3).map { .string(names[$0]) })), ("worst_3", .array(r.worst(3).map { .string(names[$0]) })),
            ])))
        }
        fields += [("units", items), ("warnings", .array(comparison.warnings.map { .string($0) }))]
        return JSONValue.object(fields).rendered(indent: 0) + "\n"
    }

    /// The limit curves the funnel plot draws, as CSV: `expected, level, overdispersion, low,
    /// high` at 200 log-spaced expected counts from half the smallest unit's to twice the
    /// largest's; with overdispersion, the unadjusted curves (`overdispersion` none) as well.
    public func limitsTable() -> String {
        var rows = [[String]]()
        for (limits, _) in drawnLimits {
            for x in curveGrid {
                for level in comparison.settings.levels {
                    let (l, h) = limits.limits(expected: x, level: level)
                    rows.append([NumberFormat.exact(x), NumberFormat.exact(level), limits.overdispersion.rawValue,
                                 NumberFormat.exact(l), NumberFormat.exact(h)])
                }
            }
        }
        return CSVWriter.render(header: ["expected", "level", "overdispersion", "low", "high"], rows: rows)
    }
}
