import DataTable
/// A model formula in the Wilkinson–Rogers notation R uses: `y ~ x1 + x2`, `y ~ a * b - 1`.
///
/// Parsing builds the expression tree; ``terms`` expands it to R's terms: `a * b` is
/// `a + b + a:b`, `(a + b)^2` is `a + b + a:b`, `- 1` or `+ 0` drops the intercept, `- term`
/// removes a term. Terms are ordered as R orders them (by interaction order, then first
/// appearance). A term's parts are model variables: a column name, or a call of `log`,
/// `log1p`, `exp`, `sqrt`, `abs`, `I(...)` (arithmetic with `+ - * / ^`), or `factor(x)` (with
/// an optional `ref = "level"` choosing the reference level, a CareRates extension), or
/// `poly(x, k)` (orthogonal polynomials of degree 1..k, as R's `poly`) or `poly(x, k, raw = TRUE)`
/// (the raw powers 1..k), one column each, or `scale(x)` (centred and divided by the standard
/// deviation; `center =` and `scale =` take TRUE, FALSE or a number). Each is
/// named as R deparses it (`log(pop)`, `I(x^2)`, `factor(year)`).
public struct Formula: Sendable, CustomStringConvertible {
    /// The formula as written.
    public let text: String
    /// The response variable's name (the successes of a `cbind(successes, failures)` response).
    public let response: String
    /// The failures column of a binomial response written `cbind(successes, failures)`.
    public let responseFailures: String?
    /// Whether the model has an intercept.
    public let intercept: Bool
    /// The terms, each a list of model-variable labels (one: a main effect; more: an interaction).
    public let terms: [[String]]
    /// The expression behind each model-variable label.
    let expressions: [String: FormulaNode]
    /// `offset(...)` terms: expressions added to the linear predictor with coefficient 1.
    let offsets: [FormulaNode]
    /// Factors whose fixed effects are absorbed, written after `|` as fixest writes them:
    /// `y ~ x | la_code + year`. Each is the columns whose combinations are its levels (one
    /// column; `la_code^year`: every authority-year). Empty for a model without them.
    public let fixedEffects: [[String]]

    public var description: String { text }

    /// Parses `text`; errors carry the 1-based character position.
    public init(_ text: String) throws(FormulaError) {
        self.text = text
        var parser = FormulaParser(text: text)
        let (lhs, rhs, absorbed) = try parser.parseFormula()
        switch lhs {
        case .variable(let name, _):
            response = name
            responseFailures = nil
        case .call("cbind", let args, let at):
            guard args.count == 2, case .variable(let successes, _) = args[0], case .variable(let failures, _) = args[1] else {
                throw FormulaError(text: text, position: at, message: "cbind() takes two columns: cbind(successes, failures)")
            }
            response = successes
            responseFailures = failures
        default:
            throw FormulaError(
                text: text, position: lhs.position,
                message: "the response must be a column name (or cbind(successes, failures) for a binomial model)")
        }
        let name = response
        var expanded = TermSet()
        try expanded.add(rhs, sign: 1, text: text)
        intercept = expanded.intercept
        terms = expanded.ordered
        expressions = expanded.expressions
        offsets = expanded.offsets
        fixedEffects = try absorbed.map { node throws(FormulaError) in try FixedEffectTerms.parse(node, text: text) } ?? []
        if fixedEffects.joined().contains(name) {
            let at = (text.firstIndex(of: "|").map { text.distance(from: text.startIndex, to: $0) } ?? 0) + 1
            throw FormulaError(text: text, position: at, message: "the response \"\(name)\" cannot also be a fixed effect")
        }
        if terms.contains(where: { $0.contains(name) || responseFailures.map($0.contains) == true }) {
            let at = (text.firstIndex(of: "~").map { text.distance(from: text.startIndex, to: $0) } ?? 0) + 1
            throw FormulaError(text: text, position: at, message: "the response \"\(name)\" also appears among the terms")
        }
    }

    /// R's name of a term: variables joined by ":".
    public static func name(of term: [String]) -> String { term.joined(separator: ":") }

