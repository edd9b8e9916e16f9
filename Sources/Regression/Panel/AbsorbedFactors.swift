import DataTable
import LinearAlgebra

/// One factor whose fixed effects are absorbed: its levels and each row's level.
public struct AbsorbedFactor: Sendable {
    /// The factor as written after `|` (`la_code`, `la_code^year`).
    public let name: String
    /// Its levels, sorted as R sorts a factor's (numbers by value, text by code point; a
    /// combination `a^b` by its parts, joined by "_").
    public let levels: [String]
    /// Each row's level (an index into ``levels``), per row of the rows it was built on.
    public let codes: [Int32]

    /// Rows per level.
    public var counts: [Int] {
        var c = [Int](repeating: 0, count: levels.count)
        for k in codes { c[Int(k)] += 1 }
        return c
    }

    /// The factor on a subset of its rows (positions in ``codes``), its levels those still present.
    func restricted(to positions: [Int]) -> AbsorbedFactor {
        var present = [Bool](repeating: false, count: levels.count)
        for p in positions { present[Int(codes[p])] = true }
        var newIndex = [Int32](repeating: -1, count: levels.count), kept = [String]()
        for (k, level) in levels.enumerated() where present[k] {
            newIndex[k] = Int32(kept.count)
            kept.append(level)
        }
        return AbsorbedFactor(name: name, levels: kept, codes: positions.map { newIndex[Int(codes[$0])] })
    }
}

/// The absorbed factors of a formula over a set of table rows, and the rows they leave.
public enum AbsorbedFactors {
    /// How the fixed effects of `factors` are normalised (``FixedEffectsFit/effects``), in words.
    public static func normalisation(_ factors: [AbsorbedFactor]) -> String {
        guard factors.count > 1 else { return "each level's effect is its mean of the response less X b" }
        let free = factors.indices.max { (factors[$0].levels.count, -$0) < (factors[$1].levels.count, -$1) } ?? 0
        let others = factors.indices.filter { $0 != free }.map { factors[$0].name }.joined(separator: ", ")
        return "\(others): first level zero (and the first of each further set of levels not connected to the rest); "
            + "\(factors[free].name) takes the constant"
    }

    /// Each factor of `formula.fixedEffects` over table `rows` (every cell present).
    static func build(_ formula: Formula, table: DataTable, rows: [Int]) throws(ModelError) -> [AbsorbedFactor] {
        var names = [String](), columns = [Column]()
        for name in formula.fixedEffects.joined() where !names.contains(name) {
            do { columns.append(try table.column(named: name)) } catch { throw .data(error) }
            names.append(name)
        }
        // Each column encoded on its own core.
        var encoded = [(levels: [String], codes: [Int32])](repeating: ([], []), count: columns.count)
        encoded.withUnsafeMutableBufferPointer { out in
            let out = SharedPointer(base: out.baseAddress!)
            parallelFor(columns.count, parallel: rows.count >= 1 << 16) { k in out.base[k] = encode(columns[k], rows: rows) }
        }
        let single = Dictionary(uniqueKeysWithValues: zip(names, encoded))
        return formula.fixedEffects.map { columns in
            var (levels, codes) = single[columns[0]]!
            for name in columns.dropFirst() {
                let other = single[name]!
                // Combinations present, in the order of (first part, second part): R's interaction order.
                let width = Int32(other.levels.count)
                let combined = zip(codes, other.codes).map { Int64($0) * Int64(width) + Int64($1) }
                let present = Array(Set(combined)).sorted()
                let index = Dictionary(uniqueKeysWithValues: present.enumerated().map { ($1, Int32($0)) })
                levels = present.map { levels[Int($0 / Int64(width))] + "_" + other.levels[Int($0 % Int64(width))] }
                codes = combined.map { index[$0]! }
            }
            return AbsorbedFactor(name: Formula.name(ofFixedEffect: columns), levels: levels, codes: codes)
        }
    }

    /// A column's levels over `rows`, sorted as R's `factor()` sorts them.
    static func encode(_ column: Column, rows: [Int]) -> (levels: [String], codes: [Int32]) {
        if column.kind == .text {
            var index = [String: Int32]()
            var first = [Int32](repeating: 0, count: rows.count)
            for (k, r) in rows.enumerated() {
                let s = column.strings[r]
                if let c = index[s] { first[k] = c } else {
                    first[k] = Int32(index.count)
                    index[s] = first[k]
                }
            }
            return sortedLevels(index.sorted { $0.value < $1.value }.map(\.key), codes: first) {
                $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
            }
        }
        if let direct = encodeWholeNumbers(column.numbers, rows: rows) { return direct }
        var index = [Double: Int32]()
        var first = [Int32](repeating: 0, count: rows.count)
        for (k, r) in rows.enumerated() {
            let v = column.numbers[r]
            if let c = index[v] { first[k] = c } else {
                first[k] = Int32(index.count)
                index[v] = first[k]
            }
        }
        let values = index.sorted { $0.value < $1.value }.map(\.key)
        let sorted = sortedLevels(values, codes: first, by: <)
        return (sorted.levels.map(\.shortText), sorted.codes)
    }

