import ArgumentParser
import Foundation
import Regression
import Report

/// The one place the CLI decides which kind of model the options ask for; every command then
/// works on the chosen ``ReportableSpecification`` and the fit it returns. A new model kind is
/// chosen here and nowhere else.
enum ModelChoice {
    /// `--family`/`--link` choose a generalized linear model, else least squares. Options the
    /// chosen kind does not take, and summary extras it does not have, are refused before any
    /// data is read.
    /// A formula with absorbed factors after `|` chooses least squares with fixed effects
    /// (`convention`: how its clustered errors are scaled).
    static func specification(
        _ glm: GLMOptionGroup, weights: String?, weightKind: WeightKind, tolerance: Double?,
        standardErrors: StandardErrorKind, level: Double, summary: Set<SummaryExtra> = [], exposureMakesRates: Bool = false,
        fixedEffects: Bool = false, convention: SmallSampleConvention = .fixest
    ) throws -> any ReportableSpecification {
        if case .driscollKraay = standardErrors, !fixedEffects {
            throw CLIError("--se dk is for panel models: absorbed fixed effects (after | in the formula) or --model random")
        }
        if fixedEffects {
            return try fixedEffectsSpecification(
                glm, weights: weights, weightKind: weightKind, tolerance: tolerance, standardErrors: standardErrors, level: level,
                summary: summary, convention: convention)
        }
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

extension ModelChoice {
    static func fixedEffectsSpecification(
        _ glm: GLMOptionGroup, weights: String?, weightKind: WeightKind, tolerance: Double?,
        standardErrors: StandardErrorKind, level: Double, summary: Set<SummaryExtra>, convention: SmallSampleConvention
    ) throws -> any ReportableSpecification {
        if weightKind == .frequency { throw CLIError("--weight-kind frequency is not available with absorbed fixed effects") }
        let allowed: Set<SummaryExtra> = glm.isGeneralized ? [.exponentiate] : [.checks]
        if !summary.subtracting(allowed).isEmpty {
            throw CLIError(glm.isGeneralized
                ? "--test and --checks are not available with absorbed fixed effects in a count model"
                : "--test and --exponentiate are not available with absorbed fixed effects (--checks prints the panel diagnostics)")
        }
        let errors: PanelStandardErrors
        switch standardErrors {
        case .classical: errors = .classical
        case .hc1: errors = .hc1
        case .driscollKraay(let time): errors = .driscollKraay(time: time, maxLag: nil)
        case .clusterCR2(let column): errors = .cr2(column)
        case .cluster(let column):
            let columns = column.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            guard (1...2).contains(columns.count), !columns.contains("") else {
                throw CLIError("--cluster takes one column, or two joined by a comma for two-way clustering (la_code,year)")
            }
            errors = .cluster(columns)
        default:
            throw CLIError("with absorbed fixed effects, --se takes classical, hc1, cluster (with --cluster COLUMN or COLUMN,COLUMN), dk or cr2; "
                + "\(standardErrors.shortName) is not available")
        }
        guard glm.isGeneralized else {
            return FixedEffectsOptions(standardErrors: errors, convention: convention, level: level, weights: weights, tolerance: tolerance)
        }
        let family = GLMFamily(rawValue: glm.family.rawValue)!
        guard FixedEffectsGLMOptions.families.contains(family), (glm.link ?? .log) == .log else {
            throw CLIError("absorbed fixed effects (after | in the formula) are for least squares and for --family poisson, "
                + "quasipoisson or negbin with the log link")
        }
        if tolerance != nil { throw CLIError("--tol is for linear models") }
        return FixedEffectsGLMOptions(
            family: family, exposure: glm.exposure, weights: weights, theta: glm.theta, standardErrors: errors,
            convention: convention, level: level, maxIterations: glm.maxit,
            convergence: glm.epsilon.map { .deviance(epsilon: $0) } ?? .optimum)
    }
}

extension ModelChoice {
    /// Random-effects GLS on the panel's unit (`--model random`).
    static func randomEffectsSpecification(
        _ glm: GLMOptionGroup, unit: String, weights: String?, absorbs: Bool, standardErrors: StandardErrorKind, level: Double,
        summary: Set<SummaryExtra>, convention: SmallSampleConvention?, method: RandomEffectsMethod = .swar
    ) throws -> RandomEffectsOptions {
        if glm.isGeneralized { throw CLIError("--model random is for linear models (a mixed model of counts is not available yet)") }
        if absorbs { throw CLIError("--model random takes no absorbed fixed effects (after | in the formula)") }
        if weights != nil { throw CLIError("--weights are not available with --model random") }
        if !summary.isEmpty { throw CLIError("--test, --checks and --exponentiate are not available with --model random") }
        let errors: PanelStandardErrors
        switch standardErrors {
        case .classical: errors = .classical
        case .cluster(let column) where !column.contains(","): errors = .cluster([column])
        case .driscollKraay(let time): errors = .driscollKraay(time: time, maxLag: nil)
        default:
            throw CLIError("with --model random, --se takes classical or cluster (--cluster COLUMN; by the unit, as plm's vcovHC(method = \"arellano\"))")
        }
        return RandomEffectsOptions(unit: unit, standardErrors: errors, convention: convention ?? .plm, level: level, method: method)
    }
}
