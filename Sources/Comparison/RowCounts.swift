import DataTable
import Regression

/// Each used row of a fit as counts, what the comparison sums over a unit's rows: the observed
/// and expected count, the count per unit of the response (1 for a count model, the trials
/// for a binomial proportion, exposure over `per` for a continuous rate), the count's variance
/// under the model and, for proportions, the trials.
struct RowCounts {
    let perRow: [Double]
    let observed: [Double], expected: [Double]
    let variances: [Double]
    let trials: [Double]?

    init(_ fit: any FittedModel, exposure: Column?, settings: ComparisonSettings) throws(ModelError) {
        let n = fit.frame.rows.count
        switch fit.responseKind {
        case .count:
            perRow = [Double](repeating: 1, count: n)
            trials = nil
        case .proportion:
            perRow = fit.weights ?? [Double](repeating: 1, count: n)
            trials = perRow
            if settings.limits == .chisq {
                throw .unsupported("--limits chisq is Poisson's (exact confidence limits with O = E); proportions take exact or normal")
            }
            if settings.overdispersion == .model {
                throw .unsupported("--overdispersion model takes the limits from a count model's own variance (negbin, "
                    + "quasipoisson); the binomial has none beyond p(1 - p): use multiplicative or additive")
            }
        case .continuous:
            guard let exposure, let name = settings.exposure else {
                throw .unsupported("a model of a continuous response compares rates: give --exposure COL, the population its "
                    + "response is a rate per \(settings.per.shortText) of "
                    + "(--per), e.g. --exposure population_0_17")
            }
            var scale = [Double]()
            scale.reserveCapacity(n)
            for row in fit.frame.rows {
                let e = exposure.kind == .numeric ? exposure.numbers[row] : .nan
                guard e > 0 && e.isFinite else {
                    throw .badResponse(fit.frame.table.location(row: row, column: name), value: e, reason: "exposure must be positive")
                }
                scale.append(e / settings.per)
            }
            perRow = scale
            trials = nil
        }
        if settings.overdispersion == .model && settings.limits == .chisq {
            throw .unsupported("--overdispersion model takes --limits exact or normal (the chi-squared limits are Poisson's)")
        }
        observed = zip(fit.response, perRow).map { $0 * $1 }
        expected = zip(fit.fitted, perRow).map { $0 * $1 }
        variances = zip(fit.responseVariances, perRow).map { $0 * $1 * $1 }
    }
}
