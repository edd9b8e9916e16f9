import DataTable
import Foundation
import LinearAlgebra

/// Count models with absorbed fixed effects, as fixest's `fepois` and `fenegbin`: IRLS whose
/// every step is a weighted least-squares problem with absorbed factors (`WithinSolve`, with
/// the step's working weights), so the coefficients and fixed effects are those of `glm` with a
/// dummy per level. Theta of the negative binomial alternates with the means, as
/// `MASS::glm.nb`, by maximum likelihood with its standard error.
///
/// Rows alone in a level (singletons) and rows in a level whose outcomes are all zero (its
/// effect would be minus infinity: the fit does not exist with it) are removed, repeatedly, and
/// counted, the zero levels named.
public enum FixedEffectsGLM {
    /// Fits `formula` (with absorbed factors after `|`) to `data`, on the table rows
    /// `candidates` when given, warm-started from `start` (means by table row, and theta).
    public static func fit(
        _ formula: Formula, data: DataTable, options: FixedEffectsGLMOptions, backend: (any Backend)? = nil,
        candidates: [Int]? = nil
    ) throws(ModelError) -> FixedEffectsGLMFit {
        try fit(formula, data: data, options: options, backend: backend, candidates: candidates, start: nil)
    }

    static func fit(
        _ formula: Formula, data: DataTable, options: FixedEffectsGLMOptions, backend: (any Backend)?, candidates: [Int]?,
        start: (mu: [Int: Double], theta: Double?)?, separated: [Int] = []
    ) throws(ModelError) -> FixedEffectsGLMFit {
        guard FixedEffectsGLMOptions.families.contains(options.family) else {
            throw .unsupported("absorbed fixed effects are for least squares and the poisson, quasipoisson and negbin families")
        }
        guard !formula.fixedEffects.isEmpty else {
            throw .unsupported("a fixed-effects model needs the factors to absorb after |, as in y ~ x | la_code + year")
        }
        if formula.responseFailures != nil { throw .unsupported("a cbind(successes, failures) response is for --family binomial") }
        if options.theta != nil && options.family != .negbin { throw .unsupported("a fixed theta is for the negative binomial family") }
        let clusters = options.standardErrors.clusterColumns
        let build = { (rows: [Int]?) throws(ModelError) -> ModelFrame in
            try ModelFrame(
                formula: formula, table: data, groupColumn: clusters.first, weightsColumn: options.weights,
                alsoRequire: Array(clusters.dropFirst()) + options.alsoRequire + (options.exposure.map { [$0] } ?? []),
                candidates: rows)
        }
        var frame = try build(candidates)
        _ = try GLMResponse(frame: frame, family: options.family, link: .log)  // a bad count is named before anything else
        var factors = try AbsorbedFactors.build(formula, table: data, rows: frame.rows)
        // Singletons and all-zero levels, removed in turn until neither is left.
        var positions = Array(frame.rows.indices), singletons = 0, zeroRows = 0
        var zeroLevels = [(factor: String, level: String)]()
        var current = factors
        func weightsNow() -> [Double]? { frame.weights.map { w in positions.count == w.count ? w : positions.map { w[$0] } } }
        while true {
            let (kept, removed) = AbsorbedFactors.withoutSingletons(current, weights: weightsNow())
            singletons += removed
            if kept.count < positions.count {
                positions = kept.map { positions[$0] }
                current = factors.map { $0.restricted(to: positions) }
            }
            let y = positions.count == frame.rows.count ? frame.response : positions.map { frame.response[$0] }
            let zero = AbsorbedFactors.allZeroLevels(current, y: y, weights: weightsNow())
            if zero.rows.isEmpty && removed == 0 { break }
            if zero.rows.isEmpty { continue }
            zeroRows += zero.rows.count
            zeroLevels += zero.levels
            let drop = Set(zero.rows)
            positions = positions.indices.filter { !drop.contains($0) }.map { positions[$0] }
            current = factors.map { $0.restricted(to: positions) }
        }
        if positions.isEmpty && !frame.rows.isEmpty { throw AbsorbedFactors.nothingLeft(frame, factors) }
        if positions.count < frame.rows.count {
            frame = try build(positions.map { frame.rows[$0] })
            factors = current
        }
        return try fit(
            frame: frame, factors: factors, removed: (singletons, zeroRows, zeroLevels), options: options, backend: backend,
            start: start, separated: separated)
    }

