import DataTable
import Foundation
import LinearAlgebra

/// A count model with absorbed fixed effects as every consumer sees a fit: its means include
/// the effects, so it can be compared, predicted and plotted like any count model.
extension FixedEffectsGLMFit: FittedModel {
    public var callDescription: String {
        (family == .negbin ? "fenegbin" : family == .quasipoisson ? "fepois(quasi)" : "fepois") + "(\(frame.formula.text))"
    }
    public var coef: [Double] { within.solution.coefficients }
    public var vcov: Matrix { covariance.matrix }
    public var responseKind: ResponseKind { .count }
    public var response: [Double] { y }
    public var fitted: [Double] { mu }
    public var responseVariances: [Double] {
        mu.indices.map { i in priorWeights[i] > 0 ? dispersion * model.variance(mu[i]) / priorWeights[i] : .infinity }
    }
    public var weights: [Double]? { frame.weights }
    public var offsets: [Double]? { offset }
    public var meanSlopes: [Double] { mu }
    public var nobs: Int { observations }
    public var dof: Int { parameterCount }
    public var dofResidual: Int { residualDegreesOfFreedom }
    public var logLikelihood: Double? { countLogLikelihood }

    /// The hat matrix's diagonal of the last IRLS step's weighted problem with every level
    /// (`NaN` where the levels were projected iteratively).
    public var leverage: [Double] {
        let projector = FixedEffectProjector(
            factors: factors.map(\.codes), levelCounts: factors.map(\.levels.count), weights: workingWeights)
        guard let levels = projector.levelLeverage() else { return [Double](repeating: .nan, count: y.count) }
        let own = CovarianceEstimator.leverages(
            within.workingDesign, kept: within.solution.keptColumns, c: within.solution.keptUnscaledCovariance)
        return zip(levels, own).map { $0 + $1 }
    }

    /// R's `cooks.distance` of the glm with dummies: `(r_P / (1 - h))^2 h / (phi k)`.
    public var cooksDistance: [Double] { influence.cooksDistance }

    /// Leverage, standardized deviance residuals and Cook's distance, from one computation of
    /// the leverage (each costs a projector of the levels).
    public var influence: (leverage: [Double], standardized: [Double], cooksDistance: [Double]) {
        let h = leverage, r = residuals(.pearson)!, d = residuals(.deviance)!, k = Double(rank + absorbedDegreesOfFreedom)
        return (h, h.indices.map { d[$0] / (dispersion * (1 - h[$0])).squareRoot() },
                h.indices.map { i in (r[i] / (1 - h[i])) * (r[i] / (1 - h[i])) * h[i] / (dispersion * k) })
    }

    public var residualKinds: [ResidualKind] { [.response, .pearson, .deviance, .working, .standardized] }

    public func residuals(_ kind: ResidualKind) -> [Double]? {
        switch kind {
        case .response: return zip(y, mu).map { $0 - $1 }
        case .pearson: return y.indices.map { i in (y[i] - mu[i]) * (priorWeights[i] / model.variance(mu[i])).squareRoot() }
        case .deviance:
            return y.indices.map { i in
                let d = max(0, model.devianceContribution(y[i], mu[i], priorWeights[i])).squareRoot()
                return y[i] >= mu[i] ? d : -d
            }
        case .working: return y.indices.map { i in (y[i] - mu[i]) / mu[i] }
        case .standardized: return influence.standardized
        case .studentized: return nil
        }
    }

