#if canImport(Glibc)
import Glibc
#endif

/// Three residual diagnostics side by side, as R's `plot.lm` draws them: residuals against
/// fitted values, a normal Q-Q plot of the standardized residuals, and standardized residuals
/// against leverage with Cook's distance contours at 0.5 and 1.
public struct DiagnosticPlots: Sendable {
    /// One observation's diagnostics.
    public struct Observation: Sendable {
        /// The observation as its identifiers name it (hover text and labels).
        public var name: String
        /// Its fitted value, residual, standardized residual, leverage and Cook's distance.
        public var fitted: Double, residual: Double, standardized: Double, leverage: Double, cooks: Double
        /// The normal quantile this observation's standardized residual is plotted against
        /// (its rank's plotting position, R's `ppoints`).
        public var theoretical: Double

        /// An observation's diagnostics.
        public init(name: String, fitted: Double, residual: Double, standardized: Double, leverage: Double, cooks: Double,
                    theoretical: Double) {
            (self.name, self.fitted, self.residual, self.standardized, self.leverage, self.cooks, self.theoretical) =
                (name, fitted, residual, standardized, leverage, cooks, theoretical)
        }
    }

    /// The figure title.
    public var title: String
    /// Every observation of the fit.
    public var observations: [Observation]
    /// Coefficients estimated (the contours' p).
    public var parameters: Int
    /// The first panel's residual axis title (residuals or deviance residuals).
    public var residualTitle: String
    /// How the diagnostics were computed.
    public var caption: String

    /// The diagnostics of `observations` of a fit with `parameters` coefficients.
    public init(title: String, observations: [Observation], parameters: Int, residualTitle: String = "Residual", caption: String) {
        (self.title, self.observations, self.parameters, self.residualTitle, self.caption) = (title, observations, parameters, residualTitle, caption)
    }

    /// The three panels as one figure, ready to render (``Figure/svg``).
    public var figure: Figure {
        let style = PointStyle(colour: .black, marker: .circle, filled: false, size: 2.8)
        let hover = { (o: Observation) in
            "\(o.name): fitted \(Scale.format(o.fitted, decimals: 4)), residual \(Scale.format(o.residual, decimals: 4)), "
                + "standardized \(Scale.format(o.standardized, decimals: 3)), leverage \(Scale.format(o.leverage, decimals: 4)), "
                + "Cook's distance \(Scale.format(o.cooks, decimals: 4))"
        }
        // The three largest Cook's distances are labelled on each panel.
        let notable = Set(observations.indices.sorted { observations[$0].cooks > observations[$1].cooks }.prefix(3))
        func points(_ x: (Observation) -> Double, _ y: (Observation) -> Double) -> [PlotPoint] {
            observations.enumerated().map { k, o in
                PlotPoint(x: x(o), y: y(o), title: hover(o), label: notable.contains(k) ? o.name : nil, classes: "point observation")
            }
        }
        let residuals = Panel(
            title: "Residuals against fitted", x: Axis("Fitted value"), y: Axis(residualTitle, include: [0]),
            marks: [.horizontalLine(0, .reference, legend: nil), .points(points(\.fitted, \.residual), style, legend: nil)])
        let sample = observations.map(\.standardized), theory = observations.map(\.theoretical)
        let extent = (sample + theory).filter(\.isFinite)
        let lo = extent.min() ?? -2, hi = extent.max() ?? 2
        let qq = Panel(
            title: "Normal Q-Q", x: Axis("Theoretical quantile"), y: Axis("Standardized residual"),
            marks: [.line(x: [lo, hi], y: [lo, hi], .reference, legend: "Reference line y = x", classes: "reference"),
                    .points(points(\.theoretical, \.standardized), style, legend: nil)])
        // Cook's distance D at leverage h: |r| = sqrt(D p (1 - h) / h).
        let top = max(observations.map(\.leverage).max() ?? 0.5, 0.05)
        let hs = (1...80).map { top * Double($0) / 80 }
        var leverageMarks: [Mark] = [.horizontalLine(0, .reference, legend: nil)]
        for (d, dash) in [(0.5, "5 4"), (1.0, "2 2")] {
            let r = hs.map { (d * Double(parameters) * (1 - $0) / $0).squareRoot() }
            let style = LineStyle(colour: .vermillion, width: 1, dash: dash)
            let legend = "Cook's distance \(Scale.format(d, decimals: 1))"
            leverageMarks.append(.line(x: hs, y: r, style, legend: legend, classes: "cooks"))
            leverageMarks.append(.line(x: hs, y: r.map { -$0 }, style, legend: nil, classes: "cooks"))
        }
        leverageMarks.append(.points(points(\.leverage, \.standardized), style, legend: nil))
        let span = sample.filter(\.isFinite)
        let leverage = Panel(title: "Residuals against leverage", x: Axis("Leverage", include: [0]),
                             y: Axis("Standardized residual", include: [0], span: span + [-2, 2]), marks: leverageMarks)
        return Figure(title: title, panels: [residuals, qq, leverage], caption: caption, width: 1140, plotHeight: 320)
    }
}
