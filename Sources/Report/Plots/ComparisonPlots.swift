import Comparison
import Plot
#if canImport(Glibc)
import Glibc
#endif

/// The plots of a comparison, from the same limits and flags as its table.
extension ComparisonReport {
    /// Expected counts at which the limit curves are drawn: 200, log-spaced from half the
    /// smallest unit's E to twice the largest's.
    var curveGrid: [Double] {
        let e = comparison.units.map(\.expected)
        let lo = max(e.min() ?? 1, 1e-3) / 2, hi = (e.max() ?? 1) * 2
        return (0..<200).map { exp(log(lo) + (log(hi) - log(lo)) * Double($0) / 199) }
    }

    /// The limits drawn: the comparison's, and with overdispersion the unadjusted ones too.
    var drawnLimits: [(limits: FunnelLimits, adjusted: Bool)] {
        let limits = comparison.limits
        guard limits.overdispersion != .none else { return [(limits, false)] }
        var plain = limits
        (plain.overdispersion, plain.estimate, plain.modelSize) = (.none, nil, .infinity)
        return [(plain, false), (limits, true)]
    }

    /// Each unit's name as printed (with its `by` value).
    static func name(_ u: ComparedUnit) -> String { u.unit + (u.by.map { " " + $0 } ?? "") }

    func hover(_ u: ComparedUnit) -> String {
        let f = { (x: Double) in NumberFormat.significant(x, digits: 5) }
        return "\(Self.name(u)): O \(f(u.observed)), E \(f(u.expected)), O/E \(f(u.ratio)) (\(f(u.ratioLow)) to \(f(u.ratioHigh))), "
            + "\(u.flag)" + (u.rankLow.map { ", rank \(u.rank) (\($0) to \(u.rankHigh!))" } ?? ", rank \(u.rank)")
    }

    /// The funnel: every unit (not only `--top`), the limits at each level, the target.
    public var funnelPlot: FunnelPlot {
        let limits = comparison.limits, outer = limits.levels.max() ?? 0
        let units = comparison.units.map { u in
            let flag = limits.flag(ratio: u.ratio, expected: u.expected)
            return FunnelPlot.Unit(name: Self.name(u), expected: u.expected, ratio: u.ratio, direction: flag.direction,
                                   outermost: flag.direction != 0 && flag.level == outer, hover: hover(u))
        }
        let grid = curveGrid
        var curves = [FunnelPlot.Curve]()
        for (drawn, adjusted) in drawnLimits {
            for level in limits.levels {
                let bounds = grid.map { drawn.limits(expected: $0, level: level) }
                curves.append(FunnelPlot.Curve(level: level, adjusted: adjusted, expected: grid, low: bounds.map(\.low),
                                               high: bounds.map(\.high)))
            }
        }
        return FunnelPlot(title: "Funnel plot: observed against expected by \(comparison.settings.unit)", units: units, curves: curves,
                          caption: "Model: \(model). " + method.replacingOccurrences(of: "\n", with: " "))
    }

    /// Units sorted by O/E (or by the shrunken O/E) with their intervals; with rank sets, each
    /// label carries the unit's rank and marginal rank set.
    public func caterpillarPlot(shrunk: Bool = false) -> CaterpillarPlot {
        let sorted = comparison.units.sorted { (shrunk ? $0.shrunkRatio : $0.ratio) > (shrunk ? $1.shrunkRatio : $1.ratio) }
        let units = sorted.map { u in
            CaterpillarPlot.Unit(
                label: Self.name(u) + (u.rankLow.map { " (rank \(u.rank); \($0) to \(u.rankHigh!))" } ?? ""),
                estimate: shrunk ? u.shrunkRatio : u.ratio, low: shrunk ? u.shrunkLow : u.ratioLow,
                high: shrunk ? u.shrunkHigh : u.ratioHigh, flagged: u.flag != "within", hover: hover(u))
        }
        let level = NumberFormat.significant(comparison.settings.level * 100, digits: 4) + "%"
        let what = shrunk ? "Shrunken O/E (empirical Bayes) with its \(level) interval"
            : "O/E with its exact \(level) interval"
        let ranks = comparison.rankSets.map { r in
            " Rank sets: \(NumberFormat.significant(r.level * 100, digits: 4))% marginal (Mogstad, Romano, Shaikh and Wilhelm 2024)."
        } ?? ""
        return CaterpillarPlot(title: "Caterpillar plot: \(comparison.settings.unit) by \(shrunk ? "shrunken " : "")O/E",
                               units: units, xTitle: what + " (log scale)",
                               caption: "Model: \(model). Flagged (squares): outside the funnel's limits." + ranks)
    }
}
