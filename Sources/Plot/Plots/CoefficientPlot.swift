/// Coefficients with their confidence intervals: rate ratios on a log axis against 1 for
/// count models (exponentiated estimates), estimates against 0 otherwise.
public struct CoefficientPlot: Sendable {
    /// One coefficient with its interval.
    public struct Term: Sendable {
        /// The coefficient as R names it.
        public var name: String
        /// The estimate and its confidence interval (exponentiated when the plot is).
        public var estimate: Double, low: Double, high: Double

        /// A term with its estimate and interval.
        public init(name: String, estimate: Double, low: Double, high: Double) {
            (self.name, self.estimate, self.low, self.high) = (name, estimate, low, high)
        }
    }

    /// The figure title.
    public var title: String
    /// The terms, top to bottom.
    public var terms: [Term]
    /// Whether the values are exponentiated (rate ratios): a log axis, reference 1.
    public var exponentiated: Bool
    /// The intervals' confidence level.
    public var level: Double
    /// How the intervals were made (the standard errors).
    public var caption: String

    /// A coefficient plot of `terms`.
    public init(title: String, terms: [Term], exponentiated: Bool, level: Double, caption: String) {
        (self.title, self.terms, self.exponentiated, self.level, self.caption) = (title, terms, exponentiated, level, caption)
    }

    /// The plot as a figure, ready to render (``Figure/svg``).
    public var figure: Figure {
        let reference = exponentiated ? 1.0 : 0.0
        let positions = terms.indices.map { Double($0 + 1) }
        let percent = FunnelPlot.percent(level)
        let hover = { (t: Term) in
            "\(t.name): \(Scale.format(t.estimate, decimals: 4)) (\(percent) CI \(Scale.format(t.low, decimals: 4)) to "
                + "\(Scale.format(t.high, decimals: 4)))"
        }
        let marks: [Mark] = [
            .verticalLine(reference, LineStyle(colour: .grey, width: 1, dash: "1 3"), legend: exponentiated ? "No effect (1)" : "No effect (0)"),
            .intervals(zip(terms, positions).map { PlotInterval(position: $1, low: $0.low, high: $0.high, title: hover($0)) },
                       LineStyle(colour: .blue, width: 1.6), horizontal: true, classes: "interval"),
            .points(zip(terms, positions).map { PlotPoint(x: $0.estimate, y: $1, title: hover($0), classes: "point term") },
                    PointStyle(colour: .blue, marker: .circle, size: 3.5), legend: "Estimate with its \(percent) confidence interval"),
        ]
        let x = Axis(exponentiated ? "Rate ratio per unit of the term (log scale)" : "Estimate (change in the response per unit)",
                     kind: exponentiated ? .log : .linear, include: [reference])
        return Figure(title: title, panels: [Panel(x: x, y: Axis("", categories: terms.map(\.name)), marks: marks)], caption: caption)
    }
}
