import DataTable
import LinearAlgebra

/// Predictions of a linear model with confidence intervals for the mean and prediction
/// intervals for a new observation, as R's `predict.lm(interval = ...)` gives them: from the
/// classical covariance, t with the residual degrees of freedom. Aliased terms take no part
/// (their coefficients count as zero, as R does). An `offset()` in the formula is evaluated on the
/// new rows and added. For a weighted fit, a new observation is taken to have weight 1.
public struct Predictions: Sendable {
    /// Table rows predicted, and those left out for a missing predictor.
    public let rows: [Int]
    /// Rows not predicted, for a missing predictor.
    public let dropped: [ModelFrame.DroppedRow]
    /// The predicted values.
    public let fit: [Double]
    /// Their standard errors.
    public let standardError: [Double]
    /// The confidence interval of the mean, lower end.
    public let confidenceLow: [Double]
    /// Its upper end.
    public let confidenceHigh: [Double]
    /// The prediction interval of a new observation, lower end.
    public let predictionLow: [Double]
    /// Its upper end.
    public let predictionHigh: [Double]
    /// The intervals' level.
    public let level: Double
}

extension LinearModelFit {
    /// Predicts for the rows of `data` (default: the rows the model was fitted to).
    public func predict(_ data: DataTable? = nil, level: Double = 0.95) throws(ModelError) -> Predictions {
        let design: Matrix, rows: [Int], dropped: [ModelFrame.DroppedRow], offset: [Double]?
        if let data {
            (design, rows, dropped) = try frame.design(for: data)
            offset = frame.offset == nil ? nil : try frame.offsets(for: data, rows: rows)
        } else {
            (design, rows, dropped, offset) = (frame.design, frame.rows, [], frame.offset)
        }
        let kept = Array(solution.pivot[0..<rank])
        let s2 = sigma * sigma
        let t = Distributions.studentTQuantile(1 - (1 - level) / 2, df: Double(residualDegreesOfFreedom))
        var fit = [Double](), se = [Double]()
        for i in 0..<design.rows {
            var y = offset?[i] ?? 0
            for j in kept { y += design[i, j] * solution.coefficients[j] }
            fit.append(y)
            se.append((s2 * rowQuadraticForm(design, row: i, kept: kept, solution.unscaledCovariance)).squareRoot())
        }
        let pi = se.map { ($0 * $0 + s2).squareRoot() }
        return Predictions(
            rows: rows, dropped: dropped, fit: fit, standardError: se,
            confidenceLow: zip(fit, se).map { $0 - t * $1 }, confidenceHigh: zip(fit, se).map { $0 + t * $1 },
            predictionLow: zip(fit, pi).map { $0 - t * $1 }, predictionHigh: zip(fit, pi).map { $0 + t * $1 },
            level: level)
    }
}
