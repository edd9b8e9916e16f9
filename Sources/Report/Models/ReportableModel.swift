import DataTable
import LinearAlgebra
import Regression

/// A rendered report: text for people (as R prints it), CSV and JSON with stable column names.
public protocol RenderedReport {
    /// The report as text, laid out as R prints it.
    var text: String { get }
    /// The report as tidy CSV.
    var csv: String { get }
    /// The report as JSON.
    var json: String { get }
    /// A Markdown table of its own; nil where the text serves.
    var markdownTable: String? { get }
}

extension RenderedReport {
    public var markdownTable: String? { nil }
}

/// What a model's summary may add beyond the coefficients, where the model kind has it.
public enum SummaryExtra: Sendable, Hashable, CaseIterable {
    /// Coefficients as exp(estimate): rate or odds ratios.
    case exponentiate
    /// Variance inflation factors and the Breusch-Pagan test.
    case checks
    /// Joint Wald F tests of linear restrictions.
    case hypotheses
}

/// What to put in a summary.
public struct SummaryRequest: Sendable {
    /// How the data were named on the command line, for the `Call:` line.
    public var dataName: String
    /// Whether to add the exponentiated estimates (rate ratios) with their intervals.
    public var exponentiate: Bool
    /// Whether to add the model checks (linear models).
    public var checks: Bool
    /// Linear restrictions ("x1 = 0") tested jointly.
    public var hypotheses: [String]

    /// A request for the summary of a fit to `dataName`.
    public init(dataName: String, exponentiate: Bool = false, checks: Bool = false, hypotheses: [String] = []) {
        self.dataName = dataName
        self.exponentiate = exponentiate
        self.checks = checks
        self.hypotheses = hypotheses
    }

    /// The extras asked for.
    public var extras: Set<SummaryExtra> {
        var s = Set<SummaryExtra>()
        if exponentiate { s.insert(.exponentiate) }
        if checks { s.insert(.checks) }
        if !hypotheses.isEmpty { s.insert(.hypotheses) }
        return s
    }
}

/// How to predict: the intervals' level, and for simulated prediction intervals the draws and seed.
public struct PredictionRequest: Sendable {
    /// The intervals' level.
    public var level: Double
    /// Simulated draws per row for a generalized linear model's prediction intervals.
    public var draws: Int
    /// Their seed.
    public var seed: UInt64

    /// A request for predictions at `level`, from `draws` seeded draws where simulated.
    public init(level: Double = 0.95, draws: Int = 10_000, seed: UInt64 = 1) {
        self.level = level
        self.draws = draws
        self.seed = seed
    }
}

/// A fit the reports can render: its summary, its rows and its predictions, in the form its
/// kind of model is read in (R's `summary.lm`, `summary.glm`, ...). Consumers hold
/// `any ReportableModel` and never ask which kind it is.
public protocol ReportableModel: FittedModel {
    /// The summary with the extras asked for (which ``ReportableSpecification/summaryExtras`` allows).
    func summaryReport(_ request: SummaryRequest) throws -> any RenderedReport
    /// One row per observation: fitted values, residuals of every kind the model has, influence.
    /// - Parameter ids: identifier columns; nil picks every text column unique across rows.
    func observationReport(ids: [String]?) throws -> any RenderedReport
    /// Predictions for the rows of `data` (nil: the rows fitted) with their intervals.
    func predictionReport(_ data: DataTable?, request: PredictionRequest, ids: [String]?) throws -> any RenderedReport
}

/// A model kind whose fits can be reported, and whose nested models can be compared.
public protocol ReportableSpecification: ModelSpecification where Fit: ReportableModel {
    /// The summary extras this kind of model has.
    var summaryExtras: Set<SummaryExtra> { get }
    /// Tests of nested models, smallest first, fitted to the rows complete for all of them.
    func nestedComparison(_ formulas: [Formula], data: DataTable) throws -> any RenderedReport
}
