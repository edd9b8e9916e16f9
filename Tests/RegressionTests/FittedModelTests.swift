import DataTable
import Foundation
import LinearAlgebra
import Regression
import Testing

/// The one model interface (``FittedModel``) over every model kind and backend: its members
/// agree with each kind's own statistics, and a refit on a subset of rows is the fit to a table
/// holding only those rows. The peer here is the fit itself on the smaller table (read from a
/// CSV of those lines alone), so the tolerance is that of two solves of one problem, 1e-9
/// relative: IRLS goes to the optimum, so a warm start and a cold one end at the same point.
/// (Under R's rule they did not: a Gamma fit with the log link, which converges linearly,
/// stopped 2e-6 relative from where the cold start stopped.)
@Suite struct FittedModelTests {
    static let panel = LinearModelReferenceTests.root.appendingPathComponent("datasets/wales_la_panel.csv").path

    /// Every kind of model, as the CLI would choose it.
    static let specifications: [(name: String, formula: String, spec: any ModelSpecification, tolerance: Double)] = [
        ("ols", "rate_per_10000 ~ unemployment_rate_pct + factor(year)", LinearModelOptions(), 1e-9),
        ("wls hc2", "rate_per_10000 ~ scale(children_low_income_pct)",
         LinearModelOptions(standardErrors: .hc2, weights: "population_0_15"), 1e-9),
        ("poisson", "children_looked_after ~ children_low_income_pct",
         GLMOptions(family: .poisson, exposure: "population_0_15"), 1e-9),
        ("negbin cluster", "children_looked_after ~ unemployment_rate_pct + factor(year)",
         GLMOptions(family: .negbin, exposure: "population_0_15", standardErrors: .cluster(column: "la_code")), 1e-9),
        ("gamma", "rate_per_10000 ~ children_low_income_pct", GLMOptions(family: .gamma, link: .log), 1e-9),
    ]

    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-300) }.max() ?? 0
    }

    /// The panel with only the table rows `rows`, parsed from its header and those lines.
    static func subsetTable(_ table: DataTable, rows: [Int]) throws -> DataTable {
        let lines = try String(contentsOfFile: panel, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let text = ([lines[0]] + rows.map { lines[table.rowLines[$0] - 1] }).joined(separator: "\n") + "\n"
        return try DataTable.parse(bytes: Array(text.utf8), source: "subset.csv")
    }

    @Test(arguments: BackendKind.available)
    func membersAgreeWithEachKindsStatistics(kind: BackendKind) throws {
        let table = try DataTable.read(path: Self.panel)
        for (name, formula, spec, _) in Self.specifications {
            let fit = try spec.fit(Formula(formula), data: table, backend: kind.make())
            let n = fit.frame.rows.count
            #expect(fit.nobs == n && fit.fitted.count == n && fit.response.count == n, "\(name)")
            #expect(fit.coefficientNames == fit.coefficients.map(\.term), "\(name)")
            #expect(Self.relativeError(fit.coef, fit.coefficients.map { $0.estimate! }) == 0, "\(name) coef")
            #expect(Self.relativeError(fit.standardErrors, fit.coefficients.map { $0.standardError! }) == 0, "\(name) se")
            let rank = fit.coef.filter { !$0.isNaN }.count
            #expect(fit.dofResidual == n - rank, "\(name)")
            if let ll = fit.logLikelihood {
                #expect(fit.dof >= rank && fit.dof <= rank + 1, "\(name)")
                #expect(ll.isFinite, "\(name)")
            }
            // Response residuals are y - mu; every kind listed is defined, and only those.
            let response = try #require(fit.residuals(.response))
            #expect(Self.relativeError(zip(fit.response, fit.fitted).map { $0 - $1 }, response) < 1e-12, "\(name)")
            for k in ResidualKind.allCases {
                #expect((fit.residuals(k) != nil) == fit.residualKinds.contains(k), "\(name) \(k)")
                #expect(fit.residuals(k).map { $0.count == n } ?? true, "\(name) \(k)")
            }
            // Predicting the rows fitted gives the fitted means, through the same offsets.
            let mean = try fit.predictMean(nil)
            #expect(mean.rows == fit.frame.rows && mean.dropped.isEmpty)
            #expect(Self.relativeError(mean.mean, fit.fitted) < 1e-12, "\(name) predictMean")
            let again = try fit.predictMean(table)
            #expect(Self.relativeError(again.mean, fit.fitted) < 1e-12, "\(name) predictMean(table)")
        }
    }

    /// Leave one authority out: the refit is the fit to the table without its rows.
    @Test(arguments: BackendKind.available)
    func refitOnSubsetIsTheFitToThoseRows(kind: BackendKind) throws {
        let table = try DataTable.read(path: Self.panel)
        let codes = try table.column(named: "la_code").strings
        for (name, formula, spec, tolerance) in Self.specifications {
            let fit = try spec.fit(Formula(formula), data: table, backend: kind.make())
            for left in ["W06000001", "W06000023"] {
                let rows = fit.frame.rows.filter { codes[$0] != left }
                let refit = try fit.refit(rows: rows)
                let direct = try spec.fit(Formula(formula), data: Self.subsetTable(table, rows: rows), backend: kind.make())
                #expect(refit.frame.rows == rows, "\(name)")
                #expect(refit.nobs == fit.nobs - 4 && refit.nobs == direct.nobs, "\(name) without \(left)")
                #expect(Self.relativeError(refit.coef, direct.coef) < tolerance, "\(name) without \(left) coef")
                #expect(Self.relativeError(refit.standardErrors, direct.standardErrors) < tolerance, "\(name) se")
                #expect(Self.relativeError(refit.fitted, direct.fitted) < tolerance, "\(name) fitted")
                #expect(Self.relativeError([refit.deviance], [direct.deviance]) < 1e-9, "\(name) deviance")
                if let a = refit.logLikelihood, let b = direct.logLikelihood {
                    #expect(Self.relativeError([a], [b]) < 1e-9, "\(name) log likelihood")
                }
                // The left-out rows are predicted from the refit: their own data take no part.
                let out = try refit.predictMean(Self.subsetTable(table, rows: fit.frame.rows.filter { codes[$0] == left }))
                #expect(out.mean.count == 4 && out.mean.allSatisfy { $0.isFinite }, "\(name)")
            }
        }
    }

    /// A refit to a new response is the fit to a table holding that response: here the
    /// response doubled (plus one), against a CSV written with it, every kind, 1e-9.
    @Test func refitToANewResponseIsTheFitToThatResponse() throws {
        let table = try DataTable.read(path: Self.panel)
        let lines = try String(contentsOfFile: Self.panel, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        for (name, formula, spec, tolerance) in Self.specifications {
            let fit = try spec.fit(Formula(formula), data: table, backend: nil)
            let y = fit.response.map { 2 * $0 + 1 }
            let column = header.firstIndex(of: fit.frame.formula.response)!
            var text = lines[0] + "\n"
            for (k, row) in fit.frame.rows.enumerated() {
                var cells = lines[table.rowLines[row] - 1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                cells[column] = String(y[k])
                text += cells.joined(separator: ",") + "\n"
            }
            let direct = try spec.fit(Formula(formula), data: DataTable.parse(bytes: Array(text.utf8), source: "y.csv"), backend: nil)
            let refit = try fit.refit(response: y)
            #expect(Self.relativeError(refit.coef, direct.coef) < tolerance, "\(name) coef")
            #expect(Self.relativeError(refit.standardErrors, direct.standardErrors) < tolerance, "\(name) se")
            #expect(Self.relativeError([refit.deviance], [direct.deviance]) < 1e-9, "\(name) deviance")
        }
    }

    /// A refit warm-started from the full fit reaches the optimum the cold fit reaches.
    @Test func negativeBinomialRefitKeepsThetaAndItsStandardError() throws {
        let table = try DataTable.read(path: Self.panel)
        let options = GLMOptions(family: .negbin, exposure: "population_0_15")
        let formula = try Formula("children_looked_after ~ children_low_income_pct")
        let fit = try GeneralizedLinearModel.fit(formula, data: table, options: options)
        let rows = Array(fit.frame.rows.dropFirst(8))
        let refit = try fit.refit(rows: rows)
        let direct = try GeneralizedLinearModel.fit(formula, data: Self.subsetTable(table, rows: rows), options: options)
        #expect(Self.relativeError([refit.theta!], [direct.theta!]) < 1e-9)
        #expect(Self.relativeError([refit.thetaStandardError!], [direct.thetaStandardError!]) < 1e-9)
        #expect(refit.converged)
    }
}
