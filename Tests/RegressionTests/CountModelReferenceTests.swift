import DataTable
import Foundation
import LinearAlgebra
import Regression
import Testing

/// Poisson and quasi-Poisson fits against R's glm, negative binomial against MASS::glm.nb
/// (scripts/reference/count_models.R), in every backend: coefficients, standard errors, z or t,
/// p, deviance, null deviance, dispersion, AIC, log-likelihood, theta and its standard error to
/// 1e-7 relative (p-values 1e-7 or 1e-300 absolute), iterations exactly.
@Suite struct CountModelReferenceTests {
    nonisolated(unsafe) static let reference: [String: Any] = {
        let url = Bundle.module.url(forResource: "Fixtures/glm_reference", withExtension: "json")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    @Test(arguments: BackendKind.available)
    func matchesGLM(kind: BackendKind) throws {
        let numbers = LinearModelReferenceTests.numbers, number = LinearModelReferenceTests.number
        let close = LinearModelReferenceTests.closeValues
        for c in Self.reference["cases"] as! [[String: Any]] {
            let name = c["name"] as! String
            let table = try DataTable.read(path: LinearModelReferenceTests.root.appendingPathComponent(c["file"] as! String).path)
            let exposure = (c["exposure"] as! String).isEmpty ? nil : c["exposure"] as? String
            let family = CountFamily(rawValue: c["family"] as! String)!
            let fit = try GeneralizedLinearModel.fit(
                Formula(c["formula"] as! String), data: table, family: family, exposure: exposure, backend: kind.make())
            let rows = fit.coefficients
            #expect(rows.map(\.term) == c["terms"] as! [String], "\(name) terms")
            for (key, path) in [("estimate", \CoefficientRow.estimate), ("std_error", \.standardError), ("statistic", \.statistic), ("p_value", \.pValue)] {
                for (row, expected) in zip(rows, numbers(c[key])) {
                    #expect(close(row[keyPath: path], expected, 1e-7, key == "p_value" ? 1e-300 : 0), "\(name) \(row.term) \(key)")
                }
            }
            #expect(close(fit.deviance, number(c["deviance"]), 1e-7, 0), "\(name) deviance")
            #expect(close(fit.nullDeviance, number(c["null_deviance"]), 1e-7, 0), "\(name) null deviance")
            #expect(close(fit.dispersion, number(c["dispersion"]), 1e-7, 0), "\(name) dispersion")
            #expect(close(fit.aic, number(c["aic"]), 1e-7, 0), "\(name) AIC")
            #expect(close(fit.logLikelihood, number(c["log_likelihood"]), 1e-7, 0), "\(name) logLik")
            #expect(fit.residualDegreesOfFreedom == c["df_residual"] as! Int && fit.nullDegreesOfFreedom == c["df_null"] as! Int)
            #expect(fit.iterations == c["iterations"] as! Int, "\(name) iterations")
            #expect(close(fit.theta, number(c["theta"]), 1e-7, 0), "\(name) theta")
            #expect(close(fit.thetaStandardError, number(c["theta_se"]), 1e-7, 0), "\(name) theta SE")
        }
    }

    /// Sandwich (HC0-HC3) and cluster-robust (CR1) standard errors for count models against
    /// sandwich's vcovHC and vcovCL on glm and glm.nb objects: 1e-7 relative.
    @Test(arguments: BackendKind.available)
    func robustErrorsMatchSandwich(kind: BackendKind) throws {
        let table = try DataTable.read(path: LinearModelReferenceTests.root.appendingPathComponent("datasets/wales_la_panel.csv").path)
        for c in Self.reference["robust"] as! [[String: Any]] {
            let name = c["name"] as! String
            let se: StandardErrorKind = switch c["se"] as! String {
            case "hc0": .hc0
            case "hc1": .hc1
            case "hc2": .hc2
            case "hc3": .hc3
            default: .cluster(column: c["cluster"] as! String)
            }
            let fit = try GeneralizedLinearModel.fit(
                Formula(c["formula"] as! String), data: table, family: CountFamily(rawValue: c["family"] as! String)!,
                backend: kind.make(), standardErrors: se)
            for (row, expected) in zip(fit.coefficients, LinearModelReferenceTests.numbers(c["std_error"])) {
                #expect(LinearModelReferenceTests.closeValues(row.standardError, expected, 1e-7, 0), "\(name) \(row.term)")
            }
        }
    }

    @Test func badCountsAndExposuresAreRefused() throws {
        let text = "y,x,pop\n1,1,10\n2.5,2,10\n3,3,10\n4,4,10\n"
        let table = try DataTable.parse(bytes: Array(text.utf8), source: "c.csv")
        do {
            _ = try GeneralizedLinearModel.fit(Formula("y ~ x"), data: table, family: .poisson)
            Issue.record("a non-integer count was accepted")
        } catch {
            #expect("\(error)" == "c.csv:3, column 1 (y): 2.5: a count must be a whole number of at least 0")
        }
        let zero = try DataTable.parse(bytes: Array("y,x,pop\n1,1,10\n2,2,0\n3,3,10\n4,4,10\n".utf8), source: "e.csv")
        do {
            _ = try GeneralizedLinearModel.fit(Formula("y ~ x"), data: zero, family: .poisson, exposure: "pop")
            Issue.record("a zero exposure was accepted")
        } catch {
            #expect("\(error)" == "e.csv:3, column 3 (pop): 0.0: exposure must be positive")
        }
    }
}