    /// Rows whose fitted mean goes to zero with a zero count, `mu < 1e-9` of the mean count:
    /// separated (Santos Silva and Tenreyro; ppmlhdfe's "mu" rule), their linear predictor
    /// heading to minus infinity, and no finite estimate exists with them.
    static let separationShare = 1e-9

    /// The fit of a frame whose factors are free of singletons and all-zero levels.
    static func fit(
        frame: ModelFrame, factors: [AbsorbedFactor], removed: (singletons: Int, zeroRows: Int, zeroLevels: [(factor: String, level: String)]),
        options: FixedEffectsGLMOptions, backend: (any Backend)?, start: (mu: [Int: Double], theta: Double?)?,
        separated: [Int] = []
    ) throws(ModelError) -> FixedEffectsGLMFit {
        let data = frame.table, n = frame.rows.count
        let used = try FixedEffectsModel.checkedRows(frame)
        let chosen = try resolveBackend(backend)
        let response = try GLMResponse(frame: frame, family: options.family, link: .log)
        let offset = try frame.offsets(exposure: options.exposure)
        var model = FamilyModel(family: options.family, link: .log, theta: options.theta)
        let y = response.y, prior = response.priorWeights
        var mu = frame.rows.compactMap { start?.mu[$0] }
        if mu.count != n { mu = y.map { $0 + 0.1 } }
        var thetaFit: (value: Double, standardError: Double)?
        var warnings = [String]()
        let irls = Loop(
            frame: frame, factors: factors, y: y, prior: prior, offset: offset, options: options, backend: chosen)
        var state: Loop.State
        if options.family == .negbin && options.theta == nil {
            // glm.nb's alternation: a Poisson fit (or the warm start), then theta by ML and IRLS in turn.
            let counts = CountTally(y: y, weights: prior)
            if start?.theta == nil {
                state = try irls.run(FamilyModel(family: .poisson, link: .log, theta: nil), from: mu)
                mu = state.mu
            }
            var theta = thetaML(counts, y: y, weights: prior, mu: mu, rule: options.convergence, limit: options.maxIterations,
                                start: start?.theta)
            model.theta = theta.value
            var alternations = 0, lastChange = Double.infinity
            repeat {
                alternations += 1
                state = try irls.run(model, from: mu)
                mu = state.mu
                let previous = theta.value
                theta = thetaML(counts, y: y, weights: prior, mu: mu, rule: options.convergence, limit: options.maxIterations,
                                start: previous)
                model.theta = theta.value
                let change = abs(theta.value - previous) / theta.value
                if change <= ConvergenceRule.settled || (options.convergence != .optimum && change < 1e-8)
                    || (change >= lastChange && alternations > 2)
                {
                    break
                }
                lastChange = change
            } while alternations < options.maxIterations
            // The means at the final theta.
            state = try irls.run(model, from: mu)
            if let warning = theta.warning { warnings.append(warning) }
            thetaFit = (theta.value, theta.standardError)
        } else {
            state = try irls.run(model, from: mu)
        }
        // Separation: zero counts whose means went to zero are removed and the model fitted again
        // (the rows alone in a level then, or in a level of zeros, go too).
        let positive = (0..<n).filter { prior[$0] > 0 }
        let meanCount = positive.reduce(0) { $0 + y[$1] } / Double(max(1, positive.count))
        let gone = positive.filter { y[$0] == 0 && state.mu[$0] < separationShare * meanCount }
        if !gone.isEmpty && gone.count < positive.count {
            let drop = Set(gone.map { frame.rows[$0] })
            return try fit(
                frame.formula, data: data, options: options, backend: backend, candidates: frame.rows.filter { !drop.contains($0) },
                start: nil, separated: separated + drop.sorted())
        }
        if !state.converged {
            warnings.append("IRLS did not converge in \(state.iterations) iterations: the deviance stood at "
                + "\(NumberFormatting.short(state.deviance))")
        }
        let within = state.within
        if used <= within.solution.rank + within.absorbedDOF {
            throw .unsupported(
                "\(data.source): \(used) rows for \(within.solution.rank) coefficients and \(within.absorbedDOF) absorbed levels; "
                    + "a fixed-effects model needs more rows than both")
        }
        return try FixedEffectsGLMFit(
            frame: frame, options: options, model: model, factors: factors, removed: removed, separated: separated, y: y,
            priorWeights: prior, offset: offset, state: state, theta: thetaFit, warnings: warnings, backend: chosen)
    }

