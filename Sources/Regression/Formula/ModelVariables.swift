import DataTable
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// A model variable evaluated over the rows a model uses: numbers, or categories.
public enum ModelVariable: Sendable {
    /// A numeric variable's values per row.
    case numeric([Double])
    /// Several numeric columns under one label, each with its name suffix (`poly(x, 2, raw = TRUE)1`).
    case numericColumns([(suffix: String, values: [Double])])
    /// Levels in order (the first is the reference) and each row's level index.
    case categorical(levels: [String], codes: [Int])
}

/// Evaluates model-variable expressions (columns, transforms, `I()`, `factor()`).
struct Evaluator {
    let table: DataTable
    let columns: [String: Column]
    let rows: [Int]
    let formula: Formula
    /// For new data: the levels each categorical variable had in the fit.
    var fittedLevels: [String: [String]] = [:]
    /// The parameters of `scale()` and orthogonal `poly()` calls, learned from the fitting data.
    var learned: [String: LearnedTransform] = [:]

    func evaluate(_ label: String) throws(ModelError) -> ModelVariable {
        let variable = try evaluateOwn(label)
        guard let levels = fittedLevels[label], case .categorical(let own, let codes) = variable else { return variable }
        // Map this data's levels onto the fit's; a level the fit never saw is an error.
        var map = [Int]()
        for level in own {
            guard let k = levels.firstIndex(of: level) else {
                let row = rows[codes.firstIndex(of: own.firstIndex(of: level)!)!]
                throw .unseenLevel(term: label, level: level, line: table.rowLines[row])
            }
            map.append(k)
        }
        return .categorical(levels: levels, codes: codes.map { map[$0] })
    }

