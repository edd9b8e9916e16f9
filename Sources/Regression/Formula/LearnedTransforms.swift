import DataTable

/// A transform whose parameters come from the data: `scale(x)` (its centre and scale) and
/// orthogonal `poly(x, k)` (the coefficients of its three-term recurrence). The parameters are
/// learned once from the fitting data and reused for new data, as R's `makepredictcall` does,
/// so a prediction puts new rows through the fit's transform, never one re-learned from them.
///
/// As in R's `model.frame`, the parameters are learned from every row where the transform's
/// own argument is present, before rows are dropped for other variables' missing values. (R's
/// `poly` refuses any missing value in its argument; CareRates learns from the rows present.)
enum LearnedTransform: Sendable, Equatable {
    /// `(x - center) / scale`; center 0 or scale 1 when that step is off.
    case scale(center: Double, scale: Double)
    /// Orthogonal polynomials: `P_0 = 1`, `P_1 = x - alpha_0`,
    /// `P_{k+1} = (x - alpha_k) P_k - (norms_k / norms_{k-1}) P_{k-1}`, column k = `P_k / sqrt(norms_k)`;
    /// `norms_k` is the sum of squares of `P_k` over the fitting rows (`norms_0 = n`).
    case poly(alpha: [Double], norms: [Double])
    /// `within(x)` and `between(x)`: the mean of `x` in each unit of the panel (by the unit's label).
    case unitMeans([String: Double])

    /// The unit means of every `within()` and `between()` call's argument over `rows` (the rows
    /// a model uses: the estimation sample's means, as plm's Between).
    static func learnUnitMeans(
        formula: Formula, table: DataTable, columns: [String: Column], rows: [Int], learned: [String: LearnedTransform]
    ) throws(ModelError) -> [String: LearnedTransform] {
        var out = [String: LearnedTransform]()
        for call in formula.unitCalls where out[call.deparsed] == nil {
            guard case .call(_, let args, _) = call, let unit = formula.unitColumn(of: call), let column = columns[unit] else { continue }
            let x = try Evaluator(table: table, columns: columns, rows: rows, formula: formula, learned: learned).numeric(args[0])
            var sums = [String: (Double, Int)]()
            for (k, row) in rows.enumerated() {
                let label = table.cellText(row: row, column: column) ?? ""
                sums[label, default: (0, 0)].0 += x[k]
                sums[label, default: (0, 0)].1 += 1
            }
            out[call.deparsed] = .unitMeans(sums.mapValues { $0.0 / Double($0.1) })
        }
        return out
    }

    /// The columns of the orthogonal polynomial basis at `x`.
    static func polyColumns(_ x: [Double], alpha: [Double], norms: [Double]) -> [[Double]] {
        var previous = [Double](repeating: 0, count: x.count), current = [Double](repeating: 1, count: x.count)
        var columns = [[Double]]()
        for k in alpha.indices {
            let ratio = k == 0 ? 0 : norms[k] / norms[k - 1]
            let next = x.indices.map { i in (x[i] - alpha[k]) * current[i] - ratio * previous[i] }
            let root = norms[k + 1].squareRoot()
            columns.append(next.map { $0 / root })
            previous = current
            current = next
        }
        return columns
    }

    /// The recurrence of the polynomials orthogonal over the points `x` (Stieltjes), up to `degree`.
    static func learnPoly(_ x: [Double], degree: Int) -> LearnedTransform {
        let mean = compensatedSum(x) / Double(x.count)
        var previous = [Double](repeating: 0, count: x.count), current = [Double](repeating: 1, count: x.count)
        var alpha = [Double](), norms = [Double(x.count)]
        for k in 0..<degree {
            // alpha_k = sum(x P_k^2) / sum(P_k^2), centred for accuracy.
            let a = mean + compensatedSum(x.indices.map { (x[$0] - mean) * current[$0] * current[$0] }) / norms[k]
            let ratio = k == 0 ? 0 : norms[k] / norms[k - 1]
            let next = x.indices.map { i in (x[i] - a) * current[i] - ratio * previous[i] }
            alpha.append(a)
            norms.append(compensatedSum(next.map { $0 * $0 }))
            previous = current
            current = next
        }
        return .poly(alpha: alpha, norms: norms)
    }

