import DataTable
import Foundation
import LinearAlgebra
import Regression
import Testing

/// Generalized linear models against R (scripts/reference/glm_models.R: glm, MASS::glm.nb,
/// sandwich, lmtest, clubSandwich), in every backend, with two fixtures:
/// - `glm_optimum` (R at the maximum-likelihood optimum: epsilon 1e-12, maxit 200, theta.ml to
///   1e-11, each fit polished from its own estimates), against CareRates' default rule. Tolerance
///   1e-9 relative for coefficients, standard errors of every kind, z or t (and CR2's
///   Satterthwaite df), deviance, null deviance, dispersion, Pearson chi-squared, AIC, BIC,
///   log-likelihood, theta and its standard error, the LR or F test against the null model and
///   the overdispersion tests; per-observation values 1e-9 relative to the largest in magnitude;
///   p-values 1e-8 relative or 1e-300 absolute (a t test's p-value has up to `df + 1` times its
///   statistic's relative error: CR2 with 9 clusters, t near 10, turns 2e-10 into 1.4e-9).
/// - `glm_reference` (R's defaults, epsilon 1e-8), against `--epsilon 1e-8`: the same
///   quantities to 1e-7 (R's early stop is reproduced, not improved on), and iterations exactly.
@Suite struct GLMReferenceTests {
    /// A fixture, the convergence rule that reproduces it, and its tolerance.
    struct Fixture: Sendable, CustomStringConvertible {
        let file: String
        let rule: ConvergenceRule
        let tolerance: Double
        /// For p-values.
        let pTolerance: Double
        var description: String { file }
        static let all = [
            Fixture(file: "glm_optimum", rule: .optimum, tolerance: 1e-9, pTolerance: 1e-8),
            Fixture(file: "glm_reference", rule: .deviance(epsilon: 1e-8), tolerance: 1e-7, pTolerance: 1e-7),
        ]
        /// The ledger's name for a quantity of this fixture.
        func key(_ name: String) -> String { rule == .optimum ? "optimum \(name)" : name }

        nonisolated(unsafe) static var loaded = [String: [String: Any]]()
        static let lock = NSLock()
        var json: [String: Any] {
            Self.lock.lock()
            defer { Self.lock.unlock() }
            if let json = Self.loaded[file] { return json }
            let url = Bundle.module.url(forResource: "Fixtures/\(file)", withExtension: "json")!
            let json = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            Self.loaded[file] = json
            return json
        }
        var cases: [[String: Any]] { json["cases"] as! [[String: Any]] }
    }

    static let numbers = LinearModelReferenceTests.numbers, number = LinearModelReferenceTests.number
    /// Within `rel` (or `absolute`); with a key, the error goes to the ledger as "glm KEY".
    static func close(_ a: Double?, _ b: Double?, _ rel: Double, _ absolute: Double, key: String? = nil) -> Bool {
        LinearModelReferenceTests.close(a, b, rel, absolute: absolute, key: key.map { "glm \($0)" })
    }

    static func options(_ c: [String: Any], rule: ConvergenceRule) -> GLMOptions {
        let text = { (key: String) -> String? in (c[key] as? String).flatMap { $0.isEmpty ? nil : $0 } }
        let se = LinearModelReferenceTests.standardErrors(c)
        return GLMOptions(
            family: GLMFamily(rawValue: c["family"] as! String)!, link: LinkFunction(rawValue: c["link"] as! String),
            exposure: text("exposure"), weights: text("weights"), theta: number(c["theta_fixed"]), standardErrors: se,
            convergence: rule)
    }

    static func fit(_ c: [String: Any], kind: BackendKind, rule: ConvergenceRule) throws -> GeneralizedLinearModelFit {
        let table = try DataTable.read(path: LinearModelReferenceTests.root.appendingPathComponent(c["file"] as! String).path)
        return try GeneralizedLinearModel.fit(
            Formula(c["formula"] as! String), data: table, options: options(c, rule: rule), backend: kind.make())
    }

