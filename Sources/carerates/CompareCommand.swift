import ArgumentParser
import Foundation
import CareRates
import Comparison
import DataTable
import Regression
import Report

/// `carerates compare FILE -f "..." --family negbin --exposure pop --unit la_name`: each unit's
/// observed count against the count the model expects, with funnel limits.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare units (authorities) with a model: observed against expected, funnel limits with overdispersion, leave-one-out, shrinkage, rank sets.",
        discussion: """
            The model is fitted, then per unit: O (the observed count), E (the sum of the model's \
            fitted counts over the unit's rows: indirect standardisation), O/E with an exact \
            Poisson interval, rates per --per of the exposure, z-scores on the --scale and adjusted \
            for overdispersion, and where O/E falls against the funnel limits at each level. Each \
            unit is also compared with the model fitted without its rows, and against the \
            overdispersion of the other units (--no-loo to skip). Count families (poisson, \
            quasipoisson, negbin) compare counts; binomial, successes (exact binomial limits at the \
            overall proportion, arcsine scale); a linear model (or gaussian or gamma) of a rate \
            per --per compares the counts its rates imply with --exposure, the population \
            (leave-one-out by exact deletion formulas).
            """)

    @OptionGroup var model: ModelOptions

    @OptionGroup var glm: GLMOptionGroup

    @Option(help: "Column naming each unit, e.g. la_name.")
    var unit: String

    @Option(help: "Column splitting each unit (e.g. year): compare unit-years instead of pooling the unit's rows.")
    var by: String?

    @Option(help: "Rates per this many of the exposure.")
    var per: Double = 10_000

    @Option(help: "Levels of the funnel limits, comma-separated.")
    var levels: String = "0.95,0.998"

    @Option(help: "Limits: exact (interpolated exact Poisson prediction limits), chisq (exact confidence limits with O = E, as FunnelPlotR), normal.")
    var limits: LimitMethod = .exact

    @Option(help: "Overdispersion: none, multiplicative (phi), additive (tau2) or model (the fitted model's own variance).")
    var overdispersion: OverdispersionMethod = .none

    @Option(help: "Estimator of the additive tau2: dl (DerSimonian-Laird) or reml.")
    var tau2: Tau2Method = .dl

    @Option(help: "Scale of the z-scores and of the overdispersion estimate: log or sqrt (default log; proportions: arcsine).")
    var scale: ComparisonScale?

    @Option(parsing: .unconditional, help: "Share of z-scores trimmed in each tail before estimating overdispersion.")
    var trim: Double = 0.1

    @Option(help: "How z-scores are trimmed: winsorise (set to the quantile; every unit kept) or truncate (left out, as the SHMI).")
    var trimMethod: TrimMethod = .winsorise

    @Flag(inversion: .prefixedNo, help: "Compare each unit with the model fitted without its rows.")
    var loo = true

    @Flag(inversion: .prefixedNo, help: "Rank confidence sets (marginal and simultaneous) of log O/E.")
    var ranks = true

    @Option(help: "Draws of N(0, Sigma) for the rank sets' critical values.")
    var rankDraws: Int = 2_000

    @Option(help: "Seed of the rank sets' draws (and of the bootstrap's).")
    var seed: UInt64 = 1

    @Option(help: "Replicates of a parametric bootstrap of the fitted model for the rank sets' covariance (default 0: the model's covariance by the delta method).")
    var replicates: Int = 0

    @Option(help: "Sort by this column (descending for numbers), e.g. ratio or z_adjusted.")
    var sort: String?

    @Option(help: "Print only the first N units (after sorting).")
    var top: Int?

    @Option(help: "Write the funnel's limit curves (expected, level, low, high) to this CSV file, for plotting.")
    var limitsTable: String?

    @Option(help: "Draw the funnel plot (O/E against E, the limits at each level, flagged units labelled) to this SVG file.")
    var plot: String?

    @Option(help: "Draw the caterpillar plot (units by O/E with their intervals and rank sets) to this SVG file.")
    var caterpillar: String?

    @Flag(help: "Sort and draw the caterpillar plot by the shrunken (empirical-Bayes) O/E.")
    var caterpillarShrunk = false

    @Option(help: "Output format: text, csv, json or markdown.")
    var format: OutputFormat = .text

    @Option(help: "Write the output to this file (atomically) instead of standard output.")
    var out: String?

    var parsedLevels: [Double] { levels.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        let values = levels.split(separator: ",")
        if values.isEmpty || parsedLevels.count != values.count || !parsedLevels.allSatisfy({ $0 > 0 && $0 < 1 }) {
            throw ValidationError("--levels must be numbers between 0 and 1, comma-separated, e.g. 0.95,0.998")
        }
        if !(trim >= 0 && trim < 0.5) { throw ValidationError("--trim must be at least 0 and below 0.5, e.g. 0.1") }
        if !(per > 0 && per.isFinite) { throw ValidationError("--per must be a positive number, e.g. 10000") }
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        if !(100...1_000_000).contains(rankDraws) { throw ValidationError("--rank-draws must be between 100 and 1000000") }
        if !(0...1_000_000).contains(replicates) { throw ValidationError("--replicates must be between 0 and 1000000") }
    }

    func run() throws {
        let spec = try model.specification(glm, exposureMakesRates: true)
        let (fit, path) = try model.fit(spec, alsoRead: [unit] + (by.map { [$0] } ?? []) + (glm.exposure.map { [$0] } ?? []))
        var settings = ComparisonSettings(unit: unit, by: by, exposure: glm.exposure)
        settings.per = per
        settings.levels = parsedLevels
        settings.limits = limits
        settings.overdispersion = overdispersion
        settings.scale = scale
        settings.tau2Method = tau2
        settings.trim = trim
        settings.trimMethod = trimMethod
        settings.leaveOneOut = loo
        settings.rankSets = ranks
        settings.rankDraws = rankDraws
        settings.seed = seed
        settings.replicates = replicates
        // Progress goes to a terminal, never into a notebook's output (it depends on the time).
        BootstrapProgress.started = nil
        settings.progress = Sandbox.current == nil ? BootstrapProgress.report : nil
        let comparison = try UnitComparison.compare(fit, settings: settings)
        let report = try ComparisonReport(comparison, model: fit.callDescription, sort: sort, top: top)
        if let limitsTable { try OutputWriter.write(report.limitsTable(), to: limitsTable, inputs: [path]) }
        if let plot { try OutputWriter.write(report.funnelPlot.figure.svg, to: plot, inputs: [path]) }
        if let caterpillar {
            try OutputWriter.write(report.caterpillarPlot(shrunk: caterpillarShrunk).figure.svg, to: caterpillar, inputs: [path])
        }
        try OutputWriter.emit(format, report, to: out, inputs: [path])
    }
}

extension LimitMethod: ExpressibleByArgument {}
extension OverdispersionMethod: ExpressibleByArgument {}
extension ComparisonScale: ExpressibleByArgument {}
extension TrimMethod: ExpressibleByArgument {}
extension Tau2Method: ExpressibleByArgument {}

/// Progress of a long bootstrap on standard error, at most once a second, from the second on.
enum BootstrapProgress {
    nonisolated(unsafe) static var started: Date?
    nonisolated(unsafe) static var last = Date.distantPast

    @Sendable static func report(_ done: Int, _ total: Int) {
        let now = Date()
        if started == nil { started = now }
        guard now.timeIntervalSince(started!) > 1, now.timeIntervalSince(last) >= 1 || done == total else { return }
        last = now
        FileHandle.standardError.write(Data("compare: bootstrap replicate \(done) of \(total)\n".utf8))
    }
}
