import DataTable
import LinearAlgebra

/// What to fit, beyond the formula and the data: a model kind and its options. Choosing one
/// is the only place a caller decides the kind of model; everything after works on the
/// ``FittedModel`` it returns.
///
/// ```swift
/// let spec: any ModelSpecification = GLMOptions(family: .poisson, exposure: "population_0_15")
/// let fit = try spec.fit(Formula("children_looked_after ~ idaci_average_score"), data: table, backend: nil)
/// print(fit.coef, fit.nobs)
/// ```
public protocol ModelSpecification: Sendable {
    /// The fit this kind of model gives.
    associatedtype Fit: FittedModel
    /// Columns the model reads beyond the formula's (weights, exposure, cluster), in the order
    /// they are read.
    var columns: [String] { get }
    /// Fits `formula` to `data` (backend nil: the preferred one of this build).
    func fit(_ formula: Formula, data: DataTable, backend: (any Backend)?) throws(ModelError) -> Fit
}