    @Test(arguments: Fixture.all, BackendKind.available)
    func coefficientsAndStatisticsMatchR(fixture: Fixture, kind: BackendKind) throws {
        let tolerance = fixture.tolerance
        for c in fixture.cases {
            let name = c["name"] as! String
            let fit = try Self.fit(c, kind: kind, rule: fixture.rule)
            #expect(fit.converged, "\(name) converged")
            let rows = fit.coefficients
            let robust = c["se"] as! String != "classical"
            #expect(rows.map(\.term) == c["terms"] as! [String], "\(name) terms")
            var keys: [(String, KeyPath<CoefficientRow, Double?>)] = [("estimate", \.estimate), ("std_error", \.standardError)]
            if !robust { keys += [("statistic", \.statistic), ("p_value", \.pValue)] }
            if c["se"] as! String == "cr2" {
                keys += [("cr2_statistic", \.statistic), ("cr2_p_value", \.pValue), ("cr2_df", \.degreesOfFreedom)]
            }
            for (key, path) in keys {
                for (row, expected) in zip(rows, Self.numbers(c[key])) {
                    let p = key.hasSuffix("p_value")
                    #expect(Self.close(row[keyPath: path], expected, p ? fixture.pTolerance : tolerance, p ? 1e-300 : 0,
                                       key: fixture.key("\(key) (\(c["se"] as! String))")), "\(name) \(row.term) \(key)")
                }
            }
            let statistics: [(String, Double?)] = [
                ("deviance", fit.deviance), ("null_deviance", fit.nullDeviance), ("dispersion", fit.dispersion), ("aic", fit.aic),
                ("bic", fit.bic), ("log_likelihood", fit.logLikelihood), ("pearson", fit.pearsonChiSquared), ("theta", fit.theta),
                ("theta_se", fit.thetaStandardError),
            ]
            for (key, value) in statistics {
                #expect(Self.close(value, Self.number(c[key]), tolerance, 0, key: fixture.key(key)), "\(name) \(key)")
            }
            #expect(fit.residualDegreesOfFreedom == c["df_residual"] as! Int && fit.nullDegreesOfFreedom == c["df_null"] as! Int, "\(name) df")
            // R's iteration count is only comparable under R's rule (the optimum fixture is polished).
            if fixture.rule != .optimum { #expect(fit.iterations == c["iterations"] as! Int, "\(name) iterations") }
            let null = Self.numbers(c["null_test"])
            let test = fit.testAgainstNull()
            #expect(Self.close(test.statistic, null[0], tolerance, 0, key: fixture.key("null test statistic")), "\(name) null test statistic")
            #expect(Double(test.degreesOfFreedom) == null[1], "\(name) null test df")
            #expect(Self.close(test.pValue, null[2], fixture.pTolerance, 1e-300, key: fixture.key("null test p")), "\(name) null test p")
            let dispersion = Self.numbers(c["overdispersion"])
            if let tests = fit.overdispersionTests {
                let ours = [tests[0].estimate, tests[0].statistic, tests[1].estimate, tests[1].statistic]
                for (k, (a, b)) in zip(ours, dispersion).enumerated() {
                    #expect(Self.close(a, b, tolerance, 0, key: fixture.key("overdispersion test")), "\(name) overdispersion \(k)")
                }
            } else {
                #expect(dispersion.allSatisfy { $0 == nil }, "\(name) overdispersion")
            }
        }
    }

    /// Nested models against lmtest::lrtest (anova F for quasi-Poisson): parameters and df
    /// exactly; deviance, log-likelihood and statistic to the fixture's tolerance, p to that or 1e-300.
    @Test(arguments: Fixture.all, BackendKind.available)
    func nestedModelsMatchR(fixture: Fixture, kind: BackendKind) throws {
        for c in fixture.json["nested"] as! [[String: Any]] {
            let name = c["name"] as! String
            let table = try DataTable.read(path: LinearModelReferenceTests.root.appendingPathComponent(c["file"] as! String).path)
            let exposure = (c["exposure"] as! String).isEmpty ? nil : c["exposure"] as? String
            let formulas = try (c["formulas"] as! [String]).map { try Formula($0) }
            let comparison = try GLMNestedComparison.compare(
                formulas, data: table, options: GLMOptions(
                    family: GLMFamily(rawValue: c["family"] as! String)!, link: LinkFunction(rawValue: c["link"] as! String),
                    exposure: exposure, convergence: fixture.rule),
                backend: kind.make())
            let rows = comparison.rows
            #expect(rows.map { Double($0.parameters) } == Self.numbers(c["parameters"]), "\(name) parameters")
            #expect(rows.map { Double($0.residualDF) } == Self.numbers(c["res_df"]), "\(name) res_df")
            #expect(rows.map { $0.df.map(Double.init) } == Self.numbers(c["df"]), "\(name) df")
            let columns: [(String, [Double?])] = [
                ("deviance", rows.map(\.deviance)), ("log_likelihood", rows.map(\.logLikelihood)),
                ("statistic", rows.map(\.statistic)), ("p_value", rows.map(\.pValue)),
            ]
            for (key, ours) in columns {
                for (a, b) in zip(ours, Self.numbers(c[key])) {
                    let p = key == "p_value"
                    #expect(Self.close(a, b, p ? fixture.pTolerance : fixture.tolerance, p ? 1e-300 : 0, key: fixture.key("nested \(key)")),
                            "\(name) \(key)")
                }
            }
        }
    }

    @Test(arguments: Fixture.all, BackendKind.available)
    func observationsMatchR(fixture: Fixture, kind: BackendKind) throws {
        for c in fixture.cases where c["se"] as! String == "classical" {
            let name = c["name"] as! String
            let rows = try Self.fit(c, kind: kind, rule: fixture.rule).observationDiagnostics
            let columns: [(String, KeyPath<GLMObservation, Double>)] = [
                ("fitted", \.fitted), ("linear_predictor", \.linearPredictor), ("resid_response", \.responseResidual),
                ("resid_pearson", \.pearsonResidual), ("resid_deviance", \.devianceResidual), ("resid_working", \.workingResidual),
                ("hat", \.leverage), ("rstandard", \.standardizedResidual), ("cooks", \.cooksDistance),
            ]
            for (key, path) in columns {
                let expected = Self.numbers(c[key]).map { $0! }
                let scale = expected.map(abs).max() ?? 1
                #expect(rows.count == expected.count, "\(name) rows")
                let worst = zip(rows, expected).map { abs($0[keyPath: path] - $1) }.max() ?? 0
                for (row, b) in zip(rows, expected) {
                    ErrorLedger.shared.record(fixture.key("glm \(key) (of largest)"), row[keyPath: path], b, absolute: scale)
                }
                #expect(worst <= fixture.tolerance * scale, "\(name) \(key): worst \(worst / scale)")
            }
        }
    }

    /// Predictions for new authorities against R: predict.glm's link-scale fit and standard
    /// error and the response scale's standard error to the fixture's tolerance; simulated 95% prediction
    /// intervals against R's simulation of the same distribution (400,000 draws there, 200,000
    /// here) to within max(3, 1%) counts, several Monte Carlo standard errors of a tail quantile.
    @Test(arguments: Fixture.all, BackendKind.available)
    func predictionsMatchR(fixture: Fixture, kind: BackendKind) throws {
        let json = fixture.json
        let root = LinearModelReferenceTests.root
        let wales = try DataTable.read(path: root.appendingPathComponent("datasets/wales_la_panel.csv").path)
        let new = try DataTable.read(path: root.appendingPathComponent("Tests/RegressionTests/Fixtures/new_wales_counts.csv").path)
        for c in json["predictions"] as! [[String: Any]] {
            let name = c["name"] as! String
            let fit = try GeneralizedLinearModel.fit(
                Formula("children_looked_after ~ children_low_income_pct + offset(log(population_0_15))"), data: wales,
                options: GLMOptions(family: GLMFamily(rawValue: c["family"] as! String)!, convergence: fixture.rule),
                backend: kind.make())
            let p = try fit.predict(new, draws: 200_000, seed: 7)
            for (key, values) in [("link_fit", p.linkFit), ("link_se", p.linkStandardError), ("se_fit", p.standardError)] {
                for (a, b) in zip(values, Self.numbers(c[key])) {
                    #expect(Self.close(a, b, fixture.tolerance, 0, key: fixture.key("predict \(key)")), "\(name) \(key)")
                }
            }
            for (key, values) in [("pred_low", p.predictionLow!), ("pred_high", p.predictionHigh!)] {
                for (a, b) in zip(values, Self.numbers(c[key]).map { $0! }) {
                    #expect(abs(a - b) <= max(3, 0.01 * b), "\(name) \(key): \(a) against R's \(b)")
                }
            }
            // The same seed gives the same intervals.
            let again = try fit.predict(new, draws: 2_000, seed: 3), twice = try fit.predict(new, draws: 2_000, seed: 3)
            #expect(again.predictionLow! == twice.predictionLow! && again.predictionHigh! == twice.predictionHigh!)
        }
    }
}
