import DataTable
import LinearAlgebra

/// What every fitted model offers the code that uses it (reports, prediction, comparison of
/// units, plots), so that no consumer branches on the kind of model.
///
/// The vocabulary is GLM.jl's StatsAPI (`coef`, `vcov`, `fitted`, `predict`, `nobs`, `dof`,
/// `loglikelihood`); like a statsmodels results object, a fit is immutable and computes its
/// statistics when asked. Each model kind adds what is its own: a linear model its R^2 and F
/// test, a negative binomial fit its theta, later fixed-effects fits their absorbed levels and
/// mixed models their variance components.
///
/// Vectors indexed by observation follow ``ModelFrame/rows``: element `k` belongs to table row
/// `frame.rows[k]`.
public protocol FittedModel: Sendable {
    /// The formula applied to the data: the rows used (``ModelFrame/rows``) and those dropped
    /// for missing values, the response, the design and its column names.
    var frame: ModelFrame { get }

    /// The model as a call, for titles: `lm(y ~ x)`, `glm(y ~ x, poisson(link = "log"))`.
    var callDescription: String { get }

    /// Estimates in design order (``ModelFrame/columnNames``); `NaN` for aliased terms.
    var coef: [Double] { get }
    /// The covariance of ``coef`` behind the standard errors (robust when asked for); `NaN`
    /// rows and columns for aliased terms.
    var vcov: Matrix { get }
    /// The estimator of ``vcov``, as printed beside every table.
    var standardErrorKind: String { get }
    /// The coefficient table: estimates, standard errors, tests and intervals at ``level``.
    var coefficients: [CoefficientRow] { get }
    /// The confidence level of the intervals.
    var level: Double { get }

    /// What the response measures: counts (which units can be compared by observed against
    /// expected), proportions, or a continuous quantity.
    var responseKind: ResponseKind { get }
    /// The response as fitted, per used row (binomial: the proportion of successes).
    var response: [Double] { get }
    /// Fitted means on the response scale, offsets included, per used row.
    var fitted: [Double] { get }
    /// The model's variance of each used row's response at its fitted mean (a GLM's
    /// `phi V(mu) / w`, a linear model's `sigma^2 / w`): what a count on target would vary by.
    var responseVariances: [Double] { get }
    /// Observation (prior) weights per used row; nil when unweighted.
    var weights: [Double]? { get }
    /// Offsets on the linear-predictor scale per used row (log exposure included); nil without.
    var offsets: [Double]? { get }
    /// The slope of each used row's mean in its linear predictor, `d mu / d eta` (1 for a
    /// linear model; `mu` with the log link): with the design, the gradient of a mean in the
    /// coefficients.
    var meanSlopes: [Double] { get }

    /// Observations used (R's `nobs`).
    var nobs: Int { get }
    /// Estimated parameters: the coefficients not aliased, plus a dispersion or theta where it
    /// is estimated by maximum likelihood (what AIC counts; StatsAPI's `dof`).
    var dof: Int { get }
    /// Residual degrees of freedom: observations less the coefficients' rank.
    var dofResidual: Int { get }
    /// The log likelihood at the estimates; nil where the model has none (quasi-Poisson).
    var logLikelihood: Double? { get }
    /// The deviance (for a linear model, the (weighted) residual sum of squares).
    var deviance: Double { get }

    /// Each used row's leverage (the diagonal of the hat matrix; a GLM's of the last IRLS
    /// step's weighted problem) and Cook's distance, as R's `hatvalues` and `cooks.distance`.
    var leverage: [Double] { get }
    /// Each used row's Cook's distance (see ``leverage``).
    var cooksDistance: [Double] { get }

    /// The kinds of residual this model defines.
    var residualKinds: [ResidualKind] { get }
    /// Residuals of `kind`, per used row; nil when the model does not define that kind.
    func residuals(_ kind: ResidualKind) -> [Double]?

    /// The mean on the response scale for the rows of `data` (nil: the rows fitted), through
    /// the fit's transforms, factor levels and offsets.
    func predictMean(_ data: DataTable?) throws(ModelError) -> MeanPrediction

    /// The same model fitted to the table rows `rows` only (a subset of ``ModelFrame/rows`` or
    /// of the table's rows, ascending), as if the table held only those rows; warm-started from
    /// this fit where the model allows. What leave-one-out and the bootstrap need.
    func refit(rows: [Int]) throws(ModelError) -> Self

    /// The same model fitted to a new response `y` on the rows used (one value per row of
    /// ``ModelFrame/rows``, on the scale of ``response``), warm-started from this fit: a
    /// parametric bootstrap's replicate. (For a binomial `cbind()` response, `y` is the
    /// proportions of the same trials.)
    func refit(response y: [Double]) throws(ModelError) -> Self

    /// For each group of used rows (positions in ``ModelFrame/rows``), the fitted means of
    /// those rows from the model fitted without them: leave-one-unit-out. By default a refit
    /// per group (``refit(rows:)``, warm-started) and its prediction; a linear model's are
    /// exact deletion formulas. A failure where the model without the rows cannot be fitted
    /// or cannot predict them.
    func predictionsLeavingOut(_ groups: [[Int]]) -> [Result<[Double], ModelError>]
}

/// Kinds of per-observation residual, as R's `residuals(fit, type =)`, `rstandard` and
/// `rstudent` name them.
public enum ResidualKind: String, Sendable, CaseIterable {
    /// `y - mu`.
    case response
    /// `(y - mu) sqrt(w / V(mu))`.
    case pearson
    /// The signed square root of each row's deviance contribution.
    case deviance
    /// `(y - mu) / mu'(eta)`, the residual of the last IRLS step's working response.
    case working
    /// Standardized by the residual scale and leverage (R's `rstandard`).
    case standardized
    /// Externally studentized (R's `rstudent`): linear models.
    case studentized
}

/// What a model's response measures.
public enum ResponseKind: String, Sendable {
    /// Counts, with fitted means on the count scale (Poisson, quasi-Poisson, negative binomial).
    case count
    /// Proportions of trials (binomial).
    case proportion
    /// A continuous quantity (linear models, Gamma, gaussian).
    case continuous
}

/// Predicted means for rows of a table.
public struct MeanPrediction: Sendable {
    /// Table rows predicted, in order, and those left out for a missing predictor.
    public let rows: [Int]
    /// Rows not predicted, for a missing predictor, with the column and marker.
    public let dropped: [ModelFrame.DroppedRow]
    /// The mean on the response scale, per predicted row.
    public let mean: [Double]
}

extension FittedModel {
    public func predictionsLeavingOut(_ groups: [[Int]]) -> [Result<[Double], ModelError>] {
        groups.map { group -> Result<[Double], ModelError> in
            let own = Set(group.map { frame.rows[$0] })
            do throws(ModelError) {
                let refit = try refit(rows: frame.rows.filter { !own.contains($0) })
                let prediction = try refit.predictMean(frame.table)
                let mean = Dictionary(uniqueKeysWithValues: zip(prediction.rows, prediction.mean))
                return .success(group.map { mean[frame.rows[$0]] ?? .nan })
            } catch {
                return .failure(error)
            }
        }
    }

    /// Design column names, in the order of ``coef``.
    public var coefficientNames: [String] { frame.columnNames }
    /// Standard errors, the square roots of the diagonal of ``vcov`` (`NaN` for aliased terms).
    public var standardErrors: [Double] { (0..<vcov.rows).map { vcov[$0, $0].squareRoot() } }
}
