/// A funnel plot: each unit's ratio (O/E) against its expected count, the limits at each level
/// as functions of E (adjusted for overdispersion and not, told apart), the target line, and
/// labels on the units outside the outermost limits.
public struct FunnelPlot: Sendable {
    /// One unit: where it falls and how it is flagged.
    public struct Unit: Sendable {
        /// The unit, as labelled.
        public var name: String
        /// Its expected count E and its ratio O/E.
        public var expected: Double, ratio: Double
        /// +1 above its limits, -1 below, 0 within; `outermost`: beyond the outermost level's.
        public var direction: Int
        /// Whether it is beyond the outermost level's limits (labelled, drawn filled).
        public var outermost: Bool
        /// The hover text (the unit and its values).
        public var hover: String

        /// A unit at (E, O/E) with its flag.
        public init(name: String, expected: Double, ratio: Double, direction: Int, outermost: Bool, hover: String) {
            (self.name, self.expected, self.ratio, self.direction, self.outermost, self.hover) =
                (name, expected, ratio, direction, outermost, hover)
        }
    }

    /// The limits at `level` at each of `expected`.
    public struct Curve: Sendable {
        /// The level (0.95, 0.998).
        public var level: Double
        /// Whether these limits are adjusted for overdispersion.
        public var adjusted: Bool
        /// Expected counts and the lower and upper limits on O/E at each.
        public var expected: [Double], low: [Double], high: [Double]

        /// The limit curves at `level`.
        public init(level: Double, adjusted: Bool, expected: [Double], low: [Double], high: [Double]) {
            (self.level, self.adjusted, self.expected, self.low, self.high) = (level, adjusted, expected, low, high)
        }
    }

    /// The figure title.
    public var title: String
    /// Every unit compared.
    public var units: [Unit]
    /// The limit curves, each level adjusted and not.
    public var curves: [Curve]
    /// The target ratio (1).
    public var target: Double
    /// The model, the limits and the overdispersion estimates.
    public var caption: String
    /// The x axis title.
    public var xTitle = "Expected count E (sum of the model's fitted counts)"
    /// The y axis title.
    public var yTitle = "Observed / expected (O/E)"

    /// A funnel of `units` with `curves` about `target` (1).
    public init(title: String, units: [Unit], curves: [Curve], target: Double = 1, caption: String) {
        (self.title, self.units, self.curves, self.target, self.caption) = (title, units, curves, target, caption)
    }

    /// The plot as a figure, ready to render (``Figure/svg``).
    public var figure: Figure {
        let levels = Set(curves.map(\.level)).sorted()
        let anyAdjusted = curves.contains { $0.adjusted }
        var marks = [Mark]()
        for curve in curves.sorted(by: { ($0.adjusted ? 1 : 0, $0.level) < ($1.adjusted ? 1 : 0, $1.level) }) {
            // The outermost level solid, inner ones dashed; unadjusted limits grey when
            // adjusted ones are drawn over them.
            let rank = levels.firstIndex(of: curve.level)!
            let dash: String? = rank == levels.count - 1 ? nil : (rank == levels.count - 2 ? "6 4" : "2 3")
            let main = curve.adjusted || !anyAdjusted
            let style = LineStyle(colour: main ? .black : .lightGrey, width: main ? 1.5 : 1.2, dash: dash)
            let name = Self.percent(curve.level) + " limits" + (anyAdjusted ? (curve.adjusted ? " (adjusted)" : " (unadjusted)") : "")
            let classes = "limit level-\(Self.percent(curve.level).dropLast()) \(curve.adjusted ? "adjusted" : "unadjusted")"
            marks.append(.line(x: curve.expected, y: curve.low, style, legend: name, classes: classes + " low"))
            marks.append(.line(x: curve.expected, y: curve.high, style, legend: nil, classes: classes + " high"))
        }
        marks.append(.horizontalLine(target, LineStyle(colour: .grey, width: 1, dash: "1 3"), legend: "Target (O/E = \(Scale.format(target, decimals: 2)))"))
        // Within, then below and above: outlined beyond inner limits, filled beyond the outermost.
        let groups: [(String, PointStyle, (Unit) -> Bool)] = [
            ("Within the limits", PointStyle(colour: .grey, marker: .circle, filled: false), { $0.direction == 0 }),
            ("Below the inner limits", PointStyle(colour: .blue, marker: .triangleDown, filled: false),
             { $0.direction < 0 && !$0.outermost }),
            ("Below the outermost limits", PointStyle(colour: .blue, marker: .triangleDown), { $0.direction < 0 && $0.outermost }),
            ("Above the inner limits", PointStyle(colour: .vermillion, marker: .triangleUp, filled: false),
             { $0.direction > 0 && !$0.outermost }),
            ("Above the outermost limits", PointStyle(colour: .vermillion, marker: .triangleUp), { $0.direction > 0 && $0.outermost }),
        ]
        for (legend, style, member) in groups {
            let chosen = units.filter(member)
            guard !chosen.isEmpty else { continue }
            let points = chosen.map { u in
                PlotPoint(x: u.expected, y: u.ratio, title: u.hover, label: u.outermost ? u.name : nil,
                          classes: "point unit" + (u.direction != 0 ? " flagged" : "") + (u.outermost ? " outermost" : ""))
            }
            marks.append(.points(points, style, legend: legend))
        }
        // The axes span the units and, at their expected counts, the limits (not the limits'
        // steep ends below the smallest unit).
        let e = units.map(\.expected).filter { $0 > 0 }
        let lo = e.min() ?? 1, hi = e.max() ?? 1
        var ySpan = units.map(\.ratio) + [target]
        for curve in curves {
            for (k, x) in curve.expected.enumerated() where x >= lo && x <= hi { ySpan += [curve.low[k], curve.high[k]] }
        }
        let xAxis = Axis(xTitle, kind: hi / lo > 20 ? .log : .linear, span: e)
        let panel = Panel(x: xAxis, y: Axis(yTitle, include: [target], span: ySpan.filter(\.isFinite)), marks: marks)
        return Figure(title: title, panels: [panel], caption: caption)
    }

    /// "95%", "99.8%".
    public static func percent(_ level: Double) -> String { SVGWriter.fixed(level * 100, decimals: 4) + "%" }
}
