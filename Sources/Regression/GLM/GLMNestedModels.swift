import DataTable
import LinearAlgebra

/// Tests of nested generalized linear models fitted to the same rows, each against the one
/// before it: likelihood-ratio chi-squared tests as R's `lmtest::lrtest(fit1, fit2, ...)` gives
/// them (negative binomial models each with their own theta, as `MASS`'s `anova.negbin`), or,
/// for quasi-Poisson, which has no likelihood, the F tests of R's `anova(fit1, fit2, ...,
/// test = "F")`: deviance difference over its df and the largest model's dispersion.
public struct GLMNestedComparison: Sendable {
    /// One model of the comparison.
    public struct Row: Sendable {
        /// The model's formula.
        public let formula: String
        /// Estimated parameters, as lrtest's `#Df` (theta and a dispersion included).
        public let parameters: Int
        /// Its residual degrees of freedom.
        public let residualDF: Int
        /// Its residual deviance.
        public let deviance: Double
        /// nil for quasi-Poisson.
        public let logLikelihood: Double?
        /// Negative binomial: the model's theta.
        public let theta: Double?
        /// Against the previous model; nil for the first.
        public let df: Int?
        /// The test statistic against the model before (nil for the first).
        public let statistic: Double?
        /// Its p-value.
        public let pValue: Double?
    }

    /// "LR chi-squared" or "F".
    public let kind: String
    /// One row per model, smallest first.
    public let rows: [Row]
    /// The observations every model was fitted to.
    public let observations: Int
    /// The family and link, as R names them.
    public let family: String
    /// The exposure column whose log is every model's offset.
    public let exposure: String?
    /// The F tests' denominator: the largest model's dispersion and residual df.
    public let dispersion: (value: Double, degreesOfFreedom: Int)?

    /// Fits each formula with `options` to the rows complete for all of them and tests each
    /// against the one before.
    public static func compare(
        _ formulas: [Formula], data: DataTable, options: GLMOptions, backend: (any Backend)? = nil
    ) throws(ModelError) -> GLMNestedComparison {
        for f in formulas { try f.requireColumns(in: data) }
        var all = options.alsoRequire
        for f in formulas { for v in f.variables where !all.contains(v) { all.append(v) } }
        var common = options
        common.alsoRequire = all
        common.standardErrors = .classical
        var fits = [GeneralizedLinearModelFit]()
        for f in formulas { fits.append(try GeneralizedLinearModel.fit(f, data: data, options: common, backend: backend)) }
        let likelihood = fits[0].family.hasLikelihood
        let big = fits.min { $0.residualDegreesOfFreedom < $1.residualDegreesOfFreedom }!
        var rows = [Row]()
        for (k, fit) in fits.enumerated() {
            var df: Int?, statistic: Double?, p: Double?
            if k > 0 {
                let previous = fits[k - 1]
                let d = fit.parameters - previous.parameters
                df = d
                if d == 0 {
                    (statistic, p) = (.nan, .nan)
                } else if likelihood, let ll = fit.logLikelihood, let ll0 = previous.logLikelihood {
                    // lrtest orders each pair by size: the statistic is never negative.
                    let lr = 2 * abs(ll - ll0)
                    (statistic, p) = (lr, Distributions.chiSquaredUpperTail(lr, df: Double(abs(d))))
                } else {
                    let f = (previous.deviance - fit.deviance) / Double(d) / big.dispersion
                    (statistic, p) = (f, Distributions.fUpperTail(f, d1: Double(abs(d)), d2: Double(big.residualDegreesOfFreedom)))
                }
            }
            rows.append(Row(
                formula: fit.frame.formula.text, parameters: fit.parameters, residualDF: fit.residualDegreesOfFreedom,
                deviance: fit.deviance, logLikelihood: fit.logLikelihood, theta: fit.theta, df: df, statistic: statistic, pValue: p))
        }
        return GLMNestedComparison(
            kind: likelihood ? "LR chi-squared" : "F", rows: rows, observations: fits[0].observations,
            family: "\(fits[0].family.rName)(link = \"\(fits[0].link.rawValue)\")", exposure: options.exposure,
            dispersion: likelihood ? nil : (big.dispersion, big.residualDegreesOfFreedom))
    }
}
