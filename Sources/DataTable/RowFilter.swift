/// A condition on a table's rows, written as R's `subset =` argument is: comparisons of a column
/// with a number or a quoted text (`year >= 2015`, `region_name == "London"`), `%in%` with
/// `c(...)`, joined by `&` and `|`, negated by `!`, grouped by parentheses. A row whose cell is
/// missing fails the comparison (R's subset drops rows where the condition is NA).
public struct RowFilter: Sendable {
    /// The condition as written.
    public let text: String
    /// The columns it reads, in order of first mention.
    public let columns: [String]
    private let root: Node

    indirect enum Node: Sendable {
        case compare(column: String, position: Int, op: Comparison, value: Literal)
        case member(column: String, position: Int, values: [Literal])
        case and(Node, Node), or(Node, Node), not(Node)
    }

    enum Comparison: String, Sendable, CaseIterable {
        case equal = "==", notEqual = "!=", lessOrEqual = "<=", greaterOrEqual = ">=", less = "<", greater = ">"

        func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
            switch self {
            case .equal: return a == b
            case .notEqual: return a != b
            case .less: return a < b
            case .lessOrEqual: return a <= b
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            }
        }

        /// The comparison read from the other side (`2015 <= year` is `year >= 2015`).
        var mirrored: Comparison {
            switch self {
            case .less: return .greater
            case .lessOrEqual: return .greaterOrEqual
            case .greater: return .less
            case .greaterOrEqual: return .lessOrEqual
            default: return self
            }
        }
    }

    enum Literal: Sendable {
        case number(Double), text(String)
    }

    /// Parses `text`; the error names the position (1-based) of what it could not read.
    public init(_ text: String) throws(RowFilterError) {
        self.text = text
        var parser = Parser(text)
        root = try parser.expression()
        parser.skipSpaces()
        if !parser.atEnd { throw parser.error("unexpected \"\(parser.rest.prefix(12))\" (join conditions with & or |)") }
        columns = parser.columns
    }

    /// The rows (positions in `table`) where the condition holds.
    public func rows(in table: DataTable) throws(RowFilterError) -> [Int] {
        var cache = [String: Column]()
        for name in columns {
            do { cache[name] = try table.column(named: name) } catch { throw self.error(at: name, error.description) }
        }
        try check(root, cache)
        return (0..<table.rowCount).filter { evaluate(root, $0, cache) }
    }

    /// Every comparison is of like with like: a number column with a number, text with text.
    private func check(_ node: Node, _ columns: [String: Column]) throws(RowFilterError) {
        func literal(_ column: Column, _ value: Literal, _ position: Int) throws(RowFilterError) {
            switch (column.kind, value) {
            case (.numeric, .text(let s)):
                throw RowFilterError(text: text, position: position, message: "column \"\(column.name)\" holds numbers: compare it with a number, not \"\(s)\"")
            case (.text, .number(let v)):
                throw RowFilterError(text: text, position: position, message: "column \"\(column.name)\" holds text: compare it with a quoted value, not \(v.shortText)")
            default: return
            }
        }
        switch node {
        case .compare(let name, let position, _, let value): try literal(columns[name]!, value, position)
        case .member(let name, let position, let values): for value in values { try literal(columns[name]!, value, position) }
        case .and(let a, let b), .or(let a, let b):
            try check(a, columns)
            try check(b, columns)
        case .not(let a): try check(a, columns)
        }
    }

    private func evaluate(_ node: Node, _ row: Int, _ columns: [String: Column]) -> Bool {
        func matches(_ column: Column, _ op: Comparison, _ value: Literal) -> Bool {
            guard !column.isMissing(row) else { return false }
            switch value {
            case .number(let v): return op.holds(column.numbers[row], v)
            case .text(let s): return op.holds(column.strings[row], s)
            }
        }
        switch node {
        case .compare(let name, _, let op, let value): return matches(columns[name]!, op, value)
        case .member(let name, _, let values): return values.contains { matches(columns[name]!, .equal, $0) }
        case .and(let a, let b): return evaluate(a, row, columns) && evaluate(b, row, columns)
        case .or(let a, let b): return evaluate(a, row, columns) || evaluate(b, row, columns)
        case .not(let a):
            // R: !NA is NA, so a row missing a compared cell fails a negation too.
            return !evaluate(a, row, columns) && !touchesMissing(a, row, columns)
        }
    }

    private func touchesMissing(_ node: Node, _ row: Int, _ columns: [String: Column]) -> Bool {
        switch node {
        case .compare(let name, _, _, _), .member(let name, _, _): return columns[name]!.isMissing(row)
        case .and(let a, let b), .or(let a, let b): return touchesMissing(a, row, columns) || touchesMissing(b, row, columns)
        case .not(let a): return touchesMissing(a, row, columns)
        }
    }

    /// An error about `column`, pointing at its first mention.
    public func error(at column: String, _ message: String) -> RowFilterError {
        RowFilterError(text: text, position: Self.position(of: column, in: root) ?? 1, message: message)
    }

    private static func position(of name: String, in node: Node) -> Int? {
        switch node {
        case .compare(let column, let position, _, _), .member(let column, let position, _): return column == name ? position : nil
        case .and(let a, let b), .or(let a, let b): return position(of: name, in: a) ?? position(of: name, in: b)
        case .not(let a): return position(of: name, in: a)
        }
    }
}