    /// IRLS with absorbed factors for one family (theta fixed).
    struct Loop {
        let frame: ModelFrame
        let factors: [AbsorbedFactor]
        let y: [Double], prior: [Double], offset: [Double]
        let options: FixedEffectsGLMOptions
        let backend: any Backend

        struct State {
            var eta: [Double], mu: [Double]
            /// The last step's working weights and its solve.
            var workingWeights: [Double]
            var within: WithinSolve
            var deviance: Double
            var iterations: Int
            var converged: Bool
        }

        func deviance(_ model: FamilyModel, _ mu: [Double]) -> Double {
            blockSum(y.count) { i in model.devianceContribution(y[i], mu[i], prior[i]) }
        }

        /// The working weights `prior mu^2 / V(mu)` and response `eta - offset + (y - mu) / mu`, on every core.
        func working(_ model: FamilyModel, eta: [Double], mu: [Double]) -> (w: [Double], z: [Double]) {
            let n = y.count
            var w = [Double](repeating: 0, count: n), z = w
            w.withUnsafeMutableBufferPointer { wb in
                z.withUnsafeMutableBufferPointer { zb in
                    let (wb, zb) = (SharedPointer(base: wb.baseAddress!), SharedPointer(base: zb.baseAddress!))
                    forEachRowBlock(n) { range in
                        for i in range {
                            wb.base[i] = prior[i] * mu[i] * mu[i] / model.variance(mu[i])
                            zb.base[i] = eta[i] - offset[i] + (y[i] - mu[i]) / mu[i]
                        }
                    }
                }
            }
            return (w, z)
        }

        /// The means `exp(eta)` and their deviance, in one pass on every core; the deviance from
        /// `eta` and a constant where the family allows (`LogLinkDeviance`: no logarithm per row
        /// for Poisson).
        func means(_ model: FamilyModel, _ eta: [Double], shortcut: LogLinkDeviance?) -> (mu: [Double], deviance: Double) {
            let n = y.count
            var mu = [Double](repeating: 0, count: n)
            let sum = mu.withUnsafeMutableBufferPointer { m in
                let m = SharedPointer(base: m.baseAddress!)
                return blockSum(n) { i in
                    let mi = exp(eta[i])
                    m.base[i] = mi
                    if let shortcut { return shortcut.term(y: y[i], eta: eta[i], mu: mi, weight: prior[i]) }
                    return model.devianceContribution(y[i], mi, prior[i])
                }
            }
            return (mu, shortcut?.deviance(terms: sum) ?? sum)
        }

