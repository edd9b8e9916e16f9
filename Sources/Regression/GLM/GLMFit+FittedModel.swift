import DataTable
import LinearAlgebra

/// A generalized linear model as every consumer sees a fit.
extension GeneralizedLinearModelFit: FittedModel {
    public var callDescription: String { "glm(\(frame.formula.text), \(family.rName)(link = \"\(link.rawValue)\"))" }
    public var coef: [Double] { result.coefficients }
    public var vcov: Matrix { covariance }
    public var responseKind: ResponseKind { family.isCount ? .count : (family == .binomial ? .proportion : .continuous) }
    public var response: [Double] { responseValues }
    /// The prior weights (binomial: the trials), nil when every one is 1.
    public var weights: [Double]? { priorWeights.allSatisfy { $0 == 1 } ? nil : priorWeights }
    /// The formula's offsets plus the log exposure; nil when there are neither.
    public var offsets: [Double]? { frame.offset == nil && options.exposure == nil ? nil : offset }
    public var meanSlopes: [Double] { result.eta.map { link.derivative($0) } }
    public var responseVariances: [Double] {
        let phi = dispersion
        return zip(result.mu, priorWeights).map { mu, w in w > 0 ? phi * model.variance(mu) / w : .infinity }
    }
    public var nobs: Int { observations }
    public var dof: Int { parameters }
    public var dofResidual: Int { residualDegreesOfFreedom }

    public var leverage: [Double] { observationDiagnostics.map(\.leverage) }
    /// As R's `cooks.distance.glm`.
    public var cooksDistance: [Double] { observationDiagnostics.map(\.cooksDistance) }

    public var residualKinds: [ResidualKind] { [.response, .pearson, .deviance, .working, .standardized] }

    /// R's `residuals.glm` by type; standardized: deviance residuals as `rstandard.glm`.
    public func residuals(_ kind: ResidualKind) -> [Double]? {
        let d = observationDiagnostics
        switch kind {
        case .response: return d.map(\.responseResidual)
        case .pearson: return d.map(\.pearsonResidual)
        case .deviance: return d.map(\.devianceResidual)
        case .working: return d.map(\.workingResidual)
        case .standardized: return d.map(\.standardizedResidual)
        case .studentized: return nil
        }
    }

    public func predictMean(_ data: DataTable?) throws(ModelError) -> MeanPrediction {
        let (design, rows, dropped, offset) = try predictionInputs(data)
        let kept = result.solution.keptColumns, b = result.coefficients
        let mean = (0..<design.rows).map { i in
            var eta = offset[i]
            for j in kept { eta += design[i, j] * b[j] }
            return link.mean(eta)
        }
        return MeanPrediction(rows: rows, dropped: dropped, mean: mean)
    }

    /// IRLS again on the rows given, started from this fit's means on them (and, for the
    /// negative binomial, from its theta), so that a refit without one row takes a few steps.
    public func refit(rows: [Int]) throws(ModelError) -> GeneralizedLinearModelFit {
        try GeneralizedLinearModel.fit(
            frame.formula, data: frame.table, options: options, backend: backend, candidates: rows, start: warmStart)
    }

    /// From this fit's means and theta, on the same rows with a new response: the frame is
    /// reused (the design, offsets and exposure do not change).
    public func refit(response y: [Double]) throws(ModelError) -> GeneralizedLinearModelFit {
        try GeneralizedLinearModel.fit(
            frame.formula, data: frame.table, options: options, backend: backend, frame: frame.replacingResponse(y),
            candidates: nil, start: warmStart)
    }

    /// Where a refit starts: this fit's means by table row, and its theta.
    private var warmStart: (mu: [Int: Double], theta: Double?) {
        (Dictionary(uniqueKeysWithValues: zip(frame.rows, result.mu)), thetaFit?.theta)
    }
}

extension GLMOptions: ModelSpecification {
    public var columns: [String] { [exposure, weights, standardErrors.clusterColumn].compactMap { $0 } }

    public func fit(_ formula: Formula, data: DataTable, backend: (any Backend)?) throws(ModelError) -> GeneralizedLinearModelFit {
        try GeneralizedLinearModel.fit(formula, data: data, options: self, backend: backend)
    }
}
