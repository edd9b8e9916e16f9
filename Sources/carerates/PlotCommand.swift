import ArgumentParser
import CareRates
import DataTable
import Foundation
import Plot
import Report

/// `carerates plot KIND FILE ...`: the plots the commands draw with `--plot`, from the CSV
/// files they wrote (or, for rates, from a panel), as standalone SVG.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a plot as SVG from a CSV file the tool wrote, or rates by year from a panel.",
        discussion: """
            The same plots as compare --plot and --caterpillar, fit --plot and residuals --plot, \
            from their CSV output: the same data give the same bytes. SVG 1.1 that needs no other \
            software; every point names its unit on hover.
            """,
        subcommands: [Funnel.self, Caterpillar.self, Coefficients.self, Diagnostics.self, Rates.self])

    /// `--out`: the SVG file (standard output without it).
    struct Output: ParsableArguments {
        @Option(help: "Write the SVG to this file (atomically) instead of standard output.")
        var out: String?
    }

    static func read(_ path: String) throws -> (DataTable, String) {
        let located = try Sandbox.input(path)
        return (try DataTable.read(path: located), located)
    }

    /// Reads `file`, draws `figure` of it and writes the SVG to `out` (never over `file`).
    static func draw(_ file: String, to out: String?, _ figure: (DataTable) throws -> Figure) throws {
        let (table, path) = try read(file)
        try OutputWriter.write(try figure(table).svg, to: out, inputs: [path])
    }

    struct Funnel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The funnel plot of compare's CSV output (--format csv) and its --limits-table.")
        @Argument(help: "compare's CSV output.") var file: String
        @Option(help: "The limit curves compare wrote with --limits-table.") var limits: String
        @OptionGroup var output: Output

        func run() throws {
            let (table, path) = try PlotCommand.read(file), (curves, limitsPath) = try PlotCommand.read(limits)
            try OutputWriter.write(try TablePlots.funnel(comparison: table, limits: curves).figure.svg, to: output.out,
                                   inputs: [path, limitsPath])
        }
    }

    struct Caterpillar: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Units by O/E with their intervals and rank sets, from compare's CSV output.")
        @Argument(help: "compare's CSV output.") var file: String
        @Flag(help: "By the shrunken (empirical-Bayes) O/E.") var shrunk = false
        @OptionGroup var output: Output

        func run() throws { try PlotCommand.draw(file, to: output.out) { try TablePlots.caterpillar(comparison: $0, shrunk: shrunk).figure } }
    }

    struct Coefficients: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Coefficients with their intervals, from fit's CSV output.")
        @Argument(help: "fit's CSV output (--format csv).") var file: String
        @Flag(help: "Exponentiate (a count model's rate ratios, on a log axis).") var exponentiate = false
        @OptionGroup var output: Output

        func run() throws { try PlotCommand.draw(file, to: output.out) { try TablePlots.coefficients(fit: $0, exponentiate: exponentiate).figure } }
    }

    struct Diagnostics: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Residuals against fitted, normal Q-Q and leverage with Cook's distance, from residuals' CSV output.")
        @Argument(help: "residuals' CSV output (--format csv).") var file: String
        @OptionGroup var output: Output

        func run() throws { try PlotCommand.draw(file, to: output.out) { try TablePlots.diagnostics(residuals: $0).figure } }
    }

    struct Rates: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rates by year, a line per unit, the overall rate emphasised.",
            discussion: "With --count and --exposure the overall rate is the pooled one (sum of counts over sum of exposure, per --per); otherwise the mean of the units' rates.")
        @Argument(help: "CSV file, or the name of a bundled dataset.") var file: String
        @Option(help: "Column naming each unit.") var unit: String = "la_name"
        @Option(help: "Column of years.") var year: String = "year"
        @Option(help: "Column of rates.") var rate: String = "rate_per_10000"
        @Option(help: "Column of counts, for the pooled overall rate.") var count: String?
        @Option(help: "Column of the population the rate is of, for the pooled overall rate.") var exposure: String?
        @Option(help: "The rates are per this many of the exposure.") var per: Double = 10_000
        @Option(help: "Name of the overall series.") var overall: String = "All authorities"
        @OptionGroup var output: Output

        func validate() throws {
            if (count == nil) != (exposure == nil) { throw ValidationError("--count and --exposure go together (the pooled rate needs both)") }
            if !(per > 0 && per.isFinite) { throw ValidationError("--per must be a positive number, e.g. 10000") }
        }

        func run() throws {
            try PlotCommand.draw(file, to: output.out) { table in
                try TablePlots.rates(table, unit: unit, year: year, rate: rate, count: count, exposure: exposure, per: per,
                                     overall: overall).figure
            }
        }
    }
}
