import LinearAlgebra

#if canImport(Glibc)
import Glibc
#endif

/// The studentized Breusch–Pagan test of heteroskedasticity (Koenker's version, R's
/// `lmtest::bptest` default): `n R^2` of the squared residuals regressed on the model's
/// regressors, chi-squared with `k - 1` degrees of freedom.
public struct BreuschPaganTest: Sendable {
    /// The studentized Breusch-Pagan statistic (Koenker), chi-squared under homoskedasticity.
    public let statistic: Double
    /// Its degrees of freedom: the regressors but the intercept.
    public let degreesOfFreedom: Int
    /// Its upper-tail p-value.
    public let pValue: Double
}

/// The (generalized) variance inflation factor of one term, as `car::vif` gives it.
public struct VarianceInflation: Sendable {
    /// The coefficient as R names it.
    public let term: String
    /// GVIF; equal to the classical VIF for a term of one column.
    public let gvif: Double
    /// Columns the term has.
    public let degreesOfFreedom: Int
    /// `GVIF^(1 / (2 df))`, comparable across terms of different sizes.
    public let adjusted: Double
}

extension LinearModelFit {
    /// The Breusch–Pagan test, or nil for an intercept-only model. Not computed with analytic
    /// weights; with frequency weights, that of the data with each row repeated.
    public var breuschPagan: BreuschPaganTest? {
        let n = observations, k = rank
        guard k >= 2, frame.weights == nil || weightKind == .frequency else { return nil }
        let kept = Array(solution.pivot[0..<k])
        let e2 = residuals.map { $0 * $0 }
        let w = frame.weights ?? [Double](repeating: 1, count: e2.count)
        var x = frame.design.selectingColumns(kept)
        var y = e2
        if let weights = frame.weights {
            x = rowsScaled(x, byRootOf: weights)
            y = zip(weights, e2).map { $0.squareRoot() * $1 }
        }
        guard let backend = try? solution.backend.make() else { return nil }
        let aux = LeastSquares.solve(x, y, backend: backend)
        let mean = compensatedSum(zip(w, e2).map { $0 * $1 }) / Double(n)
        let tss = compensatedSum(zip(w, e2).map { $0 * ($1 - mean) * ($1 - mean) })
        let r2 = 1 - aux.residualSumOfSquares / tss
        let statistic = Double(n) * r2
        let df = k - (hasIntercept ? 1 : 0)
        return BreuschPaganTest(
            statistic: statistic, degreesOfFreedom: df,
            pValue: Distributions.chiSquaredUpperTail(statistic, df: Double(df)))
    }

    /// Variance inflation per term (aliased columns left out). Needs an intercept, which is
    /// found in the design (a constant column), never assumed; nil without one or with fewer
    /// than two terms, as car::vif refuses those.
    public var varianceInflation: [VarianceInflation]? {
        let names = frame.columnNames
        let kept = Array(solution.pivot[0..<rank]).sorted()
        let design = frame.design
        let interceptColumn = kept.first { j in
            let c = design.column(j)
            return c.allSatisfy { $0 == c.first }
        }
        guard let interceptColumn else { return nil }
        let predictors = kept.filter { $0 != interceptColumn }
        // Terms: the columns of each formula term, together (a factor's block).
        var terms = [[Int]]()
        var termNames = [String]()
        for j in predictors {
            let t = frame.columnTerms[j]
            let name = t >= 0 ? Formula.name(of: frame.formula.terms[t]) : names[j]
            if let k = termNames.firstIndex(of: name) { terms[k].append(j) } else {
                termNames.append(name)
                terms.append([j])
            }
        }
        guard terms.count >= 2 else { return nil }
        // Correlation matrix of the coefficient covariance, without the intercept (car::vif).
        let m = predictors.count
        var r = Matrix(rows: m, columns: m)
        for (a, i) in predictors.enumerated() {
            for (b, j) in predictors.enumerated() {
                let v = solution.unscaledCovariance
                r[a, b] = v[i, j] / (v[i, i] * v[j, j]).squareRoot()
            }
        }
        guard let detR = logDeterminant(r) else { return nil }
        return zip(terms, termNames).map { columns, termName in
            let inside = columns.map { predictors.firstIndex(of: $0)! }
            let outside = (0..<m).filter { !inside.contains($0) }
            let a = logDeterminant(submatrix(r, inside)) ?? .nan
            let b = outside.isEmpty ? 0 : (logDeterminant(submatrix(r, outside)) ?? .nan)
            let gvif = exp(a + b - detR)
            let df = columns.count
            return VarianceInflation(
                term: termName, gvif: gvif, degreesOfFreedom: df, adjusted: pow(gvif, 1 / (2 * Double(df))))
        }
    }
}

private func submatrix(_ m: Matrix, _ index: [Int]) -> Matrix {
    var s = Matrix(rows: index.count, columns: index.count)
    for (a, i) in index.enumerated() {
        for (b, j) in index.enumerated() { s[a, b] = m[i, j] }
    }
    return s
}

/// log det of a symmetric positive definite matrix, by Cholesky; nil if not positive definite.
private func logDeterminant(_ m: Matrix) -> Double? {
    guard let u = try? SwiftBackend().cholesky(m) else { return nil }
    return (0..<m.rows).reduce(0) { $0 + 2 * log(u[$1, $1]) }
}
