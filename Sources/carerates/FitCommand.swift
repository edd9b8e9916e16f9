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

    @Option(help: "Standard errors: classical, hc0, hc1, hc2, hc3, cluster (CR1) or cr2 (Bell-McCaffrey), the last two with --cluster; for panel models dk (Driscoll-Kraay, by the time column of --panel).")
    var se: StandardErrorOption = .classical

    @Option(help: "Column whose values group the rows for --se cluster or --se cr2 (with absorbed fixed effects, two joined by a comma cluster two ways: la_code,year).")
    var cluster: String?

    @Option(help: "With absorbed fixed effects: the small-sample convention of clustered errors, fixest (the default, as PyFixest), stata (reghdfe), plm (vcovHC arellano) or lm (lm with dummies and sandwich::vcovCL).")
    var ssc: SmallSampleConvention?

    @Option(help: "With absorbed fixed effects: write the estimated fixed effects (factor, level, effect) to this CSV file.")
    var fixef: String?

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
        if se == .dk && model.panelIndex?.time == nil {
            throw ValidationError("--se dk needs --panel UNIT,TIME: the periods it sums the scores over")
        }
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
        case .dk: .driscollKraay(time: model.panelIndex?.time ?? "")
        }
    }

    @Option(help: "Also draw the coefficients with their confidence intervals (rate ratios on a log axis for count models) to this SVG file.")
    var plot: String?

    func run() throws {
        let request = SummaryRequest(dataName: model.callData, exponentiate: exponentiate, checks: checks, hypotheses: hypotheses)
        let spec = try model.specification(
            glm, standardErrors: standardErrors, level: level, summary: request.extras, convention: ssc)
        if !(spec is FixedEffectsOptions || spec is FixedEffectsGLMOptions) && fixef != nil {
            throw CLIError("--fixef is for models with absorbed fixed effects (factors after | in the formula)")
        }
        if !(spec is FixedEffectsOptions || spec is FixedEffectsGLMOptions || spec is RandomEffectsOptions) && ssc != nil {
            throw CLIError("--ssc is for panel models: absorbed fixed effects (factors after | in the formula) or --model random")
        }
        let (fit, path) = try model.fit(spec)
        if let fixef {
            let csv = (fit as? FixedEffectsFit).map { FixedEffectsReport(fit: $0, dataName: model.file).fixedEffectsCSV }
                ?? (fit as? FixedEffectsGLMFit).map { FixedEffectsGLMReport(fit: $0, dataName: model.file).fixedEffectsCSV }
            if let csv { try OutputWriter.write(csv, to: fixef, inputs: [path]) }
        }
        if let plot { try OutputWriter.write(ModelPlots.coefficients(fit).figure.svg, to: plot, inputs: [path]) }
        try OutputWriter.emit(format, try fit.summaryReport(request), to: out, inputs: [path])
    }
}
