import DataTable
import Foundation

/// The response of a generalized linear model as IRLS sees it, checked against the family's
/// support: for a binomial `cbind(s, f)`, the proportion `s / (s + f)` with the trials folded
/// into the prior weights, as R's `binomial()$initialize` does.
struct GLMResponse: Sendable {
    /// The response (binomial: the proportion of successes).
    var y: [Double]
    /// Prior weights (binomial `cbind`: times the trials).
    var priorWeights: [Double]
    /// Binomial trials per row (`s + f` for `cbind`, else 1); 1 for other families.
    var trials: [Double]
    /// Whether the response was `cbind(successes, failures)`.
    var isCbind: Bool
    /// Cautions that do not stop the fit (R's warnings).
    var warnings: [String] = []

    init(frame: ModelFrame, family: GLMFamily, link: LinkFunction) throws(ModelError) {
        let n = frame.rows.count
        let formula = frame.formula
        var w = frame.weights ?? [Double](repeating: 1, count: n)
        var y = frame.response
        var trials = [Double](repeating: 1, count: n)
        isCbind = frame.failures != nil
        func refuse(_ i: Int, _ column: String, _ value: Double, _ reason: String) -> ModelError {
            .badResponse(frame.table.location(row: frame.rows[i], column: column), value: value, reason: reason)
        }
        switch family {
        case .poisson, .quasipoisson, .negbin:
            for (i, v) in y.enumerated() where v < 0 || v != v.rounded() {
                throw refuse(i, formula.response, v, "a count must be a whole number of at least 0")
            }
        case .binomial:
            if let failures = frame.failures {
                for i in 0..<n {
                    for (value, column) in [(y[i], formula.response), (failures[i], formula.responseFailures!)]
                    where value < 0 || value != value.rounded() {
                        throw refuse(i, column, value, "successes and failures must be whole numbers of at least 0")
                    }
                    trials[i] = y[i] + failures[i]
                    y[i] = trials[i] == 0 ? 0 : y[i] / trials[i]
                    w[i] *= trials[i]
                }
            } else {
                for (i, v) in y.enumerated() where !(v >= 0 && v <= 1) {
                    throw refuse(i, formula.response, v,
                                 "a binomial response must be a proportion from 0 to 1 (or write cbind(successes, failures))")
                }
                if frame.weights != nil && zip(w, y).contains(where: { abs($0 * $1 - ($0 * $1).rounded()) > 1e-3 }) {
                    warnings.append("non-integer number of successes (proportion times weight) in a binomial fit")
                }
            }
        case .gamma:
            for (i, v) in y.enumerated() where !(v > 0) {
                throw refuse(i, formula.response, v, "the Gamma family needs a response greater than 0")
            }
        case .gaussian:
            for (i, v) in y.enumerated() where (link == .log && !(v > 0)) || (link == .inverse && v == 0) {
                throw refuse(i, formula.response, v,
                             "the gaussian family with the \(link.rawValue) link starts from the response, which must be "
                                + (link == .log ? "greater than 0" : "non-zero") + " (as in R)")
            }
        }
        self.y = y
        priorWeights = w
        self.trials = trials
    }

    /// R's starting means (`mustart`) for the family.
    func start(_ model: FamilyModel) -> [Double] {
        switch model.family {
        case .poisson, .quasipoisson: return y.map { $0 + 0.1 }
        case .negbin: return y.map { $0 + ($0 == 0 ? 1.0 / 6 : 0) }
        case .binomial:
            let m = isCbind ? trials : priorWeights
            return zip(m, y).map { ($0 * $1 + 0.5) / ($0 + 1) }
        case .gaussian, .gamma: return y
        }
    }
}

/// Fitted values at the edge of the family's range, and what they mean: in a binomial fit,
/// complete or quasi-complete separation (the likelihood has no maximum; some estimates run off
/// to infinity). A design column separates the outcomes when the rows with successes and the rows
/// with failures lie on either side of a threshold; such a column is named. Otherwise the terms
/// whose coefficients were still moving most in the last iteration are named.
enum BoundaryCheck {
    static func warnings(frame: ModelFrame, response: GLMResponse, result: IRLS.Result, family: GLMFamily) -> [String] {
        let eps = 10 * Double.ulpOfOne
        switch family {
        case .binomial:
            // R warns below 10 eps; IRLS usually stops earlier under quasi-complete separation
            // (probabilities near 1e-10), so CareRates looks at 1e-8 (|logit| > 18.4).
            guard result.mu.contains(where: { $0 > 1 - 1e-8 || $0 < 1e-8 }) else { return [] }
            let separating = separatingColumns(frame: frame, response: response)
            let named = separating.isEmpty ? diverging(frame: frame, result: result) : separating
            let what = separating.isEmpty
                ? "quasi-complete separation is likely; the estimates still moving most are " + named.joined(separator: ", ")
                : (separating.count == 1 ? "term " : "terms ") + named.joined(separator: ", ")
                    + " separate the successes from the failures (complete or quasi-complete separation)"
            return ["fitted probabilities numerically 0 or 1 occurred: " + what
                + "; their estimates and standard errors are not meaningful (the maximum likelihood estimate does not exist)"]
        case .poisson, .quasipoisson, .negbin:
            guard result.mu.contains(where: { $0 < eps }) else { return [] }
            return ["fitted rates numerically 0 occurred: a term may predict zero counts exactly; the estimates of "
                + diverging(frame: frame, result: result).joined(separator: ", ") + " may be running to -infinity"]
        default:
            return []
        }
    }

