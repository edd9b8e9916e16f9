import DataTable
import Foundation
import LinearAlgebra
import Regression
import Testing

/// Random-effects GLS (Swamy-Arora, and the Wallace-Hussain, Amemiya and Nerlove components)
/// and the Hausman tests against plm
/// (scripts/reference/panel_random_models.R), in every backend, balanced and unbalanced:
/// coefficients, classical and Arellano standard errors, the variance components, theta, and
/// the Hausman statistics (classical; regression-based, classical and robust) to 1e-8 relative.
/// The regression-based test is checked against its auxiliary regression computed explicitly
/// in R (lm, vcov and sandwich's vcovCL HC0), and against plm's phtest(method = "aux") itself in
/// balanced panels (on the unbalanced one plm's call gives other values than its documented
/// regression; noted in the script). Breusch-Pagan's LM test, Pesaran's CD test and
/// Wooldridge's serial-correlation test against plmtest, pcdtest and pwartest, 1e-8 (p-values
/// 1e-7); Driscoll-Kraay errors against vcovSCC, 1e-8; the between estimator against plm's, 1e-8.
@Suite struct RandomEffectsReferenceTests {
    static let numbers = LinearModelReferenceTests.numbers, number = LinearModelReferenceTests.number
    static let close = FixedEffectsReferenceTests.close