    /// fixest's name of an absorbed factor: its columns joined by "^".
    public static func name(ofFixedEffect columns: [String]) -> String { columns.joined(separator: "^") }

    /// Every data column the formula reads, response first (the absorbed factors' and the
    /// panel's unit last).
    public var variables: [String] {
        var seen = modelVariables
        for v in fixedEffects.joined() + unitColumns where !seen.contains(v) { seen.append(v) }
        return seen
    }

    /// The panel's unit column, for `within(x)` and `between(x)` written without one (set by
    /// ``withPanel(unit:)``; the CLI's `--panel`).
    public private(set) var panelUnit: String?

    /// The formula with `unit` as the panel's unit column.
    public func withPanel(unit: String?) -> Formula {
        var copy = self
        copy.panelUnit = unit
        return copy
    }

    /// The `within()` and `between()` calls among the terms.
    var unitCalls: [FormulaNode] {
        var calls = [FormulaNode]()
        func collect(_ node: FormulaNode) {
            switch node {
            case .call(let name, let args, _):
                if name == "within" || name == "between" { calls.append(node) } else { args.forEach(collect) }
            case .binary(_, let l, let r, _):
                collect(l)
                collect(r)
            case .negate(let inner, _), .named(_, let inner, _): collect(inner)
            case .variable, .number, .string: break
            }
        }
        for label in terms.joined() { expressions[label].map(collect) }
        return calls
    }

    /// The unit column of a `within()` or `between()` call: its own, else the panel's.
    func unitColumn(of call: FormulaNode) -> String? {
        if case .call(_, let args, _) = call, args.count == 2, case .variable(let name, _) = args[1] { return name }
        return panelUnit
    }

    /// The unit columns the terms' `within()` and `between()` calls read.
    var unitColumns: [String] {
        var out = [String]()
        for call in unitCalls { if let c = unitColumn(of: call), !out.contains(c) { out.append(c) } }
        return out
    }

    /// The columns the response, the terms and the offsets read (not the absorbed factors).
    var modelVariables: [String] {
        var seen = [response] + (responseFailures.map { [$0] } ?? [])
        for v in predictors where !seen.contains(v) { seen.append(v) }
        for o in offsets { for v in o.columns where !seen.contains(v) { seen.append(v) } }
        return seen
    }

    /// The 1-based position of the first mention of column `name` in the formula text (written
    /// plainly or in backquotes), for error messages; nil when it is not mentioned.
    public func position(of name: String) -> Int? {
        let characters = Array(text)
        func isIdentifier(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "." }
        for candidate in [Array(name), Array("`" + name + "`")] where !candidate.isEmpty {
            var i = 0
            while i + candidate.count <= characters.count {
                if Array(characters[i..<(i + candidate.count)]) == candidate
                    && (i == 0 || !isIdentifier(characters[i - 1]) || candidate[0] == "`")
                    && (i + candidate.count == characters.count || !isIdentifier(characters[i + candidate.count])
                        || candidate.last == "`")
                {
                    return i + 1
                }
                i += 1
            }
        }
        return nil
    }

    /// An unknown column named in this formula, as an error pointing at it; nil when `error` is
    /// not about one of the formula's columns.
    public func pointing(at error: DataError) -> FormulaError? {
        guard case .unknownColumn(let file, let name, let suggestion) = error, let position = position(of: name) else { return nil }
        return FormulaError(
            text: text, position: position,
            message: "no column named \"\(name)\" in \(file)" + (suggestion.map { "; did you mean \"\($0)\"?" } ?? ""))
    }

    /// The data columns the terms read (not the response, not offsets).
    public var predictors: [String] {
        var seen = [String]()
        for t in terms {
            for label in t {
                for v in expressions[label].map(\.columns) ?? [label] where !seen.contains(v) { seen.append(v) }
            }
        }
        return seen
    }
}

/// A formula error, pointing at the place in the formula.
public struct FormulaError: Error, Equatable, CustomStringConvertible {
    /// The formula as written.
    public let text: String
    /// 1-based character position.
    public let position: Int
    /// What is wrong there.
    public let message: String

