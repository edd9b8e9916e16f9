#if canImport(Glibc)
import Glibc
#endif

/// How an axis maps values to positions.
public enum ScaleKind: Sendable, Equatable {
    /// Equal distances for equal differences.
    case linear
    /// Positive values only; ticks at 1, 2, 5 times powers of ten (or powers of ten alone
    /// across many decades).
    case log
}

/// An axis' mapping from a data interval to a pixel interval, widened to round tick values.
struct Scale {
    let kind: ScaleKind
    /// The data interval, widened to the outer ticks.
    let low: Double, high: Double
    /// Pixels of `low` and `high` (for a y axis, `from` is the bottom).
    let from: Double, to: Double
    /// Tick values at round numbers, and the decimals their labels need.
    let ticks: [Double]

    /// A scale over the finite values of `values` (positive ones, for a log scale), always
    /// including `include` (a target line), widened to round ticks.
    init(kind: ScaleKind, values: [Double], include: [Double] = [], from: Double, to: Double) {
        self.kind = kind
        (self.from, self.to) = (from, to)
        var data = (values + include).filter { $0.isFinite && (kind == .linear || $0 > 0) }
        if data.isEmpty { data = kind == .log ? [1, 10] : [0, 1] }
        var lo = data.min()!, hi = data.max()!
        if hi <= lo {
            // One value: a band around it.
            let pad = kind == .log ? 2.0 : max(abs(lo) * 0.1, 1)
            (lo, hi) = kind == .log ? (lo / pad, hi * pad) : (lo - pad, hi + pad)
        }
        switch kind {
        case .linear:
            let step = Self.niceStep((hi - lo) / 5)
            let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
            ticks = stride(from: first, through: last + 0.5, by: 1).map { $0 * step }
            (low, high) = (first * step, last * step)
        case .log:
            let ticks = Self.logTicks(lo, hi)
            self.ticks = ticks
            (low, high) = (min(ticks.first!, lo), max(ticks.last!, hi))
        }
    }

    /// The pixel position of `value` (clamped far outside, so a stray value cannot blow up
    /// the coordinates).
    func position(_ value: Double) -> Double {
        let t: Double
        switch kind {
        case .linear: t = (value - low) / (high - low)
        case .log: t = value > 0 ? (log10(value) - log10(low)) / (log10(high) - log10(low)) : -1
        }
        return from + min(max(t, -1), 2) * (to - from)
    }

    func contains(_ value: Double) -> Bool {
        value.isFinite && value >= low - 1e-12 * abs(low) && value <= high + 1e-12 * abs(high) && (kind == .linear || value > 0)
    }

    /// The label of tick `value`: as many decimals as the ticks' spacing needs, no more.
    func label(_ value: Double) -> String {
        let decimals: Int
        switch kind {
        case .linear:
            let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
            decimals = max(0, Int((-log10(step)).rounded(.up)))
        case .log:
            // Evenly spaced ticks need their spacing's decimals; 1-2-5 ticks their own.
            let spacing = ticks.count > 2 && abs((ticks[2] - ticks[1]) - (ticks[1] - ticks[0])) < 1e-9 * ticks[2]
                ? ticks[1] - ticks[0] : value
            decimals = max(0, Int((-log10(spacing)).rounded(.up)))
        }
        return Self.format(value, decimals: decimals)
    }

    /// A tick label: thousands unseparated, a true minus sign, no "-0".
    static func format(_ value: Double, decimals: Int) -> String {
        let text = SVGWriter.fixed(value, decimals: min(decimals, 6))
        return text.hasPrefix("-") ? "\u{2212}" + text.dropFirst() : text
    }

    /// 1, 2 or 5 times a power of ten, nearest above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0 && raw.isFinite else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down)), f = raw / power
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power
    }

    /// Ticks of a log axis covering `lo`...`hi`: 1-2-5 within three decades, powers of ten
    /// beyond; across less than a factor of 4, evenly spaced round numbers (0.95, 1, 1.05, ...).
    static func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        if hi / lo < 4 {
            let step = niceStep((hi - lo) / 5)
            let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
            return stride(from: first, through: last + 0.5, by: 1).map { $0 * step }.filter { $0 > 0 }
        }
        let first = Int((log10(lo)).rounded(.down)), last = Int((log10(hi)).rounded(.up))
        let multiples: [Double] = last - first <= 3 ? [1, 2, 5] : [1]
        var all = [Double]()
        for e in first...last { for m in multiples { all.append(m * pow(10, Double(e))) } }
        // The ticks just outside the data at each end, and every one between.
        let below = all.last { $0 <= lo * (1 + 1e-12) } ?? all.first!
        let above = all.first { $0 >= hi * (1 - 1e-12) } ?? all.last!
        return all.filter { $0 >= below && $0 <= above }
    }
}