    @Test(arguments: BackendKind.available)
    func matchesPlm(kind: BackendKind) throws {
        for c in FixedEffectsReferenceTests.cases("panel_random_reference") {
            let name = c["name"] as! String, unit = c["unit"] as! String
            let data = try DataTable.read(path: LinearModelReferenceTests.root.appendingPathComponent(c["file"] as! String).path)
            let formula = try Formula(c["formula"] as! String)
            let classical = try RandomEffectsModel.fit(formula, data: data, options: RandomEffectsOptions(unit: unit), backend: kind.make())
            let robust = try RandomEffectsModel.fit(
                formula, data: data, options: RandomEffectsOptions(unit: unit, standardErrors: .cluster([unit])), backend: kind.make())
            // plm's rows: units seen at least twice (the script's).
            #expect(classical.coefficients.map(\.term) == c["terms"] as! [String], "\(name) terms")
            let rows = classical.frame.rows.count
            if rows != c["n"] as! Int {
                Issue.record("\(name): \(rows) rows, plm \(c["n"] as! Int)")
                continue
            }
            for (row, expected) in zip(classical.coefficients, Self.numbers(c["estimate"])) {
                #expect(Self.close(row.estimate, expected, 1e-8, 0, "random estimate"), "\(name) \(row.term)")
            }
            for (row, expected) in zip(classical.coefficients, Self.numbers(c["se_classical"])) {
                #expect(Self.close(row.standardError, expected, 1e-8, 0, "random se"), "\(name) \(row.term) se")
            }
            for (row, expected) in zip(robust.coefficients, Self.numbers(c["se_arellano"])) {
                #expect(Self.close(row.standardError, expected, 1e-8, 0, "random arellano"), "\(name) \(row.term) arellano")
            }
            #expect(Self.close(classical.idiosyncraticVariance, Self.number(c["sigma2_idios"]), 1e-8, 0, "random sigma2 idios"), "\(name)")
            #expect(Self.close(classical.unitVariance, Self.number(c["sigma2_id"]), 1e-8, 0, "random sigma2 id"), "\(name)")
            let theta = Set(classical.theta).sorted(), expected = Self.numbers(c["theta"]).map { $0! }.sorted()
            #expect(theta.count == expected.count, "\(name) theta count")
            for (a, b) in zip(theta, expected) { #expect(Self.close(a, b, 1e-8, 0, "random theta"), "\(name) theta") }
            // The other variance-component methods, each with its GLS (null where plm refuses the
            // model: Amemiya's with a regressor constant within units, which CareRates refuses too).
            for (method, expected) in c["methods"] as! [String: Any] {
                let options = RandomEffectsOptions(unit: unit, method: RandomEffectsMethod(rawValue: method)!)
                guard let expected = expected as? [String: Any] else {
                    #expect(throws: ModelError.self, "\(name) \(method) should be refused") {
                        try RandomEffectsModel.fit(formula, data: data, options: options, backend: kind.make())
                    }
                    continue
                }
                let fit = try RandomEffectsModel.fit(formula, data: data, options: options, backend: kind.make())
                #expect(Self.close(fit.idiosyncraticVariance, Self.number(expected["sigma2_idios"]), 1e-8, 0, "random \(method) sigma2 idios"),
                        "\(name) \(method)")
                #expect(Self.close(fit.unitVariance, Self.number(expected["sigma2_id"]), 1e-8, 0, "random \(method) sigma2 id"), "\(name) \(method)")
                for (row, (b, se)) in zip(fit.coefficients, zip(Self.numbers(expected["estimate"]), Self.numbers(expected["se_classical"]))) {
                    #expect(Self.close(row.estimate, b, 1e-8, 0, "random \(method) estimate"), "\(name) \(method) \(row.term)")
                    #expect(Self.close(row.standardError, se, 1e-8, 0, "random \(method) se"), "\(name) \(method) \(row.term) se")
                }
            }
            let between = try BetweenModel.fit(formula, data: data, options: BetweenOptions(unit: unit), backend: kind.make())
            for (row, (b, se)) in zip(between.coefficients, zip(Self.numbers(c["between_estimate"]), Self.numbers(c["between_se"]))) {
                #expect(Self.close(row.estimate, b, 1e-8, 0, "between estimate"), "\(name) \(row.term) between")
                #expect(Self.close(row.standardError, se, 1e-8, 0, "between se"), "\(name) \(row.term) between se")
            }
            let hausman = try classical.hausman()
            #expect(Self.close(hausman.statistic, Self.number(c["hausman"]), 1e-8, 0, "hausman"), "\(name) hausman \(hausman.statistic)")
            #expect(hausman.degreesOfFreedom == c["hausman_df"] as! Int)
            let aux = try classical.regressionHausman(robust: false), auxRobust = try classical.regressionHausman(robust: true)
            #expect(Self.close(aux.statistic, Self.number(c["hausman_aux"]), 1e-8, 0, "hausman aux"), "\(name) aux \(aux.statistic)")
            #expect(Self.close(auxRobust.statistic, Self.number(c["hausman_aux_robust"]), 1e-8, 0, "hausman aux robust"),
                    "\(name) aux robust \(auxRobust.statistic)")
            // Panel diagnostics on the two-way fixed-effects fit (singletons removed: the synthetic
            // panel's three units seen once are left out of the CD test by plm too, having no pair).
            let fixed = try FixedEffectsModel.fit(
                Formula(c["formula"] as! String + " | \(unit) + \(c["time"] as! String)"), data: data, options: FixedEffectsOptions(),
                backend: kind.make())
            #expect(name != "wales" || fixed.singletonsRemoved == 0)
            // Driscoll-Kraay (plm's vcovSCC) of the random-effects fit, and of the two-way fit where the rows agree.
            let time = c["time"] as! String
            let dkRandom = try RandomEffectsModel.fit(
                formula, data: data, options: RandomEffectsOptions(unit: unit, standardErrors: .driscollKraay(time: time, maxLag: nil)),
                backend: kind.make())
            for (row, expected) in zip(dkRandom.coefficients, Self.numbers(c["se_dk_random"])) {
                #expect(Self.close(row.standardError, expected, 1e-8, 0, "vcovSCC random"), "\(name) \(row.term) dk random")
            }
            if fixed.singletonsRemoved == 0 {
                let dk = try FixedEffectsModel.fit(
                    Formula(c["formula"] as! String + " | \(unit) + \(time)"), data: data,
                    options: FixedEffectsOptions(standardErrors: .driscollKraay(time: time, maxLag: nil)), backend: kind.make())
                for (row, expected) in zip(dk.coefficients.filter { !$0.aliased }, Self.numbers(c["se_dk_within"])) {
                    #expect(Self.close(row.standardError, expected, 1e-8, 0, "vcovSCC within"), "\(name) \(row.term) dk within")
                }
            }
            if fixed.singletonsRemoved == 0, let (bp, cd, wooldridge) = try fixed.panelDiagnostics() {
                #expect(Self.close(wooldridge.statistic, Self.number(c["wooldridge"]), 1e-8, 0, "pwartest"), "\(name) pwartest \(wooldridge.statistic)")
                #expect(wooldridge.degreesOfFreedom == c["wooldridge_df"] as? Int, "\(name) pwartest df")
                #expect(Self.close(wooldridge.pValue, Self.number(c["wooldridge_p"]), 1e-7, 1e-300, "pwartest p"), "\(name) pwartest p")
                #expect(Self.close(bp.statistic, Self.number(c["bp"]), 1e-8, 0, "plmtest bp"), "\(name) bp \(bp.statistic)")
                #expect(Self.close(bp.pValue, Self.number(c["bp_p"]), 1e-7, 1e-300, "plmtest bp p"), "\(name) bp p")
                #expect(Self.close(cd.statistic, Self.number(c["cd"]), 1e-8, 0, "pcdtest cd"), "\(name) cd \(cd.statistic)")
                #expect(Self.close(cd.pValue, Self.number(c["cd_p"]), 1e-7, 1e-300, "pcdtest cd p"), "\(name) cd p")
            }
            if c["balanced"] as! Bool {
                #expect(Self.close(aux.statistic, Self.number(c["plm_hausman_aux"]), 1e-8, 0, "hausman aux plm"), "\(name) plm aux")
                #expect(Self.close(auxRobust.statistic, Self.number(c["plm_hausman_aux_robust"]), 1e-8, 0, "hausman aux plm"),
                        "\(name) plm aux robust")
            }
        }
    }
}
