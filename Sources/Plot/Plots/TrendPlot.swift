/// Rates by year: a thin line per unit, the national (or overall) rate emphasised.
public struct TrendPlot: Sendable {
    /// One line: a unit's (or the overall) values by year.
    public struct Series: Sendable {
        /// The unit (hover text) or the overall series (legend).
        public var name: String
        /// The years and the value in each.
        public var years: [Double], values: [Double]

        /// A series of values by year.
        public init(name: String, years: [Double], values: [Double]) {
            (self.name, self.years, self.values) = (name, years, values)
        }
    }

    /// The figure title.
    public var title: String
    /// A series per unit.
    public var units: [Series]
    /// The emphasised series (nil: none).
    public var overall: Series?
    /// The y axis title, with its units.
    public var yTitle: String
    /// How the overall series was computed.
    public var caption: String

    /// Rates by year for `units`, with `overall` emphasised.
    public init(title: String, units: [Series], overall: Series?, yTitle: String, caption: String) {
        (self.title, self.units, self.overall, self.yTitle, self.caption) = (title, units, overall, yTitle, caption)
    }

    /// The plot as a figure, ready to render (``Figure/svg``).
    public var figure: Figure {
        var marks = [Mark]()
        for (k, series) in units.enumerated() {
            marks.append(.line(x: series.years, y: series.values, LineStyle(colour: .skyBlue, width: 1),
                               legend: k == 0 ? "An authority" : nil, classes: "unit-line"))
            // Each year's value as a point that names the unit on hover.
            let points = zip(series.years, series.values).map { year, value in
                PlotPoint(x: year, y: value, title: "\(series.name), \(Scale.format(year, decimals: 0)): \(Scale.format(value, decimals: 2))",
                          classes: "point unit")
            }
            marks.append(.points(points, PointStyle(colour: .skyBlue, marker: .circle, size: 1.8), legend: nil))
        }
        if let overall {
            marks.append(.line(x: overall.years, y: overall.values, LineStyle(colour: .black, width: 3), legend: overall.name,
                               classes: "overall-line"))
            let points = zip(overall.years, overall.values).map { year, value in
                PlotPoint(x: year, y: value, title: "\(overall.name), \(Scale.format(year, decimals: 0)): \(Scale.format(value, decimals: 2))",
                          classes: "point overall")
            }
            marks.append(.points(points, PointStyle(colour: .black, marker: .square, size: 3.5), legend: nil))
        }
        return Figure(title: title, panels: [Panel(x: Axis("Year"), y: Axis(yTitle, include: [0]), marks: marks)], caption: caption)
    }
}
