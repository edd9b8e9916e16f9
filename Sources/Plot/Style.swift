/// Colours, markers and dashes. The colours are Okabe and Ito's (2008) set, distinguishable
/// with every common colour-vision deficiency; each series also differs by marker shape or
/// dash pattern, so the plots read in greyscale too.
public enum Colour: String, Sendable {
    /// Text, axes and the main limit curves.
    case black = "#000000"
    /// Okabe and Ito's orange.
    case orange = "#E69F00"
    /// Okabe and Ito's sky blue: the thin lines of many units.
    case skyBlue = "#56B4E9"
    /// Okabe and Ito's bluish green.
    case green = "#009E73"
    /// Okabe and Ito's blue: units below their limits, intervals.
    case blue = "#0072B2"
    /// Okabe and Ito's vermillion: units above their limits, flagged estimates.
    case vermillion = "#D55E00"
    /// Okabe and Ito's reddish purple.
    case purple = "#CC79A7"
    /// Reference lines and units within their limits.
    case grey = "#7F7F7F"
    /// Curves drawn behind others (the unadjusted limits).
    case lightGrey = "#BDBDBD"
}

/// The shape of a point: each series has its own, so that series differ without colour.
public enum Marker: Sendable {
    /// A circle (units within their limits, observations).
    case circle
    /// A square (flagged estimates, the overall series).
    case square
    /// A triangle pointing up (units above their limits).
    case triangleUp
    /// A triangle pointing down (units below their limits).
    case triangleDown
    /// A diamond.
    case diamond
}

/// How a set of points is drawn.
public struct PointStyle: Sendable {
    /// The fill and outline colour.
    public var colour: Colour
    /// The shape.
    public var marker: Marker
    /// Filled, or an outline only.
    public var filled: Bool
    /// The radius in pixels (half the side of a square).
    public var size: Double

    /// A point style: filled circles of radius 4 unless told otherwise.
    public init(colour: Colour, marker: Marker = .circle, filled: Bool = true, size: Double = 4) {
        (self.colour, self.marker, self.filled, self.size) = (colour, marker, filled, size)
    }
}

/// How a line is drawn.
public struct LineStyle: Sendable {
    /// The stroke colour.
    public var colour: Colour
    /// The stroke width in pixels.
    public var width: Double
    /// SVG dash pattern ("6 4"); nil for solid.
    public var dash: String?

    /// A line style: solid, 1.5 pixels wide unless told otherwise.
    public init(colour: Colour, width: Double = 1.5, dash: String? = nil) {
        (self.colour, self.width, self.dash) = (colour, width, dash)
    }

    /// A solid black line.
    public static let solid = LineStyle(colour: .black)
    /// A thin grey dotted line, for reference lines (zero, y = x).
    public static let reference = LineStyle(colour: .grey, width: 1, dash: "2 3")
}

extension Marker {
    /// The marker as an SVG element centred at (x, y).
    func element(x: Double, y: Double, style: PointStyle, attributes: String) -> (open: String, close: String) {
        let n = SVGWriter.number, r = style.size
        let paint = style.filled ? "fill=\"\(style.colour.rawValue)\" stroke=\"\(style.colour.rawValue)\""
            : "fill=\"#ffffff\" stroke=\"\(style.colour.rawValue)\""
        let common = "\(attributes) \(paint) stroke-width=\"1.2\""
        switch self {
        case .circle:
            return ("<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" \(common)>", "</circle>")
        case .square:
            return ("<rect x=\"\(n(x - r))\" y=\"\(n(y - r))\" width=\"\(n(2 * r))\" height=\"\(n(2 * r))\" \(common)>", "</rect>")
        case .triangleUp, .triangleDown, .diamond:
            let s = r * 1.3
            let points: [(Double, Double)] = switch self {
            case .triangleUp: [(x, y - s), (x + s, y + s * 0.8), (x - s, y + s * 0.8)]
            case .triangleDown: [(x, y + s), (x + s, y - s * 0.8), (x - s, y - s * 0.8)]
            default: [(x, y - s), (x + s, y), (x, y + s), (x - s, y)]
            }
            let text = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
            return ("<polygon points=\"\(text)\" \(common)>", "</polygon>")
        }
    }
}

extension LineStyle {
    var attributes: String {
        "fill=\"none\" stroke=\"\(colour.rawValue)\" stroke-width=\"\(SVGWriter.number(width))\""
            + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")
    }
}
