import DataTable
import LinearAlgebra

/// A Wald test of linear restrictions on the coefficients, `R b = r`, with the fit's own
/// covariance (so it is robust when the standard errors are): `F = (R b - r)^T (R V R^T)^{-1}
/// (R b - r) / q` on `q` and the tests' degrees of freedom, as `car::linearHypothesis` gives it.
public struct WaldTest: Sendable {
    /// The restrictions as given.
    public let hypotheses: [String]
    /// The F statistic.
    public let f: Double
    /// The number of restrictions.
    public let numeratorDF: Int
    /// The denominator degrees of freedom.
    public let denominatorDF: Double
    /// Its p-value.
    public let pValue: Double
}

/// A restriction that cannot be read or tested.
public struct HypothesisError: Error, CustomStringConvertible {
    /// The hypothesis as written.
    public let hypothesis: String
    /// What is wrong with it.
    public let message: String
    public var description: String { "hypothesis \"\(hypothesis)\": \(message)" }
}

extension LinearModelFit {
    /// Tests the restrictions jointly. Each is a linear equation in coefficient names as they
    /// are printed, e.g. `"x1 = 0"`, `"factor(year)2016 = factor(year)2017"`, `"2*x1 + x2 = 1"`.
    public func waldTest(_ hypotheses: [String]) throws(HypothesisError) -> WaldTest {
        let names = frame.columnNames, p = names.count
        var rows = [[Double]](), rhs = [Double]()
        for h in hypotheses {
            let (coefficients, constant) = try Self.parseRestriction(h, names: names)
            for (j, c) in coefficients.enumerated() where c != 0 && solution.coefficients[j].isNaN {
                throw HypothesisError(hypothesis: h, message: "\(names[j]) is aliased (not estimable)")
            }
            guard coefficients.contains(where: { $0 != 0 }) else {
                throw HypothesisError(hypothesis: h, message: "it names no coefficient")
            }
            rows.append(coefficients)
            rhs.append(constant)
        }
        let q = rows.count
        let b = solution.coefficients.map { $0.isNaN ? 0 : $0 }
        let v = covariance.matrix
        let d = (0..<q).map { a in (0..<p).reduce(0.0) { $0 + rows[a][$1] * b[$1] } - rhs[a] }
        var middle = Matrix(rows: q, columns: q)
        for a in 0..<q {
            for c in 0..<q {
                var sum = 0.0
                for i in 0..<p where rows[a][i] != 0 {
                    for j in 0..<p where rows[c][j] != 0 { sum += rows[a][i] * v[i, j] * rows[c][j] }
                }
                middle[a, c] = sum
            }
        }
        guard let u = try? SwiftBackend().cholesky(middle) else {
            throw HypothesisError(hypothesis: hypotheses.joined(separator: ", "), message: "the restrictions are not independent")
        }
        let z = SwiftBackend().solveUpperTriangular(u, order: q, d, transpose: true)
        let f = z.reduce(0) { $0 + $1 * $1 } / Double(q)
        let df2 = covariance.degreesOfFreedom
        return WaldTest(
            hypotheses: hypotheses, f: f, numeratorDF: q, denominatorDF: df2,
            pValue: Distributions.fUpperTail(f, d1: Double(q), d2: df2))
    }

    /// Reads `lhs = rhs` into coefficients over `names` and a constant (`sum c_j b_j = r`).
    /// Names are matched longest first, so names with brackets or colons need no quoting.
    static func parseRestriction(_ text: String, names: [String]) throws(HypothesisError) -> ([Double], Double) {
        let sides = text.split(separator: "=", omittingEmptySubsequences: false)
        guard sides.count <= 2 else { throw HypothesisError(hypothesis: text, message: "more than one \"=\"") }
        var coefficients = [Double](repeating: 0, count: names.count)
        var constant = 0.0
        let byLength = names.enumerated().sorted { $0.element.count > $1.element.count }
        for (side, part) in sides.enumerated() {
            let sideSign: Double = side == 0 ? 1 : -1
            var chars = Substring(part)
            var sign = 1.0
            var factor: Double?
            var expectTerm = true
            func skipSpaces() { while chars.first == " " { chars.removeFirst() } }
            while true {
                skipSpaces()
                guard let c = chars.first else { break }
                if c == "+" || c == "-" {
                    if !expectTerm { sign = 1; expectTerm = true }
                    if c == "-" { sign = -sign }
                    chars.removeFirst()
                    continue
                }
                guard expectTerm else { throw HypothesisError(hypothesis: text, message: "expected + or - before \"\(chars)\"") }
                if let match = byLength.first(where: { chars.hasPrefix($0.element) }) {
                    coefficients[match.offset] += sideSign * sign * (factor ?? 1)
                    chars.removeFirst(match.element.count)
                    factor = nil
                    sign = 1
                    expectTerm = false
                    continue
                }
                var number = ""
                while let d = chars.first, d.isNumber || d == "." || d == "e" || d == "E" {
                    number.append(d)
                    chars.removeFirst()
                }
                guard let value = Double(number) else {
                    let word = String(chars.prefix { $0 != " " && $0 != "+" && $0 != "-" && $0 != "*" })
                    let suggestion = nearestName(to: word, in: names).map { "; did you mean \"\($0)\"?" } ?? ""
                    throw HypothesisError(hypothesis: text, message: "\"\(word)\" is not a coefficient name\(suggestion)")
                }
                skipSpaces()
                if chars.first == "*" {
                    chars.removeFirst()
                    factor = sign * value
                    sign = 1
                    continue
                }
                constant -= sideSign * sign * value
                sign = 1
                expectTerm = false
            }
        }
        return (coefficients, constant)
    }
}
