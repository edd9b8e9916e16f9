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

    @OptionGroup var confidence: LevelOption

    @OptionGroup var output: RowOutputOptions

    func run() throws {
        // Default identifiers are found among all columns, so then every column is read.
        let (fit, path) = try model.fit(alsoRead: output.ids)
        var inputs = [path]
        var table = fit.frame.table
        if let new {
            let newPath = DatasetLocator.resolve(new)
            table = try DataTable.read(path: newPath)
            inputs.append(newPath)
        }
        let predictions = try fit.predict(new == nil ? nil : table, level: confidence.level)
        let report = try PredictionReport(predictions, table: table, ids: output.ids)
        try output.emit(text: { report.text }, csv: { report.csv }, json: { report.json }, inputs: inputs)
    }
}