    public var description: String {
        // A long formula is shown as the 60 characters either side of the position.
        let characters = Array(text), width = 60
        let from = max(0, min(position - 1, characters.count) - width), to = min(characters.count, position - 1 + width)
        let shown = (from > 0 ? "..." : "") + String(characters[from..<to]) + (to < characters.count ? "..." : "")
        let caret = String(repeating: " ", count: max(0, position - 1 - from + (from > 0 ? 3 : 0))) + "^"
        return "formula, position \(position): \(message)\n  \(shown)\n  \(caret)"
    }
}

indirect enum FormulaNode: Sendable {
    case variable(String, position: Int)
    case number(Double, position: Int)
    case string(String, position: Int)
    case named(String, FormulaNode, position: Int)  // a named argument, `ref = "Cardiff"`
    case binary(Character, FormulaNode, FormulaNode, position: Int)
    case negate(FormulaNode, position: Int)
    case call(String, [FormulaNode], position: Int)

    var position: Int {
        switch self {
        case .variable(_, let p), .number(_, let p), .string(_, let p), .named(_, _, let p), .binary(_, _, _, let p),
            .negate(_, let p), .call(_, _, let p): p
        }
    }

    /// The data columns the expression reads.
    var columns: [String] {
        switch self {
        case .variable(let name, _): return [name]
        case .number, .string: return []
        case .named: return []  // named arguments are options (ref =, raw =), never data
        case .binary(_, let l, let r, _): return l.columns + r.columns.filter { !l.columns.contains($0) }
        case .negate(let inner, _): return inner.columns
        case .call(let name, let args, _):
            var out = [String]()
            // A within() or between() call's unit column is read as a panel index, not a variable.
            for a in (name == "within" || name == "between" ? Array(args.prefix(1)) : args) {
                for c in a.columns where !out.contains(c) { out.append(c) }
            }
            return out
        }
    }

    /// The expression as R's deparse prints it: spaces around `+ - *`, none around `/ ^ :`.
    var deparsed: String {
        switch self {
        case .variable(let name, _):
            return name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }) ? name : "`\(name)`"
        case .number(let v, _):
            return v.shortText
        case .string(let s, _): return "\"\(s)\""
        case .named(let name, let value, _): return "\(name) = \(value.deparsed)"
        case .binary(let op, let l, let r, _):
            return "+-*".contains(op) ? "\(l.deparsed) \(op) \(r.deparsed)" : "\(l.deparsed)\(op)\(r.deparsed)"
        case .negate(let inner, _): return "-\(inner.deparsed)"
        case .call(let name, let args, _): return "\(name)(" + args.map(\.deparsed).joined(separator: ", ") + ")"
        }
    }
}

/// The functions a model variable may call.
enum FormulaFunction: String, CaseIterable {
    case log, log1p, exp, sqrt, abs, I, factor, poly, scale, within, between
}

/// Recursive descent over R's precedence: `~` < `+ -` < `*` `/` < `:` < `^`.
///
/// Bounded, so that no input can exhaust the stack: parentheses, calls and signs nest at most
/// ``maxNesting`` deep, and the expression tree is at most ``maxDepth`` deep (a chain
/// `a + b + c` is a tree as deep as it is long), checked while it is built, so a deeper tree
/// never exists (destroying one would recurse as deep). Past either, one error names the position.
struct FormulaParser {
    enum Token: Equatable {
        case name(String), number(Double), string(String), symbol(Character), end
    }

    /// Most nested parentheses, calls and signs.
    static let maxNesting = 100
    /// Deepest expression tree: terms and operators in a chain, plus nesting.
    static let maxDepth = 1000

    /// A parsed expression and the depth of its tree.
    typealias Parsed = (node: FormulaNode, depth: Int)

    let text: String
    private var tokens: [(Token, Int)] = []
    private var index = 0
    private var nesting = 0

    init(text: String) { self.text = text }

