import DataTable
import LinearAlgebra

/// A linear model as every consumer sees a fit.
extension LinearModelFit: FittedModel {
    public var callDescription: String { "lm(\(frame.formula.text))" }
    public var coef: [Double] { solution.coefficients }
    public var vcov: Matrix { covariance.matrix }
    public var responseKind: ResponseKind { .continuous }
    public var response: [Double] { frame.response }
    public var weights: [Double]? { frame.weights }
    public var responseVariances: [Double] {
        CoefficientRow.gaussianVariances(sigma: sigma, weights: frame.weights, rows: frame.rows.count)
    }
    public var offsets: [Double]? { frame.offset }
    public var meanSlopes: [Double] { [Double](repeating: 1, count: frame.rows.count) }
    public var nobs: Int { observations }
    /// The coefficients' rank plus the residual variance, as R's `logLik.lm` counts them.
    public var dof: Int { rank + 1 }
    public var dofResidual: Int { residualDegreesOfFreedom }
    /// The (weighted) residual sum of squares, as R's `deviance.lm`.
    public var deviance: Double { residualSumOfSquares }

    public var leverage: [Double] { diagnostics.leverage }
    /// As R's `cooks.distance`.
    public var cooksDistance: [Double] { diagnostics.cooksDistance }

    public var residualKinds: [ResidualKind] { [.response, .pearson, .deviance, .working, .standardized, .studentized] }

    /// R's `residuals.lm`: response and working residuals are `y - X b`, Pearson and deviance
    /// residuals are weighted by `sqrt(w)`; standardized and studentized as ``diagnostics``.
    public func residuals(_ kind: ResidualKind) -> [Double]? {
        switch kind {
        case .response, .working: residuals
        case .pearson, .deviance: weights == nil ? residuals : workingResiduals
        case .standardized: diagnostics.standardized
        case .studentized: diagnostics.studentized
        }
    }

    public func predictMean(_ data: DataTable?) throws(ModelError) -> MeanPrediction {
        let p = try predict(data, level: level)
        return MeanPrediction(rows: p.rows, dropped: p.dropped, mean: p.fit)
    }

    /// Least squares again on the rows given: the solution is direct, so there is nothing to
    /// warm-start.
    public func refit(rows: [Int]) throws(ModelError) -> LinearModelFit {
        try LinearModel.fit(frame.formula, data: frame.table, options: options, backend: backend, candidates: rows)
    }

    /// Exact, by the block deletion formulas (`deletionPredictions(_:)`).
    public func predictionsLeavingOut(_ groups: [[Int]]) -> [Result<[Double], ModelError>] { deletionPredictions(groups) }

    public func refit(response y: [Double]) throws(ModelError) -> LinearModelFit {
        try LinearModel.fit(
            frame.formula, data: frame.table, options: options, backend: backend, frame: frame.replacingResponse(y), candidates: nil)
    }
}
