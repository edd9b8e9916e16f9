/// A point to draw: where, its hover text (the unit and its values), an optional label
/// written beside it, and the classes that name what it is (`point`, `flagged`, ...).
public struct PlotPoint: Sendable {
    /// The position in data units (for a categorical y axis, the category's index from 1).
    public var x: Double, y: Double
    /// The hover text, written as the point's `<title>`.
    public var title: String
    /// Text written beside the point, placed so that labels do not overlap (nil: none).
    public var label: String?
    /// SVG classes, space-separated, naming what the point is (`point unit flagged`).
    public var classes: String

    /// A point at (`x`, `y`) with its hover text.
    public init(x: Double, y: Double, title: String, label: String? = nil, classes: String = "point") {
        (self.x, self.y, self.title, self.label, self.classes) = (x, y, title, label, classes)
    }
}

/// An interval to draw: at `position` on one axis (a category's index for a categorical
/// axis), from `low` to `high` on the other.
public struct PlotInterval: Sendable {
    /// Where on the other axis the interval is drawn, and its ends, in data units.
    public var position: Double, low: Double, high: Double
    /// The hover text.
    public var title: String

    /// An interval from `low` to `high` at `position`.
    public init(position: Double, low: Double, high: Double, title: String) {
        (self.position, self.low, self.high, self.title) = (position, low, high, title)
    }
}

/// What a panel draws. A `legend` text puts the mark in the figure's legend.
public enum Mark: Sendable {
    /// Points in one style.
    case points([PlotPoint], PointStyle, legend: String?)
    /// A polyline through the points in order (breaks where a value is not finite).
    case line(x: [Double], y: [Double], LineStyle, legend: String?, classes: String)
    /// Intervals across `horizontal` (true: along x at each y position) or vertical.
    case intervals([PlotInterval], LineStyle, horizontal: Bool, classes: String)
    /// A line across the plot area at this y value.
    case horizontalLine(Double, LineStyle, legend: String?)
    /// A line across the plot area at this x value.
    case verticalLine(Double, LineStyle, legend: String?)
}

/// One axis: its title (with units), scale, values it must include, and for a categorical
/// axis the category names (positions 1, 2, ... from the top for a y axis).
public struct Axis: Sendable {
    /// The axis title, with its units.
    public var title: String
    /// Linear or log.
    public var kind: ScaleKind
    /// Values the axis must span besides the marks' (a target line, zero).
    public var include: [Double]
    /// The category names of a categorical axis (nil: numeric).
    public var categories: [String]?
    /// Values the scale spans instead of the marks' (nil: the marks'), e.g. so that a funnel's
    /// limits, steep at small E, do not flatten the points.
    public var span: [Double]?

    /// A linear numeric axis unless told otherwise.
    public init(_ title: String, kind: ScaleKind = .linear, include: [Double] = [], categories: [String]? = nil,
                span: [Double]? = nil) {
        (self.title, self.kind, self.include, self.categories, self.span) = (title, kind, include, categories, span)
    }
}

/// A plot area with its axes and marks.
public struct Panel: Sendable {
    /// The panel's own title, above it (nil: none).
    public var title: String?
    /// Its axes.
    public var x: Axis, y: Axis
    /// What it draws, in drawing order.
    public var marks: [Mark]

    /// A panel of `marks` on axes `x` and `y`.
    public init(title: String? = nil, x: Axis, y: Axis, marks: [Mark]) {
        (self.title, self.x, self.y, self.marks) = (title, x, y, marks)
    }
}

/// A figure: a title, panels side by side, a legend of the marks that name one, and a caption
/// saying how it was made. ``svg`` renders it.
public struct Figure: Sendable {
    /// The figure's title, wrapped to its width.
    public var title: String
    /// The panels, side by side.
    public var panels: [Panel]
    /// How the figure was made (the model, the method), wrapped below the legend.
    public var caption: String
    /// The width in pixels.
    public var width: Double
    /// The plot areas' height (nil: 360, or 16 per category on a categorical y axis).
    public var plotHeight: Double?

    /// A figure 760 pixels wide unless told otherwise.
    public init(title: String, panels: [Panel], caption: String = "", width: Double = 760, plotHeight: Double? = nil) {
        (self.title, self.panels, self.caption, self.width, self.plotHeight) = (title, panels, caption, width, plotHeight)
    }
}

/// Sizes in pixels: fonts readable on a printed page at the figure's width.
enum Layout {
    static let titleSize = 16.0, textSize = 12.0, smallSize = 10.5
    /// The width of `text` at `size` (an estimate: DejaVu Sans averages about 0.58 em).
    static func textWidth(_ text: String, size: Double) -> Double { Double(text.count) * size * 0.58 }
}