    /// The response, the terms, and the absorbed factors after `|` if any.
    mutating func parseFormula() throws(FormulaError) -> (FormulaNode, FormulaNode, FormulaNode?) {
        tokens = try tokenize()
        guard tokens.contains(where: { $0.0 == .symbol("~") }) else {
            throw FormulaError(text: text, position: 1, message: "a formula needs \"~\" between the response and the terms, as in y ~ x1 + x2")
        }
        if peek == .symbol("~") { throw error("the response is missing before \"~\"") }
        let lhs = try parseSum().node
        guard peek == .symbol("~") else { throw error("expected \"~\" here") }
        advance()
        if peek == .end { throw error("the terms are missing after \"~\"") }
        let rhs = try parseSum().node
        var absorbed: FormulaNode?
        if peek == .symbol("|") {
            advance()
            if peek == .end { throw error("the fixed effects are missing after \"|\", as in y ~ x | la_code + year") }
            absorbed = try parseSum().node
        }
        guard peek == .end else { throw error("unexpected \(describe(peek)) here") }
        return (lhs, rhs, absorbed)
    }

    private var peek: Token { tokens[index].0 }
    private var position: Int { tokens[index].1 }
    private mutating func advance() { index += 1 }

    private func error(_ message: String) -> FormulaError {
        FormulaError(text: text, position: position, message: message)
    }

    /// `depth`, refused past ``maxDepth`` at position `at`.
    private func checked(_ depth: Int, at: Int) throws(FormulaError) -> Int {
        guard depth <= Self.maxDepth else {
            throw FormulaError(
                text: text, position: at,
                message: "the formula is too deep here: more than \(Self.maxDepth) terms and operators in a chain "
                    + "(CareRates' limit, which keeps every input within the stack)")
        }
        return depth
    }

    /// Enters one level of parentheses, a call or a sign, refused past ``maxNesting``.
    private mutating func enter(at: Int) throws(FormulaError) {
        nesting += 1
        guard nesting <= Self.maxNesting else {
            throw FormulaError(
                text: text, position: at,
                message: "parentheses, calls and signs nest more than \(Self.maxNesting) deep here (CareRates' limit)")
        }
    }

    private func describe(_ t: Token) -> String {
        switch t {
        case .name(let n): "name \"\(n)\""
        case .number(let v): "number \(v)"
        case .string(let v): "text \"\(v)\""
        case .symbol(let c): "\"\(c)\""
        case .end: "end of formula"
        }
    }

    /// A left-associative chain of `parse` joined by the operators in `ops`.
    private mutating func chain(
        _ ops: String, first: Parsed, _ parse: (inout FormulaParser) throws(FormulaError) -> Parsed
    ) throws(FormulaError) -> Parsed {
        var (node, depth) = first
        while case .symbol(let c) = peek, ops.contains(c) {
            let at = position
            advance()
            let right = try parse(&self)
            depth = try checked(max(depth, right.depth) + 1, at: at)
            node = .binary(c, node, right.node, position: at)
        }
        return (node, depth)
    }

    private mutating func parseSum() throws(FormulaError) -> Parsed {
        var first: Parsed
        if peek == .symbol("-") {
            let at = position
            advance()
            try enter(at: at)
            let inner = try parseProduct()
            nesting -= 1
            first = (.negate(inner.node, position: at), try checked(inner.depth + 1, at: at))
        } else {
            first = try parseProduct()
        }
        return try chain("+-", first: first) { (p: inout FormulaParser) throws(FormulaError) in try p.parseProduct() }
    }

    private mutating func parseProduct() throws(FormulaError) -> Parsed {
        try chain("*/", first: try parseInteraction()) { (p: inout FormulaParser) throws(FormulaError) in try p.parseInteraction() }
    }

    private mutating func parseInteraction() throws(FormulaError) -> Parsed {
        try chain(":", first: try parsePower()) { (p: inout FormulaParser) throws(FormulaError) in try p.parsePower() }
    }

