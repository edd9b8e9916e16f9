/// A caterpillar plot: units in the order given (sorted by the caller, by O/E or a shrunken
/// estimate), each with its interval, against the target line; a unit's label may carry its
/// rank set.
public struct CaterpillarPlot: Sendable {
    public struct Unit: Sendable {
        public var label: String
        public var estimate: Double, low: Double, high: Double
        public var flagged: Bool
        public var hover: String

        public init(label: String, estimate: Double, low: Double, high: Double, flagged: Bool, hover: String) {
            (self.label, self.estimate, self.low, self.high, self.flagged, self.hover) = (label, estimate, low, high, flagged, hover)
        }
    }

    public var title: String
    public var units: [Unit]
    public var target: Double
    public var xTitle: String
    /// Ratios read on a log axis (equal distances for equal factors).
    public var logScale: Bool
    public var caption: String

    public init(title: String, units: [Unit], target: Double = 1, xTitle: String, logScale: Bool = true, caption: String) {
        (self.title, self.units, self.target, self.xTitle, self.logScale, self.caption) = (title, units, target, xTitle, logScale, caption)
    }

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
