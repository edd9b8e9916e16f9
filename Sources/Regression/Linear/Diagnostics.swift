/// Per-observation diagnostics of a linear model, as R's `hatvalues`, `rstandard`, `rstudent`
/// and `cooks.distance` give them.
public struct ObservationDiagnostics: Sendable {
    /// Table row (0-based) and source line of each used observation.
    public let rows: [Int]
    /// The file line of each row.
    public let lines: [Int]
    /// The response.
    public let response: [Double]
    /// The fitted values.
    public let fitted: [Double]
    /// The residuals `y - fitted`.
    public let residuals: [Double]
    /// Diagonal of the hat matrix.
    public let leverage: [Double]
    /// `e_i / (sigma * sqrt(1 - h_i))` (with analytic weights, of the weighted residual
    /// `sqrt(w_i) e_i`; with frequency weights, of one of the row's copies).
    public let standardized: [Double]
    /// Deleted (externally studentized) residuals: `r_i * sqrt((n - k - 1) / (n - k - r_i^2))`.
    public let studentized: [Double]
    /// Cook's distance: `r_i^2 * h_i / (k * (1 - h_i))`.
    public let cooksDistance: [Double]
}

extension LinearModelFit {
    /// Diagnostics for every observation used in the fit. Where `h_i = 1` (an observation fitted
    /// exactly by its own coefficient) the standardized quantities are `NaN`, as in R.
    public var diagnostics: ObservationDiagnostics {
        let k = rank
        var h = CovarianceEstimator.leverages(workingDesign, kept: solution.keptColumns, c: solution.keptUnscaledCovariance)
        var e = workingResiduals
        let s = sigma, df = Double(residualDegreesOfFreedom)
        if weightKind == .frequency, let w = frame.weights {
            // Each of a row's w copies: leverage h / w, unweighted residual (NaN for w = 0: no copies).
            e = residuals
            for i in h.indices { h[i] = w[i] > 0 ? h[i] / w[i] : .nan }
        }
        var standardized = [Double](), studentized = [Double](), cooks = [Double]()
        for i in 0..<frame.rows.count {
            let one = 1 - h[i]
            let r = one > 1e-10 ? e[i] / (s * one.squareRoot()) : .nan
            standardized.append(r)
            studentized.append(r * ((df - 1) / (df - r * r)).squareRoot())
            cooks.append(r * r * h[i] / (Double(k) * one))
        }
        return ObservationDiagnostics(
            rows: frame.rows, lines: frame.rows.map { frame.table.rowLines[$0] }, response: frame.response,
            fitted: fitted, residuals: residuals, leverage: h, standardized: standardized, studentized: studentized,
            cooksDistance: cooks)
    }
}

import LinearAlgebra