        /// From the means `start` to the optimum (or R's rule): each step the working problem
        /// `z = eta - offset + (y - mu) / mu` with weights `prior mu^2 / V(mu)`, solved with the
        /// factors absorbed; halved while the deviance is not finite or rises. Steps are solved
        /// by their normal equations (`AbsorbedNormalEquations`: one pass over the rows) until
        /// the coefficients settle to about 1e-10, then by `WithinSolve` (QR of the projected
        /// design) until they settle again: the fit is that of the exact solve.
        func run(_ model: FamilyModel, from start: [Double]) throws(ModelError) -> State {
            let n = y.count
            var mu = start, eta = start.map { log($0) }
            var dev = deviance(model, mu)
            let shortcut = LogLinkDeviance(model, y: y, weights: prior)
            var state: State?
            var previous = [Double](repeating: .nan, count: frame.columnNames.count), lastMoved = Double.infinity
            var exact = options.convergence != .optimum  // R's rule: every step by QR, as glm.fit
            let projector = FixedEffectProjector(
                factors: factors.map(\.codes), levelCounts: factors.map(\.levels.count), weights: nil,
                tolerance: options.projectionTolerance)
            for iteration in 1...options.maxIterations {
                let (w, z) = working(model, eta: eta, mu: mu)
                let weighted = projector.reweighted(w)
                var within: WithinSolve?, b: [Double], newEta: [Double]
                if !exact, let step = AbsorbedNormalEquations.solve(design: frame.design, z: z, projector: weighted) {
                    b = step.coefficients
                    newEta = (0..<n).map { offset[$0] + step.linear[$0] }
                } else {
                    exact = true
                    let solve = WithinSolve(
                        frame: frame, factors: factors, weights: w, response: z, tolerance: nil,
                        projectionTolerance: options.projectionTolerance, backend: backend, projector: weighted)
                    within = solve
                    b = solve.solution.coefficients
                    newEta = (0..<n).map { i in offset[i] + z[i] - solve.residuals[i] }
                }
                var (newMu, newDev) = means(model, newEta, shortcut: shortcut)
                var halvings = 0
                while halvings < 30 && iteration > 1 && (!newDev.isFinite || newDev > dev + 1e-8 * abs(dev)) {
                    newEta = zip(newEta, eta).map { ($0 + $1) / 2 }
                    (newMu, newDev) = means(model, newEta, shortcut: shortcut)
                    halvings += 1
                }
                guard newDev.isFinite, newMu.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                    throw .unsupported("no valid fit was found: the fitted means left the range of the \(model.family.rName) family "
                        + "(a covariate may separate the zero counts: a level of it where every outcome is zero)")
                }
                let change = newDev - dev
                (eta, mu, dev) = (newEta, newMu, newDev)
                let moved = largestRelativeChange(b.map { $0.isNaN ? 0 : $0 }, previous.map { $0.isNaN ? 0 : $0 })
                previous = b
                let passed = abs(change) / (abs(dev) + 0.1) < options.convergence.devianceEpsilon && iteration > 1
                guard let within else {
                    // On the normal equations: to QR once the coefficients settle (or stop shrinking).
                    if passed && (moved <= 1e-10 || (moved >= lastMoved && halvings == 0)) {
                        exact = true
                        lastMoved = .infinity
                    } else {
                        lastMoved = moved
                    }
                    continue
                }
                state = State(eta: eta, mu: mu, workingWeights: w, within: within, deviance: dev, iterations: iteration, converged: false)
                guard passed else { continue }
                if options.convergence != .optimum || moved <= 1e-9 && lastMoved == .infinity || moved <= ConvergenceRule.settled
                    || (moved >= lastMoved && halvings == 0)
                {
                    state!.converged = true
                    break
                }
                lastMoved = moved
            }
            if state == nil {
                // The iterations ran out on the normal equations: the last means' solve by QR, for the fit's quantities.
                let (w, z) = working(model, eta: eta, mu: mu)
                let within = WithinSolve(
                    frame: frame, factors: factors, weights: w, response: z, tolerance: nil,
                    projectionTolerance: options.projectionTolerance, backend: backend, projector: projector.reweighted(w))
                state = State(eta: eta, mu: mu, workingWeights: w, within: within, deviance: dev, iterations: options.maxIterations,
                              converged: false)
            }
            // The deviance reported, summed row by row (the iterations' cancels a constant).
            state!.deviance = deviance(model, state!.mu)
            return state!
        }
    }
}

extension AbsorbedFactors {
    /// The rows (positions) in levels whose outcomes (of positive weight) are all zero, and those levels.
    static func allZeroLevels(_ factors: [AbsorbedFactor], y: [Double], weights: [Double]?) -> (rows: [Int], levels: [(factor: String, level: String)]) {
        var zeroRow = [Bool](repeating: false, count: y.count)
        var levels = [(factor: String, level: String)]()
        for factor in factors {
            var total = [Double](repeating: 0, count: factor.levels.count), seen = [Bool](repeating: false, count: factor.levels.count)
            for i in y.indices where weights.map({ $0[i] > 0 }) ?? true {
                total[Int(factor.codes[i])] += y[i]
                seen[Int(factor.codes[i])] = true
            }
            for g in total.indices where seen[g] && total[g] == 0 { levels.append((factor.name, factor.levels[g])) }
            for i in y.indices where seen[Int(factor.codes[i])] && total[Int(factor.codes[i])] == 0 { zeroRow[i] = true }
        }
        return (zeroRow.indices.filter { zeroRow[$0] }, levels)
    }
}