    private func evaluateOwn(_ label: String) throws(ModelError) -> ModelVariable {
        let node = formula.expressions[label] ?? .variable(label, position: 0)
        if case .variable(let name, _) = node, columns[name]!.kind == .text {
            return categories(of: name)
        }
        if case .call("factor", let args, _) = node {
            guard case .variable(let name, _)? = args.first(where: { if case .named = $0 { false } else { true } }) else {
                throw .notCategorical(term: label)
            }
            var reference: String?
            for case .named("ref", .string(let level, _), _) in args { reference = level }
            let variable = categories(of: name)
            guard let reference else { return variable }
            guard case .categorical(let levels, let codes) = variable, let r = levels.firstIndex(of: reference) else {
                if case .categorical(let levels, _) = variable { throw .unknownLevel(term: label, level: reference, levels: levels) }
                throw .notCategorical(term: label)
            }
            // Move the reference level first.
            let order = [r] + levels.indices.filter { $0 != r }
            var newIndex = [Int](repeating: 0, count: levels.count)
            for (k, old) in order.enumerated() { newIndex[old] = k }
            return .categorical(levels: order.map { levels[$0] }, codes: codes.map { newIndex[$0] })
        }
        if let poly = PolyCall.of(node) {
            let x = try numeric(poly.argument)
            if let bad = x.firstIndex(where: { !$0.isFinite }) {
                throw .notFinite(term: label, line: table.rowLines[rows[bad]], value: x[bad])
            }
            if poly.raw {
                return .numericColumns((1...poly.degree).map { power in (String(power), x.map { pow($0, Double(power)) }) })
            }
            guard case .poly(let alpha, let norms)? = learned[node.deparsed] else {
                throw .formula(FormulaError(text: formula.text, position: node.position, message: "poly() cannot be used here"))
            }
            let columns = LearnedTransform.polyColumns(x, alpha: alpha, norms: norms)
            return .numericColumns(columns.enumerated().map { (String($0.offset + 1), $0.element) })
        }
        let values = try numeric(node)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw .notFinite(term: label, line: table.rowLines[rows[bad]], value: values[bad])
        }
        return .numeric(values)
    }

    /// A column's values as categories, levels sorted (numerically for numbers).
    private func categories(of name: String) -> ModelVariable {
        let column = columns[name]!
        if column.kind == .text {
            let values = rows.map { column.strings[$0] }
            let levels = Array(Set(values)).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
            return .categorical(levels: levels, codes: values.map { index[$0]! })
        }
        let values = rows.map { column.numbers[$0] }
        let sorted = Array(Set(values)).sorted()
        let index = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) })
        let levels = sorted.map(\.shortText)
        return .categorical(levels: levels, codes: values.map { index[$0]! })
    }

    /// The sum of the formula's offsets over the rows (nil without offsets).
    func offset() throws(ModelError) -> [Double]? {
        guard !formula.offsets.isEmpty else { return nil }
        var total = [Double](repeating: 0, count: rows.count)
        for node in formula.offsets {
            let values = try numeric(node)
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw .notFinite(term: "offset(\(node.deparsed))", line: table.rowLines[rows[bad]], value: values[bad])
            }
            for i in total.indices { total[i] += values[i] }
        }
        return total
    }

    func numeric(_ node: FormulaNode) throws(ModelError) -> [Double] {
        switch node {
        case .variable(let name, _):
            let column = columns[name]!
            if column.kind == .text {
                let row = rows.first ?? 0
                throw .textColumn(table.location(row: row, column: name), value: column.strings[row])
            }
            // Every row used: share the column's storage instead of copying it.
            if rows.count == column.numbers.count { return column.numbers }
            return rows.map { column.numbers[$0] }
        case .number(let v, _):
            return Array(repeating: v, count: rows.count)
        case .negate(let inner, _):
            return try numeric(inner).map { -$0 }
        case .binary(let op, let l, let r, let at):
            let a = try numeric(l), b = try numeric(r)
            switch op {
            case "+": return zip(a, b).map { $0 + $1 }
            case "-": return zip(a, b).map { $0 - $1 }
            case "*": return zip(a, b).map { $0 * $1 }
            case "/": return zip(a, b).map { $0 / $1 }
            case "^": return zip(a, b).map { pow($0, $1) }
            default:
                throw .formula(FormulaError(text: formula.text, position: at, message: "\"\(op)\" has no arithmetic meaning inside I()"))
            }
        case .call(let name, let args, let at) where name == "within" || name == "between":
            guard case .unitMeans(let means)? = learned[node.deparsed], let unit = formula.unitColumn(of: node), let column = columns[unit] else {
                throw .formula(FormulaError(text: formula.text, position: at, message: "\(name)() cannot be used here"))
            }
            let x = try numeric(args[0])
            return try rows.indices.map { (k: Int) throws(ModelError) -> Double in
                let label = table.cellText(row: rows[k], column: column) ?? ""
                guard let mean = means[label] else { throw .unseenLevel(term: "\(name)(): \(unit)", level: label, line: table.rowLines[rows[k]]) }
                return name == "within" ? x[k] - mean : mean
            }
        case .call("scale", _, let at):
            guard case .scale(let center, let scale)? = learned[node.deparsed], let argument = ScaleCall.of(node)?.argument else {
                throw .formula(FormulaError(text: formula.text, position: at, message: "scale() cannot be used here"))
            }
            return try numeric(argument).map { ($0 - center) / scale }
        case .call(let name, let args, let at):
            guard args.count == 1, let f = FormulaFunction(rawValue: name), f != .factor else {
                throw .formula(FormulaError(text: formula.text, position: at, message: "\(name)() cannot be used here"))
            }
            let x = try numeric(args[0])
            switch f {
            case .log: return x.map { log($0) }
            case .log1p: return x.map { log1p($0) }
            case .exp: return x.map { exp($0) }
            case .sqrt: return x.map { $0.squareRoot() }
            case .abs: return x.map { Swift.abs($0) }
            case .I, .factor, .poly, .scale, .within, .between: return x
            }
        case .string(_, let at), .named(_, _, let at):
            throw .formula(FormulaError(text: formula.text, position: at, message: "text cannot be used in arithmetic"))
        }
    }
}

/// Builds the design matrix from evaluated model variables with R's coding rules: a factor
/// in a term is coded by treatment contrasts (its first level the reference) when the term
/// without it is empty or contained in an earlier term, and by one indicator per level
/// otherwise; without an intercept, the first factor of the first term that has one gets
/// indicators for all levels. Columns of an interaction vary the first variable fastest, and
/// are named as R names them (`factor(year)2016`, `x:groupb`).
struct DesignBuilder {
    var names: [String] = []
    var terms: [Int] = []
    var elements: [Double] = []

    /// A fit holds about this many copies of its design at once (the design; the working or
    /// scaled copy; the QR's; the refinement's), and building it holds three (the per-level
    /// columns, the columns, the design).
    static let copiesHeld = 4.0

