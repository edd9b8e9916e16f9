#if canImport(Glibc)
import Glibc
#endif
import DataTable
import LinearAlgebra

/// A fitted linear model with absorbed fixed effects: the coefficients of interest, the levels
/// absorbed per factor, the within R-squared, and the fixed effects themselves.
public struct FixedEffectsFit: Sendable {
    /// The formula applied to the data: the rows used and dropped, the response, the design.
    public let frame: ModelFrame
    /// How the model was fitted (refits use the same).
    public let options: FixedEffectsOptions
    /// The absorbed factors over the rows used.
    public let factors: [AbsorbedFactor]
    /// Rows removed, recursively, for being alone in a level of some factor.
    public let singletonsRemoved: Int
    /// The least-squares solution of the within-transformed working problem.
    public let solution: LeastSquaresSolution
    /// The within-transformed design scaled by the square roots of the weights (unscaled
    /// without weights), one column per coefficient; zero where absorbed.
    public let workingDesign: Matrix
    /// The within-transformed response (less any offset).
    public let projectedResponse: [Double]
    /// `y - X b - D a`, unweighted, per used row.
    let residualValues: [Double]
    /// The fixed effects per factor and level (the normalisation of `FixedEffectProjector`).
    public let effects: [[Double]]
    /// Levels not identified (set to zero in ``effects``).
    public let redundantLevels: Int
    /// Whether ``redundantLevels`` is exact (it is a lower bound for three or more factors
    /// solved iteratively).
    public let redundantExact: Bool
    /// How the projections were made and how accurate they are.
    public let projection: ProjectionReport
    /// Design columns absorbed by the fixed effects (they vary only between levels).
    public let absorbedColumns: [Int]
    let backend: any Backend
    /// The coefficient covariance behind the standard errors.
    public let covariance: CovarianceEstimate

    /// How the response and the design were projected off the fixed effects.
    public struct ProjectionReport: Sendable {
        /// The algorithm.
        public enum Method: String, Sendable {
            /// One factor: level means.
            case closedForm = "closed form (level means)"
            /// The largest factor in closed form, the rest by a Cholesky factor of their Schur complement.
            case elimination = "exact block elimination"
            /// Alternating projections with Irons-Tuck acceleration.
            case alternating = "alternating projections (Irons-Tuck)"
        }
        /// The algorithm used.
        public let method: Method
        /// The worst accuracy over the columns projected: the largest weighted level mean of
        /// a projected column, relative to the column's root mean square.
        public let accuracy: Double
        /// The most sweeps (or refinements) any column took.
        public let iterations: Int
        /// The tolerance the iterations stop at.
        public let tolerance: Double
    }

    init(
        frame: ModelFrame, options: FixedEffectsOptions, factors: [AbsorbedFactor], singletonsRemoved: Int,
        solution: LeastSquaresSolution, workingDesign: Matrix, projectedResponse: [Double], residuals: [Double],
        effects: [[Double]], redundantLevels: Int, redundantExact: Bool, projection: ProjectionReport, absorbedColumns: [Int],
        backend: any Backend
    ) throws(ModelError) {
        self.frame = frame
        self.options = options
        self.factors = factors
        self.singletonsRemoved = singletonsRemoved
        self.solution = solution
        self.workingDesign = workingDesign
        self.projectedResponse = projectedResponse
        self.residualValues = residuals
        self.effects = effects
        self.redundantLevels = redundantLevels
        self.redundantExact = redundantExact
        self.projection = projection
        self.absorbedColumns = absorbedColumns
        self.backend = backend
        let labels = try PanelCovariance.labels(frame, options.standardErrors)
        let used = frame.weights.map { $0.filter { $0 > 0 }.count } ?? frame.rows.count
        var inputs = PanelCovariance.Inputs(
            kind: options.standardErrors, convention: options.convention, observations: used,
            absorbedDOF: factors.map(\.levels.count).reduce(0, +) - redundantLevels, factors: factors,
            solution: solution, workingDesign: workingDesign, clusterLabels: labels, source: frame.table.source)
        inputs.dummyModel = { [frame, factors, residuals] () throws(ModelError) in
            try FixedEffectsFit.dummyModel(frame: frame, factors: factors, residuals: residuals)
        }
        covariance = try PanelCovariance.estimate(inputs)
    }

    /// CR2's working model: the fit with a dummy per level (the first factor's every level, each
    /// other's less its first), unweighted design, the fit's residuals; the coefficients of
    /// interest first. Refused where the dummies would not fit in memory.
    static func dummyModel(frame: ModelFrame, factors: [AbsorbedFactor], residuals: [Double]) throws(ModelError)
        -> (model: ClusterCR2.WorkingModel, interest: Int, design: Matrix, breadWeights: [Double]?)
    {
        let z = try dummyDesign(frame: frame, factors: factors)
        let weights = frame.weights
        return (ClusterCR2.WorkingModel(
            x: z, residuals: residuals, weights: weights, target: weights.map { [Double](repeating: 1, count: $0.count) }),
            frame.columnNames.count, z, nil)
    }