/// A condition that does not parse or does not fit the table: where, and why.
public struct RowFilterError: Error, CustomStringConvertible, Sendable {
    /// The condition as written.
    public let text: String
    /// The 1-based character position of the problem.
    public let position: Int
    /// What is wrong.
    public let message: String

    /// The message with the condition and a caret under the position, as formula errors print.
    public var description: String {
        "--subset, position \(position): \(message)\n  \(text)\n  \(String(repeating: " ", count: max(0, position - 1)))^"
    }
}

/// Recursive descent over the condition's characters.
private struct Parser {
    let characters: [Character]
    var at = 0
    var columns: [String] = []

    init(_ text: String) { characters = Array(text) }

    var atEnd: Bool { at >= characters.count }
    var rest: String { String(characters[min(at, characters.count)...]) }

    func error(_ message: String, at position: Int? = nil) -> RowFilterError {
        RowFilterError(text: String(characters), position: (position ?? at) + 1, message: message)
    }

    mutating func skipSpaces() { while !atEnd && characters[at].isWhitespace { at += 1 } }

    mutating func take(_ token: String) -> Bool {
        skipSpaces()
        let t = Array(token)
        guard at + t.count <= characters.count, Array(characters[at..<(at + t.count)]) == t else { return false }
        at += t.count
        return true
    }

    mutating func expression() throws(RowFilterError) -> RowFilter.Node {
        var node = try conjunction()
        while take("||") || take("|") { node = .or(node, try conjunction()) }
        return node
    }

    mutating func conjunction() throws(RowFilterError) -> RowFilter.Node {
        var node = try negation()
        while take("&&") || take("&") { node = .and(node, try negation()) }
        return node
    }

    mutating func negation() throws(RowFilterError) -> RowFilter.Node {
        skipSpaces()
        if !atEnd && characters[at] == "!" && !(at + 1 < characters.count && characters[at + 1] == "=") {
            at += 1
            return .not(try negation())
        }
        if take("(") {
            let node = try expression()
            guard take(")") else { throw error("a ( is not closed") }
            return node
        }
        return try comparison()
    }

    mutating func comparison() throws(RowFilterError) -> RowFilter.Node {
        skipSpaces()
        let start = at
        // A column on the left, or a literal on the left of a column (2015 <= year).
        if let name = name() {
            let column = rememberColumn(name)
            if take("%in%") {
                guard take("c"), take("(") else { throw error("%in% takes c(...), e.g. year %in% c(2015, 2016)") }
                var values = [try literal()]
                while take(",") { values.append(try literal()) }
                guard take(")") else { throw error("c( is not closed") }
                return .member(column: column, position: start + 1, values: values)
            }
            guard let op = comparisonOperator() else {
                throw error("expected a comparison after \"\(name)\" (==, !=, <, <=, >, >= or %in%)")
            }
            return .compare(column: column, position: start + 1, op: op, value: try literal())
        }
        let value = try literal()
        guard let op = comparisonOperator() else { throw error("expected a comparison (==, !=, <, <=, >, >=)") }
        skipSpaces()
        let position = at
        guard let name = name() else { throw error("expected a column name") }
        return .compare(column: rememberColumn(name), position: position + 1, op: op.mirrored, value: value)
    }

    mutating func rememberColumn(_ name: String) -> String {
        if !columns.contains(name) { columns.append(name) }
        return name
    }

    mutating func comparisonOperator() -> RowFilter.Comparison? {
        for op in RowFilter.Comparison.allCases where take(op.rawValue) { return op }
        return nil
    }

    /// A column name: letters, digits, `_` and `.`, not starting with a digit; or `backquoted`.
    mutating func name() -> String? {
        skipSpaces()
        guard !atEnd else { return nil }
        if characters[at] == "`" {
            guard let end = characters[(at + 1)...].firstIndex(of: "`") else { return nil }
            let name = String(characters[(at + 1)..<end])
            at = end + 1
            return name
        }
        let first = characters[at]
        guard first.isLetter || first == "_" || (first == "." && !(at + 1 < characters.count && characters[at + 1].isNumber)) else {
            return nil
        }
        let start = at
        while !atEnd && (characters[at].isLetter || characters[at].isNumber || characters[at] == "_" || characters[at] == ".") { at += 1 }
        return String(characters[start..<at])
    }

    mutating func literal() throws(RowFilterError) -> RowFilter.Literal {
        skipSpaces()
        guard !atEnd else { throw error("expected a number or a quoted value") }
        let quote = characters[at]
        if quote == "\"" || quote == "'" {
            guard let end = characters[(at + 1)...].firstIndex(of: quote) else { throw error("a quoted value is not closed") }
            let text = String(characters[(at + 1)..<end])
            at = end + 1
            return .text(text)
        }
        let start = at
        if characters[at] == "-" || characters[at] == "+" { at += 1 }
        while !atEnd && (characters[at].isNumber || characters[at] == "." || characters[at] == "e" || characters[at] == "E"
            || ((characters[at] == "-" || characters[at] == "+") && (characters[at - 1] == "e" || characters[at - 1] == "E")))
        {
            at += 1
        }
        guard at > start, let value = Double(String(characters[start..<at])) else {
            at = start
            throw error("expected a number or a quoted value")
        }
        return .number(value)
    }
}