    /// Design columns (not the intercept) along which successes and failures separate, and factor
    /// terms whose reference level holds only successes or only failures.
    static func separatingColumns(frame: ModelFrame, response: GLMResponse) -> [String] {
        var names = [String]()
        let x = frame.design
        for (t, term) in frame.formula.terms.enumerated() {
            let columns = frame.columnTerms.indices.filter { frame.columnTerms[$0] == t }
            guard columns.count > 1 || (term.count == 1 && frame.variables[term[0]].map(isCategorical) == true) else { continue }
            let reference = (0..<x.rows).filter { i in response.priorWeights[i] > 0 && columns.allSatisfy { x[i, $0] == 0 } }
            guard !reference.isEmpty, reference.count < x.rows else { continue }
            if reference.allSatisfy({ response.y[$0] == 0 }) || reference.allSatisfy({ response.y[$0] == 1 }) {
                names.append(Formula.name(of: term) + " (its reference level: all " + (response.y[reference[0]] == 0 ? "failures)" : "successes)"))
            }
        }
        for j in 0..<x.columns where frame.columnNames[j] != "(Intercept)" {
            var maxSuccess = -Double.infinity, minSuccess = Double.infinity
            var maxFailure = -Double.infinity, minFailure = Double.infinity
            for i in 0..<x.rows where response.priorWeights[i] > 0 {
                let v = x[i, j]
                if response.y[i] > 0 { maxSuccess = max(maxSuccess, v); minSuccess = min(minSuccess, v) }
                if response.y[i] < 1 { maxFailure = max(maxFailure, v); minFailure = min(minFailure, v) }
            }
            let constant = min(minSuccess, minFailure) == max(maxSuccess, maxFailure)
            if !constant && (maxFailure <= minSuccess || maxSuccess <= minFailure) { names.append(frame.columnNames[j]) }
        }
        return names
    }

    static func isCategorical(_ v: ModelVariable) -> Bool {
        if case .categorical = v { return true }
        return false
    }

    /// The coefficients whose last change, scaled by their column's spread, was largest.
    static func diverging(frame: ModelFrame, result: IRLS.Result) -> [String] {
        let x = frame.design
        var moves = [(String, Double)]()
        for j in 0..<x.columns where !result.coefficients[j].isNaN && frame.columnNames[j] != "(Intercept)" {
            var lo = Double.infinity, hi = -Double.infinity
            for i in 0..<x.rows { lo = min(lo, x[i, j]); hi = max(hi, x[i, j]) }
            moves.append((frame.columnNames[j], abs(result.coefficients[j] - result.previousCoefficients[j]) * (hi - lo)))
        }
        let top = moves.map(\.1).max() ?? 0
        let named = moves.filter { $0.1 >= 0.5 * top && $0.1 > 0 }.map(\.0)
        return named.isEmpty ? ["(none identified)"] : named
    }
}

/// Short numbers for messages.
extension ModelFrame {
    /// The frame's offsets plus the log of an exposure column per used row (zeros without
    /// either); an exposure that is not a positive number is an error naming its cell.
    func offsets(exposure: String?) throws(ModelError) -> [Double] {
        var offset = self.offset ?? [Double](repeating: 0, count: rows.count)
        guard let exposure else { return offset }
        let column: Column
        do { column = try table.column(named: exposure) } catch { throw .data(error) }
        for (k, row) in rows.enumerated() {
            let e = column.kind == .numeric ? column.numbers[row] : .nan
            guard e > 0 && e.isFinite else {
                throw .badResponse(table.location(row: row, column: exposure), value: e, reason: "exposure must be positive")
            }
            offset[k] += log(e)
        }
        return offset
    }
}

enum NumberFormatting {
    static func short(_ v: Double) -> String { String(format: "%.6g", v) }
}
