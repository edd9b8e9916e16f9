import DataTable
import Regression

extension LinearModelReport: RenderedReport {
    public var markdownTable: String? { markdown }
}

extension ObservationReport: RenderedReport {}
extension PredictionReport: RenderedReport {}
extension NestedModelReport: RenderedReport {}

/// Linear models read as R's `summary.lm`, `rstandard`/`rstudent`, `predict.lm` and `anova`.
extension LinearModelFit: ReportableModel {
    public func summaryReport(_ request: SummaryRequest) throws -> any RenderedReport {
        let wald = request.hypotheses.isEmpty ? nil : try waldTest(request.hypotheses)
        return LinearModelReport(fit: self, dataName: request.dataName, includeChecks: request.checks, wald: wald)
    }

    public func observationReport(ids: [String]?) throws -> any RenderedReport {
        try ObservationReport(fit: self, ids: ids)
    }

    public func predictionReport(_ data: DataTable?, request: PredictionRequest, ids: [String]?) throws -> any RenderedReport {
        try PredictionReport(try predict(data, level: request.level), table: data ?? frame.table, ids: ids)
    }
}

/// Linear models as a reportable kind.
extension LinearModelOptions: ReportableSpecification {
    public var summaryExtras: Set<SummaryExtra> { [.checks, .hypotheses] }

    public func nestedComparison(_ formulas: [Formula], data: DataTable) throws -> any RenderedReport {
        NestedModelReport(try NestedModelComparison.compare(formulas, data: data, weights: weights, weightKind: weightKind))
    }
}
