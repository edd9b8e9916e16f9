import ArgumentParser
import CareRates
import DataTable
import Foundation
import Regression
import Report

/// The family, link and fitting options of generalized linear models, shared by the model commands.
struct GLMOptionGroup: ParsableArguments {
    @Option(help: "Model family: gaussian (the default; with the identity link, the linear model), poisson, quasipoisson, negbin (theta by maximum likelihood unless --theta), binomial or gamma.")
    var family: FamilyOption = .gaussian

    @Option(help: "Link function: identity, log, logit, probit, cloglog or inverse (default: the family's, as in R).")
    var link: LinkOption?

    @Option(help: "For generalized linear models: a column of exposures (e.g. child population) whose log is the offset (compare: with a linear model, the population the response is a rate of).")
    var exposure: String?

    // .unconditional: a negative value reaches validate() instead of reading as an option.
    @Option(parsing: .unconditional, help: "For --family negbin: fix theta at this value instead of estimating it.")
    var theta: Double?

    @Option(parsing: .unconditional, help: "For generalized linear models: the most IRLS iterations per fit (and, for negbin, alternations with theta).")
    var maxit: Int = 25

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "For generalized linear models: stop by R's rule, |D - D_old| / (|D| + 0.1) < epsilon.",
        discussion: "Without it, IRLS goes on past R's test to the optimum: until an iteration changes no coefficient by more than 1e-12 of its value, or the changes stop shrinking (rounding); negbin alternates until theta settles the same way. --epsilon 1e-8 reproduces R's glm and MASS::glm.nb digit for digit."))
    var epsilon: Double?

    /// Whether the options ask for a generalized linear model rather than least squares.
    var isGeneralized: Bool { family != .gaussian || (link ?? .identity) != .identity }

    func validate() throws {
        if !isGeneralized && theta != nil {
            throw ValidationError("--theta is for generalized linear models (--family negbin)")
        }
        if !isGeneralized && epsilon != nil {
            throw ValidationError("--epsilon is for generalized linear models (least squares has no iterations): add --family or --link")
        }
        if maxit < 1 { throw ValidationError("--maxit must be at least 1") }
        if let theta, !(theta > 0 && theta.isFinite) { throw ValidationError("--theta must be a positive number, e.g. 25") }
        if let epsilon, !(epsilon > 0 && epsilon < 1) { throw ValidationError("--epsilon must be between 0 and 1, e.g. 1e-8") }
    }

    func options(weights: String?, standardErrors: StandardErrorKind, level: Double) -> GLMOptions {
        GLMOptions(
            family: GLMFamily(rawValue: family.rawValue)!, link: link.map { LinkFunction(rawValue: $0.rawValue)! },
            exposure: exposure, weights: weights, theta: theta, standardErrors: standardErrors, level: level,
            maxIterations: maxit, convergence: epsilon.map { .deviance(epsilon: $0) } ?? .optimum)
    }
}

enum FamilyOption: String, ExpressibleByArgument, CaseIterable {
    case gaussian, poisson, quasipoisson, negbin, binomial, gamma
}

enum LinkOption: String, ExpressibleByArgument, CaseIterable {
    case identity, log, logit, probit, cloglog, inverse
}

/// `--level`, the confidence level of intervals.
struct LevelOption: ParsableArguments {
    @Option(parsing: .unconditional, help: "Confidence level of the intervals.")
    var level: Double = 0.95

    func validate() throws {
        if !(level > 0 && level < 1) { throw ValidationError("--level must be between 0 and 1, e.g. 0.95") }
    }
}

/// The data, formula and fitting options every model command shares.
struct ModelOptions: ParsableArguments {
    @Argument(help: "CSV file, or the name of a bundled dataset.")
    var file: String

    @Option(name: [.short, .long], help: "Model formula, as in R: \"y ~ x1 + x2\"; \"- 1\" or \"+ 0\" drops the intercept; factors after | are absorbed as fixed effects, as fixest writes them: \"y ~ x1 | la_code + year\".")
    var formula: String

    @Option(name: .customLong("tol"), parsing: .unconditional, help: "Rank tolerance for aliased columns (default p * sqrt(n) * machine epsilon; R's lm uses 1e-7).")
    var tolerance: Double?

