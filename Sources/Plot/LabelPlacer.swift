/// Places point labels so that no two overlap and none covers a point: each label tries
/// positions around its point (right, left, above, below, the diagonals), then the same
/// further out with a leader line, and takes the first that is free and inside the area.
/// Labels are placed in the order given (the caller puts the most important first); one with
/// no free place is left out, and counted.
struct LabelPlacer {
    struct Box {
        var x0: Double, y0: Double, x1: Double, y1: Double
        func overlaps(_ o: Box) -> Bool { x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1 }
    }

    struct Placed {
        /// The text's anchor (start) and baseline, its box, and where a leader line starts
        /// (nil: next to the point).
        var x: Double, y: Double
        var box: Box
        var leader: (x: Double, y: Double)?
    }

    let area: Box
    let size: Double
    private(set) var taken: [Box]

    /// `points` are (x, y) of every point drawn, which labels must not cover.
    init(area: Box, size: Double, points: [(Double, Double)], radius: Double) {
        self.area = area
        self.size = size
        taken = points.map { Box(x0: $0.0 - radius, y0: $0.1 - radius, x1: $0.0 + radius, y1: $0.1 + radius) }
    }

    /// The place of `text` for the point at (px, py), or nil when none is free.
    mutating func place(_ text: String, px: Double, py: Double) -> Placed? {
        let w = Layout.textWidth(text, size: size), h = size * 1.15
        for ring in 0..<6 {
            let d = 6 + Double(ring) * (h + 2)
            // (dx, dy) of the box's near corner relative to the point, by direction.
            let candidates: [(Double, Double)] = [
                (d, -h / 2), (-d - w, -h / 2), (-w / 2, -d - h), (-w / 2, d),
                (d * 0.7, -d * 0.7 - h), (-d * 0.7 - w, -d * 0.7 - h), (d * 0.7, d * 0.7), (-d * 0.7 - w, d * 0.7),
            ]
            for (dx, dy) in candidates {
                let box = Box(x0: px + dx, y0: py + dy, x1: px + dx + w, y1: py + dy + h)
                guard box.x0 >= area.x0 && box.x1 <= area.x1 && box.y0 >= area.y0 && box.y1 <= area.y1 else { continue }
                guard !taken.contains(where: { $0.overlaps(box) }) else { continue }
                taken.append(box)
                let leader: (Double, Double)? = ring == 0 ? nil
                    : (min(max(px, box.x0), box.x1), min(max(py, box.y0), box.y1))
                return Placed(x: box.x0, y: box.y1 - h * 0.22, box: box, leader: leader)
            }
        }
        return nil
    }
}
