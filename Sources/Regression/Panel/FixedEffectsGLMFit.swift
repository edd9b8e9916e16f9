#if canImport(Glibc)
import Glibc
#endif
import DataTable
import LinearAlgebra

/// A fitted count model with absorbed fixed effects: the coefficients of interest (z tests),
/// the levels absorbed and removed, the deviance and log likelihood of the fit with a dummy per
/// level, theta for the negative binomial, and the fixed effects themselves.
public struct FixedEffectsGLMFit: Sendable {
    /// The formula applied to the data: the rows used and dropped, the response, the design.
    public let frame: ModelFrame
    /// How the model was fitted (refits use the same).
    public let options: FixedEffectsGLMOptions
    let model: FamilyModel
    /// The absorbed factors over the rows used.
    public let factors: [AbsorbedFactor]
    /// Rows removed, recursively, for being alone in a level of some factor.
    public let singletonsRemoved: Int
    /// Rows removed because every outcome of one of their levels is zero.
    public let zeroOutcomeRows: Int
    /// Those levels, by factor.
    public let zeroOutcomeLevels: [(factor: String, level: String)]
    /// Table rows removed as separated: zero counts whose fitted means went to zero
    /// (`FixedEffectsGLM.separationShare`), for which no finite estimate exists.
    public let separatedRows: [Int]
    /// The counts, prior weights and offsets (log exposure included) per used row.
    let y: [Double], priorWeights: [Double], offset: [Double]
    /// The linear predictor and means per used row.
    public let eta: [Double], mu: [Double]
    /// The last IRLS step's working weights.
    public let workingWeights: [Double]
    let within: WithinSolve
    /// The deviance of the fit (with every level).
    public let deviance: Double
    /// IRLS iterations of the last run.
    public let iterations: Int
    /// Whether IRLS met its rule.
    public let converged: Bool
    /// Theta and its standard error, for a negative binomial with theta estimated.
    public let thetaEstimate: (value: Double, standardError: Double)?
    /// Cautions to print with the results.
    public let warnings: [String]
    let backend: any Backend
    /// The coefficient covariance behind the standard errors.
    public let covariance: CovarianceEstimate

    init(
        frame: ModelFrame, options: FixedEffectsGLMOptions, model: FamilyModel, factors: [AbsorbedFactor],
        removed: (singletons: Int, zeroRows: Int, zeroLevels: [(factor: String, level: String)]), separated: [Int], y: [Double],
        priorWeights: [Double], offset: [Double], state: FixedEffectsGLM.Loop.State, theta: (value: Double, standardError: Double)?,
        warnings: [String], backend: any Backend
    ) throws(ModelError) {
        self.frame = frame
        self.options = options
        self.model = model
        self.factors = factors
        singletonsRemoved = removed.singletons
        zeroOutcomeRows = removed.zeroRows
        zeroOutcomeLevels = removed.zeroLevels
        separatedRows = separated
        self.y = y
        self.priorWeights = priorWeights
        self.offset = offset
        eta = state.eta
        mu = state.mu
        workingWeights = state.workingWeights
        within = state.within
        deviance = state.deviance
        iterations = state.iterations
        converged = state.converged
        thetaEstimate = theta
        self.warnings = warnings
        self.backend = backend
        let used = priorWeights.filter { $0 > 0 }.count
        let w = state.workingWeights
        // The scores' residuals: sqrt(w) (y - mu) / mu, as sandwich's estfun for a glm.
        let residuals = (0..<y.count).map { i in w[i] > 0 ? w[i].squareRoot() * (y[i] - state.mu[i]) / state.mu[i] : 0 }
        let absorbedDOF = within.absorbedDOF
        var dispersion = 1.0
        if options.family == .quasipoisson {
            var pearson = 0.0
            for i in y.indices where priorWeights[i] > 0 { pearson += priorWeights[i] * (y[i] - mu[i]) * (y[i] - mu[i]) / mu[i] }
            dispersion = pearson / Double(used - within.solution.rank - absorbedDOF)
        }
        var inputs = PanelCovariance.Inputs(
            kind: options.standardErrors, convention: options.convention, observations: used, absorbedDOF: absorbedDOF,
            factors: factors, solution: within.solution, workingDesign: within.workingDesign,
            clusterLabels: try PanelCovariance.labels(frame, options.standardErrors), source: frame.table.source,
            residuals: residuals, dispersion: dispersion, zTests: true)
        // CR2 as clubSandwich for the glm with dummies: X = mu Z, W = prior / V(mu) at the final
        // means, response residuals, the adjustment's (X' W X)^{-1} there, the bread the last IRLS step's.
        inputs.dummyModel = { [frame, factors, model, y, priorWeights, state] () throws(ModelError) in
            let z = try FixedEffectsFit.dummyDesign(frame: frame, factors: factors)
            var x = z
            for j in 0..<z.columns { for i in 0..<z.rows { x[i, j] = z[i, j] * state.mu[i] } }
            let w = state.mu.indices.map { priorWeights[$0] / model.variance(state.mu[$0]) }
            return (ClusterCR2.WorkingModel(x: x, residuals: y.indices.map { y[$0] - state.mu[$0] }, weights: w),
                    frame.columnNames.count, z, state.workingWeights)
        }
        covariance = try PanelCovariance.estimate(inputs)
        self.dispersion = dispersion
    }

