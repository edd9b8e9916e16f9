/// Rendering a ``Figure`` to SVG: the title, each panel (frame, grid, ticks, axis titles,
/// marks clipped to the plot area, labels placed without overlap), the legend and the caption.
extension Figure {
    /// The standalone SVG 1.1 document: the same figure gives the same bytes.
    public var svg: String {
        var w = SVGWriter()
        let n = SVGWriter.number
        let captionLines = Self.wrap(caption, width: width - 40, size: Layout.smallSize)
        let legend = legendEntries
        let areaHeight = plotHeight ?? panels.map(Self.naturalHeight).max() ?? 360
        let titleLines = Self.wrap(title, width: width - 40, size: Layout.titleSize * 1.1)
        let top = 30.0 + 20 * Double(titleLines.count) + (panels.contains { $0.title != nil } ? 18 : 0)
        let legendRows = legend.isEmpty ? 0 : Self.legendRows(legend, width: width - 80).count
        let bottomOfAreas = top + areaHeight
        let legendTop = bottomOfAreas + 52
        let captionTop = legendTop + Double(legendRows) * 18 + 8
        let height = captionTop + Double(captionLines.count) * 14 + 12
        for (k, line) in titleLines.enumerated() {
            w.add("<text x=\"\(n(width / 2))\" y=\"\(n(26 + 20 * Double(k)))\" text-anchor=\"middle\" font-size=\"\(n(Layout.titleSize))\" "
                + "font-weight=\"bold\" class=\"figure-title\">\(SVGWriter.escape(line))</text>")
        }

        // Panels share the width; each reserves a left margin for its y tick labels.
        let slot = (width - 20) / Double(max(panels.count, 1))
        var unlabelled = 0
        for (index, panel) in panels.enumerated() {
            let left = 10 + slot * Double(index)
            unlabelled += render(panel, into: &w, left: left, width: slot, top: top, height: areaHeight)
        }
        if !legend.isEmpty { renderLegend(legend, into: &w, top: legendTop) }
        var lines = captionLines
        if unlabelled > 0 {
            lines += Self.wrap("\(unlabelled) label\(unlabelled == 1 ? "" : "s") left out for want of room (every point names its unit on hover).",
                               width: width - 40, size: Layout.smallSize)
        }
        for (k, line) in lines.enumerated() {
            w.add("<text x=\"20\" y=\"\(n(captionTop + Double(k) * 14))\" font-size=\"\(n(Layout.smallSize))\" fill=\"#333333\" "
                + "class=\"caption\">\(SVGWriter.escape(line))</text>")
        }
        let finalHeight = height + (lines.count > captionLines.count ? 14 * Double(lines.count - captionLines.count) : 0)
        return w.document(width: width, height: finalHeight, title: title, description: caption)
    }

