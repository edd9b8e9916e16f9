import DataTable
import Foundation
import LinearAlgebra
import Regression
import Testing

/// Linear models against R (fixture from scripts/reference/linear_models.R), in every backend.
/// Tolerance: 1e-10 relative for every statistic; p-values 1e-10 relative or 1e-300 absolute.
@Suite struct LinearModelReferenceTests {
    nonisolated(unsafe) static let reference: [String: Any] = {
        let url = Bundle.module.url(forResource: "Fixtures/lm_reference", withExtension: "json")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    static func numbers(_ any: Any?) -> [Double?] { (any as! [Any]).map { ($0 as? String).flatMap(Double.init) } }
    static func number(_ any: Any?) -> Double? { (any as? String).flatMap(Double.init) }

    /// The repository root, from this file's path (fixtures name files relative to it).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Whether `a` is within `rel` of `b` (or `absolute`); `key` names the statistic in the ledger.
    static func close(_ a: Double?, _ b: Double?, _ rel: Double = 1e-10, absolute: Double = 0, key: String? = nil) -> Bool {
        if let key { ErrorLedger.shared.record(key, a, b, absolute: absolute) }
        return closeValues(a, b, rel, absolute)
    }

    /// The estimator a fixture case names in "se" (and "cluster").
    static func standardErrors(_ c: [String: Any]) -> StandardErrorKind {
        switch c["se"] as! String {
        case "hc0": .hc0
        case "hc1": .hc1
        case "hc2": .hc2
        case "hc3": .hc3
        case "cluster": .cluster(column: c["cluster"] as! String)
        case "cr2": .clusterCR2(column: c["cluster"] as! String)
        default: .classical
        }
    }

    /// The weights column and its kind that a fixture case names ("weights", "weight_kind").
    static func weights(_ c: [String: Any]) -> (column: String?, kind: WeightKind) {
        let column = (c["weights"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return (column, (c["weight_kind"] as? String).flatMap(WeightKind.init(rawValue:)) ?? .analytic)
    }

    static func closeValues(_ a: Double?, _ b: Double?, _ rel: Double, _ absolute: Double) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) <= max(rel * abs(b), absolute)
    }

    @Test(arguments: BackendKind.available)
    func matchesR(kind: BackendKind) throws {
        for model in Self.reference["models"] as! [[String: Any]] {
            let name = model["name"] as! String
            let table = try DataTable.read(path: Self.root.appendingPathComponent(model["file"] as! String).path)
            let weights = Self.weights(model)
            let fit = try LinearModel.fit(
                Formula(model["formula"] as! String), data: table, backend: kind.make(), weights: weights.column,
                weightKind: weights.kind)
            let rows = fit.coefficients
            #expect(rows.map(\.term) == (model["terms"] as! [String]), "\(name)")
            #expect(fit.observations == model["n"] as! Int, "\(name) n")
            #expect(fit.residualDegreesOfFreedom == model["df_residual"] as! Int, "\(name) df")
            let est = Self.numbers(model["estimate"]), se = Self.numbers(model["std_error"])
            let t = Self.numbers(model["statistic"]), p = Self.numbers(model["p_value"])
            for (k, row) in rows.enumerated() {
                #expect(Self.close(row.estimate, est[k], key: "lm estimate"), "\(name) \(row.term) estimate")
                #expect(Self.close(row.standardError, se[k], key: "lm std_error"), "\(name) \(row.term) std. error")
                #expect(Self.close(row.statistic, t[k], key: "lm t"), "\(name) \(row.term) t")
                #expect(Self.close(row.pValue, p[k], absolute: 1e-300, key: "lm p_value"), "\(name) \(row.term) p")
            }
            #expect(Self.close(fit.sigma, Self.number(model["sigma"]), key: "lm sigma"), "\(name) sigma")
            #expect(Self.close(fit.rSquared, Self.number(model["r_squared"]), key: "lm r_squared"), "\(name) R2")
            #expect(Self.close(fit.adjustedRSquared, Self.number(model["adj_r_squared"]), key: "lm adj_r_squared"), "\(name) adj R2")
            #expect(Self.close(fit.fStatistic?.value, Self.number(model["f_statistic"]), key: "lm f_statistic"), "\(name) F")
            #expect(Self.close(fit.fStatistic?.pValue, Self.number(model["f_p_value"]), absolute: 1e-300, key: "lm f_p_value"), "\(name) F p")
            #expect(Self.close(fit.logLikelihood, Self.number(model["log_likelihood"]), key: "lm log_likelihood"), "\(name) logLik")
            #expect(Self.close(fit.aic, Self.number(model["aic"]), key: "lm aic"), "\(name) AIC")
            #expect(Self.close(fit.bic, Self.number(model["bic"]), key: "lm bic"), "\(name) BIC")
        }
    }

    /// Robust (HC0-HC3) and cluster-robust (CR1) errors, tests and intervals against sandwich
    /// and lmtest, and CR2 with Satterthwaite df against clubSandwich: 1e-8 relative (p-values
    /// 1e-8 relative or 1e-300 absolute).
    @Test(arguments: BackendKind.available)
    func robustErrorsMatchSandwich(kind: BackendKind) throws {
        for case_ in Self.reference["robust"] as! [[String: Any]] {
            let name = case_["name"] as! String
            let table = try DataTable.read(path: Self.root.appendingPathComponent(case_["file"] as! String).path)
            let se = Self.standardErrors(case_)
            let level = Self.number(case_["level"]) ?? (case_["level"] as! NSNumber).doubleValue
            let weights = Self.weights(case_)
            let fit = try LinearModel.fit(
                Formula(case_["formula"] as! String), data: table, backend: kind.make(), standardErrors: se, level: level,
                weights: weights.column, weightKind: weights.kind)
            #expect(fit.covariance.degreesOfFreedom == Double(case_["df"] as! Int), "\(name) df")
            let rows = fit.coefficients.filter { !$0.aliased }
            let columns: [(String, KeyPath<CoefficientRow, Double?>)] = [
                ("estimate", \.estimate), ("std_error", \.standardError), ("statistic", \.statistic),
                ("p_value", \.pValue), ("conf_low", \.confidenceLow), ("conf_high", \.confidenceHigh),
            ]
            if case_["coefficient_df"] != nil {
                for (row, value) in zip(rows, Self.numbers(case_["coefficient_df"])) {
                    #expect(Self.close(row.degreesOfFreedom, value, 1e-8, key: "robust cr2 satterthwaite_df"), "\(name) \(row.term) Satterthwaite df")
                }
            }
            for (key, path) in columns {
                let expected = Self.numbers(case_[key])
                #expect(expected.count == rows.count, "\(name) \(key) count")
                for (row, value) in zip(rows, expected) {
                    #expect(Self.close(row[keyPath: path], value, 1e-8, absolute: key == "p_value" ? 1e-300 : 0, key: "robust \(case_["se"] as! String) \(key)"),
                            "\(name) \(row.term) \(key): \(row[keyPath: path] ?? .nan) vs \(value ?? .nan)")
                }
            }
        }
    }