    private mutating func parsePower() throws(FormulaError) -> Parsed {
        let base = try parsePrimary()
        if peek == .symbol("^") {
            let at = position
            advance()
            let exponent = try parsePrimary()
            return (.binary("^", base.node, exponent.node, position: at), try checked(max(base.depth, exponent.depth) + 1, at: at))
        }
        return base
    }

    private mutating func parsePrimary() throws(FormulaError) -> Parsed {
        let at = position
        switch peek {
        case .name(let n):
            advance()
            if peek == .symbol("(") {
                advance()
                try enter(at: at)
                var args = [FormulaNode]()
                var depth = 0
                if peek != .symbol(")") {
                    while true {
                        if case .name(let argName) = peek, tokens[index + 1].0 == .symbol("=") {
                            let argAt = position
                            advance()
                            advance()
                            let value = try parseSum()
                            args.append(.named(argName, value.node, position: argAt))
                            depth = max(depth, value.depth + 1)
                        } else {
                            let value = try parseSum()
                            args.append(value.node)
                            depth = max(depth, value.depth)
                        }
                        if peek == .symbol(",") {
                            advance()
                            continue
                        }
                        break
                    }
                }
                guard peek == .symbol(")") else { throw error("expected \")\" to close \(n)(") }
                advance()
                nesting -= 1
                return (.call(n, args, position: at), try checked(depth + 1, at: at))
            }
            return (.variable(n, position: at), 1)
        case .number(let v):
            advance()
            return (.number(v, position: at), 1)
        case .string(let v):
            advance()
            return (.string(v, position: at), 1)
        case .symbol("("):
            advance()
            try enter(at: at)
            let inner = try parseSum()
            guard peek == .symbol(")") else { throw error("expected \")\" to match the \"(\" at position \(at)") }
            advance()
            nesting -= 1
            return inner
        case .end:
            throw error("the formula ends where a term was expected")
        case .symbol(let c):
            throw error("unexpected \"\(c)\" where a term was expected")
        }
    }

    private func tokenize() throws(FormulaError) -> [(Token, Int)] {
        var out = [(Token, Int)]()
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i], at = i + 1
            if c == " " || c == "\t" || c == "\n" {
                i += 1
            } else if c.isLetter || c == "." || c == "_" {
                if c == "." && i + 1 < chars.count && chars[i + 1].isNumber { // .5
                    let start = i
                    i += 1
                    while i < chars.count && (chars[i].isNumber || chars[i] == ".") { i += 1 }
                    out.append((.number(Double(String(chars[start..<i])) ?? 0), at))
                    continue
                }
                let start = i
                while i < chars.count && (chars[i].isLetter || chars[i].isNumber || chars[i] == "." || chars[i] == "_") { i += 1 }
                out.append((.name(String(chars[start..<i])), at))
            } else if c == "`" {
                guard let close = chars[(i + 1)...].firstIndex(of: "`") else {
                    throw FormulaError(text: text, position: at, message: "the backquoted name is never closed")
                }
                out.append((.name(String(chars[(i + 1)..<close])), at))
                i = close + 1
            } else if c.isNumber {
                let start = i
                while i < chars.count && (chars[i].isNumber || chars[i] == "." || chars[i] == "e" || chars[i] == "E") { i += 1 }
                guard let v = Double(String(chars[start..<i])) else {
                    throw FormulaError(text: text, position: at, message: "\"\(String(chars[start..<i]))\" is not a number")
                }
                out.append((.number(v), at))
            } else if c == "\"" || c == "'" {
                guard let close = chars[(i + 1)...].firstIndex(of: c) else {
                    throw FormulaError(text: text, position: at, message: "the quoted text is never closed")
                }
                out.append((.string(String(chars[(i + 1)..<close])), at))
                i = close + 1
            } else if "~+-*/:^(),=|".contains(c) {
                out.append((.symbol(c), at))
                i += 1
            } else {
                throw FormulaError(text: text, position: at, message: "unexpected character \"\(c)\"")
            }
        }
        out.append((.end, chars.count + 1))
        return out
    }
}

