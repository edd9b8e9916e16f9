import DataTable
import Foundation
import LinearAlgebra
import Regression
import Testing

/// Generalized linear models against R (scripts/reference/glm_models.R: glm, MASS::glm.nb,
/// sandwich, lmtest, clubSandwich), in every backend. Tolerances: coefficients, standard errors
/// of every kind, z or t (and CR2's Satterthwaite df), deviance, null deviance, dispersion, Pearson chi-squared, AIC, BIC,
/// log-likelihood, theta and its standard error, the LR or F test against the null model and
/// the overdispersion tests to 1e-7 relative (p-values 1e-7 relative or 1e-300 absolute);
/// per-observation values to 1e-7 relative to the largest in magnitude; iterations exactly.
@Suite struct GLMReferenceTests {
    nonisolated(unsafe) static let cases: [[String: Any]] = {
        let url = Bundle.module.url(forResource: "Fixtures/glm_reference", withExtension: "json")!
        let json = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return json["cases"] as! [[String: Any]]
    }()

    static let numbers = LinearModelReferenceTests.numbers, number = LinearModelReferenceTests.number
    /// Within `rel` (or `absolute`); with a key, the error goes to the ledger as "glm KEY".
    static func close(_ a: Double?, _ b: Double?, _ rel: Double, _ absolute: Double, key: String? = nil) -> Bool {
        LinearModelReferenceTests.close(a, b, rel, absolute: absolute, key: key.map { "glm \($0)" })
    }

    static func options(_ c: [String: Any]) -> GLMOptions {
        let text = { (key: String) -> String? in (c[key] as? String).flatMap { $0.isEmpty ? nil : $0 } }
        let se = LinearModelReferenceTests.standardErrors(c)
        return GLMOptions(
            family: GLMFamily(rawValue: c["family"] as! String)!, link: LinkFunction(rawValue: c["link"] as! String),
            exposure: text("exposure"), weights: text("weights"), theta: number(c["theta_fixed"]), standardErrors: se)
    }

    static func fit(_ c: [String: Any], kind: BackendKind) throws -> GeneralizedLinearModelFit {
        let table = try DataTable.read(path: LinearModelReferenceTests.root.appendingPathComponent(c["file"] as! String).path)
        return try GeneralizedLinearModel.fit(Formula(c["formula"] as! String), data: table, options: options(c), backend: kind.make())
    }

