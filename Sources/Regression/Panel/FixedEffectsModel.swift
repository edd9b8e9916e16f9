import DataTable
import LinearAlgebra

/// Least squares with absorbed fixed effects, as fixest's `feols`: the response and every
/// column of the design are projected off the factors' levels (`FixedEffectProjector`), and
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
        if kept.isEmpty && !frame.rows.isEmpty { throw AbsorbedFactors.nothingLeft(frame, factors) }
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
        let data = frame.table
        let used = try checkedRows(frame)
        let chosen = try resolveBackend(backend)
        let y = frame.offset.map { zip(frame.response, $0).map { $0 - $1 } } ?? frame.response
        let within = WithinSolve(
            frame: frame, factors: factors, weights: frame.weights, response: y, tolerance: options.tolerance,
            projectionTolerance: options.projectionTolerance, backend: chosen)
        if used <= within.solution.rank + within.absorbedDOF {
            throw .unsupported(
                "\(data.source): \(used) rows for \(within.solution.rank) coefficients and \(within.absorbedDOF) absorbed levels; "
                    + "a fixed-effects model needs more rows than both")
        }
        return try FixedEffectsFit(
            frame: frame, options: options, factors: factors, singletonsRemoved: singletons, solution: within.solution,
            workingDesign: within.workingDesign, projectedResponse: within.projectedResponse,
            residuals: within.residuals, effects: within.effects, redundantLevels: within.redundant,
            redundantExact: within.redundantExact, projection: within.projection, absorbedColumns: within.absorbed, backend: chosen)
    }

    /// Rows of positive weight, refusing a frame with none or no terms.
    static func checkedRows(_ frame: ModelFrame) throws(ModelError) -> Int {
        let p = frame.columnNames.count
        if p == 0 {
            throw .formula(FormulaError(
                text: frame.formula.text, position: 1, message: "a fixed-effects model needs at least one term before |"))
        }
        let used = frame.weights.map { $0.filter { $0 > 0 }.count } ?? frame.rows.count
        if used == 0 { throw .tooFewRows(file: frame.table.source, rows: 0, coefficients: p, dropped: frame.dropped.count) }
        return used
    }
}

/// One weighted least-squares problem with absorbed factors: the response and every design
/// column projected off the levels (on every core), the coefficients solved from the projected
/// columns, the residuals and the fixed effects of the fit with every level. A linear model
/// solves one; a count model one per IRLS step, with its working weights and response.
struct WithinSolve {
    let solution: LeastSquaresSolution
    /// The projected design scaled by the square roots of the weights; zero in absorbed columns.
    let workingDesign: Matrix
    let projectedResponse: [Double]
    /// `M (y - X b)`, unweighted.
    let residuals: [Double]
    let effects: [[Double]]
    let redundant: Int
    let redundantExact: Bool
    let projection: FixedEffectsFit.ProjectionReport
    let absorbed: [Int]
    let absorbedDOF: Int

    /// `projector`: the factors' projector with these weights, when the caller has one.
    init(
        frame: ModelFrame, factors: [AbsorbedFactor], weights: [Double]?, response y: [Double], tolerance: Double?,
        projectionTolerance: Double, backend: any Backend, projector given: FixedEffectProjector? = nil
    ) {
        let n = frame.rows.count, p = frame.columnNames.count
        let projector = given ?? FixedEffectProjector(
            factors: factors.map(\.codes), levelCounts: factors.map(\.levels.count), weights: weights,
            tolerance: projectionTolerance)
        // The response, then each design column projected straight into the working design
        // (scaled by sqrt(w) in place), on every core: no column is copied.
        var projections = [FixedEffectProjector.Projection?](repeating: nil, count: p + 1)
        var design = Matrix(rows: n, columns: p, elements: [Double](unsafeUninitializedCapacity: n * p) { _, count in count = n * p })
        let roots = weights?.map { $0.squareRoot() }
        var absorbed = [Bool](repeating: false, count: p)
        projections.withUnsafeMutableBufferPointer { out in
            let out = SharedPointer(base: out.baseAddress!)
            let lost = absorbed.withUnsafeMutableBufferPointer { SharedPointer(base: $0.baseAddress!) }
            design.elements.withUnsafeMutableBufferPointer { d in
                let d = SharedPointer(base: d.baseAddress!)
                frame.design.elements.withUnsafeBufferPointer { x in
                    let x = x
                    parallelFor(p + 1, parallel: n * (p + 1) >= 1 << 16) { j in
                        guard j > 0 else {
                            out.base[0] = projector.project(y)
                            return
                        }
                        let column = UnsafeMutableBufferPointer(start: d.base + (j - 1) * n, count: n)
                        let projection = projector.project(UnsafeBufferPointer(rebasing: x[((j - 1) * n)..<(j * n)]), into: column)
                        out.base[j] = projection
                        // A column left with almost none of its variation is absorbed: zero, aliased below.
                        if FixedEffectProjector.rootMeanSquare(UnsafeBufferPointer(column), weights)
                            <= FixedEffectsModel.absorbedShare * projection.scale
                        {
                            lost.base[j - 1] = true
                            column.update(repeating: 0)
                        } else if let roots {
                            for i in 0..<n { column[i] *= roots[i] }
                        }
                    }
                }
            }
        }
        let projected = projections.map { $0! }
        let yTilde = projected[0].residual
        let working: (Matrix, [Double]) = (design, roots.map { r in zip(r, yTilde).map { $0 * $1 } } ?? yTilde)
        let solution = LeastSquares.solve(working.0, working.1, backend: backend, tolerance: tolerance)
        let b = solution.coefficients.map { $0.isNaN ? 0 : $0 }
        // Residuals of the model with every level, unweighted: M(y - X b) = y~ - X~ b, the
        // projected columns unscaled (a row of zero weight's from the columns' effects).
        var residuals = yTilde
        residuals.withUnsafeMutableBufferPointer { r in
            design.elements.withUnsafeBufferPointer { d in
                for j in 0..<p where b[j] != 0 {
                    let column = d.baseAddress! + j * n, bj = b[j]
                    if let roots {
                        for i in 0..<n where roots[i] > 0 { r[i] -= column[i] / roots[i] * bj }
                    } else {
                        for i in 0..<n { r[i] -= column[i] * bj }
                    }
                }
            }
        }
        if let roots, roots.contains(0) {
            for i in 0..<n where roots[i] == 0 {
                for j in 0..<p where b[j] != 0 {
                    var own = frame.design[i, j]
                    for f in factors.indices { own -= projected[j + 1].effects[f][Int(factors[f].codes[i])] }
                    residuals[i] -= own * b[j]
                }
            }
        }
        // The effects of y - X b, by linearity from those of y and of each column.
        var effects = projected[0].effects
        for j in 0..<p where b[j] != 0 {
            for f in effects.indices { for g in effects[f].indices { effects[f][g] -= b[j] * projected[j + 1].effects[f][g] } }
        }
        self.solution = solution
        self.workingDesign = working.0
        projectedResponse = yTilde
        self.residuals = residuals
        self.effects = effects
        redundant = projector.redundant
        redundantExact = projector.redundantExact
        projection = FixedEffectsFit.ProjectionReport(
            method: factors.count == 1 ? .closedForm : projector.elimination != nil ? .elimination : .alternating,
            accuracy: projected.map(\.accuracy).max() ?? 0, iterations: projected.map(\.iterations).max() ?? 0,
            tolerance: projectionTolerance)
        self.absorbed = absorbed.indices.filter { absorbed[$0] }
        absorbedDOF = factors.map(\.levels.count).reduce(0, +) - projector.redundant
    }
}
