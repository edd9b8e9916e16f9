import DataTable
import Foundation
import LinearAlgebra
import Regression
import Testing

/// Least squares with absorbed fixed effects against two peers, in every backend:
/// - `panel_reference` (scripts/reference/panel_models.R): lm with a dummy per level, sandwich's
///   HC1 and vcovCL (one- and two-way, type HC1: CareRates' `lm` convention), clubSandwich's CR2
///   (Satterthwaite df to 1e-8), and plm's within
///   estimator with vcovHC(method = "arellano") (the `plm` convention). Coefficients, every
///   standard error, sigma, R-squared (plain, adjusted, within), the log likelihood and the
///   fitted values to 1e-10 relative (fitted values relative to the largest); leverages 1e-10
///   absolute; plm's estimates and errors to 1e-8; rows, singletons and degrees of freedom exactly.
/// - `panel_pyfixest` (scripts/reference/panel_pyfixest.py): PyFixest's feols at fixef_tol 1e-13
///   under its default (fixest's) small-sample correction: iid, hetero, CRV1 one- and two-way
///   standard errors and the t tests' df, to 1e-7 (estimates 1e-7: PyFixest iterates); and its
///   fepois (Poisson, z tests) with iwls_tol 1e-14, the same quantities; p-values
///   1e-6 relative or 1e-15 absolute (PyFixest's are 1 - cdf, so zero below about 1e-16).
@Suite struct FixedEffectsReferenceTests {
    static let root = LinearModelReferenceTests.root
    static let numbers = LinearModelReferenceTests.numbers, number = LinearModelReferenceTests.number

    static func cases(_ file: String) -> [[String: Any]] {
        let url = Bundle.module.url(forResource: "Fixtures/\(file)", withExtension: "json")!
        let json = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return json["cases"] as! [[String: Any]]
    }

    static func close(_ a: Double?, _ b: Double?, _ rel: Double, absolute: Double = 0, key: String) -> Bool {
        LinearModelReferenceTests.close(a, b, rel, absolute: absolute, key: "fixed effects \(key)")
    }

