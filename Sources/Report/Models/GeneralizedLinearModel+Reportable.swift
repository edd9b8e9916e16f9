import DataTable
import Regression

extension GeneralizedLinearModelReport: RenderedReport {}
extension GLMObservationReport: RenderedReport {}
extension GLMPredictionReport: RenderedReport {}
extension GLMNestedModelReport: RenderedReport {}

/// Generalized linear models read as R's `summary.glm` (with the test against the null model
/// and, for Poisson fits, overdispersion tests), `residuals.glm`, `predict.glm` and `lrtest`.
extension GeneralizedLinearModelFit: ReportableModel {
    public func summaryReport(_ request: SummaryRequest) throws -> any RenderedReport {
        GeneralizedLinearModelReport(
            fit: self, dataName: request.dataName, exponentiate: request.exponentiate, nullTest: testAgainstNull(),
            overdispersion: overdispersionTests)
    }

    public func observationReport(ids: [String]?) throws -> any RenderedReport {
        try GLMObservationReport(fit: self, ids: ids)
    }

    public func predictionReport(_ data: DataTable?, request: PredictionRequest, ids: [String]?) throws -> any RenderedReport {
        let predictions = try predict(data, level: request.level, draws: request.draws, seed: request.seed)
        return try GLMPredictionReport(predictions, fit: self, table: data ?? frame.table, ids: ids)
    }
}

/// Generalized linear models as a reportable kind.
extension GLMOptions: ReportableSpecification {
    public var summaryExtras: Set<SummaryExtra> { [.exponentiate] }

    public func nestedComparison(_ formulas: [Formula], data: DataTable) throws -> any RenderedReport {
        GLMNestedModelReport(try GLMNestedComparison.compare(formulas, data: data, options: self))
    }
}
