import DataTable
import Foundation

/// Number formatting in the manner of R's print methods.
enum NumberFormat {
    /// A column of numbers formatted together, as R's `format(x, digits = 4)`: fixed notation
    /// with enough decimals that the smallest shows `digits` significant digits, or scientific
    /// when fixed would be too wide.
    static func column(_ values: [Double?], digits: Int = 4) -> [String] {
        let finite = values.compactMap { $0 }.filter { $0.isFinite && $0 != 0 }
        guard let smallest = finite.map(abs).min(), let largest = finite.map(abs).max() else {
            return values.map { $0.map { $0 == 0 ? "0" : "\($0)" } ?? "NA" }
        }
        // As R's formatReal: fixed notation unless it would be wider than scientific.
        let decimals = min(15, max(0, digits - 1 - Int(floor(log10(smallest)))))
        let fixed = values.map { $0.map { String(format: "%.\(decimals)f", $0) } ?? "NA" }
        let sci = values.map { $0.map { scientific($0, digits: digits) } ?? "NA" }
        _ = largest
        return (fixed.map(\.count).max() ?? 0) <= (sci.map(\.count).max() ?? 0) ? fixed : sci
    }

    /// R's scientific style: `-3.482e+06`.
    static func scientific(_ v: Double, digits: Int) -> String {
        String(format: "%.\(max(0, digits - 1))e", v)
    }

    /// `signif(v, digits)` printed as R prints a single number.
    static func significant(_ v: Double, digits: Int = 4) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "Inf" : "-Inf") }
        if v == 0 { return "0" }
        let magnitude = Int(floor(log10(abs(v))))
        if magnitude >= 15 || magnitude < -4 { return scientific(v, digits: digits) }
        let decimals = max(0, digits - 1 - magnitude)
        var s = String(format: "%.\(decimals)f", v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// R's `format.pval` with 3 digits: `< 2e-16` below machine epsilon.
    static func pValue(_ p: Double?, digits: Int = 3) -> String { pValues([p], digits: digits)[0] }

    /// A column of p-values formatted together, as R's `format.pval(pv, digits = 3)`.
    static func pValues(_ ps: [Double?], digits: Int = 3) -> [String] {
        let shown = column(ps.map { p in p.flatMap { $0 < Double.ulpOfOne ? nil : $0 } }, digits: digits)
        return ps.enumerated().map { k, p in
            guard let p else { return "NA" }
            return p < Double.ulpOfOne ? "< 2e-16" : shown[k]
        }
    }

    /// Significance stars as R prints them.
    static func stars(_ p: Double?) -> String {
        guard let p else { return "" }
        switch p {
        case ..<0.001: return "***"
        case ..<0.01: return "**"
        case ..<0.05: return "*"
        case ..<0.1: return "."
        default: return ""
        }
    }

    /// The shortest text that reads back as the same double; `NA` for nil or NaN.
    static func exact(_ v: Double?) -> String {
        guard let v, !v.isNaN else { return "NA" }
        if v.isInfinite { return v > 0 ? "Inf" : "-Inf" }
        return v == 0 && v.sign == .minus ? "\(v)" : v.shortText
    }
}

/// Right-aligns each column of a table of strings.
func alignColumns(_ rows: [[String]], leftAlignFirst: Bool = true, uniform: Bool = false, leftAlignLast: Bool = false) -> [String] {
    guard let count = rows.first?.count else { return [] }
    var widths = (0..<count).map { c in rows.map { $0[c].count }.max() ?? 0 }
    if uniform { widths = Array(repeating: widths.max() ?? 0, count: count) }
    return rows.map { row in
        row.enumerated().map { c, cell in
            let pad = String(repeating: " ", count: widths[c] - cell.count)
            return (c == 0 && leftAlignFirst) || (c == count - 1 && leftAlignLast) ? cell + pad : pad + cell
        }.joined(separator: " ")
    }
}