    static func fit(
        _ c: [String: Any], errors: PanelStandardErrors, convention: SmallSampleConvention, kind: BackendKind
    ) throws -> FixedEffectsFit {
        let table = try DataTable.read(path: root.appendingPathComponent(c["file"] as! String).path)
        let weights = (c["weights"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return try FixedEffectsModel.fit(
            Formula(c["formula"] as! String), data: table,
            options: FixedEffectsOptions(standardErrors: errors, convention: convention, weights: weights), backend: kind.make())
    }

    @Test(arguments: BackendKind.available)
    func matchesLMWithDummies(kind: BackendKind) throws {
        for c in Self.cases("panel_reference") {
            let name = c["name"] as! String, clusters = c["cluster"] as! [String]
            let classical = try Self.fit(c, errors: .classical, convention: .lm, kind: kind)
            #expect(classical.coefficients.map(\.term) == c["terms"] as! [String], "\(name) terms")
            #expect(classical.observations == c["n"] as! Int && classical.singletonsRemoved == c["singletons"] as! Int, "\(name) rows")
            #expect(classical.absorbedDegreesOfFreedom + 1 == (c["absorbed_df"] as! Int) + 1, "\(name) absorbed df")
            #expect(classical.residualDegreesOfFreedom == c["df_residual"] as! Int, "\(name) residual df")
            for (row, expected) in zip(classical.coefficients, Self.numbers(c["estimate"])) {
                #expect(Self.close(row.estimate, expected, 1e-10, key: "estimate"), "\(name) \(row.term) estimate")
            }
            var fits: [(String, FixedEffectsFit)] = [
                ("se_classical", classical),
                ("se_hc1", try Self.fit(c, errors: .hc1, convention: .lm, kind: kind)),
                ("se_cr1_lm", try Self.fit(c, errors: .cluster([clusters[0]]), convention: .lm, kind: kind)),
            ]
            if clusters.count > 1 { fits.append(("se_twoway_lm", try Self.fit(c, errors: .cluster(clusters), convention: .lm, kind: kind))) }
            let cr2 = try Self.fit(c, errors: .cr2(clusters[0]), convention: .lm, kind: kind)
            fits.append(("se_cr2", cr2))
            for (row, expected) in zip(cr2.coefficients, Self.numbers(c["df_cr2"])) {
                #expect(Self.close(row.degreesOfFreedom, expected, 1e-8, key: "CR2 df"), "\(name) \(row.term) CR2 df")
            }
            for (key, fit) in fits {
                for (row, expected) in zip(fit.coefficients, Self.numbers(c[key])) {
                    // sandwich gives NaN where a two-way covariance has a negative diagonal: skipped.
                    guard let expected else { continue }
                    #expect(Self.close(row.standardError, expected, 1e-10, key: key), "\(name) \(row.term) \(key)")
                }
            }
            let statistics: [(String, Double)] = [
                ("sigma", classical.sigma), ("r_squared", classical.rSquared), ("adj_r_squared", classical.adjustedRSquared),
                ("within_r_squared", classical.withinRSquared), ("log_likelihood", classical.gaussianLogLikelihood),
            ]
            for (key, value) in statistics {
                #expect(Self.close(value, Self.number(c[key]), 1e-10, key: key), "\(name) \(key)")
            }
            // Per row, matched by file line: fitted values (X b plus the effects) and leverages.
            let lines = classical.frame.rows.map { classical.frame.table.rowLines[$0] }
            let expectedLines = Self.numbers(c["lines"]).map { Int($0!) }
            #expect(lines.count == expectedLines.count && lines.first { !expectedLines.contains($0) } == nil, "\(name) rows used")
            let fitted = Self.numbers(c["fitted"]).map { $0! }, largest = fitted.map(abs).max()!
            for (a, b) in zip(classical.fitted, fitted) {
                #expect(Self.close(a, b, 0, absolute: 1e-10 * largest, key: "fitted"), "\(name) fitted")
            }
            for (a, b) in zip(classical.leverage, Self.numbers(c["hat"]).map { $0! }) {
                #expect(Self.close(a, b, 0, absolute: 1e-10, key: "leverage"), "\(name) leverage")
            }
            // plm's within estimator, where it could fit the model.
            let plm = Self.numbers(c["se_plm_arellano"])
            if plm.contains(where: { $0 != nil }) {
                let fit = try Self.fit(c, errors: .cluster([clusters[0]]), convention: .plm, kind: kind)
                for (k, row) in fit.coefficients.enumerated() where plm[k] != nil {
                    #expect(Self.close(row.estimate, Self.numbers(c["plm_estimate"])[k], 1e-8, key: "plm estimate"), "\(name) \(row.term)")
                    #expect(Self.close(row.standardError, plm[k], 1e-8, key: "plm arellano"), "\(name) \(row.term) plm se")
                }
            }
        }
    }

    @Test(arguments: BackendKind.available)
    func matchesPyFixest(kind: BackendKind) throws {
        for c in Self.cases("panel_pyfixest") {
            let name = c["name"] as! String, clusters = c["cluster"] as! [String]
            let errors: [(String, PanelStandardErrors)] = [
                ("iid", .classical), ("hetero", .hc1), ("cr1", .cluster([clusters[0]])), ("twoway", .cluster(clusters)),
            ]
            let exposure = (c["exposure"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            for (key, kindOfErrors) in errors {
                let fit: any FittedModel, covariance: CovarianceEstimate
                if let exposure {
                    // fepois: z tests.
                    let table = try DataTable.read(path: Self.root.appendingPathComponent(c["file"] as! String).path)
                    let glm = try FixedEffectsGLM.fit(
                        Formula(c["formula"] as! String), data: table,
                        options: FixedEffectsGLMOptions(family: .poisson, exposure: exposure, standardErrors: kindOfErrors),
                        backend: kind.make())
                    (fit, covariance) = (glm, glm.covariance)
                    #expect(covariance.degreesOfFreedom == .infinity)
                } else {
                    let linear = try Self.fit(c, errors: kindOfErrors, convention: .fixest, kind: kind)
                    (fit, covariance) = (linear, linear.covariance)
                    #expect(covariance.degreesOfFreedom == Double(c["df_\(key)"] as! Int), "\(name) \(key) df")
                }
                let rows = fit.coefficients.filter { !$0.aliased }
                #expect(rows.map(\.term) == c["terms"] as! [String], "\(name) terms")
                #expect(fit.nobs == c["n"] as! Int, "\(name) n")
                for (row, expected) in zip(rows, Self.numbers(c["estimate"])) {
                    #expect(Self.close(row.estimate, expected, 1e-7, key: "PyFixest estimate"), "\(name) \(row.term)")
                }
                for (row, expected) in zip(rows, Self.numbers(c["se_\(key)"])) {
                    #expect(Self.close(row.standardError, expected, 1e-7, key: "PyFixest \(key)"), "\(name) \(row.term) \(key)")
                }
                // PyFixest's p-values are 1 - cdf: zero below about 1e-16, and about 1e-16 absolute above.
                for (row, expected) in zip(rows, Self.numbers(c["p_\(key)"])) {
                    #expect(Self.close(row.pValue, expected, 1e-6, absolute: 1e-15, key: "PyFixest p \(key)"), "\(name) \(row.term) p")
                }
            }
        }
    }
}

/// Absorbed fixed effects against CareRates' own fit with a `factor()` dummy per level, in
/// every backend: coefficients and classical standard errors to 1e-10 for least squares and
/// 1e-9 for count models (both at the optimum; the lm convention, which leaves glm's inverse
/// information unscaled), the same rows (no singletons in these data).
@Suite struct FixedEffectsAgainstFactorDummiesTests {
    static let cases: [(file: String, response: String, regressors: String, factors: [String], exposure: String?)] = [
        ("datasets/wales_la_panel.csv", "rate_per_10000", "children_low_income_pct + unemployment_rate_pct", ["la_code", "year"], nil),
        ("datasets/wales_la_panel.csv", "children_looked_after", "children_low_income_pct + unemployment_rate_pct", ["la_code", "year"],
         "population_0_15"),
    ]

    @Test(arguments: BackendKind.available)
    func sameAsDummies(kind: BackendKind) throws {
        for c in Self.cases {
            let data = try DataTable.read(path: LinearModelReferenceTests.root.appendingPathComponent(c.file).path)
            let absorbed = try Formula("\(c.response) ~ \(c.regressors) | " + c.factors.joined(separator: " + "))
            let dummies = try Formula("\(c.response) ~ \(c.regressors) + " + c.factors.map { "factor(\($0))" }.joined(separator: " + "))
            let fe: any FittedModel, lm: any FittedModel, tolerance: Double
            if let exposure = c.exposure {
                fe = try FixedEffectsGLM.fit(absorbed, data: data, options: FixedEffectsGLMOptions(family: .poisson, exposure: exposure, convention: .lm), backend: kind.make())
                lm = try GeneralizedLinearModel.fit(dummies, data: data, options: GLMOptions(family: .poisson, exposure: exposure), backend: kind.make())
                tolerance = 1e-9
            } else {
                fe = try FixedEffectsModel.fit(absorbed, data: data, options: FixedEffectsOptions(), backend: kind.make())
                lm = try LinearModel.fit(dummies, data: data, backend: kind.make())
                tolerance = 1e-10
            }
            #expect(fe.nobs == lm.nobs && fe.dofResidual == lm.dofResidual, "\(c.response) rows and df")
            for row in fe.coefficients {
                let other = lm.coefficients.first { $0.term == row.term }!
                #expect(abs(row.estimate! - other.estimate!) <= tolerance * abs(other.estimate!), "\(c.response) \(row.term)")
                #expect(abs(row.standardError! - other.standardError!) <= tolerance * other.standardError!, "\(c.response) \(row.term) se")
            }
            let largest = lm.fitted.map(abs).max()!
            #expect(zip(fe.fitted, lm.fitted).allSatisfy { abs($0 - $1) <= tolerance * largest }, "\(c.response) fitted")
        }
    }
}