    /// Fitted values, residuals, leverage, standardized and studentized residuals and Cook's
    /// distance against R's fitted, residuals, hatvalues, rstandard, rstudent, cooks.distance:
    /// 1e-8 relative (1e-12 absolute for residuals near zero).
    @Test(arguments: BackendKind.available)
    func diagnosticsMatchR(kind: BackendKind) throws {
        for case_ in Self.reference["influence"] as! [[String: Any]] {
            let name = case_["name"] as! String
            let table = try DataTable.read(path: Self.root.appendingPathComponent(case_["file"] as! String).path)
            // A weights column here is of frequency weights.
            let fit = try LinearModel.fit(
                Formula(case_["formula"] as! String), data: table, backend: kind.make(), weights: Self.weights(case_).column,
                weightKind: .frequency)
            let d = fit.diagnostics
            let columns: [(String, [Double])] = [
                ("fitted", d.fitted), ("residual", d.residuals), ("leverage", d.leverage),
                ("std_residual", d.standardized), ("student_residual", d.studentized), ("cooks_distance", d.cooksDistance),
            ]
            for (key, ours) in columns {
                let expected = Self.numbers(case_[key])
                #expect(expected.count == ours.count, "\(name) \(key) count")
                let scale = expected.compactMap { $0 }.map(abs).max() ?? 1
                for (i, (a, b)) in zip(ours, expected).enumerated() {
                    #expect(Self.close(a, b, 1e-8, absolute: 1e-12 * scale, key: "diagnostics \(key)"), "\(name) row \(i) \(key): \(a) vs \(b ?? .nan)")
                }
            }
            // Breusch-Pagan (lmtest::bptest) and variance inflation (car::vif).
            let bp = try #require(fit.breuschPagan)
            #expect(Self.close(bp.statistic, Self.number(case_["bp_statistic"]), 1e-8, key: "breusch_pagan statistic"), "\(name) BP")
            #expect(bp.degreesOfFreedom == case_["bp_df"] as! Int)
            #expect(Self.close(bp.pValue, Self.number(case_["bp_p_value"]), 1e-8, key: "breusch_pagan p_value"), "\(name) BP p")
            let vif = try #require(fit.varianceInflation)
            #expect(vif.map(\.term) == case_["vif_terms"] as! [String])
            for (v, expected) in zip(vif, Self.numbers(case_["vif"])) {
                #expect(Self.close(v.gvif, expected, 1e-8, key: "vif gvif"), "\(name) VIF \(v.term)")
            }
        }
    }