    /// Whole numbers in a range not much wider than the rows (years, codes): levels by a table
    /// indexed by value, sorted as they are found, without hashing. Nil for other numbers.
    private static func encodeWholeNumbers(_ numbers: [Double], rows: [Int]) -> (levels: [String], codes: [Int32])? {
        guard let firstRow = rows.first else { return ([], []) }
        var low = numbers[firstRow], high = low
        for r in rows {
            let v = numbers[r]
            guard v == v.rounded(.towardZero), abs(v) < 1e15 else { return nil }
            low = min(low, v)
            high = max(high, v)
        }
        let width = Int(high - low) + 1
        guard width <= max(4 * rows.count, 1 << 16) else { return nil }
        var rank = [Int32](repeating: -1, count: width)
        for r in rows { rank[Int(numbers[r] - low)] = 0 }
        var levels = [String](), next: Int32 = 0
        for k in 0..<width where rank[k] == 0 {
            rank[k] = next
            next += 1
            levels.append((low + Double(k)).shortText)
        }
        return (levels, rows.map { rank[Int(numbers[$0] - low)] })
    }

    /// Levels in first-seen order relabelled in sorted order.
    private static func sortedLevels<T>(_ seen: [T], codes: [Int32], by less: (T, T) -> Bool) -> (levels: [T], codes: [Int32]) {
        let order = seen.indices.sorted { less(seen[$0], seen[$1]) }
        var newIndex = [Int32](repeating: 0, count: seen.count)
        for (k, old) in order.enumerated() { newIndex[old] = Int32(k) }
        return (order.map { seen[$0] }, codes.map { newIndex[Int($0)] })
    }

    /// The positions (into the factors' rows) left once every row alone in a level of some
    /// factor is removed, repeatedly until none is (a removal can leave another level with
    /// one row), and how many were removed. Rows of zero weight count for nothing: they stay
    /// where their every level keeps a row of positive weight, and go (not counted as
    /// singletons) where it does not, as their effects would not be identified.
    static func withoutSingletons(_ factors: [AbsorbedFactor], weights: [Double]?) -> (kept: [Int], removed: Int) {
        let n = factors.first?.codes.count ?? 0
        // The common case first: every row of positive weight, no level with one row.
        if weights?.allSatisfy({ $0 > 0 }) ?? true, !factors.contains(where: { levelCounts($0).contains(1) }) {
            return (Array(0..<n), 0)
        }
        var alive = [Bool](repeating: true, count: n)
        if let weights { for i in 0..<n where !(weights[i] > 0) { alive[i] = false } }
        let weightless = alive.map { !$0 }
        var counts = factors.map { [Int](repeating: 0, count: $0.levels.count) }
        var changed = true
        while changed {
            changed = false
            for (f, factor) in factors.enumerated() {
                counts[f] = [Int](repeating: 0, count: factor.levels.count)
                for i in 0..<n where alive[i] { counts[f][Int(factor.codes[i])] += 1 }
                guard counts[f].contains(1) else { continue }
                for i in 0..<n where alive[i] && counts[f][Int(factor.codes[i])] == 1 {
                    alive[i] = false
                    changed = true
                }
            }
        }
        if alive.allSatisfy({ $0 }) { return (Array(0..<n), 0) }
        for (f, factor) in factors.enumerated() {
            counts[f] = [Int](repeating: 0, count: factor.levels.count)
            for i in 0..<n where alive[i] { counts[f][Int(factor.codes[i])] += 1 }
        }
        var kept = [Int]()
        kept.reserveCapacity(n)
        var removed = 0
        for i in 0..<n {
            if alive[i] {
                kept.append(i)
            } else if weightless[i] {
                if factors.indices.allSatisfy({ counts[$0][Int(factors[$0].codes[i])] > 0 }) { kept.append(i) }
            } else {
                removed += 1
            }
        }
        return (kept, removed)
    }

    /// Rows per level of `factor`, in one pass.
    private static func levelCounts(_ factor: AbsorbedFactor) -> [Int] {
        var counts = [Int](repeating: 0, count: factor.levels.count)
        counts.withUnsafeMutableBufferPointer { c in
            factor.codes.withUnsafeBufferPointer { codes in for code in codes { c[Int(code)] += 1 } }
        }
        return counts
    }

    /// The error when no row is left: every row alone in a level (or, for counts, in a level of zeros).
    static func nothingLeft(_ frame: ModelFrame, _ factors: [AbsorbedFactor]) -> ModelError {
        .unsupported("\(frame.table.source): none of the \(frame.rows.count) rows is left once those alone in a level of "
            + factors.map(\.name).joined(separator: " or ") + " (singletons, which carry no information) are removed"
            + " (and, for a count model, those in a level whose outcomes are all zero): nothing is left to fit")
    }

    /// Whether every level of `inner` falls within one level of `outer` (rows paired by
    /// position): fixed effects nested in a cluster factor.
    static func isNested(_ inner: [Int32], innerLevels: Int, in outer: [Int32]) -> Bool {
        var owner = [Int32](repeating: -1, count: innerLevels)
        for (a, b) in zip(inner, outer) {
            if owner[Int(a)] == -1 { owner[Int(a)] = b } else if owner[Int(a)] != b { return false }
        }
        return true
    }
}