    /// `exp(X b + D a + offset)` for the rows of `data` (its exposure and offsets); every level
    /// must be one the fit estimated.
    public func predictMean(_ data: DataTable?) throws(ModelError) -> MeanPrediction {
        guard let data else { return MeanPrediction(rows: frame.rows, dropped: [], mean: mu) }
        let linear = try FixedEffectsPrediction.linearPredictor(
            frame: frame, factors: factors, effects: effects, coefficients: coef, data: data)
        var offsets = linear.offset
        if let exposure = options.exposure {
            let column: Column
            do { column = try data.column(named: exposure) } catch { throw .data(error) }
            for (t, row) in linear.rows.enumerated() {
                let e = column.kind == .numeric && !column.isMissing(row) ? column.numbers[row] : .nan
                guard e > 0 && e.isFinite else {
                    throw .badResponse(data.location(row: row, column: exposure), value: e, reason: "exposure must be positive")
                }
                offsets[t] += log(e)
            }
        }
        return MeanPrediction(
            rows: linear.rows, dropped: linear.dropped, mean: linear.eta.indices.map { exp(linear.eta[$0] + offsets[$0]) })
    }

    /// A warm-started refit on the table rows `rows`: from this fit's means and theta.
    public func refit(rows: [Int]) throws(ModelError) -> FixedEffectsGLMFit {
        try FixedEffectsGLM.fit(
            frame.formula, data: frame.table, options: options, backend: backend, candidates: rows, start: warmStart)
    }

    public func refit(response y: [Double]) throws(ModelError) -> FixedEffectsGLMFit {
        try FixedEffectsGLM.fit(
            frame: frame.replacingResponse(y), factors: factors, removed: (singletonsRemoved, zeroOutcomeRows, zeroOutcomeLevels),
            options: options, backend: backend, start: warmStart, separated: separatedRows)
    }

    private var warmStart: (mu: [Int: Double], theta: Double?) {
        (Dictionary(uniqueKeysWithValues: zip(frame.rows, mu)), thetaEstimate?.value)
    }
}

/// The linear predictor of a fixed-effects fit for new data: `X b` through the frame's formula
/// plus each row's fixed effects, and the formula's offsets.
enum FixedEffectsPrediction {
    static func linearPredictor(
        frame: ModelFrame, factors: [AbsorbedFactor], effects: [[Double]], coefficients: [Double], data: DataTable
    ) throws(ModelError) -> (rows: [Int], dropped: [ModelFrame.DroppedRow], eta: [Double], offset: [Double]) {
        var (design, rows, dropped) = try frame.design(for: data)
        // Rows missing a factor's cell are left out too.
        let names = frame.formula.fixedEffects.joined()
        var columns = [String: Column]()
        for name in names {
            do { columns[name] = try data.column(named: name) } catch { throw .data(error) }
        }
        var keep = [Int](), keptRows = [Int]()
        for (k, r) in rows.enumerated() {
            if let name = names.first(where: { columns[$0]!.isMissing(r) }) {
                dropped.append(ModelFrame.DroppedRow(row: r, line: data.rowLines[r], column: name, marker: columns[name]!.missing[r] ?? ""))
            } else {
                keep.append(k)
                keptRows.append(r)
            }
        }
        if keep.count < rows.count {
            var reduced = Matrix(rows: keep.count, columns: design.columns)
            for j in 0..<design.columns { for (t, k) in keep.enumerated() { reduced[t, j] = design[k, j] } }
            design = reduced
            rows = keptRows
        }
        let offset = frame.offset == nil ? [Double](repeating: 0, count: rows.count) : try frame.offsets(for: data, rows: rows)
        var eta = [Double](repeating: 0, count: rows.count)
        for (j, b) in coefficients.enumerated() where !b.isNaN {
            for t in rows.indices { eta[t] += design[t, j] * b }
        }
        for (f, factor) in factors.enumerated() {
            let index = Dictionary(uniqueKeysWithValues: factor.levels.enumerated().map { ($1, $0) })
            let parts = frame.formula.fixedEffects[f].map { columns[$0]! }
            for (t, r) in rows.enumerated() {
                let label = parts.map { data.cellText(row: r, column: $0) ?? "" }.joined(separator: "_")
                guard let g = index[label] else { throw .unseenLevel(term: factor.name, level: label, line: data.rowLines[r]) }
                eta[t] += effects[f][g]
            }
        }
        return (rows, dropped, eta, offset)
    }
}