    /// Learns every data-dependent transform in `formula`'s terms and offsets from `table`
    /// (inner ones first, so `scale(log(x))` and `I(scale(x)^2)` work), keyed by the call as deparsed;
    /// from the `candidates` rows only, when given.
    static func learn(formula: Formula, table: DataTable, columns: [String: Column], candidates: [Int]? = nil)
        throws(ModelError) -> [String: LearnedTransform]
    {
        var calls = [FormulaNode]()
        func collect(_ node: FormulaNode) {
            switch node {
            case .call(let name, let args, _):
                args.forEach(collect)
                if name == "scale" || (name == "poly" && PolyCall.of(node)?.raw == false) { calls.append(node) }
            case .binary(_, let l, let r, _):
                collect(l)
                collect(r)
            case .negate(let inner, _), .named(_, let inner, _): collect(inner)
            case .variable, .number, .string: break
            }
        }
        for label in Set(formula.terms.joined()) { formula.expressions[label].map(collect) }
        formula.offsets.forEach(collect)
        var learned = [String: LearnedTransform]()
        for call in calls where learned[call.deparsed] == nil {
            var scaleCall: ScaleCall?
            if case .call("scale", _, _) = call {
                do { scaleCall = try ScaleCall(call, text: formula.text) } catch { throw .formula(error) }
            }
            let polyCall = scaleCall == nil ? PolyCall.of(call) : nil
            guard let argument = scaleCall?.argument ?? polyCall?.argument else { continue }
            // The rows where the argument's own columns are present.
            let own = argument.columns.compactMap { columns[$0] }
            let rows = (candidates ?? Array(0..<table.rowCount)).filter { i in !own.contains { $0.isMissing(i) } }
            let evaluator = Evaluator(table: table, columns: columns, rows: rows, formula: formula, learned: learned)
            let x = try evaluator.numeric(argument)
            if let bad = x.firstIndex(where: { !$0.isFinite }) {
                throw .notFinite(term: argument.deparsed, line: table.rowLines[rows[bad]], value: x[bad])
            }
            if let scaleCall {
                learned[call.deparsed] = try learnScale(x, scaleCall, call: call, formula: formula)
            } else if let options = polyCall {
                let distinct = Set(x).count
                guard options.degree < distinct else {
                    throw .formula(FormulaError(
                        text: formula.text, position: call.position,
                        message: "\(call.deparsed): \(argument.deparsed) takes \(distinct) distinct value\(distinct == 1 ? "" : "s") "
                            + "in the rows used; the degree must be less than that"))
                }
                learned[call.deparsed] = learnPoly(x, degree: options.degree)
            }
        }
        return learned
    }

    /// R's `scale.default`: centre by the mean, then divide by the root mean square with n - 1
    /// (the standard deviation when centred), or by the values given.
    private static func learnScale(_ x: [Double], _ options: ScaleCall, call: FormulaNode, formula: Formula) throws(ModelError) -> LearnedTransform {
        let center: Double
        switch options.center {
        case .off: center = 0
        case .fixed(let v): center = v
        case .estimated: center = compensatedSum(x) / Double(x.count)
        }
        let scale: Double
        switch options.scale {
        case .off: scale = 1
        case .fixed(let v): scale = v
        case .estimated:
            scale = (compensatedSum(x.map { ($0 - center) * ($0 - center) }) / Double(max(1, x.count - 1))).squareRoot()
        }
        guard scale != 0, scale.isFinite else {
            throw .formula(FormulaError(
                text: formula.text, position: call.position,
                message: "\(call.deparsed): the scale is \(scale) (the values do not vary), so it cannot divide them"))
        }
        return .scale(center: center, scale: scale)
    }
}

/// The arguments of `scale(x, center = TRUE, scale = TRUE)`: each TRUE, FALSE or a number.
struct ScaleCall {
    enum Setting: Equatable { case estimated, off, fixed(Double) }
    var argument: FormulaNode
    var center = Setting.estimated
    var scale = Setting.estimated

    /// The call's arguments; nil when `node` is not a well-formed scale() call.
    static func of(_ node: FormulaNode) -> ScaleCall? { try? ScaleCall(node, text: "") }

    init(_ node: FormulaNode, text: String) throws(FormulaError) {
        guard case .call("scale", let args, let at) = node else {
            throw FormulaError(text: text, position: node.position, message: "expected scale()")
        }
        let positional = args.filter { if case .named = $0 { false } else { true } }
        guard positional.count == 1 else {
            throw FormulaError(text: text, position: at, message: "scale() takes one expression: scale(x, center = TRUE, scale = TRUE)")
        }
        argument = positional[0]
        for case .named(let name, let value, let argAt) in args {
            let setting: Setting
            switch value {
            case .variable("TRUE", _), .variable("T", _): setting = .estimated
            case .variable("FALSE", _), .variable("F", _): setting = .off
            case .number(let v, _): setting = .fixed(v)
            case .negate(.number(let v, _), _): setting = .fixed(-v)
            default:
                throw FormulaError(text: text, position: argAt, message: "\(name) = takes TRUE, FALSE or a number")
            }
            switch name {
            case "center": center = setting
            case "scale": scale = setting
            default:
                throw FormulaError(text: text, position: argAt, message: "scale() has no argument \"\(name)\"; it takes center = and scale =")
            }
        }
    }
}

/// The arguments of `poly(x, degree, raw = FALSE)`.
struct PolyCall {
    var argument: FormulaNode
    var degree: Int
    var raw = false

    /// The call's arguments; nil when `node` is not a well-formed poly() call.
    static func of(_ node: FormulaNode) -> PolyCall? { try? PolyCall(node, text: "") }

    init(_ node: FormulaNode, text: String) throws(FormulaError) {
        let usage = "poly() takes a variable and a degree: poly(x, 2) (orthogonal) or poly(x, 2, raw = TRUE) (powers)"
        guard case .call("poly", let args, let at) = node else { throw FormulaError(text: text, position: node.position, message: usage) }
        var positional = args.filter { if case .named = $0 { false } else { true } }
        for case .named(let name, let value, let argAt) in args {
            switch (name, value) {
            case ("raw", .variable("TRUE", _)), ("raw", .variable("T", _)): raw = true
            case ("raw", .variable("FALSE", _)), ("raw", .variable("F", _)): raw = false
            case ("degree", _): positional.append(value)
            default: throw FormulaError(text: text, position: argAt, message: usage)
            }
        }
        guard positional.count == 2, case .number(let k, _) = positional[1], k >= 1, k == k.rounded(), k <= 30 else {
            throw FormulaError(text: text, position: at, message: usage)
        }
        argument = positional[0]
        degree = Int(k)
    }
}
