import DataTable
import Regression

extension FixedEffectsReport: RenderedReport {
    public var markdownTable: String? { markdown }
}

/// Fixed-effects fits read as fixest's `summary`, with per-row residuals and influence of the
/// fit with dummies, and point predictions that include the absorbed effects.
extension FixedEffectsFit: ReportableModel {
    public func summaryReport(_ request: SummaryRequest) throws -> any RenderedReport {
        FixedEffectsReport(fit: self, dataName: request.dataName, includeChecks: request.checks)
    }

    public func observationReport(ids: [String]?) throws -> any RenderedReport {
        let e = self.residuals(.response)!, (h, standardized, studentized, cooks) = influence
        return RowTable(
            title: "Observations of \(callDescription): \(frame.rows.count) used"
                + (singletonsRemoved > 0 ? " (\(singletonsRemoved) singletons removed)" : ""),
            columns: ["observed", "fitted", "residual", "std_residual", "student_residual", "leverage", "cooks_distance"],
            identifiers: try RowIdentifiers(table: frame.table, names: ids), table: frame.table, rows: frame.rows,
            values: frame.rows.indices.map { i in
                [response[i], fitted[i], e[i], standardized[i], studentized[i], h[i], cooks[i]]
            },
            left: frame.dropped, leftTitle: "Dropped for missing values",
            extra: [("formula", .string(frame.formula.text)), ("model", .string("feols"))])
    }

    public func predictionReport(_ data: DataTable?, request: PredictionRequest, ids: [String]?) throws -> any RenderedReport {
        try RowTable.meanPredictions(
            predictMean(data), title: "Predictions of \(callDescription): X b plus the fixed effects of each row's levels (point predictions; "
                + "no intervals, as the fixed effects' own uncertainty is not estimated)", table: data ?? frame.table, ids: ids, model: "feols")
    }
}

extension RowTable: RenderedReport {
    /// A model's point predictions of the mean (one `fit` column) for the rows of `table`.
    static func meanPredictions(_ p: MeanPrediction, title: String, table: DataTable, ids: [String]?, model: String) throws -> RowTable {
        RowTable(
            title: title, columns: ["fit"], identifiers: try RowIdentifiers(table: table, names: ids), table: table, rows: p.rows,
            values: p.mean.map { [$0] }, left: p.dropped, leftTitle: "Not predicted (a predictor is missing)",
            extra: [("model", .string(model))])
    }
}

/// Fixed-effects models as a reportable kind.
extension FixedEffectsOptions: ReportableSpecification {
    public var summaryExtras: Set<SummaryExtra> { [.checks] }

    public func nestedComparison(_ formulas: [Formula], data: DataTable) throws -> any RenderedReport {
        throw ModelError.unsupported("anova of fixed-effects models is not available")
    }
}

extension FixedEffectsGLMReport: RenderedReport {
    public var markdownTable: String? { markdown }
}

/// Count models with absorbed fixed effects read as fixest's `summary(fepois(...))`, with per-row
/// residuals and influence of the glm with dummies, and point predictions of the means.
extension FixedEffectsGLMFit: ReportableModel {
    public func summaryReport(_ request: SummaryRequest) throws -> any RenderedReport {
        FixedEffectsGLMReport(fit: self, dataName: request.dataName, exponentiate: request.exponentiate)
    }

    public func observationReport(ids: [String]?) throws -> any RenderedReport {
        let r = { (kind: ResidualKind) in self.residuals(kind)! }
        let response = r(.response), pearson = r(.pearson), deviance = r(.deviance), working = r(.working)
        let (h, standardized, cooks) = influence
        return RowTable(
            title: "Observations of \(callDescription): \(frame.rows.count) used",
            columns: ["observed", "fitted", "linear_predictor", "resid_response", "resid_pearson", "resid_deviance",
                      "resid_working", "leverage", "std_resid_deviance", "cooks_distance"],
            identifiers: try RowIdentifiers(table: frame.table, names: ids), table: frame.table, rows: frame.rows,
            values: frame.rows.indices.map { i in
                [self.response[i], mu[i], eta[i], response[i], pearson[i], deviance[i], working[i], h[i], standardized[i], cooks[i]]
            },
            left: frame.dropped, leftTitle: "Dropped for missing values",
            extra: [("formula", .string(frame.formula.text)), ("family", .string(family.rawValue))])
    }

