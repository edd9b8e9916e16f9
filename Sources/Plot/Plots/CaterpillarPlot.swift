/// A caterpillar plot: units in the order given (sorted by the caller, by O/E or a shrunken
/// estimate), each with its interval, against the target line; a unit's label may carry its
/// rank set.
public struct CaterpillarPlot: Sendable {
    /// One unit: its label, estimate and interval.
    public struct Unit: Sendable {
        /// The unit as labelled on the axis (with its rank set, where there is one).
        public var label: String
        /// The estimate and its interval.
        public var estimate: Double, low: Double, high: Double
        /// Whether the unit is outside its funnel limits (drawn as a square).
        public var flagged: Bool
        /// The hover text.
        public var hover: String

        /// A unit with its estimate and interval.
        public init(label: String, estimate: Double, low: Double, high: Double, flagged: Bool, hover: String) {
            (self.label, self.estimate, self.low, self.high, self.flagged, self.hover) = (label, estimate, low, high, flagged, hover)
        }
    }

    /// The figure title.
    public var title: String
    /// The units, top to bottom, in the order to draw them.
    public var units: [Unit]
    /// Where the target line is drawn (1 for ratios).
    public var target: Double
    /// The axis title, with its units.
    public var xTitle: String
    /// Ratios read on a log axis (equal distances for equal factors).
    public var logScale: Bool
    /// How the plot was made.
    public var caption: String

    /// A caterpillar plot of `units` against `target` (1) on a log axis unless told otherwise.
    public init(title: String, units: [Unit], target: Double = 1, xTitle: String, logScale: Bool = true, caption: String) {
        (self.title, self.units, self.target, self.xTitle, self.logScale, self.caption) = (title, units, target, xTitle, logScale, caption)
    }

    /// The plot as a figure, ready to render (``Figure/svg``).
    public var figure: Figure {
        let positions = units.indices.map { Double($0 + 1) }
        let intervals = zip(units, positions).map { PlotInterval(position: $1, low: $0.low, high: $0.high, title: $0.hover) }
        var marks: [Mark] = [
            .verticalLine(target, LineStyle(colour: .grey, width: 1, dash: "1 3"), legend: "Target"),
            .intervals(intervals, LineStyle(colour: .grey, width: 1.4), horizontal: true, classes: "interval"),
        ]
        for (flagged, style, legend) in [(false, PointStyle(colour: .black, marker: .circle, size: 3.2), "Estimate"),
                                         (true, PointStyle(colour: .vermillion, marker: .square, size: 3.2), "Estimate, flagged")] {
            let points = zip(units, positions).filter { $0.0.flagged == flagged }.map { u, y in
                PlotPoint(x: u.estimate, y: y, title: u.hover, classes: "point unit" + (flagged ? " flagged" : ""))
            }
            if !points.isEmpty { marks.append(.points(points, style, legend: legend)) }
        }
        let panel = Panel(x: Axis(xTitle, kind: logScale ? .log : .linear, include: [target]),
                          y: Axis("", categories: units.map(\.label)), marks: marks)
        return Figure(title: title, panels: [panel], caption: caption)
    }
}