    /// Nested-model F tests against R's anova() on rows complete for every model: 1e-8 relative.
    @Test func nestedModelsMatchAnova() throws {
        for case_ in Self.reference["anova"] as! [[String: Any]] {
            let name = case_["name"] as! String
            let table = try DataTable.read(path: Self.root.appendingPathComponent(case_["file"] as! String).path)
            let formulas = try (case_["formulas"] as! [String]).map { try Formula($0) }
            let result = try NestedModelComparison.compare(
                formulas, data: table, weights: Self.weights(case_).column, weightKind: .frequency)
            let columns: [(String, (NestedModelComparison.Row) -> Double?)] = [
                ("res_df", { Double($0.residualDF) }), ("rss", { $0.rss }), ("df", { $0.df.map(Double.init) }),
                ("sum_sq", { $0.sumOfSquares }), ("f", { $0.f }), ("p_value", { $0.pValue }),
            ]
            for (key, value) in columns {
                for (row, expected) in zip(result.rows, Self.numbers(case_[key])) {
                    #expect(Self.close(value(row), expected, 1e-8, absolute: key == "p_value" ? 1e-300 : 0, key: "anova \(key)"), "\(name) \(key)")
                }
            }
        }
    }

    /// Predictions for new rows (through the fit's transforms and factor levels) with
    /// confidence and prediction intervals, against R's predict.lm: 1e-8 relative.
    @Test(arguments: BackendKind.available)
    func predictionsMatchR(kind: BackendKind) throws {
        let table = try DataTable.read(path: Self.root.appendingPathComponent("datasets/wales_la_panel.csv").path)
        let new = try DataTable.read(path: Self.root.appendingPathComponent("Tests/RegressionTests/Fixtures/new_wales.csv").path)
        for case_ in Self.reference["predictions"] as! [[String: Any]] {
            let name = case_["name"] as! String
            let fit = try LinearModel.fit(Formula(case_["formula"] as! String), data: table, backend: kind.make())
            let p = try fit.predict(new, level: Self.number(case_["level"]) ?? 0.95)
            #expect(p.rows == (case_["rows"] as! [Int]), "\(name) rows")
            let columns: [(String, [Double])] = [
                ("fit", p.fit), ("se_fit", p.standardError), ("conf_low", p.confidenceLow), ("conf_high", p.confidenceHigh),
                ("pred_low", p.predictionLow), ("pred_high", p.predictionHigh),
            ]
            for (key, ours) in columns {
                for (a, b) in zip(ours, Self.numbers(case_[key])) { #expect(Self.close(a, b, 1e-8, key: "prediction \(key)"), "\(name) \(key)") }
            }
        }
        let fit = try LinearModel.fit(Formula("rate_per_10000 ~ factor(year)"), data: table, backend: kind.make())
        let unseen = try DataTable.parse(bytes: Array("year\n2016\n2019\n".utf8), source: "unseen.csv")
        do {
            _ = try fit.predict(unseen)
            Issue.record("an unseen level was accepted")
        } catch {
            #expect(error.description == "line 3: factor(year) has level \"2019\", which the fitted model never saw")
        }
    }

    /// Wald tests of linear restrictions against car::linearHypothesis: 1e-8 relative.
    @Test(arguments: BackendKind.available)
    func waldTestsMatchLinearHypothesis(kind: BackendKind) throws {
        let table = try DataTable.read(path: Self.root.appendingPathComponent("datasets/wales_la_panel.csv").path)
        for case_ in Self.reference["wald"] as! [[String: Any]] {
            let name = case_["name"] as! String
            let se: StandardErrorKind = case_["se"] as! String == "hc3" ? .hc3 : .classical
            let fit = try LinearModel.fit(Formula(case_["formula"] as! String), data: table, backend: kind.make(), standardErrors: se)
            let test = try fit.waldTest(case_["hypotheses"] as! [String])
            #expect(Self.close(test.f, Self.number(case_["f"]), 1e-8, key: "wald f"), "\(name) F")
            #expect(test.numeratorDF == case_["df_num"] as! Int, "\(name) df")
            #expect(Self.close(test.pValue, Self.number(case_["p_value"]), 1e-8, absolute: 1e-300, key: "wald p_value"), "\(name) p")
        }
    }

    @Test func droppedRowsAreCountedByColumnAndMarker() throws {
        let table = try DataTable.read(path: Self.root.appendingPathComponent("Tests/RegressionTests/Fixtures/missing.csv").path)
        let fit = try LinearModel.fit(Formula("y ~ x1 + x2"), data: table)
        #expect(fit.frame.dropped.count == 4)
        let summary = fit.frame.droppedSummary.map { "\($0.column) \($0.marker) \($0.count)" }
        #expect(summary == ["x1 [c] 1", "x2 .. 1", "y NA 1", "x1  1"])
        #expect(fit.frame.dropped.map(\.line) == [5, 9, 14, 22])
    }

    @Test func tDistributionMatchesR() {
        let d = Self.reference["t_two_sided"] as! [String: Any]
        let t = Self.numbers(d["t"]), df = Self.numbers(d["df"]), p = Self.numbers(d["p"])
        for k in t.indices {
            let ours = Distributions.studentTTwoSided(t[k]!, df: df[k]!)
            #expect(Self.close(ours, p[k], 1e-12, absolute: 1e-300, key: "t two-sided p"), "t \(t[k]!) df \(df[k]!): \(ours) vs \(p[k]!)")
        }
    }

    @Test func fDistributionMatchesR() {
        let d = Self.reference["f_upper"] as! [String: Any]
        let f = Self.numbers(d["f"]), d1 = Self.numbers(d["d1"]), d2 = Self.numbers(d["d2"]), p = Self.numbers(d["p"])
        for k in f.indices {
            let ours = Distributions.fUpperTail(f[k]!, d1: d1[k]!, d2: d2[k]!)
            #expect(Self.close(ours, p[k], 1e-12, absolute: 1e-300, key: "F upper p"), "F \(f[k]!) (\(d1[k]!), \(d2[k]!)): \(ours) vs \(p[k]!)")
        }
    }
}