/// The factors after `|`: column names joined by `+`, each alone or several joined by `^`.
enum FixedEffectTerms {
    static func parse(_ node: FormulaNode, text: String) throws(FormulaError) -> [[String]] {
        var out = [[String]]()
        func add(_ node: FormulaNode) throws(FormulaError) {
            switch node {
            case .binary("+", let l, let r, _):
                try add(l)
                try add(r)
            default:
                let columns = try interaction(node)
                if !out.contains(columns) { out.append(columns) }
            }
        }
        func interaction(_ node: FormulaNode) throws(FormulaError) -> [String] {
            switch node {
            case .variable(let name, _): return [name]
            case .binary("^", let l, let r, _):
                let columns = try interaction(l) + interaction(r)
                if Set(columns).count < columns.count {
                    throw FormulaError(text: text, position: node.position, message: "a column appears twice in this fixed effect")
                }
                return columns
            default:
                throw FormulaError(
                    text: text, position: node.position,
                    message: "after \"|\" come the columns whose fixed effects are absorbed, joined by + "
                        + "(and ^ for combinations, as la_code^year)")
            }
        }
        try add(node)
        return out
    }
}

/// Expands a right-hand side to R's terms.
struct TermSet {
    /// Most terms a formula may expand to: interactions multiply out (`(a + b + c + d)^4` is 15
    /// terms, `(x1 + ... + x20)^20` a million), so expansions are counted as they grow and
    /// refused past this, before they are built.
    static let maxTerms = 10_000

    var intercept = true
    private var terms: [[String]] = []
    /// The terms as sets of labels, for constant-time membership.
    private var present = Set<Set<String>>()
    /// The expression of each model-variable label seen.
    private(set) var expressions: [String: FormulaNode] = [:]
    /// Offsets, `offset(expr)`: the expressions inside.
    private(set) var offsets: [FormulaNode] = []

    /// Terms in R's order: by number of variables, then order of first appearance.
    var ordered: [[String]] {
        terms.enumerated().sorted { ($0.element.count, $0.offset) < ($1.element.count, $1.offset) }.map(\.element)
    }

    mutating func add(_ node: FormulaNode, sign: Int, text: String) throws(FormulaError) {
        switch node {
        case .binary("+", let l, let r, _):
            try add(l, sign: sign, text: text)
            try add(r, sign: sign, text: text)
        case .binary("-", let l, let r, _):
            try add(l, sign: sign, text: text)
            try add(r, sign: -sign, text: text)
        case .negate(let inner, _):
            try add(inner, sign: -sign, text: text)
        case .call("offset", let args, let at):
            guard sign > 0, args.count == 1 else {
                throw FormulaError(text: text, position: at, message: "offset() takes one expression and can only be added")
            }
            offsets.append(args[0])
        case .number(let v, let at):
            guard v == 0 || v == 1 else {
                throw FormulaError(text: text, position: at, message: "a number in a formula can only be 1 or 0 (the intercept)")
            }
            // "+ 1" keeps, "- 1" and "+ 0" drop, "- 0" keeps.
            intercept = (v == 1) == (sign > 0)
        default:
            for term in try expand(node, text: text) {
                let key = Set(term)
                if sign > 0 {
                    if present.insert(key).inserted { terms.append(term) }
                } else if present.remove(key) != nil {
                    terms.removeAll { Set($0) == key }
                }
            }
            try Self.check(terms.count, at: node.position, text: text)
        }
    }