    @Option(help: "Column of weights: analytic (inverse-variance) weights for a linear model, as R's lm(weights =); prior weights for a generalized linear model, as glm(weights =) (binomial proportions: the trials).")
    var weights: String?

    @Option(help: "How --weights are read in a linear model: analytic (inverse-variance, as R's lm) or frequency (each row counts that many times, as Stata's fweight; whole numbers).")
    var weightKind: WeightKind = .analytic

    @OptionGroup var rows: SubsetOption

    @Option(help: "The panel's unit and time columns, UNIT,TIME (e.g. la_code,year): the unit that within(x) and between(x) in the formula average over.")
    var panel: String?

    @Option(name: .customLong("model"), help: "With --panel: random for random-effects GLS (Swamy-Arora variance components unless --random-method says otherwise, as plm's model = \"random\"), printed with both Hausman tests against the fixed-effects fit; between for the between estimator (least squares of the unit means, as plm's model = \"between\").")
    var panelModel: PanelModelOption?

    @Option(help: "With --model random: how the variance components are estimated, as plm's random.method: swar (Swamy-Arora, the default), walhus (Wallace-Hussain), amemiya or nerlove.")
    var randomMethod: RandomEffectsMethod?

    /// The data as the summary's call names it: the file, and the subset as R writes it.
    var callData: String { file + rows.callSuffix }

    /// The panel's unit and time columns, from --panel.
    var panelIndex: (unit: String, time: String?)? {
        guard let panel else { return nil }
        let parts = panel.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        return (parts[0], parts.count > 1 ? parts[1] : nil)
    }

    @OptionGroup var backend: BackendOptions

    @OptionGroup var memory: MemoryOption

    func validate() throws {
        if let tolerance, !(tolerance > 0 && tolerance < 1) {
            throw ValidationError("--tol must be between 0 and 1")
        }
        try checkWeightKind(weightKind, weights: weights, generalized: false)
        if randomMethod != nil && panelModel != .random {
            throw ValidationError("--random-method is for --model random")
        }
        if let panelModel, panel == nil {
            throw ValidationError("--model \(panelModel.rawValue) needs --panel UNIT,TIME (e.g. la_code,year): the panel's unit")
        }
        if let panel {
            let parts = panel.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count > 2 || parts.contains("") {
                throw ValidationError("--panel takes the unit and time columns joined by a comma, e.g. la_code,year")
            }
        }
    }

    /// The model the options ask for (see ``ModelChoice``), refusing summary extras it lacks.
    /// `exposureMakesRates`: a linear model's `--exposure` is the denominator of its rates (compare),
    /// not refused.
    func specification(
        _ glm: GLMOptionGroup, standardErrors: StandardErrorKind = .classical, level: Double = 0.95,
        summary: Set<SummaryExtra> = [], exposureMakesRates: Bool = false, convention: SmallSampleConvention? = nil
    ) throws -> any ReportableSpecification {
        // A formula that does not parse is reported when it is read, with its position.
        let absorbs = (try? Formula(formula))?.fixedEffects.isEmpty == false
        if panelModel == .between, let unit = panelIndex?.unit {
            if glm.isGeneralized || absorbs || weights != nil || !summary.isEmpty || standardErrors != .classical {
                throw CLIError("--model between is the least squares of the unit means, with classical errors: no --family, "
                    + "absorbed factors, --weights, --se or summary extras")
            }
            return BetweenOptions(unit: unit, level: level)
        }
        if panelModel == .random, let unit = panelIndex?.unit {
            return try ModelChoice.randomEffectsSpecification(
                glm, unit: unit, weights: weights, absorbs: absorbs, standardErrors: standardErrors, level: level, summary: summary,
                convention: convention, method: randomMethod ?? .swar)
        }
        return try ModelChoice.specification(
            glm, weights: weights, weightKind: weightKind, tolerance: tolerance, standardErrors: standardErrors, level: level,
            summary: summary, exposureMakesRates: exposureMakesRates, fixedEffects: absorbs, convention: convention ?? .fixest)
    }

