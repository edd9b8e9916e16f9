import DataTable
import LinearAlgebra

/// A fixed-effects fit as every consumer sees a fit: its means include the absorbed effects.
extension FixedEffectsFit: FittedModel {
    public var callDescription: String { "feols(\(frame.formula.text))" }
    public var coef: [Double] { solution.coefficients }
    public var vcov: Matrix { covariance.matrix }
    public var responseKind: ResponseKind { .continuous }
    public var response: [Double] { frame.response }
    public var fitted: [Double] { fittedValues }
    public var weights: [Double]? { frame.weights }
    public var responseVariances: [Double] {
        CoefficientRow.gaussianVariances(sigma: sigma, weights: frame.weights, rows: frame.rows.count)
    }
    public var offsets: [Double]? { frame.offset }
    public var meanSlopes: [Double] { [Double](repeating: 1, count: frame.rows.count) }
    public var nobs: Int { observations }
    /// The coefficients, the absorbed levels and the residual variance, as `logLik` of the fit
    /// with dummies counts them.
    public var dof: Int { rank + absorbedDegreesOfFreedom + 1 }
    public var dofResidual: Int { residualDegreesOfFreedom }
    public var logLikelihood: Double? { gaussianLogLikelihood }
    public var deviance: Double { residualSumOfSquares }

    /// The hat matrix's diagonal of the fit with dummies: the levels' share plus the
    /// within-transformed design's. `NaN` where the levels were projected iteratively.
    public var leverage: [Double] {
        let projector = FixedEffectProjector(
            factors: factors.map(\.codes), levelCounts: factors.map(\.levels.count), weights: frame.weights)
        guard let levels = projector.levelLeverage() else { return [Double](repeating: .nan, count: frame.rows.count) }
        let own = CovarianceEstimator.leverages(workingDesign, kept: solution.keptColumns, c: solution.keptUnscaledCovariance)
        return zip(levels, own).map { $0 + $1 }
    }

    /// `r_i^2 h_i / (k (1 - h_i))`, k counting the absorbed levels, as `cooks.distance` of the fit with dummies.
    public var cooksDistance: [Double] { influence.cooksDistance }

    /// Leverage, standardized and studentized residuals and Cook's distance, from one
    /// computation of the leverage (each costs a projector of the levels).
    public var influence: (leverage: [Double], standardized: [Double], studentized: [Double], cooksDistance: [Double]) {
        let h = leverage, r = standardized(h), k = Double(rank + absorbedDegreesOfFreedom), df = Double(residualDegreesOfFreedom)
        return (h, r, r.map { $0 * ((df - 1) / (df - $0 * $0)).squareRoot() }, r.indices.map { r[$0] * r[$0] * h[$0] / (k * (1 - h[$0])) })
    }

    private func standardized(_ h: [Double]) -> [Double] {
        let s = sigma
        let e = frame.weights.map { w in zip(residualValues, w).map { $0 * $1.squareRoot() } } ?? residualValues
        return e.indices.map { i in
            let one = 1 - h[i]
            return one > 1e-10 ? e[i] / (s * one.squareRoot()) : .nan
        }
    }

    public var residualKinds: [ResidualKind] { [.response, .pearson, .deviance, .working, .standardized, .studentized] }

    public func residuals(_ kind: ResidualKind) -> [Double]? {
        switch kind {
        case .response, .working: return residualValues
        case .pearson, .deviance:
            return frame.weights.map { w in zip(residualValues, w).map { $0 * $1.squareRoot() } } ?? residualValues
        case .standardized: return standardized(leverage)
        case .studentized: return influence.studentized
        }
    }

    /// `X b + D a` for the rows of `data`; every level must be one the fit estimated (a level
    /// the fit never saw, or one removed as a singleton, is an error naming it).
    public func predictMean(_ data: DataTable?) throws(ModelError) -> MeanPrediction {
        guard let data else { return MeanPrediction(rows: frame.rows, dropped: [], mean: fittedValues) }
        let linear = try FixedEffectsPrediction.linearPredictor(
            frame: frame, factors: factors, effects: effects, coefficients: solution.coefficients, data: data)
        return MeanPrediction(rows: linear.rows, dropped: linear.dropped, mean: zip(linear.eta, linear.offset).map { $0 + $1 })
    }

    public func refit(rows: [Int]) throws(ModelError) -> FixedEffectsFit {
        try FixedEffectsModel.fit(frame.formula, data: frame.table, options: options, backend: backend, candidates: rows)
    }

    public func refit(response y: [Double]) throws(ModelError) -> FixedEffectsFit {
        try FixedEffectsModel.fit(
            frame: frame.replacingResponse(y), factors: factors, singletons: singletonsRemoved, options: options, backend: backend)
    }
}