    /// Draws `panel` in the slot; returns how many labels found no room.
    private func render(_ panel: Panel, into w: inout SVGWriter, left slotLeft: Double, width slot: Double, top: Double,
                        height: Double) -> Int {
        let n = SVGWriter.number
        let yCategories = panel.y.categories
        // The y scale first, for the width of its labels.
        let yValues = panel.y.span ?? panel.marks.flatMap { Self.values($0, axis: .y) }
        let yScale: Scale
        if let categories = yCategories {
            yScale = Scale(kind: .linear, values: [0.5, Double(categories.count) + 0.5], from: top + height, to: top)
        } else {
            yScale = Scale(kind: panel.y.kind, values: yValues, include: panel.y.include, from: top + height, to: top)
        }
        let yLabels = yCategories ?? yScale.ticks.map { yScale.label($0) }
        let labelWidth = yLabels.map { Layout.textWidth($0, size: Layout.textSize) }.max() ?? 20
        let left = slotLeft + 30 + labelWidth, right = slotLeft + slot - 16
        let xScale = Scale(kind: panel.x.kind, values: panel.x.span ?? panel.marks.flatMap { Self.values($0, axis: .x) },
                           include: panel.x.include, from: left, to: right)
        // Categories run from the top: category k (1-based) at position count + 1 - k.
        func y(_ v: Double) -> Double { yCategories == nil ? yScale.position(v) : yScale.position(Double(yCategories!.count) + 1 - v) }
        let bottom = top + height

        w.add("<g class=\"panel\">")
        if let title = panel.title {
            w.add("<text x=\"\(n((left + right) / 2))\" y=\"\(n(top - 8))\" text-anchor=\"middle\" font-size=\"\(n(Layout.textSize + 1))\" "
                + "class=\"panel-title\">\(SVGWriter.escape(title))</text>")
        }
        // Grid, ticks and their labels.
        for t in xScale.ticks where xScale.contains(t) {
            let x = xScale.position(t)
            w.add("<line x1=\"\(n(x))\" y1=\"\(n(top))\" x2=\"\(n(x))\" y2=\"\(n(bottom))\" stroke=\"#e6e6e6\" stroke-width=\"1\"/>")
            w.add("<text x=\"\(n(x))\" y=\"\(n(bottom + 16))\" text-anchor=\"middle\" font-size=\"\(n(Layout.textSize))\" "
                + "class=\"tick\">\(SVGWriter.escape(xScale.label(t)))</text>")
        }
        if let categories = yCategories {
            for (k, name) in categories.enumerated() {
                let yy = y(Double(k + 1))
                w.add("<text x=\"\(n(left - 6))\" y=\"\(n(yy + 4))\" text-anchor=\"end\" font-size=\"\(n(Layout.smallSize))\" "
                    + "class=\"category\">\(SVGWriter.escape(name))</text>")
            }
        } else {
            for t in yScale.ticks where yScale.contains(t) {
                let yy = yScale.position(t)
                w.add("<line x1=\"\(n(left))\" y1=\"\(n(yy))\" x2=\"\(n(right))\" y2=\"\(n(yy))\" stroke=\"#e6e6e6\" stroke-width=\"1\"/>")
                w.add("<text x=\"\(n(left - 6))\" y=\"\(n(yy + 4))\" text-anchor=\"end\" font-size=\"\(n(Layout.textSize))\" "
                    + "class=\"tick\">\(SVGWriter.escape(yScale.label(t)))</text>")
            }
        }
        w.add("<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(right - left))\" height=\"\(n(height))\" fill=\"none\" "
            + "stroke=\"#4d4d4d\" stroke-width=\"1\" class=\"plot-area\"/>")
        w.add("<text x=\"\(n((left + right) / 2))\" y=\"\(n(bottom + 36))\" text-anchor=\"middle\" font-size=\"\(n(Layout.textSize))\" "
            + "class=\"axis-title\">\(SVGWriter.escape(panel.x.title))</text>")
        if yCategories == nil || !panel.y.title.isEmpty {
            let cx = slotLeft + 12, cy = (top + bottom) / 2
            w.add("<text x=\"\(n(cx))\" y=\"\(n(cy))\" text-anchor=\"middle\" font-size=\"\(n(Layout.textSize))\" "
                + "transform=\"rotate(-90 \(n(cx)) \(n(cy)))\" class=\"axis-title\">\(SVGWriter.escape(panel.y.title))</text>")
        }

        // Marks, clipped to the plot area.
        let clip = w.id("clip")
        w.add("<clipPath id=\"\(clip)\"><rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(right - left))\" height=\"\(n(height))\"/></clipPath>")
        w.add("<g clip-path=\"url(#\(clip))\">")
        var drawn = [(Double, Double)]()
        var labels = [(text: String, x: Double, y: Double)]()
        for mark in panel.marks {
            switch mark {
            case .horizontalLine(let v, let style, _):
                w.add("<line x1=\"\(n(left))\" y1=\"\(n(y(v)))\" x2=\"\(n(right))\" y2=\"\(n(y(v)))\" \(style.attributes) class=\"reference\"/>")
            case .verticalLine(let v, let style, _):
                let x = xScale.position(v)
                w.add("<line x1=\"\(n(x))\" y1=\"\(n(top))\" x2=\"\(n(x))\" y2=\"\(n(bottom))\" \(style.attributes) class=\"reference\"/>")
            case .line(let xs, let ys, let style, _, let classes):
                for run in Self.finiteRuns(xs, ys, xOK: { xScale.kind == .linear || $0 > 0 }, yOK: { yScale.kind == .linear || $0 > 0 }) {
                    let text = run.map { "\(n(xScale.position($0.0))),\(n(y($0.1)))" }.joined(separator: " ")
                    w.add("<polyline points=\"\(text)\" \(style.attributes) class=\"\(SVGWriter.escape(classes))\"/>")
                }
            case .intervals(let intervals, let style, let horizontal, let classes):
                for i in intervals where i.low.isFinite && i.high.isFinite {
                    let (x1, y1, x2, y2) = horizontal
                        ? (xScale.position(i.low), y(i.position), xScale.position(i.high), y(i.position))
                        : (xScale.position(i.position), y(i.low), xScale.position(i.position), y(i.high))
                    w.add("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" \(style.attributes) "
                        + "class=\"\(SVGWriter.escape(classes))\"><title>\(SVGWriter.escape(i.title))</title></line>")
                }
            case .points(let points, let style, _):
                for p in points where p.x.isFinite && p.y.isFinite {
                    let (px, py) = (xScale.position(p.x), y(p.y))
                    let id = w.id("point")
                    let element = style.marker.element(
                        x: px, y: py, style: style, attributes: "id=\"\(id)\" class=\"\(SVGWriter.escape(p.classes))\"")
                    w.add(element.open + "<title>\(SVGWriter.escape(p.title))</title>" + element.close)
                    drawn.append((px, py))
                    if let label = p.label { labels.append((label, px, py)) }
                }
            }
        }
        w.add("</g>")
        // Labels, placed last so that they avoid every point.
        var placer = LabelPlacer(area: .init(x0: left + 2, y0: top + 2, x1: right - 2, y1: bottom - 2), size: Layout.smallSize,
                                 points: drawn, radius: 4.5)
        var missing = 0
        for label in labels {
            guard let place = placer.place(label.text, px: label.x, py: label.y) else {
                missing += 1
                continue
            }
            if let leader = place.leader {
                w.add("<line x1=\"\(n(label.x))\" y1=\"\(n(label.y))\" x2=\"\(n(leader.x))\" y2=\"\(n(leader.y))\" stroke=\"#7f7f7f\" "
                    + "stroke-width=\"0.7\" class=\"leader\"/>")
            }
            w.add("<text x=\"\(n(place.x))\" y=\"\(n(place.y))\" font-size=\"\(n(Layout.smallSize))\" class=\"label\">"
                + "\(SVGWriter.escape(label.text))</text>")
        }
        w.add("</g>")
        return missing
    }

