import Foundation
import Testing

/// The plots as users make them (`compare --plot`, `--caterpillar`, `fit --plot`, `residuals
/// --plot`, `carerates plot ...`): what they hold against the tables beside them, the same bytes
/// from every backend, locale and run, and renders in headless Chromium whose pixels are where
/// the points are.
@Suite struct PlotCommandTests {
    func run(_ arguments: [String], environment: [String: String]? = nil) throws -> CLITests.Result {
        guard let environment else { return try CLITests().run(arguments) }
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = arguments
        process.currentDirectoryURL = CLITests.root
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        (process.standardOutput, process.standardError) = (out, err)
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLITests.Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                               stderr: String(decoding: e, as: UTF8.self))
    }

    static let wales = ["wales_la_panel", "-f", "children_looked_after ~ children_low_income_pct + unemployment_rate_pct",
                        "--family", "negbin", "--exposure", "population_0_15"]
    static let england = ["england_la_panel", "-f", "children_looked_after ~ idaci_average_score + domestic_abuse_parent_per_10000",
                          "--family", "negbin", "--exposure", "population_0_17"]

    static func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("carerates-plot-\(UUID().uuidString)-\(name)")
    }

    /// The elements of `svg` whose class attribute has `name`, as their attribute strings.
    static func elements(_ svg: String, class name: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "<(circle|polygon|rect|polyline|text|line)\\b([^>]*)>")
        return pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).compactMap { m in
            let attributes = String(svg[Range(m.range(at: 2), in: svg)!])
            guard let c = attribute(attributes, "class"), c.split(separator: " ").contains(Substring(name)) else { return nil }
            return String(svg[Range(m.range(at: 1), in: svg)!]) + " " + attributes
        }
    }

    static func attribute(_ element: String, _ name: String) -> String? {
        guard let range = element.range(of: " \(name)=\"") else { return nil }
        let rest = element[range.upperBound...]
        return String(rest.prefix { $0 != "\"" })
    }

    /// A marker's centre from its attributes.
    static func centre(_ element: String) -> (Double, Double)? {
        if element.hasPrefix("circle") { return (Double(attribute(element, "cx")!)!, Double(attribute(element, "cy")!)!) }
        if element.hasPrefix("rect") {
            let x = Double(attribute(element, "x")!)!, y = Double(attribute(element, "y")!)!
            return (x + Double(attribute(element, "width")!)! / 2, y + Double(attribute(element, "height")!)! / 2)
        }
        guard let points = attribute(element, "points") else { return nil }
        let xy = points.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
        return (xy.map { $0[0] }.reduce(0, +) / Double(xy.count), xy.map { $0[1] }.reduce(0, +) / Double(xy.count))
    }

    @Test(arguments: ["wales", "england"])
    func funnelAndCaterpillarHoldTheTable(panel: String) throws {
        let (funnel, caterpillar) = (Self.temporary("funnel.svg"), Self.temporary("caterpillar.svg"))
        defer { for f in [funnel, caterpillar] { try? FileManager.default.removeItem(at: f) } }
        let model = panel == "wales" ? Self.wales : Self.england
        let r = try run(["compare"] + model + ["--unit", "la_name", "--overdispersion", "multiplicative", "--no-loo", "--format", "csv",
                                               "--plot", funnel.path, "--caterpillar", caterpillar.path])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").dropFirst()
        let flagged = rows.filter { !$0.contains(",within,") }.count
        let svg = try String(contentsOf: funnel, encoding: .utf8)
        #expect(Self.elements(svg, class: "unit").count == rows.count)
        #expect(Self.elements(svg, class: "flagged").count == flagged, "flagged points against the table's flags")
        for level in ["95", "99.8"] {
            for kind in ["adjusted", "unadjusted"] {
                let curves = Self.elements(svg, class: "level-\(level)").filter { Self.attribute($0, "class")!.split(separator: " ").contains(Substring(kind)) }
                #expect(curves.count == 2, "\(level) \(kind)")
            }
        }
        let cat = try String(contentsOf: caterpillar, encoding: .utf8)
        #expect(Self.elements(cat, class: "unit").count == rows.count)
        #expect(Self.elements(cat, class: "flagged").count == flagged)
        #expect(Self.elements(cat, class: "interval").count == rows.count)
    }

    /// Byte for byte: twice, in every backend, under another locale and time zone, and the
    /// plot command's funnel from the CSV files equal to the one compare drew (its points).
    @Test func sameBytesEverywhere() throws {
        let files = (0..<4).map { Self.temporary("same-\($0).svg") }
        let (csv, limits, fromFiles) = (Self.temporary("c.csv"), Self.temporary("l.csv"), Self.temporary("f.svg"))
        defer { for f in files + [csv, limits, fromFiles] { try? FileManager.default.removeItem(at: f) } }
        let args = ["compare"] + Self.wales + ["--unit", "la_name", "--format", "csv"]
        _ = try run(args + ["--plot", files[0].path, "--out", csv.path, "--limits-table", limits.path])
        _ = try run(args + ["--plot", files[1].path])
        _ = try run(args + ["--plot", files[2].path], environment: ["LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8", "TZ": "Pacific/Auckland"])
        let lapack = try run(args + ["--plot", files[3].path, "--backend", "lapack"])
        let first = try Data(contentsOf: files[0])
        for (k, file) in files.enumerated().dropFirst() where k < 3 || lapack.status == 0 {
            #expect(try Data(contentsOf: file) == first, "run \(k)")
        }
        let plotted = try run(["plot", "funnel", csv.path, "--limits", limits.path, "--out", fromFiles.path])
        #expect(plotted.status == 0, "\(plotted.stderr)")
        let a = try String(contentsOf: files[0], encoding: .utf8), b = try String(contentsOf: fromFiles, encoding: .utf8)
        let centres = { (svg: String) in Self.elements(svg, class: "unit").map { "\(Self.centre($0)!)" }.sorted() }
        #expect(centres(a) == centres(b), "the same points where compare drew them")
        #expect(Self.elements(a, class: "flagged").count == Self.elements(b, class: "flagged").count)
    }

    @Test(arguments: [
        (["plot", "funnel", "datasets/wales_la_panel.csv", "--limits", "datasets/wales_la_panel.csv"], "no column named \"unit\""),
        (["plot", "funnel", "datasets/wales_la_panel.csv"], "Missing expected argument '--limits <limits>'"),
        (["plot", "coefficients", "no/such.csv"], "no/such.csv: cannot read file"),
        (["plot", "rates", "wales_la_panel", "--count", "children_looked_after"], "--count and --exposure go together"),
        (["plot", "rates", "wales_la_panel", "--rate", "rate_per_1000"], "did you mean \"rate_per_10000\""),
        (["plot", "rates", "wales_la_panel", "--year", "la_name"], "wales_la_panel.csv:2, column 2 (la_name): \"Isle of Anglesey\" is not a number"),
    ])
    func badInput(args: [String], message: String) throws {
        let r = try run(args)
        #expect(r.status != 0 && r.stderr.contains(message), "\(r.stderr)")
        #expect(!r.stderr.contains("Fatal error"))
    }

    /// A plot is never written over an input.
    @Test func neverOverAnInput() throws {
        let copy = Self.temporary("input.csv")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(at: CLITests.root.appendingPathComponent("datasets/wales_la_panel.csv"), to: copy)
        let before = try Data(contentsOf: copy)
        let r = try run(["fit", copy.path, "-f", "rate_per_10000 ~ unemployment_rate_pct", "--plot", copy.path])
        #expect(r.status != 0)
        #expect(try Data(contentsOf: copy) == before)
    }

    // MARK: Rendering in a real browser

    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Renders `svg` in headless Chromium at its own size and decodes the screenshot.
    static func render(_ svg: URL) throws -> PNGImage {
        let text = try String(contentsOf: svg, encoding: .utf8)
        let width = Int(Double(attribute(text, "width")!)!.rounded(.up)), height = Int(Double(attribute(text, "height")!)!.rounded(.up))
        let png = svg.appendingPathExtension("png"), profile = temporary("profile")
        defer { try? FileManager.default.removeItem(at: png); try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(profile.path)",
                             "--screenshot=\(png.path)", "--window-size=\(width),\(height)", svg.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let image = try PNGImage(data: Data(contentsOf: png))
        #expect(image.width == width && image.height == height)
        return image
    }

    /// Each plot kind, rendered: the render succeeds, is not blank, and at the centre of
    /// nearly every point (overlapping points may hide one another) there is ink inside the
    /// plot area.
    @Test(arguments: ["funnel", "caterpillar", "coefficients", "diagnostics", "rates"])
    func renderedInChromium(kind: String) throws {
        guard Self.chromium != nil else {
            Issue.record("headless Chromium is not installed: scripts/test.sh installs it (apt-get install chromium)")
            return
        }
        let svg = Self.temporary("\(kind).svg")
        defer { try? FileManager.default.removeItem(at: svg) }
        let args: [String] = switch kind {
        case "funnel": ["compare"] + Self.england + ["--unit", "la_name", "--no-loo", "--no-ranks", "--overdispersion", "additive", "--plot", svg.path]
        case "caterpillar": ["compare"] + Self.wales + ["--unit", "la_name", "--caterpillar", svg.path]
        case "coefficients": ["fit"] + Self.wales + ["--plot", svg.path]
        case "diagnostics": ["residuals"] + Self.wales + ["--id", "la_name,year", "--plot", svg.path]
        default: ["plot", "rates", "wales_la_panel", "--count", "children_looked_after", "--exposure", "population_0_15", "--out", svg.path]
        }
        let r = try run(args)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: svg, encoding: .utf8)
        let image = try Self.render(svg)
        var ink = 0
        for y in stride(from: 0, to: image.height, by: 2) { for x in stride(from: 0, to: image.width, by: 2) where image.isInk(x: x, y: y) { ink += 1 } }
        #expect(ink > image.width * image.height / 400, "\(kind): \(ink) inked pixels of \(image.width * image.height / 4) sampled")
        let areas = Self.elements(text, class: "plot-area").map { a in
            (Double(Self.attribute(a, "x")!)!, Double(Self.attribute(a, "y")!)!, Double(Self.attribute(a, "width")!)!,
             Double(Self.attribute(a, "height")!)!)
        }
        let points = Self.elements(text, class: "point").compactMap(Self.centre)
        #expect(!points.isEmpty)
        var hit = 0
        for (x, y) in points {
            #expect(areas.contains { x >= $0.0 && x <= $0.0 + $0.2 && y >= $0.1 && y <= $0.1 + $0.3 }, "\(kind): point at \(x), \(y) outside the plot area")
            let (px, py) = (Int(x.rounded()), Int(y.rounded()))
            // Within the marker (hollow ones are white at the centre: their outline is 3-5 px out).
            if (-5...5).contains(where: { dx in (-5...5).contains { dy in image.isInk(x: px + dx, y: py + dy) } }) { hit += 1 }
        }
        #expect(Double(hit) >= 0.95 * Double(points.count), "\(kind): ink at \(hit) of \(points.count) points")
        // The white margin outside the plot areas' frame, far from any text, is white.
        #expect(!image.isInk(x: image.width - 3, y: image.height / 2), "\(kind): ink at the right margin")
    }

    /// Welsh names (and markup in a name) come out as text: escaped in the SVG, drawn as labels
    /// in the browser (ink inside each label's box).
    @Test func welshNamesRenderAsLabels() throws {
        guard Self.chromium != nil else {
            Issue.record("headless Chromium is not installed: scripts/test.sh installs it (apt-get install chromium)")
            return
        }
        let (csv, svg) = (Self.temporary("welsh.csv"), Self.temporary("welsh.svg"))
        defer { for f in [csv, svg] { try? FileManager.default.removeItem(at: f) } }
        let names = ["Ynys Môn", "Rhondda Cynon Taf", "Bro Morgannwg", "Sir Gâr", "Castell-nedd Port Talbot", "Powys <b>&</b>",
                     "Conwy", "Gwynedd"]
        var text = "la_name,y,pop\n"
        for (k, name) in names.enumerated() {
            // Alternately far above and far below the model's single rate.
            let y = k % 2 == 0 ? 400 + 40 * k : 100 + 10 * k
            text += "\"\(name)\",\(y),\(20_000 + 1_000 * k)\n"
        }
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let r = try run(["compare", csv.path, "-f", "y ~ 1", "--family", "poisson", "--exposure", "pop", "--unit", "la_name",
                         "--no-loo", "--no-ranks", "--plot", svg.path])
        #expect(r.status == 0, "\(r.stderr)")
        let content = try String(contentsOf: svg, encoding: .utf8)
        #expect(content.contains(">Ynys Môn</text>") && content.contains(">Sir Gâr</text>") && content.contains("Powys &lt;b&gt;&amp;&lt;/b&gt;"))
        let image = try Self.render(svg)
        let labels = Self.elements(content, class: "label")
        #expect(labels.count == names.count)
        for label in labels {
            let x = Int(Double(Self.attribute(label, "x")!)!), y = Int(Double(Self.attribute(label, "y")!)!)
            let inked = (x..<(x + 40)).contains { px in ((y - 9)...y).contains { py in image.isInk(x: px, y: py) } }
            #expect(inked, "no ink in the label at \(x), \(y)")
        }
    }
}