    /// The design with a dummy per level: the frame's columns, then the first factor's every
    /// level and each other's less its first. Refused where it would not fit in memory.
    static func dummyDesign(frame: ModelFrame, factors: [AbsorbedFactor]) throws(ModelError) -> Matrix {
        let n = frame.rows.count, p = frame.columnNames.count
        let columns = p + factors.enumerated().map { $0.offset == 0 ? $0.element.levels.count : $0.element.levels.count - 1 }.reduce(0, +)
        guard Double(n) * Double(columns) <= 2.5e7 else {
            throw .unsupported("CR2 with absorbed fixed effects builds the design with a dummy per level, here \(columns) columns "
                + "for \(n) rows: too large; use --se cluster (CR1)")
        }
        var z = Matrix(rows: n, columns: columns)
        for j in 0..<p { for i in 0..<n { z[i, j] = frame.design[i, j] } }
        var at = p
        for (f, factor) in factors.enumerated() {
            for i in 0..<n {
                let g = Int(factor.codes[i])
                if f == 0 { z[i, at + g] = 1 } else if g > 0 { z[i, at + g - 1] = 1 }
            }
            at += f == 0 ? factor.levels.count : factor.levels.count - 1
        }
        return z
    }

    /// Confidence level of the intervals.
    public var level: Double { options.level }
    /// The estimator of the standard errors, printed beside every table.
    public var standardErrorKind: String { covariance.description }
    /// Rows of positive weight.
    public var observations: Int { frame.weights.map { $0.filter { $0 > 0 }.count } ?? frame.rows.count }
    /// The coefficients' numerical rank.
    public var rank: Int { solution.rank }
    /// Levels absorbed per factor, and in all less those not identified.
    public var absorbedDegreesOfFreedom: Int { factors.map(\.levels.count).reduce(0, +) - redundantLevels }
    /// Observations less the coefficients and the absorbed levels.
    public var residualDegreesOfFreedom: Int { observations - rank - absorbedDegreesOfFreedom }
    /// The (weighted) residual sum of squares.
    public var residualSumOfSquares: Double { solution.residualSumOfSquares }
    /// The residual standard error.
    public var sigma: Double { (residualSumOfSquares / Double(residualDegreesOfFreedom)).squareRoot() }
    /// Names of coefficients absorbed by the fixed effects or aliased among themselves, in design order.
    public var aliased: [String] { solution.aliased.map { frame.columnNames[$0] } }
    /// `y - X b - D a`, unweighted.
    public var residuals: [Double] { residualValues }
    /// `X b + D a` (and the offset).
    public var fittedValues: [Double] { zip(frame.response, residualValues).map { $0 - $1 } }

    /// 1 - SSR / SSR of the fixed effects alone: the share of the within variation explained.
    public var withinRSquared: Double {
        let w = frame.weights
        var total = 0.0
        for i in projectedResponse.indices { total += (w?[i] ?? 1) * projectedResponse[i] * projectedResponse[i] }
        return 1 - residualSumOfSquares / total
    }

    /// 1 - SSR / TSS, TSS about the (weighted) mean of the response less any offset.
    public var rSquared: Double {
        let y = frame.offset.map { zip(frame.response, $0).map { $0 - $1 } } ?? frame.response
        let w = frame.weights ?? [Double](repeating: 1, count: y.count)
        let mean = compensatedSum(zip(w, y).map { $0 * $1 }) / compensatedSum(w)
        let tss = compensatedSum(zip(w, y).map { $0 * ($1 - mean) * ($1 - mean) })
        return 1 - residualSumOfSquares / tss
    }

    /// R-squared adjusted for the coefficients and the absorbed levels (as lm with dummies).
    public var adjustedRSquared: Double {
        let n = Double(observations)
        return 1 - (1 - rSquared) * (n - 1) / Double(residualDegreesOfFreedom)
    }

    /// The coefficient table in design order; aliased and absorbed terms have nil entries.
    public var coefficients: [CoefficientRow] {
        CoefficientRow.tTable(names: frame.columnNames, estimates: solution.coefficients, covariance: covariance, level: level)
    }

    /// The Gaussian log likelihood of the fit with a dummy per level, as R's `logLik.lm`.
    public var gaussianLogLikelihood: Double {
        let n = Double(observations)
        let logWeights = frame.weights.map { w in w.filter { $0 > 0 }.reduce(0) { $0 + log($1) } } ?? 0
        return 0.5 * logWeights - n / 2 * (log(2 * Double.pi) + log(residualSumOfSquares / n) + 1)
    }

    /// The fixed effects as a table: factor, level, effect (zero for a level not identified).
    public var fixedEffectRows: [(factor: String, level: String, effect: Double)] {
        var rows = [(factor: String, level: String, effect: Double)]()
        for (f, factor) in factors.enumerated() {
            for (g, level) in factor.levels.enumerated() { rows.append((factor.name, level, effects[f][g])) }
        }
        return rows
    }

    /// How the fixed effects are normalised, for outputs that print them.
    public var normalisation: String { AbsorbedFactors.normalisation(factors) }
}
