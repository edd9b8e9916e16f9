/// Rates by year: a thin line per unit, the national (or overall) rate emphasised.
public struct TrendPlot: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var years: [Double], values: [Double]

        public init(name: String, years: [Double], values: [Double]) {
            (self.name, self.years, self.values) = (name, years, values)
        }
    }

    public var title: String
    public var units: [Series]
    /// The emphasised series (nil: none).
    public var overall: Series?
    public var yTitle: String
    public var caption: String

    public init(title: String, units: [Series], overall: Series?, yTitle: String, caption: String) {
        (self.title, self.units, self.overall, self.yTitle, self.caption) = (title, units, overall, yTitle, caption)
    }

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