    /// The dispersion the classical errors scale by: 1, or the Pearson statistic over the
    /// residual degrees of freedom for quasi-Poisson.
    public let dispersion: Double

    /// The backend that did the arithmetic.
    public var backendName: String { within.solution.backend.rawValue }
    /// The family fitted.
    public var family: GLMFamily { options.family }
    /// Confidence level of the intervals.
    public var level: Double { options.level }
    /// The estimator of the standard errors, printed beside every table.
    public var standardErrorKind: String { covariance.description }
    /// Rows of positive weight.
    public var observations: Int { priorWeights.filter { $0 > 0 }.count }
    /// The coefficients' numerical rank.
    public var rank: Int { within.solution.rank }
    /// Levels absorbed, less those not identified.
    public var absorbedDegreesOfFreedom: Int { within.absorbedDOF }
    /// Levels not identified (zero in ``effects``).
    public var redundantLevels: Int { within.redundant }
    /// Whether ``redundantLevels`` is exact.
    public var redundantExact: Bool { within.redundantExact }
    /// How the last IRLS step's projection was made and how accurate it is.
    public var projection: FixedEffectsFit.ProjectionReport { within.projection }
    /// Observations less the coefficients and the absorbed levels.
    public var residualDegreesOfFreedom: Int { observations - rank - absorbedDegreesOfFreedom }
    /// The fixed effects per factor and level, on the linear-predictor scale.
    public var effects: [[Double]] { within.effects }
    /// Names of coefficients absorbed by the fixed effects or aliased, in design order.
    public var aliased: [String] { within.solution.aliased.map { frame.columnNames[$0] } }

    /// The coefficient table (z tests), in design order; aliased and absorbed terms have nil entries.
    public var coefficients: [CoefficientRow] {
        CoefficientRow.tTable(names: frame.columnNames, estimates: within.solution.coefficients, covariance: covariance, level: level)
    }

    /// The log likelihood of the fit with a dummy per level; nil for quasi-Poisson.
    public var countLogLikelihood: Double? {
        switch family {
        case .poisson:
            return blockSum(y.count) { i in priorWeights[i] == 0 ? 0 : priorWeights[i] * poissonLogDensity(y[i], mu[i]) }
        case .negbin:
            return negbinLogLikelihood(CountTally(y: y, weights: priorWeights), y: y, weights: priorWeights, mu: mu, theta: model.theta!)
        default:
            return nil
        }
    }

    /// Estimated parameters as AIC counts them: coefficients, absorbed levels, theta when estimated.
    public var parameterCount: Int { rank + absorbedDegreesOfFreedom + (thetaEstimate == nil ? 0 : 1) }

    /// AIC, as R's `AIC` of the glm with dummies (nil for quasi-Poisson).
    public var aic: Double? { countLogLikelihood.map { -2 * $0 + 2 * Double(parameterCount) } }
    /// BIC (nil for quasi-Poisson).
    public var bic: Double? { countLogLikelihood.map { -2 * $0 + log(Double(observations)) * Double(parameterCount) } }

    /// The fixed effects as a table: factor, level, effect (zero for a level not identified).
    public var fixedEffectRows: [(factor: String, level: String, effect: Double)] {
        var rows = [(factor: String, level: String, effect: Double)]()
        for (f, factor) in factors.enumerated() {
            for (g, level) in factor.levels.enumerated() { rows.append((factor.name, level, effects[f][g])) }
        }
        return rows
    }
}

extension PanelCovariance {
    /// Each cluster column's labels over the frame's rows.
    static func labels(_ frame: ModelFrame, _ kind: PanelStandardErrors) throws(ModelError) -> [[String]] {
        var labels = [[String]]()
        if let groups = frame.groups { labels.append(groups) }
        for name in kind.clusterColumns.dropFirst() {
            let column: Column
            do { column = try frame.table.column(named: name) } catch { throw .data(error) }
            labels.append(frame.rows.map { frame.table.cellText(row: $0, column: column) ?? "" })
        }
        return labels
    }
}
