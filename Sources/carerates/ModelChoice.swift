import ArgumentParser
import Regression
import Report

/// The one place the CLI decides which kind of model the options ask for; every command then
/// works on the chosen ``ReportableSpecification`` and the fit it returns. A new model kind is
/// chosen here and nowhere else.
enum ModelChoice {
    /// `--family`/`--link` choose a generalized linear model, else least squares. Options the
    /// chosen kind does not take, and summary extras it does not have, are refused before any
    /// data is read.
    static func specification(
        _ glm: GLMOptionGroup, weights: String?, weightKind: WeightKind, tolerance: Double?,
        standardErrors: StandardErrorKind, level: Double, summary: Set<SummaryExtra> = [], exposureMakesRates: Bool = false
    ) throws -> any ReportableSpecification {
        // A linear model has no offset; only compare reads its exposure (as the rates' population).
        if !glm.isGeneralized && glm.exposure != nil && !exposureMakesRates {
            throw CLIError("--exposure and --theta are for generalized linear models: add --family (e.g. poisson) or --link")
        }
        let spec: any ReportableSpecification
        // Options the chosen kind does not take, refused after the summary extras (the order the commands always checked them in).
        let refuseOptions: () throws -> Void
        if glm.isGeneralized {
            spec = glm.options(weights: weights, standardErrors: standardErrors, level: level)
            refuseOptions = {
                if tolerance != nil { throw CLIError("--tol is for linear models") }
                try checkWeightKind(weightKind, weights: weights, generalized: true)
            }
        } else {
            spec = LinearModelOptions(
                tolerance: tolerance, standardErrors: standardErrors, level: level, weights: weights, weightKind: weightKind)
            refuseOptions = {}
        }
        let missing = summary.subtracting(spec.summaryExtras)
        if missing.contains(.exponentiate) {
            throw CLIError("--exponentiate is for generalized linear models: add --family (e.g. poisson) or --link")
        }
        if !missing.isEmpty {
            throw CLIError("--test and --checks are for linear models; a generalized linear model's summary already "
                + "tests it against the null model (and a Poisson fit for overdispersion)")
        }
        try refuseOptions()
        return spec
    }
}