    /// The terms a product-like expression stands for.
    private mutating func expand(_ node: FormulaNode, text: String) throws(FormulaError) -> [[String]] {
        switch node {
        case .variable(let name, _):
            expressions[name] = node
            return [[name]]
        case .binary(":", let l, let r, let at):
            let a = try expand(l, text: text), b = try expand(r, text: text)
            try Self.check(a.count * b.count, at: at, text: text)
            return a.flatMap { x in b.map { y in unique(x + y) } }
        case .binary("*", let l, let r, let at):
            let a = try expand(l, text: text), b = try expand(r, text: text)
            try Self.check(a.count + b.count + a.count * b.count, at: at, text: text)
            return unique(terms: a + b + a.flatMap { x in b.map { y in unique(x + y) } })
        case .binary("^", let l, .number(let k, _), let at):
            guard k >= 1, k == k.rounded() else {
                throw FormulaError(text: text, position: at, message: "the power of a term must be a whole number of at least 1")
            }
            let base = try expand(l, text: text)
            var result = base
            // Each round adds interactions one variable higher; once none is new, none will be.
            for _ in 1..<Int(min(k, Double(Self.maxTerms))) {
                try Self.check(result.count + result.count * base.count, at: at, text: text)
                let next = unique(terms: result + result.flatMap { x in base.map { y in unique(x + y) } })
                if next.count == result.count { break }
                result = next
            }
            return result
        case .binary("+", _, _, _), .binary("-", _, _, _):
            var inner = TermSet()
            try inner.add(node, sign: 1, text: text)
            expressions.merge(inner.expressions) { a, _ in a }
            return inner.ordered
        case .binary(let op, _, _, let at):
            throw FormulaError(text: text, position: at, message: "the operator \"\(op)\" is not supported here")
        case .call(let name, let args, let at):
            guard let function = FormulaFunction(rawValue: name) else {
                throw FormulaError(
                    text: text, position: at,
                    message: "\(name)() is not supported; model variables may call "
                        + FormulaFunction.allCases.map { "\($0.rawValue)()" }.joined(separator: ", "))
            }
            let positional = args.filter { if case .named = $0 { return false } else { return true } }
            if function == .within || function == .between {
                // within(x) and between(x): the deviation from, and the mean of, x within each
                // unit of the panel (its unit column given, or set by --panel).
                guard positional.count == args.count, args.count == 1 || (args.count == 2 && { if case .variable = args[1] { true } else { false } }()) else {
                    throw FormulaError(
                        text: text, position: at,
                        message: "\(name)() takes an expression and optionally the panel's unit column: \(name)(x) or \(name)(x, la_code)")
                }
                expressions[node.deparsed] = node
                return [[node.deparsed]]
            }
            if function == .poly || function == .scale {
                // Checked here so that a mistake is pointed at before any data is read.
                if function == .poly { _ = try PolyCall(node, text: text) } else { _ = try ScaleCall(node, text: text) }
                expressions[node.deparsed] = node
                return [[node.deparsed]]
            }
            guard positional.count == 1 else {
                throw FormulaError(text: text, position: at, message: "\(name)() takes one argument")
            }
            for case .named(let argName, let value, let argAt) in args {
                guard function == .factor, argName == "ref", case .string = value else {
                    throw FormulaError(text: text, position: argAt, message: "\(name)() has no argument \"\(argName)\"" + (function == .factor ? "; factor() takes ref = \"level\"" : ""))
                }
            }
            // factor(x, ref = "a") is labelled factor(x), as R would label factor(x).
            let label = function == .factor ? "factor(\(positional[0].deparsed))" : node.deparsed
            expressions[label] = node
            return [[label]]
        case .number(_, let at), .negate(_, let at), .string(_, let at), .named(_, _, let at):
            throw FormulaError(text: text, position: at, message: "a number or minus sign cannot be part of an interaction")
        }
    }

    private func unique(_ names: [String]) -> [String] {
        var out = [String]()
        for n in names where !out.contains(n) { out.append(n) }
        return out
    }

    private func unique(terms: [[String]]) -> [[String]] {
        var out = [[String]](), seen = Set<Set<String>>()
        for t in terms where seen.insert(Set(t)).inserted { out.append(t) }
        return out
    }

    /// Refuses an expansion to more than ``maxTerms`` terms, at the operator that makes it.
    private static func check(_ count: Int, at: Int, text: String) throws(FormulaError) {
        guard count > maxTerms else { return }
        throw FormulaError(
            text: text, position: at,
            message: "this expands to \(count) terms, more than CareRates' limit of \(maxTerms); write the interactions wanted explicitly")
    }
}
