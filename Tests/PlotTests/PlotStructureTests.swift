import Foundation
import Plot
import Testing

/// The SVG of every plot kind parses as XML and holds what its data say: one point per unit,
/// every limit curve at every level, the flagged points exactly the flagged units, labels that
/// do not overlap, every text escaped, and the same bytes from the same data.
@Suite struct PlotStructureTests {
    static let hostile = ["<script>alert(1)</script>", "Quote \" and ' apostrophe", "Ampersand & Co", "\u{202E}right-to-left\u{202C}",
                          "Ynys Môn", "Rhondda Cynon Taf", "Bro Morgannwg", "Caerffili & <b>"]

    /// A funnel of synthetic units: some far outside, the hostile names among them.
    static func funnel(units count: Int = 40) -> FunnelPlot {
        var units = [FunnelPlot.Unit]()
        for k in 0..<count {
            let e = 50 + Double(k) * 37
            let ratio = k % 7 == 0 ? 1.6 : (k % 11 == 0 ? 0.5 : 1 + 0.05 * Double(k % 5 - 2))
            let direction = ratio > 1.3 ? 1 : (ratio < 0.7 ? -1 : 0)
            let name = k < hostile.count ? hostile[k] : "Unit \(k)"
            units.append(.init(name: name, expected: e, ratio: ratio, direction: direction, outermost: direction != 0,
                               hover: "\(name): E \(e)"))
        }
        let grid = (0..<50).map { 20 * pow(1.1, Double($0)) }
        let curves = [0.95, 0.998].flatMap { level in
            [false, true].map { adjusted in
                let z = level == 0.95 ? 1.96 : 3.09, w = adjusted ? 1.5 : 1
                return FunnelPlot.Curve(level: level, adjusted: adjusted, expected: grid, low: grid.map { 1 - z * w / $0.squareRoot() },
                                        high: grid.map { 1 + z * w / $0.squareRoot() })
            }
        }
        return FunnelPlot(title: "Funnel & <test>", units: units, curves: curves, caption: "Caption with <tags> & \"quotes\".")
    }

    @Test func funnelHoldsItsData() throws {
        let plot = Self.funnel()
        let svg = ParsedSVG(plot.figure.svg)
        #expect(svg.error == nil, "\(String(describing: svg.error))")
        let points = svg.withClass("unit")
        #expect(points.count == plot.units.count)
        #expect(Set(points.map(\.title)) == Set(plot.units.map(\.hover)), "every unit's hover text, unescaped back")
        let flagged = Set(svg.withClass("flagged").map(\.title))
        #expect(flagged == Set(plot.units.filter { $0.direction != 0 }.map(\.hover)))
        for level in ["95", "99.8"] {
            for kind in ["adjusted", "unadjusted"] {
                for side in ["low", "high"] {
                    let curves = svg.elements.filter { $0.classes.isSuperset(of: ["limit", "level-\(level)", kind, side]) }
                    #expect(!curves.isEmpty, "\(level) \(kind) \(side)")
                }
            }
        }
        // Labels: on the outermost units only, never overlapping one another.
        let labels = svg.withClass("label")
        #expect(labels.count + Self.leftOut(svg) == plot.units.filter(\.outermost).count)
        let boxes = labels.map { l -> (Double, Double, Double, Double) in
            let x = Double(l.attributes["x"]!)!, y = Double(l.attributes["y"]!)!, size = Double(l.attributes["font-size"]!)!
            return (x, y - size, x + Double(l.text.count) * size * 0.58, y + size * 0.2)
        }
        for i in boxes.indices {
            for j in boxes.indices where j > i {
                let (a, b) = (boxes[i], boxes[j])
                #expect(!(a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3), "labels \(labels[i].text) and \(labels[j].text) overlap")
            }
        }
    }

    /// The labels the caption says were left out for want of room.
    static func leftOut(_ svg: ParsedSVG) -> Int {
        for caption in svg.withClass("caption") {
            if let number = caption.text.split(separator: " ").first, caption.text.contains("left out for want of room") {
                return Int(number) ?? 0
            }
        }
        return 0
    }

    @Test func hostileTextIsEscaped() throws {
        let text = Self.funnel().figure.svg
        #expect(!text.contains("<script>") && !text.contains("<b>") && !text.contains("<tags>"))
        #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && text.contains("&amp; Co") && text.contains("&quot;"))
        #expect(text.contains("Ynys Môn") && text.contains("\u{202E}right-to-left"))
        let svg = ParsedSVG(text)
        #expect(svg.error == nil)
        #expect(svg.withClass("figure-title").map(\.text).joined(separator: " ") == "Funnel & <test>")
        #expect(svg.elements.contains { $0.name == "title" && $0.text == "<script>alert(1)</script>: E 50.0" })
    }

    @Test func sameDataSameBytes() {
        #expect(Self.funnel().figure.svg == Self.funnel().figure.svg)
        #expect(!Self.funnel().figure.svg.contains("e+") && !Self.funnel().figure.svg.contains("nan"))
    }

    @Test func everyKindParses() throws {
        let units = (0..<30).map { k in
            CaterpillarPlot.Unit(label: Self.hostile[k % Self.hostile.count] + " \(k)", estimate: 0.6 + 0.03 * Double(k),
                                 low: 0.5 + 0.03 * Double(k), high: 0.7 + 0.03 * Double(k), flagged: k < 3, hover: "unit \(k)")
        }
        let caterpillar = CaterpillarPlot(title: "Caterpillar", units: units, xTitle: "O/E", caption: "c")
        let coefficients = CoefficientPlot(
            title: "Coefficients", terms: [.init(name: "x & y", estimate: 1.2, low: 1.1, high: 1.3), .init(name: "z", estimate: 0.9, low: 0.8, high: 1.01)],
            exponentiated: true, level: 0.95, caption: "")
        let observations = (0..<40).map { i -> DiagnosticPlots.Observation in
            let x = Double(i), r = sin(x), k = Double(i % 9)
            return DiagnosticPlots.Observation(name: "obs \(i)", fitted: x, residual: r, standardized: r * 1.2, leverage: 0.01 + k * 0.02,
                                               cooks: k * 0.01, theoretical: (x - 20) / 10)
        }
        let diagnostics = DiagnosticPlots(title: "Diagnostics", observations: observations, parameters: 3, caption: "")
        let trend = TrendPlot(title: "Rates", units: (0..<5).map { TrendPlot.Series(name: "u\($0)", years: [2019, 2020, 2021], values: [50, 60 + Double($0), 55]) },
                              overall: .init(name: "All", years: [2019, 2020, 2021], values: [52, 61, 56]), yTitle: "Rate per 10,000", caption: "")
        let figures: [(String, Figure, Int)] = [("caterpillar", caterpillar.figure, 30), ("coefficients", coefficients.figure, 2),
                                                ("diagnostics", diagnostics.figure, 120), ("trend", trend.figure, 18)]
        for (name, figure, points) in figures {
            let svg = ParsedSVG(figure.svg)
            #expect(svg.error == nil, "\(name)")
            #expect(svg.withClass("point").count == points, "\(name): \(svg.withClass("point").count) points")
            #expect(svg.withClass("plot-area").count == (name == "diagnostics" ? 3 : 1))
        }
        // Ticks at round numbers.
        let ticks = ParsedSVG(trend.figure.svg).withClass("tick").map(\.text)
        #expect(ticks.contains("2019") && ticks.contains("2021") && ticks.contains("0"), "\(ticks)")
    }
}
