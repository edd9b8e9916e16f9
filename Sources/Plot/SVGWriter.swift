/// Standalone SVG 1.1 text, written so that the same figure always gives the same bytes:
/// coordinates at fixed precision (formatted without the locale), ids numbered in the order
/// elements are written, no dates, every text escaped.
struct SVGWriter {
    private(set) var lines: [String] = []
    private var nextID = 0

    /// The next sequential id with `prefix` ("point-1", "point-2", ...).
    mutating func id(_ prefix: String) -> String {
        nextID += 1
        return "\(prefix)-\(nextID)"
    }

    mutating func add(_ line: String) { lines.append(line) }

    /// The document: XML declaration, the `svg` element sized `width` by `height`, a white
    /// background, the body, and a `<title>` and `<desc>` for screen readers.
    func document(width: Double, height: Double, title: String, description: String) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Self.number(width))\" "
            + "height=\"\(Self.number(height))\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" "
            + "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\">\n"
        out += "<title>\(Self.escape(title))</title>\n<desc>\(Self.escape(description))</desc>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"#ffffff\"/>\n"
        for line in lines { out += line + "\n" }
        return out + "</svg>\n"
    }

    /// Text for element content and attribute values: `&`, `<`, `>`, quotes escaped, and
    /// characters XML 1.0 cannot hold (controls other than tab and newline) dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF || (0x7F...0x9F).contains(v) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `x` with at most two decimals, trailing zeros dropped ("12.5", "-3", "0.07"), computed
    /// in integers so that no locale or platform formatting enters; non-finite values as 0.
    static func number(_ x: Double) -> String { fixed(x, decimals: 2) }

    /// `x` rounded to `decimals` places (at most 6), trailing zeros dropped.
    static func fixed(_ x: Double, decimals: Int) -> String {
        guard x.isFinite else { return "0" }
        let scale = [1.0, 10, 100, 1_000, 10_000, 100_000, 1_000_000][min(max(decimals, 0), 6)]
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9e15 else { return String(Int64(x.rounded())) }
        let units = Int64(scaled), whole = units / Int64(scale), fraction = units % Int64(scale)
        var text = String(whole)
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: String(Int64(scale)).count - 1 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return (x < 0 && units > 0 ? "-" : "") + text
    }
}
