import Foundation
import DataTable
import LinearAlgebra

/// Errors in setting up or fitting a model, each naming the place at fault.
public enum ModelError: Error, CustomStringConvertible {
    /// The data could not be read.
    case data(DataError)
    /// The formula does not parse, or names what the data lack.
    case formula(FormulaError)
    /// A text cell where the model needs a number.
    case textColumn(SourceLocation, value: String)
    /// A transform (log, sqrt, ...) of a row gives a value that is not finite.
    case notFinite(term: String, line: Int, value: Double)
    /// A reference level the factor does not have.
    case unknownLevel(term: String, level: String, levels: [String])
    /// A factor asked of a term that cannot be one.
    case notCategorical(term: String)
    /// New data with a factor level the fit never saw.
    case unseenLevel(term: String, level: String, line: Int)
    /// A weight that is negative or not finite.
    case badWeight(SourceLocation, value: Double)
    /// A frequency weight that is not a whole number.
    case badFrequencyWeight(SourceLocation, value: Double)
    /// A response (or exposure) outside what the family takes, and why.
    case badResponse(SourceLocation, value: Double, reason: String)
    /// A combination of options or data the model does not take, said in words.
    case unsupported(String)
    /// No more usable rows than coefficients (with how many were dropped).
    case tooFewRows(file: String, rows: Int, coefficients: Int, dropped: Int)
    /// A response that does not vary.
    case noVariation(file: String, response: String)
    /// Cluster-robust errors with fewer than two clusters.
    case tooFewClusters(file: String, column: String, clusters: Int)
    /// The linear algebra failed (a dimension or a factorization).
    case linearAlgebra(LinearAlgebraError)
    /// Something the input would make too large to allocate (``MemoryBudget``).
    case tooLarge(String)

    public var description: String {
        switch self {
        case .data(let e): return e.description
        case .formula(let e): return e.description
        case .textColumn(let at, let value) where Double(value.trimmingCharacters(in: .whitespaces)).map({ !$0.isFinite }) == true:
            return "\(at): \"\(shownPlainly(value))\" is not a finite number; CareRates reads only finite numbers into a model "
                + "(infinities, NaN and numbers beyond the range of a double, such as 1e400, are refused): "
                + "correct the cell or mark it missing (NA)"
        case .textColumn(let at, let value):
            let column = shownPlainly(at.columnName ?? "")
            return "\(at): \"\(shownPlainly(value))\" is not a number, so column \"\(column)\" is text; "
                + "write factor(\(column)) if its values are categories"
        case .tooFewRows(let file, let rows, let p, let dropped):
            return "\(file): \(rows) usable rows for \(p) coefficients; a linear model needs more rows than coefficients"
                + (dropped > 0 ? " (\(dropped) rows were dropped for missing values)" : "")
        case .notFinite(let term, let line, let value):
            return "term \(term) is \(value) at line \(line); a model variable must be finite there"
        case .unknownLevel(let term, let level, let levels):
            return "\(term): reference level \"\(level)\" is not among its levels (\(levels.prefix(8).joined(separator: ", "))\(levels.count > 8 ? ", ..." : ""))"
        case .badResponse(let at, let value, let reason):
            return "\(at): \(value): \(reason)"
        case .badWeight(let at, let value):
            return "\(at): weight \(value) is not a finite number of at least 0"
        case .badFrequencyWeight(let at, let value):
            return "\(at): frequency weight \(value) is not a whole number; a frequency weight counts identical rows "
                + "(--weight-kind analytic reads weights as inverse variances)"
        case .unsupported(let why):
            return why
        case .unseenLevel(let term, let level, let line):
            return "line \(line): \(term) has level \"\(shownPlainly(level))\", which the fitted model never saw"
        case .notCategorical(let term):
            return "\(term): factor() needs a column, as in factor(year)"
        case .tooFewClusters(let file, let column, let clusters):
            return "\(file): column \"\(column)\" has \(clusters) distinct value\(clusters == 1 ? "" : "s") in the rows used; cluster-robust errors need at least 2 clusters"
        case .noVariation(let file, let response):
            return "\(file): response \"\(response)\" has no rows"
        case .linearAlgebra(let e): return e.description
        case .tooLarge(let why): return why
        }
    }
}