    /// Reads the data and fits `spec`; returns the fit and the path read. Only the columns the
    /// model needs are read, plus `alsoRead` (nil: read every column).
    func fit(_ spec: any ReportableSpecification, alsoRead: [String]? = []) throws -> (any ReportableModel, String) {
        memory.apply()
        let (parsed, table, path) = try load(alsoRead: alsoRead.map { $0 + spec.columns })
        return (try spec.fit(parsed, data: table, backend: backend.make()), path)
    }

    /// Parses the formula and reads the columns it needs plus `alsoRead` (nil: every column).
    func load(alsoRead: [String]?) throws -> (Formula, DataTable, String) {
        let path = try Sandbox.input(file)
        let parsed: Formula
        do { parsed = try Formula(formula).withPanel(unit: panelIndex?.unit) } catch { throw CLIError(error.description) }
        let filter = try rows.filter()
        var options = CSVOptions.limited
        if let alsoRead {
            var columns = parsed.variables
            for name in alsoRead + (filter?.columns ?? []) where !columns.contains(name) { columns.append(name) }
            options.columns = columns
        }
        do {
            return (parsed, try SubsetOption.apply(filter, to: try DataTable.read(path: path, options: options), path: path), path)
        } catch let error as DataError {
            // (A DataError: read throws typed.) A misspelt column of the formula: point at it there.
            if let pointed = parsed.pointing(at: error) { throw CLIError(pointed.description) }
            throw SubsetOption.pointing(filter, at: error)
        }
    }
}

/// `--subset`, the rows a model is fitted to.
struct SubsetOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Fit to the rows where this condition holds, as R's subset =: comparisons of a column with a number or a quoted value, joined by & and |.",
        discussion: "For example \"year >= 2015 & year <= 2020\" or \"region_name %in% c('London', 'South East')\"; a row missing a compared cell is left out."))
    var subset: String?

    /// The call's data argument continued, as R prints it: `, subset = CONDITION`.
    var callSuffix: String { subset.map { ", subset = \($0)" } ?? "" }

    /// The parsed condition (nil without --subset), or its error with the position.
    func filter() throws -> RowFilter? {
        guard let subset else { return nil }
        do { return try RowFilter(subset) } catch { throw CLIError(error.description) }
    }

    /// The rows of `table` where `filter` holds; an error if none does.
    static func apply(_ filter: RowFilter?, to table: DataTable, path: String) throws -> DataTable {
        guard let filter else { return table }
        let rows: [Int]
        do { rows = try filter.rows(in: table) } catch { throw CLIError(error.description) }
        if rows.isEmpty { throw CLIError("--subset \"\(filter.text)\" holds for none of the \(table.rowCount) rows of \(path)") }
        return table.selecting(rows: rows)
    }

    /// A read error for a column only the condition names, pointed at in the condition.
    static func pointing(_ filter: RowFilter?, at error: DataError) -> any Error {
        if case .unknownColumn(_, let name, _) = error, let filter, filter.columns.contains(name) {
            return CLIError(filter.error(at: name, error.description).description)
        }
        return error
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, csv, json, markdown
}

enum StandardErrorOption: String, ExpressibleByArgument, CaseIterable {
    case classical, hc0, hc1, hc2, hc3, cluster, cr2, dk
}

extension WeightKind: ExpressibleByArgument {}
extension RandomEffectsMethod: ExpressibleByArgument {}
extension SmallSampleConvention: ExpressibleByArgument {}

enum PanelModelOption: String, ExpressibleByArgument, CaseIterable {
    case random, between
}

/// Refuses `--weight-kind frequency` without weights, or for a generalized linear model (whose
/// weights are glm's prior weights).
func checkWeightKind(_ kind: WeightKind, weights: String?, generalized: Bool) throws {
    guard kind == .frequency else { return }
    if weights == nil { throw ValidationError("--weight-kind frequency needs --weights COLUMN") }
    if generalized {
        throw ValidationError("--weight-kind frequency is for linear models; with --family, --weights are prior weights, as glm(weights =)")
    }
}

/// A message for the user, printed as one line after "Error: ".
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
