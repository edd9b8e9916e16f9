import DataTable
import Foundation
import LinearAlgebra
import Regression
import Testing

/// `within(x)` and `between(x)`: the deviation from and the mean of x in each unit of the
/// panel. Mundlak's identity: in a model with both, the within coefficients are the
/// fixed-effects ones, exactly (within(x) is orthogonal to everything constant in a unit).
@Suite struct WithinBetweenTests {
    static let root = LinearModelReferenceTests.root

    static func table(_ file: String) throws -> DataTable {
        try DataTable.read(path: root.appendingPathComponent(file).path)
    }

    @Test(arguments: [
        ("datasets/wales_la_panel.csv", "rate_per_10000", ["children_low_income_pct", "unemployment_rate_pct"], "la_code"),
        ("datasets/england_la_panel.csv", "rate_per_10000", ["unemployment_rate_pct", "domestic_abuse_parent_per_10000"], "la_code"),
        ("Tests/RegressionTests/Fixtures/panel_synthetic.csv", "y", ["x1", "x2"], "unit"),
    ])
    func withinCoefficientsAreTheFixedEffectsOnes(file: String, response: String, regressors: [String], unit: String) throws {
        let data = try Self.table(file)
        for kind in BackendKind.available {
            let hybrid = try LinearModel.fit(
                Formula("\(response) ~ " + regressors.map { "within(\($0)) + between(\($0))" }.joined(separator: " + "))
                    .withPanel(unit: unit),
                data: data, backend: kind.make())
            // Singletons are kept by the pooled fit: compare on the fixed-effects fit's rows.
            let fixed = try FixedEffectsModel.fit(
                Formula("\(response) ~ " + regressors.joined(separator: " + ") + " | \(unit)"), data: data,
                options: FixedEffectsOptions(), backend: kind.make())
            let rows = fixed.frame.rows
            let restricted = try LinearModel.fit(
                hybrid.frame.formula, data: data, options: LinearModelOptions(), backend: kind.make(), candidates: rows)
            for (k, x) in regressors.enumerated() {
                let b = restricted.coefficients.first { $0.term == "within(\(x))" }!.estimate!
                #expect(abs(b - fixed.coef[k]) <= 1e-10 * abs(fixed.coef[k]), "\(file) \(x): \(b) against \(fixed.coef[k])")
            }
            #expect(hybrid.coefficients.count == 1 + 2 * regressors.count)
        }
    }

    @Test func unitMeansComeFromTheRowsUsedAndCarryToNewData() throws {
        let data = try DataTable.parse(bytes: Array("unit,x,y\np,1,2\np,3,5\nq,10,1\nq,NA,9\nq,20,4\nr,5,5\nr,7,6\n".utf8), source: "t.csv")
        let fit = try LinearModel.fit(Formula("y ~ within(x) + between(x, unit)").withPanel(unit: "unit"), data: data)
        // q's mean is over its rows used (10 and 20): 15, not over the row missing x.
        let design = fit.frame.design
        #expect((0..<design.rows).map { design[$0, 1] } == [-1, 1, -5, 5, -1, 1])
        #expect((0..<design.rows).map { design[$0, 2] } == [2, 2, 15, 15, 6, 6])
        let new = try DataTable.parse(bytes: Array("unit,x\nq,16\n".utf8), source: "new.csv")
        let (newDesign, _, _) = try fit.frame.design(for: new)
        #expect(newDesign[0, 1] == 1 && newDesign[0, 2] == 15)
        let unseen = try DataTable.parse(bytes: Array("unit,x\ns,16\n".utf8), source: "new.csv")
        #expect(throws: ModelError.self) { _ = try fit.frame.design(for: unseen) }
        do {
            _ = try LinearModel.fit(Formula("y ~ within(x)"), data: data)
            Issue.record("within(x) without a panel unit fitted")
        } catch {
            #expect("\(error)".contains("needs the panel's unit"), "\(error)")
        }
    }
}
