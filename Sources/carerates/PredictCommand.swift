import ArgumentParser
import CareRates
import DataTable
import Regression
import Report

/// `carerates predict FILE -f "..." [--new NEW.csv]`: fitted values with intervals.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Fit a model and predict, with confidence and prediction intervals.",
        discussion: """
            Without --new, predicts the rows the model was fitted to. With --new, the rows of \
            another CSV go through the same formula: the same transforms and factor levels (a \
            level the fit never saw is an error naming it). With --family or --link, a generalized \
            linear model: the mean on the link and response scales with Wald intervals, and for \
            Poisson, negative binomial, Gamma and gaussian fits a prediction interval for a new \
            observation simulated from the fitted distribution with the coefficients' (and \
            theta's) uncertainty, reproducible with --seed. The exposure column is read from the \
            new rows.
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "CSV of new rows to predict (the predictors' columns; the response is not needed).")
    var new: String?

    @OptionGroup var confidence: LevelOption

    @OptionGroup var glm: GLMOptionGroup

    @Option(parsing: .unconditional, help: "For generalized linear models: simulated draws per row for the prediction intervals.")
    var draws: Int = 10_000

    @Option(parsing: .unconditional, help: "For generalized linear models: the seed of the simulated prediction intervals.")
    var seed: UInt64 = 1

    @OptionGroup var output: RowOutputOptions

    func validate() throws {
        if !(100...1_000_000).contains(draws) { throw ValidationError("--draws must be between 100 and 1000000") }
    }

    func run() throws {
        // Default identifiers are found among all columns, so then every column is read.
        let spec = try model.specification(glm, level: confidence.level)
        let (fit, path) = try model.fit(spec, alsoRead: output.ids)
        let newPath = try new.map { try Sandbox.input($0) }
        let table = try newPath.map { try DataTable.read(path: $0, options: .limited) }
        let request = PredictionRequest(level: confidence.level, draws: draws, seed: seed)
        try output.emit(try fit.predictionReport(table, request: request, ids: output.ids), inputs: [path] + (newPath.map { [$0] } ?? []))
    }
}