    init(formula: Formula, values: [String: ModelVariable], rows n: Int) throws(ModelError) {
        // Absorbed fixed effects take the intercept's place: factors are coded as beside one,
        // but it has no column.
        let emitsIntercept = formula.intercept && formula.fixedEffects.isEmpty
        if emitsIntercept {
            names.append("(Intercept)")
            terms.append(-1)
        }
        var forcedFull: (term: Int, label: String)?
        if !formula.intercept && formula.fixedEffects.isEmpty {
            outer: for (t, term) in formula.terms.enumerated() {
                for label in term {
                    if case .categorical? = values[label] {
                        forcedFull = (t, label)
                        break outer
                    }
                }
            }
        }
        // Whether a factor in term t is coded by contrasts (else by an indicator per level).
        func contrasts(_ label: String, term t: Int) -> Bool {
            if let forcedFull, forcedFull.term == t, forcedFull.label == label { return false }
            let rest = Set(formula.terms[t].filter { $0 != label })
            return rest.isEmpty || formula.terms[..<t].contains { rest.isSubset(of: Set($0)) }
        }
        try Self.cost(formula: formula, values: values, rows: n, contrasts: contrasts)
        // Each term's parts, then its columns: (name, values).
        var termParts = [[[(String, [Double])]]]()
        for (t, term) in formula.terms.enumerated() {
            // Each element's columns: (name suffix, values).
            var parts: [[(String, [Double])]] = []
            for label in term {
                switch values[label]! {
                case .numeric(let v):
                    parts.append([(label, v)])
                case .numericColumns(let columns):
                    parts.append(columns.map { (label + $0.suffix, $0.values) })
                case .categorical(let levels, let codes):
                    let used = contrasts(label, term: t) ? Array(levels.indices.dropFirst()) : Array(levels.indices)
                    parts.append(used.map { level in
                        (label + levels[level], codes.map { $0 == level ? 1.0 : 0.0 })
                    })
                }
            }
            termParts.append(parts)
        }
        var columns = [[Double]]()
        for (t, parts) in termParts.enumerated() {
            // Cartesian product, first element varying fastest.
            var combos: [(String, [Double])] = parts[0]
            for part in parts.dropFirst() {
                var next: [(String, [Double])] = []
                for column in part {
                    for combo in combos {
                        next.append((combo.0 + ":" + column.0, zip(combo.1, column.1).map { $0 * $1 }))
                    }
                }
                combos = next
            }
            for (name, column) in combos {
                names.append(name)
                terms.append(t)
                columns.append(column)
            }
        }
        // The whole design allocated once and filled a column per task: a large design's pages
        // are first touched (faulted in) on every core.
        let start = emitsIntercept ? n : 0, total = start + columns.count * n
        guard total > 0 else { return }
        elements = [Double](unsafeUninitializedCapacity: total) { buffer, count in
            let out = buffer.baseAddress!
            out.initialize(repeating: 1, count: start)  // the intercept
            let shared = SharedPointer(base: out + start)
            columns.withUnsafeBufferPointer { all in
                let all = all
                parallelFor(all.count, parallel: total >= 1 << 20) { j in
                    all[j].withUnsafeBufferPointer { (shared.base + j * n).initialize(from: $0.baseAddress!, count: n) }
                }
            }
            count = total
        }
    }

    /// Refuses a design whose columns (counted from the terms before any is built) would take
    /// more than ``MemoryBudget`` with ``copiesHeld`` copies, naming the term with most columns.
    static func cost(
        formula: Formula, values: [String: ModelVariable], rows n: Int, contrasts: (String, Int) -> Bool
    ) throws(ModelError) {
        var total = formula.intercept && formula.fixedEffects.isEmpty ? 1.0 : 0.0
        var largest = (columns: 0.0, term: 0, levels: 0)
        for (t, term) in formula.terms.enumerated() {
            var columns = 1.0, levels = 0
            for label in term {
                switch values[label]! {
                case .numeric: break
                case .numericColumns(let c): columns *= Double(c.count)
                case .categorical(let l, _):
                    columns *= Double(contrasts(label, t) ? l.count - 1 : l.count)
                    levels = max(levels, l.count)
                }
            }
            total += columns
            if columns > largest.columns { largest = (columns, t, levels) }
        }
        let name = Formula.name(of: formula.terms.isEmpty ? [] : formula.terms[largest.term])
        let many = largest.levels > 1000
        try MemoryBudget.require(
            Double(n) * total * 8 * copiesHeld,
            for: "the design would have \(Int(total)) columns for \(n) rows (term \(name): \(Int(largest.columns)) column\(largest.columns == 1 ? "" : "s")"
                + (many ? ", from a factor of \(largest.levels) levels" : "") + "), held about \(Int(copiesHeld)) times while fitting",
            advice: many ? "a factor of that many levels is better absorbed as a fixed effect (after |, as y ~ x | la_code) than expanded into columns" : "")
    }
}
