import DataTable
import LinearAlgebra

/// Least squares with absorbed fixed effects, as fixest's `feols`: the response and every
/// column of the design are projected off the factors' levels (``FixedEffectProjector``), and
/// the coefficients of interest solved from the projected columns (Frisch-Waugh-Lovell), with
/// the degrees of freedom of the fit with a dummy per level.
///
/// ```swift
/// let fit = try FixedEffectsModel.fit(Formula("y ~ x | la_code + year"), data: table, options: FixedEffectsOptions())
/// print(fit.coefficients.map(\.estimate), fit.withinRSquared)
/// ```
public enum FixedEffectsModel {
    /// A column whose within-transformed root mean square is below this share of its own is
    /// taken as absorbed by the fixed effects (it varies only between their levels).
    static let absorbedShare = 1e-8

    /// Fits `formula` (with absorbed factors after `|`) to `data`, on table rows `candidates` when given.
    public static func fit(
        _ formula: Formula, data: DataTable, options: FixedEffectsOptions, backend: (any Backend)? = nil, candidates: [Int]? = nil
    ) throws(ModelError) -> FixedEffectsFit {
        guard !formula.fixedEffects.isEmpty else {
            throw .unsupported("a fixed-effects model needs the factors to absorb after |, as in y ~ x | la_code + year")
        }
        if formula.responseFailures != nil { throw .unsupported("a cbind(successes, failures) response is for --family binomial") }
        let clusters = options.standardErrors.clusterColumns
        let build = { (rows: [Int]?) throws(ModelError) -> ModelFrame in
            try ModelFrame(
                formula: formula, table: data, groupColumn: clusters.first, weightsColumn: options.weights,
                alsoRequire: Array(clusters.dropFirst()) + options.alsoRequire, candidates: rows)
        }
        var frame = try build(candidates)
        var factors = try AbsorbedFactors.build(formula, table: data, rows: frame.rows)
        let (kept, singletons) = AbsorbedFactors.withoutSingletons(factors, weights: frame.weights)
        if kept.count < frame.rows.count {
            let rows = kept.map { frame.rows[$0] }
            frame = try build(rows)
            factors = factors.map { $0.restricted(to: kept) }
        }
        return try fit(frame: frame, factors: factors, singletons: singletons, options: options, backend: backend)
    }

    /// The fit of a frame whose absorbed factors are built and free of singletons.
    static func fit(
        frame: ModelFrame, factors: [AbsorbedFactor], singletons: Int, options: FixedEffectsOptions, backend: (any Backend)?
    ) throws(ModelError) -> FixedEffectsFit {
        let formula = frame.formula, data = frame.table
        let n = frame.rows.count, p = frame.columnNames.count
        if p == 0 {
            throw .formula(FormulaError(
                text: formula.text, position: 1, message: "a fixed-effects model needs at least one term before |"))
        }
        let used = frame.weights.map { $0.filter { $0 > 0 }.count } ?? n
        if used == 0 { throw .tooFewRows(file: data.source, rows: 0, coefficients: p, dropped: frame.dropped.count) }
        let chosen = try resolveBackend(backend)
        let projector = FixedEffectProjector(
            factors: factors.map(\.codes), levelCounts: factors.map(\.levels.count), weights: frame.weights,
            tolerance: options.projectionTolerance)
        // The response less any offset, then each design column, projected on every core.
        let y = frame.offset.map { zip(frame.response, $0).map { $0 - $1 } } ?? frame.response
        var projections = [FixedEffectProjector.Projection?](repeating: nil, count: p + 1)
        var own = [Double](repeating: 0, count: p)
        projections.withUnsafeMutableBufferPointer { out in
            let out = SharedPointer(base: out.baseAddress!)
            let scales = own.withUnsafeMutableBufferPointer { SharedPointer(base: $0.baseAddress!) }
            frame.design.elements.withUnsafeBufferPointer { x in
                let x = x
                parallelFor(p + 1, parallel: n * (p + 1) >= 1 << 16) { j in
                    if j == 0 {
                        out.base[0] = projector.project(y)
                    } else {
                        let column = UnsafeBufferPointer(rebasing: x[((j - 1) * n)..<(j * n)])
                        scales.base[j - 1] = FixedEffectProjector.rootMeanSquare(column, frame.weights)
                        out.base[j] = projector.project(column)
                    }
                }
            }
        }
        let projected = projections.map { $0! }
        var absorbed = [Int]()
        var design = Matrix(rows: n, columns: p)
        design.elements.withUnsafeMutableBufferPointer { d in
            for j in 0..<p {
                let column = projected[j + 1].residual
                if FixedEffectProjector.rootMeanSquare(column, frame.weights) <= absorbedShare * own[j] {
                    absorbed.append(j)
                    continue  // left zero: aliased below
                }
                column.withUnsafeBufferPointer { (d.baseAddress! + j * n).update(from: $0.baseAddress!, count: n) }
            }
        }
        let yTilde = projected[0].residual
        let working: (Matrix, [Double]) = frame.weights.map { w in
            (rowsScaled(design, byRootOf: w), zip(w, yTilde).map { $0.squareRoot() * $1 })
        } ?? (design, yTilde)
        let solution = LeastSquares.solve(working.0, working.1, backend: chosen, tolerance: options.tolerance)
        let b = solution.coefficients.map { $0.isNaN ? 0 : $0 }
        // Residuals of the model with every level: M(y - X b) = y~ - X~ b.
        var residuals = yTilde
        residuals.withUnsafeMutableBufferPointer { r in
            design.elements.withUnsafeBufferPointer { d in
                for j in 0..<p where b[j] != 0 {
                    let column = d.baseAddress! + j * n, bj = b[j]
                    for i in 0..<n { r[i] -= column[i] * bj }
                }
            }
        }
        // The effects of y - X b, by linearity from those of y and of each column.
        var effects = projected[0].effects
        for j in 0..<p where b[j] != 0 {
            for f in effects.indices { for g in effects[f].indices { effects[f][g] -= b[j] * projected[j + 1].effects[f][g] } }
        }
        let levels = factors.map(\.levels.count).reduce(0, +)
        let absorbedDOF = levels - projector.redundant
        if used <= solution.rank + absorbedDOF {
            throw .unsupported(
                "\(data.source): \(used) rows for \(solution.rank) coefficients and \(absorbedDOF) absorbed levels; "
                    + "a fixed-effects model needs more rows than both")
        }
        return try FixedEffectsFit(
            frame: frame, options: options, factors: factors, singletonsRemoved: singletons, solution: solution,
            design: design, workingDesign: working.0, projectedResponse: yTilde, residuals: residuals, effects: effects,
            redundantLevels: projector.redundant, redundantExact: projector.redundantExact,
            projection: FixedEffectsFit.ProjectionReport(
                method: factors.count == 1 ? .closedForm : projector.elimination != nil ? .elimination : .alternating,
                accuracy: projected.map(\.accuracy).max() ?? 0, iterations: projected.map(\.iterations).max() ?? 0,
                tolerance: options.projectionTolerance),
            absorbedColumns: absorbed, backend: chosen)
    }
}