    @Test(arguments: BackendKind.available)
    func coefficientsAndStatisticsMatchR(kind: BackendKind) throws {
        for c in Self.cases {
            let name = c["name"] as! String
            let fit = try Self.fit(c, kind: kind)
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
                    #expect(Self.close(row[keyPath: path], expected, 1e-7, key.hasSuffix("p_value") ? 1e-300 : 0,
                                       key: "\(key) (\(c["se"] as! String))"), "\(name) \(row.term) \(key)")
                }
            }
            let statistics: [(String, Double?)] = [
                ("deviance", fit.deviance), ("null_deviance", fit.nullDeviance), ("dispersion", fit.dispersion), ("aic", fit.aic),
                ("bic", fit.bic), ("log_likelihood", fit.logLikelihood), ("pearson", fit.pearsonChiSquared), ("theta", fit.theta),
                ("theta_se", fit.thetaStandardError),
            ]
            for (key, value) in statistics { #expect(Self.close(value, Self.number(c[key]), 1e-7, 0, key: key), "\(name) \(key)") }
            #expect(fit.residualDegreesOfFreedom == c["df_residual"] as! Int && fit.nullDegreesOfFreedom == c["df_null"] as! Int, "\(name) df")
            #expect(fit.iterations == c["iterations"] as! Int, "\(name) iterations")
            let null = Self.numbers(c["null_test"])
            let test = fit.testAgainstNull()
            #expect(Self.close(test.statistic, null[0], 1e-7, 0, key: "null test statistic"), "\(name) null test statistic")
            #expect(Double(test.degreesOfFreedom) == null[1], "\(name) null test df")
            #expect(Self.close(test.pValue, null[2], 1e-7, 1e-300, key: "null test p"), "\(name) null test p")
            let dispersion = Self.numbers(c["overdispersion"])
            if let tests = fit.overdispersionTests {
                let ours = [tests[0].estimate, tests[0].statistic, tests[1].estimate, tests[1].statistic]
                for (k, (a, b)) in zip(ours, dispersion).enumerated() { #expect(Self.close(a, b, 1e-7, 0, key: "overdispersion test"), "\(name) overdispersion \(k)") }
            } else {
                #expect(dispersion.allSatisfy { $0 == nil }, "\(name) overdispersion")
            }
        }
    }

    /// Nested models against lmtest::lrtest (anova F for quasi-Poisson): parameters and df
    /// exactly; deviance, log-likelihood and statistic to 1e-7 relative, p to 1e-7 or 1e-300.
    @Test(arguments: BackendKind.available)
    func nestedModelsMatchR(kind: BackendKind) throws {
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: Bundle.module.url(
            forResource: "Fixtures/glm_reference", withExtension: "json")!)) as! [String: Any]
        for c in reference["nested"] as! [[String: Any]] {
            let name = c["name"] as! String
            let table = try DataTable.read(path: LinearModelReferenceTests.root.appendingPathComponent(c["file"] as! String).path)
            let exposure = (c["exposure"] as! String).isEmpty ? nil : c["exposure"] as? String
            let formulas = try (c["formulas"] as! [String]).map { try Formula($0) }
            let comparison = try GLMNestedComparison.compare(
                formulas, data: table, options: GLMOptions(
                    family: GLMFamily(rawValue: c["family"] as! String)!, link: LinkFunction(rawValue: c["link"] as! String),
                    exposure: exposure),
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
                    #expect(Self.close(a, b, 1e-7, key == "p_value" ? 1e-300 : 0, key: "nested \(key)"), "\(name) \(key)")
                }
            }
        }
    }

    @Test(arguments: BackendKind.available)
    func observationsMatchR(kind: BackendKind) throws {
        for c in Self.cases where c["se"] as! String == "classical" {
            let name = c["name"] as! String
            let rows = try Self.fit(c, kind: kind).observationDiagnostics
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
                for (row, b) in zip(rows, expected) { ErrorLedger.shared.record("glm \(key) (of largest)", row[keyPath: path], b, absolute: scale) }
                #expect(worst <= 1e-7 * scale, "\(name) \(key): worst \(worst / scale)")
            }
        }
    }

    /// Predictions for new authorities against R: predict.glm's link-scale fit and standard
    /// error and the response scale's standard error to 1e-7 relative; simulated 95% prediction
    /// intervals against R's simulation of the same distribution (400,000 draws there, 200,000
    /// here) to within max(3, 1%) counts, several Monte Carlo standard errors of a tail quantile.
    @Test(arguments: BackendKind.available)
    func predictionsMatchR(kind: BackendKind) throws {
        let url = Bundle.module.url(forResource: "Fixtures/glm_reference", withExtension: "json")!
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let root = LinearModelReferenceTests.root
        let wales = try DataTable.read(path: root.appendingPathComponent("datasets/wales_la_panel.csv").path)
        let new = try DataTable.read(path: root.appendingPathComponent("Tests/RegressionTests/Fixtures/new_wales_counts.csv").path)
        for c in json["predictions"] as! [[String: Any]] {
            let name = c["name"] as! String
            let fit = try GeneralizedLinearModel.fit(
                Formula("children_looked_after ~ children_low_income_pct + offset(log(population_0_15))"), data: wales,
                options: GLMOptions(family: GLMFamily(rawValue: c["family"] as! String)!), backend: kind.make())
            let p = try fit.predict(new, draws: 200_000, seed: 7)
            for (key, values) in [("link_fit", p.linkFit), ("link_se", p.linkStandardError), ("se_fit", p.standardError)] {
                for (a, b) in zip(values, Self.numbers(c[key])) { #expect(Self.close(a, b, 1e-7, 0, key: "predict \(key)"), "\(name) \(key)") }
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
