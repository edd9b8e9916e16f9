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
        abstract: "Fit a linear model by least squares and print its coefficients.",
        discussion: """
            FILE is a CSV file with a header row, or the name of a bundled dataset. Rows with a \
            missing value (empty, NA, or a UK official-statistics marker such as [c] or ..) in any \
            variable of the formula are dropped and counted.
            """)

    @Argument(help: "CSV file, or the name of a bundled dataset.")
    var file: String

    @Option(name: [.short, .long], help: "Model formula, as in R: \"y ~ x1 + x2\"; \"- 1\" or \"+ 0\" drops the intercept.")
    var formula: String

    @Option(help: "Output format: text (R's summary), csv or json (tidy), markdown.")
    var format: OutputFormat = .text

    @Option(name: .customLong("tol"), help: "Rank tolerance for aliased columns (default p * sqrt(n) * machine epsilon; R's lm uses 1e-7).")
    var tolerance: Double?

    @Option(help: "Write the output to this file (atomically) instead of standard output.")
    var out: String?

    @OptionGroup var backend: BackendOptions

    func validate() throws {
        if let tolerance, !(tolerance > 0 && tolerance < 1) {
            throw ValidationError("--tol must be between 0 and 1")
        }
    }

    func run() throws {
        let path = DatasetLocator.resolve(file)
        let table = try DataTable.read(path: path)
        let parsed: Formula
        do { parsed = try Formula(formula) } catch { throw CLIError(error.description) }
        let fit = try LinearModel.fit(parsed, data: table, backend: backend.make(), tolerance: tolerance)
        let report = LinearModelReport(fit: fit, dataName: file)
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

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, csv, json, markdown
}

/// A message for the user, printed as one line after "Error: ".
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
