/// The legend: one entry per mark that names one, in the order of the marks, laid out in rows
/// below the plot areas (never over the data).
extension Figure {
    enum Swatch {
        case point(PointStyle)
        case line(LineStyle)
    }

    var legendEntries: [(text: String, swatch: Swatch)] {
        var entries = [(text: String, swatch: Swatch)]()
        for panel in panels {
            for mark in panel.marks {
                let entry: (String, Swatch)? = switch mark {
                case .points(_, let style, let legend?): (legend, .point(style))
                case .line(_, _, let style, let legend?, _): (legend, .line(style))
                case .horizontalLine(_, let style, let legend?), .verticalLine(_, let style, let legend?): (legend, .line(style))
                default: nil
                }
                if let entry, !entries.contains(where: { $0.text == entry.0 }) { entries.append(entry) }
            }
        }
        return entries
    }

    static func entryWidth(_ text: String) -> Double { 34 + Layout.textWidth(text, size: Layout.textSize) + 18 }

    /// The entries' indices in rows no wider than `width`.
    static func legendRows(_ entries: [(text: String, swatch: Swatch)], width: Double) -> [[Int]] {
        var rows = [[Int]](), row = [Int](), used = 0.0
        for (k, entry) in entries.enumerated() {
            let w = entryWidth(entry.text)
            if used + w > width && !row.isEmpty {
                rows.append(row)
                (row, used) = ([], 0)
            }
            row.append(k)
            used += w
        }
        if !row.isEmpty { rows.append(row) }
        return rows
    }

    func renderLegend(_ entries: [(text: String, swatch: Swatch)], into w: inout SVGWriter, top: Double) {
        let n = SVGWriter.number
        w.add("<g class=\"legend\">")
        for (r, row) in Self.legendRows(entries, width: width - 80).enumerated() {
            let y = top + Double(r) * 18
            var x = 40.0
            for k in row {
                let (text, swatch) = entries[k]
                switch swatch {
                case .point(let style):
                    let e = style.marker.element(x: x + 12, y: y - 4, style: style, attributes: "class=\"legend-swatch\"")
                    w.add(e.open + e.close)
                case .line(let style):
                    w.add("<line x1=\"\(n(x))\" y1=\"\(n(y - 4))\" x2=\"\(n(x + 26))\" y2=\"\(n(y - 4))\" \(style.attributes) "
                        + "class=\"legend-swatch\"/>")
                }
                w.add("<text x=\"\(n(x + 32))\" y=\"\(n(y))\" font-size=\"\(n(Layout.textSize))\" class=\"legend-text\">"
                    + "\(SVGWriter.escape(text))</text>")
                x += Self.entryWidth(text)
            }
        }
        w.add("</g>")
    }
}
