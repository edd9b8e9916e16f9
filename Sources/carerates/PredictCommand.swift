import ArgumentParser
import CareRates
import DataTable
import Regression
import Report

/// `carerates predict FILE -f "..." [--new NEW.csv]`: fitted values with intervals.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Fit a linear model and predict, with confidence and prediction intervals.",
        discussion: """
            Without --new, predicts the rows the model was fitted to. With --new, the rows of \
            another CSV go through the same formula: the same transforms and factor levels (a \
            level the fit never saw is an error naming it).
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "CSV of new rows to predict (the predictors' columns; the response is not needed).")
    var new: String?

    @Option(help: "Confidence level of the intervals.")
    var level: Double = 0.95

    @Option(help: "Identifier columns, comma-separated.")
    var id: String?

    @Option(help: "Output format: text, csv or json.")
    var format: OutputFormat = .text

    @Option(help: "Write the output to this file (atomically) instead of standard output.")
    var out: String?

    func validate() throws {
        if !(level > 0 && level < 1) { throw ValidationError("--level must be between 0 and 1, e.g. 0.95") }
    }

    func run() throws {
        let ids = id.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        // Default identifiers are found among all columns, so then every column is read.
        let (fit, path) = try model.fit(alsoRead: ids)
        var inputs = [path]
        var table = fit.frame.table
        if let new {
            let newPath = DatasetLocator.resolve(new)
            table = try DataTable.read(path: newPath)
            inputs.append(newPath)
        }
        let predictions = try fit.predict(new == nil ? nil : table, level: level)
        let report = try PredictionReport(
            predictions, table: table, ids: ids)
        try OutputWriter.emit(format, text: { report.text }, csv: { report.csv }, json: { report.json }, to: out, inputs: inputs)
    }
}
