import ArgumentParser
import CareRates
import DataTable
import Foundation
import Regression
import Report

/// `carerates fit FILE --formula "y ~ x1 + x2"`.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a linear model (least squares) or a count model (--family) and print its coefficients.",
        discussion: """
            FILE is a CSV file with a header row, or the name of a bundled dataset. Rows with a \
            missing value (empty, NA, or a UK official-statistics marker such as [c] or ..) in any \
            variable of the formula are dropped and counted.
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "Output format: text (R's summary), csv or json (tidy), markdown.")
    var format: OutputFormat = .text

    @Option(help: "Standard errors: classical, hc0, hc1, hc2, hc3, cluster (CR1) or cr2 (Bell-McCaffrey), the last two with --cluster.")
    var se: StandardErrorOption = .classical

    @Option(help: "Column whose values group the rows for --se cluster or --se cr2.")
    var cluster: String?

    @OptionGroup var confidence: LevelOption
    var level: Double { confidence.level }

    @Option(name: .customLong("test"), help: "A linear restriction to test, e.g. \"x1 = 0\" or \"factor(year)2016 = factor(year)2017\"; repeat for a joint Wald test.")
    var hypotheses: [String] = []

    @OptionGroup var glm: GLMOptionGroup

    @Flag(help: "For generalized linear models: report exp(estimate) (rate or odds ratios) with exponentiated intervals.")
    var exponentiate = false

    @Flag(help: "End the text summary with variance inflation factors and the Breusch-Pagan test.")
    var checks = false

    @Option(help: "Write the output to this file (atomically) instead of standard output.")
    var out: String?

    func validate() throws {
        let clustered = se == .cluster || se == .cr2
        if clustered && cluster == nil { throw ValidationError("--se \(se.rawValue) needs --cluster COLUMN") }
        if !clustered && cluster != nil {
            throw ValidationError("--cluster is only used with --se cluster or --se cr2; CareRates never clusters unless asked")
        }
    }

    var standardErrors: StandardErrorKind {
        switch se {
        case .classical: .classical
        case .hc0: .hc0
        case .hc1: .hc1
        case .hc2: .hc2
        case .hc3: .hc3
        case .cluster: .cluster(column: cluster ?? "")
        case .cr2: .clusterCR2(column: cluster ?? "")
        }
    }

    func run() throws {
        if glm.isGeneralized {
            try runGeneralizedModel()
            return
        }
        if exponentiate { throw CLIError("--exponentiate is for generalized linear models: add --family (e.g. poisson) or --link") }
        let (fit, path) = try model.fit(standardErrors: standardErrors, level: level)
        var wald: WaldTest?
        if !hypotheses.isEmpty {
            do { wald = try fit.waldTest(hypotheses) } catch { throw CLIError(error.description) }
        }
        let report = LinearModelReport(fit: fit, dataName: model.file, includeChecks: checks, wald: wald)
        let text: String
        switch format {
        case .text: text = report.text
        case .csv: text = report.csv
        case .json: text = report.json
        case .markdown: text = report.markdown
        }
        try OutputWriter.write(text, to: out, inputs: [path])
    }
}

extension FitCommand {
    func runGeneralizedModel() throws {
        guard hypotheses.isEmpty, !checks else {
            throw CLIError("--test and --checks are for linear models; a generalized linear model's summary already "
                + "tests it against the null model (and a Poisson fit for overdispersion)")
        }
        let (fit, path) = try model.fitGeneralized(glm, standardErrors: standardErrors, level: level)
        let report = GeneralizedLinearModelReport(
            fit: fit, dataName: model.file, exponentiate: exponentiate, nullTest: fit.testAgainstNull(),
            overdispersion: fit.overdispersionTests)
        try OutputWriter.emit(format, text: { report.text }, csv: { report.csv }, json: { report.json }, to: out, inputs: [path])
    }
}

/// The family, link and fitting options of generalized linear models, shared by the model commands.
struct GLMOptionGroup: ParsableArguments {
    @Option(help: "Model family: gaussian (the default; with the identity link, the linear model), poisson, quasipoisson, negbin (theta by maximum likelihood unless --theta), binomial or gamma.")
    var family: FamilyOption = .gaussian

    @Option(help: "Link function: identity, log, logit, probit, cloglog or inverse (default: the family's, as in R).")
    var link: LinkOption?

    @Option(help: "For generalized linear models: a column of exposures (e.g. child population) whose log is the offset.")
    var exposure: String?

    @Option(help: "For --family negbin: fix theta at this value instead of estimating it.")
    var theta: Double?

    @Option(help: "For generalized linear models: the most IRLS iterations per fit.")
    var maxit: Int = 25

    /// Whether the options ask for a generalized linear model rather than least squares.
    var isGeneralized: Bool { family != .gaussian || (link ?? .identity) != .identity }

    func validate() throws {
        if !isGeneralized && (exposure != nil || theta != nil) {
            throw ValidationError("--exposure and --theta are for generalized linear models: add --family (e.g. poisson) or --link")
        }
        if maxit < 1 { throw ValidationError("--maxit must be at least 1") }
    }

    func options(weights: String?, standardErrors: StandardErrorKind, level: Double) -> GLMOptions {
        GLMOptions(
            family: GLMFamily(rawValue: family.rawValue)!, link: link.map { LinkFunction(rawValue: $0.rawValue)! },
            exposure: exposure, weights: weights, theta: theta, standardErrors: standardErrors, level: level,
            maxIterations: maxit)
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
    @Option(help: "Confidence level of the intervals.")
    var level: Double = 0.95

    func validate() throws {
        if !(level > 0 && level < 1) { throw ValidationError("--level must be between 0 and 1, e.g. 0.95") }
    }
}

/// The data, formula and fitting options every model command shares.
struct ModelOptions: ParsableArguments {
    @Argument(help: "CSV file, or the name of a bundled dataset.")
    var file: String

    @Option(name: [.short, .long], help: "Model formula, as in R: \"y ~ x1 + x2\"; \"- 1\" or \"+ 0\" drops the intercept.")
    var formula: String

    @Option(name: .customLong("tol"), help: "Rank tolerance for aliased columns (default p * sqrt(n) * machine epsilon; R's lm uses 1e-7).")
    var tolerance: Double?

    @Option(help: "Column of weights: analytic (inverse-variance) weights for a linear model, as R's lm(weights =); prior weights for a generalized linear model, as glm(weights =) (binomial proportions: the trials).")
    var weights: String?

    @Option(help: "How --weights are read in a linear model: analytic (inverse-variance, as R's lm) or frequency (each row counts that many times, as Stata's fweight; whole numbers).")
    var weightKind: WeightKind = .analytic

    @OptionGroup var backend: BackendOptions

    func validate() throws {
        if let tolerance, !(tolerance > 0 && tolerance < 1) {
            throw ValidationError("--tol must be between 0 and 1")
        }
        try checkWeightKind(weightKind, weights: weights, generalized: false)
    }

    /// Reads the data and fits the model; returns the fit and the path read. Only the columns
    /// the model needs are read, plus `alsoRead` (nil: read every column).
    func fit(standardErrors: StandardErrorKind = .classical, level: Double = 0.95, alsoRead: [String]? = [])
        throws -> (LinearModelFit, String)
    {
        let extra = [weights, standardErrors.clusterColumn].compactMap { $0 }
        let (parsed, table, path) = try load(alsoRead: alsoRead.map { $0 + extra })
        let fit = try LinearModel.fit(
            parsed, data: table, backend: backend.make(), tolerance: tolerance, standardErrors: standardErrors, level: level,
            weights: weights, weightKind: weightKind)
        return (fit, path)
    }

    /// Reads the data and fits a generalized linear model; returns the fit and the path read.
    func fitGeneralized(
        _ glm: GLMOptionGroup, standardErrors: StandardErrorKind = .classical, level: Double = 0.95, alsoRead: [String]? = []
    ) throws -> (GeneralizedLinearModelFit, String) {
        if tolerance != nil { throw CLIError("--tol is for linear models") }
        try checkWeightKind(weightKind, weights: weights, generalized: true)
        let extra = [glm.exposure, weights, standardErrors.clusterColumn].compactMap { $0 }
        let (parsed, table, path) = try load(alsoRead: alsoRead.map { $0 + extra })
        let options = glm.options(weights: weights, standardErrors: standardErrors, level: level)
        return (try GeneralizedLinearModel.fit(parsed, data: table, options: options, backend: backend.make()), path)
    }

    /// Parses the formula and reads the columns it needs plus `alsoRead` (nil: every column).
    func load(alsoRead: [String]?) throws -> (Formula, DataTable, String) {
        let path = DatasetLocator.resolve(file)
        let parsed: Formula
        do { parsed = try Formula(formula) } catch { throw CLIError(error.description) }
        var options = CSVOptions()
        if let alsoRead {
            var columns = parsed.variables
            for name in alsoRead where !columns.contains(name) { columns.append(name) }
            options.columns = columns
        }
        do {
            return (parsed, try DataTable.read(path: path, options: options), path)
        } catch {
            // (A DataError: read throws typed.) A misspelt column of the formula: point at it there.
            if let pointed = parsed.pointing(at: error) { throw CLIError(pointed.description) }
            throw error
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, csv, json, markdown
}

enum StandardErrorOption: String, ExpressibleByArgument, CaseIterable {
    case classical, hc0, hc1, hc2, hc3, cluster, cr2
}

extension WeightKind: ExpressibleByArgument {}

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