    public func predictionReport(_ data: DataTable?, request: PredictionRequest, ids: [String]?) throws -> any RenderedReport {
        try RowTable.meanPredictions(
            predictMean(data), title: "Predictions of \(callDescription): the mean, exp(X b plus the fixed effects of each row's levels plus the "
                + "offset) (point predictions; no intervals, as the fixed effects' own uncertainty is not estimated)", table: data ?? frame.table, ids: ids, model: String(callDescription.prefix { $0 != "(" }))
    }
}

/// Count models with absorbed fixed effects as a reportable kind.
extension FixedEffectsGLMOptions: ReportableSpecification {
    public var summaryExtras: Set<SummaryExtra> { [.exponentiate] }

    public func nestedComparison(_ formulas: [Formula], data: DataTable) throws -> any RenderedReport {
        throw ModelError.unsupported("lrtest of fixed-effects models is not available")
    }
}

extension RandomEffectsReport: RenderedReport {
    public var markdownTable: String? { markdown }
}

/// Random-effects fits read as plm's summary, with per-row residuals of the composite error and
/// population-average predictions.
extension RandomEffectsFit: ReportableModel {
    public func summaryReport(_ request: SummaryRequest) throws -> any RenderedReport {
        RandomEffectsReport(fit: self, dataName: request.dataName)
    }

    public func observationReport(ids: [String]?) throws -> any RenderedReport {
        let e = residuals, h = leverage, cooks = cooksDistance, fitted = fitted
        return RowTable(
            title: "Observations of \(callDescription): \(frame.rows.count) used",
            columns: ["observed", "fitted", "residual", "leverage", "cooks_distance"],
            identifiers: try RowIdentifiers(table: frame.table, names: ids), table: frame.table, rows: frame.rows,
            values: frame.rows.indices.map { i in [response[i], fitted[i], e[i], h[i], cooks[i]] },
            left: frame.dropped, leftTitle: "Dropped for missing values",
            extra: [("formula", .string(frame.formula.text)), ("model", .string("plm_random"))])
    }

    public func predictionReport(_ data: DataTable?, request: PredictionRequest, ids: [String]?) throws -> any RenderedReport {
        try RowTable.meanPredictions(
            predictMean(data), title: "Predictions of \(callDescription): the population average Z b (no unit's own effect; point predictions)", table: data ?? frame.table, ids: ids, model: "plm_random")
    }
}

/// Random-effects models as a reportable kind.
extension RandomEffectsOptions: ReportableSpecification {
    public var summaryExtras: Set<SummaryExtra> { [] }

    public func nestedComparison(_ formulas: [Formula], data: DataTable) throws -> any RenderedReport {
        throw ModelError.unsupported("anova of random-effects models is not available")
    }
}

extension BetweenReport: RenderedReport {
    public var markdownTable: String? { markdown }
}

/// The between estimator read as plm's summary; each row carries its unit's fitted mean.
extension BetweenFit: ReportableModel {
    public func summaryReport(_ request: SummaryRequest) throws -> any RenderedReport {
        BetweenReport(fit: self, dataName: request.dataName)
    }

    public func observationReport(ids: [String]?) throws -> any RenderedReport {
        let e = residuals(.response)!, fitted = fitted, h = leverage
        return RowTable(
            title: "Observations of \(callDescription): \(frame.rows.count) rows in \(unit.levels.count) units (each row its unit's fit)",
            columns: ["observed", "fitted", "residual", "unit_leverage"],
            identifiers: try RowIdentifiers(table: frame.table, names: ids), table: frame.table, rows: frame.rows,
            values: frame.rows.indices.map { i in [response[i], fitted[i], e[i], h[i]] },
            left: frame.dropped, leftTitle: "Dropped for missing values",
            extra: [("formula", .string(frame.formula.text)), ("model", .string("plm_between"))])
    }

    public func predictionReport(_ data: DataTable?, request: PredictionRequest, ids: [String]?) throws -> any RenderedReport {
        try RowTable.meanPredictions(
            predictMean(data), title: "Predictions of \(callDescription): Z b (point predictions)", table: data ?? frame.table, ids: ids, model: "plm_between")
    }
}

/// The between estimator as a reportable kind.
extension BetweenOptions: ReportableSpecification {
    public var summaryExtras: Set<SummaryExtra> { [] }

    public func nestedComparison(_ formulas: [Formula], data: DataTable) throws -> any RenderedReport {
        throw ModelError.unsupported("anova of between models is not available")
    }
}