    enum Direction { case x, y }

    /// 360 pixels, or 16 per category of a categorical y axis (at least 140).
    static func naturalHeight(_ panel: Panel) -> Double {
        guard let categories = panel.y.categories else { return 360 }
        return max(Double(categories.count) * 16 + 10, 140)
    }

    /// The values a mark puts on an axis (for the scale's range).
    static func values(_ mark: Mark, axis: Direction) -> [Double] {
        switch mark {
        case .points(let points, _, _): return points.map { axis == .x ? $0.x : $0.y }
        case .line(let xs, let ys, _, _, _): return axis == .x ? xs : ys
        case .intervals(let intervals, _, let horizontal, _):
            return (axis == .x) == horizontal ? intervals.flatMap { [$0.low, $0.high] } : intervals.map(\.position)
        case .horizontalLine(let v, _, _): return axis == .y ? [v] : []
        case .verticalLine(let v, _, _): return axis == .x ? [v] : []
        }
    }

    /// Runs of consecutive points drawable on the scales (a non-finite value breaks the line).
    static func finiteRuns(_ xs: [Double], _ ys: [Double], xOK: (Double) -> Bool, yOK: (Double) -> Bool) -> [[(Double, Double)]] {
        var runs = [[(Double, Double)]](), current = [(Double, Double)]()
        for (x, y) in zip(xs, ys) {
            if x.isFinite && y.isFinite && xOK(x) && yOK(y) {
                current.append((x, y))
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs.filter { $0.count > 1 }
    }

    /// Words of `text` in lines of at most `width` pixels.
    static func wrap(_ text: String, width: Double, size: Double) -> [String] {
        var lines = [String](), line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if Layout.textWidth(candidate, size: size) > width && !line.isEmpty {
                lines.append(line)
                line = String(word)
            } else {
                line = candidate
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
