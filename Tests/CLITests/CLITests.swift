import Foundation
import Testing

/// End-to-end tests of the built `carerates` binary: whole outputs and error messages.
@Suite struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary built beside this test bundle.
    static var binary: URL {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent(), dir.deletingLastPathComponent().deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("carerates")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("carerates")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = Self.root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static let longleyFormula = "employed ~ gnp_deflator + gnp + unemployed + armed_forces + population + year"

    @Test func textSummaryLooksLikeR() throws {
        let r = try run(["fit", "datasets/longley.csv", "--formula", Self.longleyFormula])
        #expect(r.status == 0, "\(r.stderr)")
        let expected = """
                           Estimate Std. Error t value Pr(>|t|)    
            (Intercept)  -3.482e+06  8.904e+05  -3.911 0.003560 ** 
            gnp_deflator  1.506e+01  8.491e+01   0.177 0.863141    
            gnp          -3.582e-02  3.349e-02  -1.070 0.312681    
            unemployed   -2.020e+00  4.884e-01  -4.136 0.002535 ** 
            armed_forces -1.033e+00  2.143e-01  -4.822 0.000944 ***
            population   -5.110e-02  2.261e-01  -0.226 0.826212    
            year          1.829e+03  4.555e+02   4.016 0.003037 ** 
            """
        #expect(r.stdout.contains(expected), "\(r.stdout)")
        #expect(r.stdout.contains("Residual standard error: 304.9 on 9 degrees of freedom"))
        #expect(r.stdout.contains("Multiple R-squared:  0.9955,\tAdjusted R-squared:  0.9925"))
        #expect(r.stdout.contains("F-statistic: 330.3 on 6 and 9 DF,  p-value: 4.984e-10"))
        #expect(r.stdout.contains("Standard errors: classical"))
    }

    @Test(arguments: ["lapack", "swift"])
    func tidyCSV(backend: String) throws {
        let r = try run(["fit", "longley", "--formula", "employed ~ gnp + year", "--format", "csv", "--backend", backend])
        if backend == "lapack" && r.status != 0 && r.stderr.contains("no LAPACK backend") { return }  // pure build
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "term,estimate,std_error,statistic,p_value,conf_low,conf_high,df")
        #expect(lines.dropFirst().map { $0.split(separator: ",").first.map(String.init) ?? "" } == ["(Intercept)", "gnp", "year"])
    }

    /// Every Markdown row has as many cells as the header, the df column included.
    @Test func markdownRowsMatchTheHeader() throws {
        let r = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ scale(unemployment_rate_pct)", "--format", "markdown"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "| term | estimate | std_error | statistic | p_value | conf_low | conf_high | df |")
        for line in lines { #expect(line.filter { $0 == "|" }.count == 9, "\(line)") }
        #expect(lines.last?.hasSuffix(" | 86 |") == true, "\(lines.last ?? "")")
    }

    @Test func jsonHasCoefficientsAndStatistics() throws {
        let r = try run(["fit", "longley", "-f", "employed ~ gnp + gnp2", "--format", "json"])
        #expect(r.status != 0)
        let ok = try run(["fit", "longley", "-f", "employed ~ gnp + year", "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as! [String: Any]
        let stats = json["statistics"] as! [String: Any]
        #expect((stats["n"] as! NSNumber).intValue == 16)
        #expect((json["coefficients"] as! [[String: Any]]).map { $0["term"] as! String } == ["(Intercept)", "gnp", "year"])
        #expect((json["model"] as! [String: Any])["standard_errors"] as? String == "classical (OLS, homoskedastic)")
    }

    @Test func aliasedTermsAreReportedByName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("collinear.csv")
        var text = "y,x1,x2,x3\n"
        for i in 1...12 { text += "\(Double(i * i % 7) + 0.5 * Double(i)),\(i),\(2 * i),\(i % 3)\n" }
        try text.write(to: file, atomically: true, encoding: .utf8)
        let r = try run(["fit", file.path, "-f", "y ~ x1 + x2 + x3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Coefficients: (1 not defined because of singularities)"))
        let x2 = r.stdout.split(separator: "\n").first { $0.hasPrefix("x2 ") }.map(String.init) ?? ""
        #expect(x2.split(separator: " ") == ["x2", "NA", "NA", "NA", "NA"], "\(r.stdout)")
        let json = try run(["fit", file.path, "-f", "y ~ x1 + x2 + x3", "--format", "json"])
        #expect(json.stdout.contains("\"aliased\": [\n    \"x2\"\n  ]"), "\(json.stdout)")
    }

    /// Bad input: one clear line naming file, line, column or term; non-zero exit; no crash.
    @Test(arguments: [
        (["fit", "no/such/file.csv", "-f", "y ~ x"], "no/such/file.csv: cannot read file"),
        (["fit", "longley", "-f", "employed ~ gnp + yaer"], "no column named \"yaer\" in "),
        (["fit", "longley", "-f", "employed ~ gnp + yaer"], "; did you mean \"year\"?\n  employed ~ gnp + yaer\n                   ^"),
        (["anova", "longley", "-f", "employed ~ gnp", "-f", "employed ~ gnp + log(yaer)"], "formula, position 22: no column named \"yaer\""),
        (["fit", "longley", "-f", "employed ~ gnp +"], "formula, position 17"),
        (["fit", "longley", "-f", "employed gnp"], "a formula needs \"~\""),
        (["fit", "longley", "-f", "employed ~ gnp", "--tol", "5"], "--tol must be between 0 and 1"),
        (["fit", "longley", "-f", "employed ~ gnp", "--backend", "fortran"], "fortran"),
        (["fit", "longley", "-f", "employed ~ gnp", "--se", "cluster"], "--se cluster needs --cluster COLUMN"),
        (["fit", "longley", "-f", "employed ~ gnp", "--se", "cr2"], "--se cr2 needs --cluster COLUMN"),
        (["fit", "longley", "-f", "employed ~ gnp", "--cluster", "year"], "never clusters unless asked"),
        (["fit", "longley", "-f", "employed ~ gnp", "--se", "cluster", "--cluster", "yeer"], "did you mean \"year\""),
        (["fit", "longley", "-f", "employed ~ gnp", "--level", "95"], "--level must be between 0 and 1"),
        (["fit", "longley", "-f", "employed ~ gnp", "--exposure", "year"], "--exposure and --theta are for generalized linear models"),
        (["fit", "wales_la_panel", "-f", "children_looked_after ~ unemployment_rate_pct", "--family", "poisson", "--test", "x = 0"], "--test and --checks are for linear models"),
        (["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct", "--weights", "rate_per_10000", "--weight-kind", "frequency"],
         "wales_la_panel.csv:2, column 6 (rate_per_10000): frequency weight 75.0188 is not a whole number"),
        (["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct", "--weight-kind", "frequency"],
         "--weight-kind frequency needs --weights COLUMN"),
        (["fit", "wales_la_panel", "-f", "children_looked_after ~ unemployment_rate_pct", "--family", "poisson",
          "--weights", "population_0_15", "--weight-kind", "frequency"], "--weight-kind frequency is for linear models"),
        (["fit", "longley", "-f", "employed ~ gnp", "--test", "gpn = 0"], "\"gpn\" is not a coefficient name; did you mean \"gnp\"?"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let r = try run(arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Backtrace"))
    }

    @Test func badFilesNameLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, [String], String)] = [
            ("text.csv", ["y,x\n1,2\n2,abc\n3,4\n"], "text.csv:3, column 2 (x): \"abc\" is not a number"),
            ("empty.csv", [""], "empty.csv: file is empty"),
            ("short.csv", ["y,x\n1,2\n"], "1 usable rows for 2 coefficients"),
            ("ragged.csv", ["y,x\n1,2\n3\n"], "ragged.csv:3: row has 1 fields, but the header has 2"),
        ]
        for (name, content, message) in cases {
            let file = dir.appendingPathComponent(name)
            try content[0].write(to: file, atomically: true, encoding: .utf8)
            let before = try Data(contentsOf: file)
            let r = try run(["fit", file.path, "-f", "y ~ x"])
            #expect(r.status != 0, "\(name)")
            #expect(r.stderr.contains(message), "\(name): \(r.stderr)")
            #expect(try Data(contentsOf: file) == before, "\(name) was modified")
        }
    }

    @Test func outputIsWrittenAtomicallyAndNeverOverAnInput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.csv")
        try "y,x\n1,2\n2,3.5\n3,3\n4,6\n".write(to: input, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.csv")
        let ok = try run(["fit", input.path, "-f", "y ~ x", "--format", "csv", "--out", out.path])
        #expect(ok.status == 0 && ok.stdout.isEmpty)
        #expect(try String(contentsOf: out, encoding: .utf8).hasPrefix("term,estimate"))
        let refused = try run(["fit", input.path, "-f", "y ~ x", "--out", input.path])
        #expect(refused.status != 0 && refused.stderr.contains("that is an input file"))
        #expect(try String(contentsOf: input, encoding: .utf8) == "y,x\n1,2\n2,3.5\n3,3\n4,6\n")
    }

    /// `--subset` fits the rows where the condition holds, says so in the call as R does, and a
    /// condition that cannot be read is one error with its position.
    @Test func subsetFitsTheRowsWhereItHolds() throws {
        let fit = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct", "--subset", "year <= 2016 & la_name != 'Cardiff'"])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("data = wales_la_panel, subset = year <= 2016 & la_name != 'Cardiff')"), "\(fit.stdout)")
        #expect(fit.stdout.contains("on 40 degrees of freedom"), "\(fit.stdout)")  // 21 authorities, 2 years, 2 coefficients
        let misspelt = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct", "--subset", "yaer <= 2016"])
        #expect(misspelt.status != 0 && misspelt.stderr.contains("--subset, position 1: ") && misspelt.stderr.contains("did you mean"), "\(misspelt.stderr)")
        let none = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct", "--subset", "year > 2030"])
        #expect(none.status != 0 && none.stderr.contains("holds for none of the 132 rows"), "\(none.stderr)")
    }

    @Test func dataCommandsAndBundledNames() throws {
        let list = try run(["data", "list"])
        #expect(list.status == 0 && list.stdout.contains("wales_la_panel") && list.stdout.contains("england_la_panel"))
        let describe = try run(["data", "describe", "wales_la_panel"])
        #expect(describe.status == 0, "\(describe.stderr)")
        #expect(describe.stdout.contains("wales_la_panel: 132 rows, 14 columns"))
        #expect(describe.stdout.split(separator: "\n").contains { $0.hasPrefix("la_code ") && $0.contains("text") && $0.contains("22: ") })
        let fit = try run(["fit", "england_la_panel", "-f", "rate_per_10000 ~ idaci_average_score + csc_net_spend_per_child_gbp"])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("observations deleted due to missingness: csc_net_spend_per_child_gbp \"NA\""), "\(fit.stdout)")
    }

    @Test func clusterRobustErrorsNameTheEstimatorAndWarn() throws {
        let r = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct", "--se", "cluster", "--cluster", "la_code"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Standard errors: cluster-robust CR1 by la_code (G = 22 clusters"))
        #expect(r.stdout.contains("t with G - 1 = 21 df"))
        #expect(r.stdout.contains("Warning: only 22 clusters"))
        let hc3 = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct", "--se", "hc3", "--format", "json"])
        #expect(hc3.stdout.contains("\"standard_errors\": \"HC3 (heteroskedasticity-consistent, MacKinnon-White)\""))
    }

    @Test func residualsCarryIdentifiersAndListDroppedRows() throws {
        let csv = try run(["residuals", "england_la_panel", "-f", "rate_per_10000 ~ idaci_average_score", "--id", "la_code,year", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "la_code,year,line,observed,fitted,residual,std_residual,student_residual,leverage,cooks_distance")
        #expect(lines.dropFirst().first?.hasPrefix("E06000001,2019,2,143,") == true, "\(lines.dropFirst().first ?? "")")
        let text = try run(["residuals", "england_la_panel", "-f", "rate_per_10000 ~ idaci_average_score", "--id", "la_code,year"])
        #expect(text.stdout.contains("Dropped for missing values:"))
        #expect(text.stdout.contains("E10000009  2019  line 795  rate_per_10000 \"x\""))
        let bad = try run(["residuals", "wales_la_panel", "-f", "rate_per_10000 ~ unemployment_rate_pct", "--id", "la_nmae"])
        #expect(bad.status != 0 && bad.stderr.contains("did you mean \"la_name\""))
    }

    @Test func binomialAndGammaFamiliesWithLinks() throws {
        let logit = try run(["fit", "Tests/RegressionTests/Fixtures/wales_binomial.csv", "-f",
                             "cbind(children_looked_after, not_looked_after) ~ children_low_income_pct", "--family", "binomial",
                             "--exponentiate"])
        #expect(logit.status == 0, "\(logit.stderr)")
        #expect(logit.stdout.contains("family = binomial(link = \"logit\")") && logit.stdout.contains("Odds ratio"))
        #expect(logit.stdout.contains("Against the null model: LR chi-squared = "))
        let gamma = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ children_low_income_pct", "--family", "gamma",
                             "--link", "log"])
        #expect(gamma.status == 0, "\(gamma.stderr)")
        #expect(gamma.stdout.contains("(Dispersion parameter for Gamma family taken to be ") && gamma.stdout.contains("t value"))
        let wrong = try run(["fit", "wales_la_panel", "-f", "rate_per_10000 ~ children_low_income_pct", "--family", "poisson",
                             "--link", "identity"])
        #expect(wrong.status != 0 && wrong.stderr.contains("the poisson family takes the link log; not identity"))
        let poisson = try run(["fit", "wales_la_panel", "-f", "children_looked_after ~ unemployment_rate_pct", "--family", "poisson",
                               "--exposure", "population_0_15"])
        #expect(poisson.stdout.contains("Overdispersion (Cameron-Trivedi, one-sided):"))
    }

    @Test func generalizedResidualsAndPredictions() throws {
        let residuals = try run(["residuals", "wales_la_panel", "-f", "children_looked_after ~ children_low_income_pct", "--family",
                                 "negbin", "--exposure", "population_0_15", "--id", "la_code,year", "--format", "csv"])
        #expect(residuals.status == 0, "\(residuals.stderr)")
        #expect(residuals.stdout.hasPrefix("la_code,year,line,observed,fitted,linear_predictor,resid_response,resid_pearson"))
        #expect(residuals.stdout.split(separator: "\n").count == 89)
        let args = ["predict", "wales_la_panel", "-f", "children_looked_after ~ children_low_income_pct", "--family", "poisson",
                    "--exposure", "population_0_15", "--new", "Tests/RegressionTests/Fixtures/new_wales_counts.csv", "--id", "la_name",
                    "--format", "csv", "--seed", "11", "--draws", "5000"]
        let first = try run(args), second = try run(args)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("la_name,line,link_fit,link_se,link_low,link_high,fit,se_fit,conf_low,conf_high,pred_low,pred_high"))
        #expect(first.stdout == second.stdout)
        let noExposure = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-\(UUID().uuidString).csv")
        try "la_name,children_low_income_pct\nPowys,20\n".write(to: noExposure, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: noExposure) }
        let missing = try run(["predict", "wales_la_panel", "-f", "children_looked_after ~ children_low_income_pct", "--family",
                               "poisson", "--exposure", "population_0_15", "--new", noExposure.path])
        #expect(missing.status != 0 && missing.stderr.contains("no column named \"population_0_15\""), "\(missing.stderr)")
    }

    @Test func poissonWithExposureLooksLikeRsGlm() throws {
        let args = ["fit", "wales_la_panel", "-f", "children_looked_after ~ unemployment_rate_pct", "--family", "poisson",
                    "--exposure", "population_0_15"]
        let r = try run(args + ["--epsilon", "1e-8"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Estimate Std. Error  z value Pr(>|z|)"))
        #expect(r.stdout.contains("(Dispersion parameter for poisson family taken to be 1)"))
        // R's rule: R's iterations; by default, on to the optimum, and the summary says so.
        #expect(r.stdout.contains("Number of Fisher Scoring iterations: 4\nConvergence: R's rule (relative change in deviance below 1e-08): met\n"))
        let optimum = try run(args)
        #expect(optimum.stdout.contains("Convergence: to the optimum (coefficients settled to 1e-12 relative, or to rounding): met\n"),
                "\(optimum.stdout)")
        #expect(!optimum.stdout.contains("Number of Fisher Scoring iterations: 4\n"))
        let nb = try run(["fit", "wales_la_panel", "-f", "children_looked_after ~ unemployment_rate_pct", "--family", "negbin",
                          "--exposure", "population_0_15", "--format", "json"])
        #expect(nb.status == 0, "\(nb.stderr)")
        #expect(nb.stdout.contains("\"theta\": ") && nb.stdout.contains("\"theta_std_error\": "))
        // Rate ratios are exp of the estimate and of the interval bounds.
        let nbArgs = ["fit", "wales_la_panel", "-f", "children_looked_after ~ unemployment_rate_pct", "--family", "negbin",
                    "--exposure", "population_0_15", "--format", "csv"]
        let plain = try run(nbArgs), ratio = try run(nbArgs + ["--exponentiate"])
        let last = { (s: String) in s.split(separator: "\n").last!.split(separator: ",").map(String.init) }
        let a = last(plain.stdout), b = last(ratio.stdout)
        #expect(abs(Double(b[1])! - Foundation.exp(Double(a[1])!)) < 1e-12 * Double(b[1])!)
        #expect(abs(Double(b[5])! - Foundation.exp(Double(a[5])!)) < 1e-12 * Double(b[5])!)
        #expect(a[2] == b[2])
    }

    @Test func nestedGeneralizedModelsAndCR2() throws {
        let lr = try run(["anova", "wales_la_panel", "-f", "children_looked_after ~ unemployment_rate_pct", "-f",
                          "children_looked_after ~ unemployment_rate_pct + factor(year)", "--family", "negbin", "--exposure",
                          "population_0_15"])
        #expect(lr.status == 0, "\(lr.stderr)")
        #expect(lr.stdout.hasPrefix("Likelihood ratio test\n") && lr.stdout.contains("Offset: log(population_0_15) in every model"))
        #expect(lr.stdout.contains("#Df Resid. Df Resid. Dev  theta  LogLik Df"))
        let f = try run(["anova", "wales_la_panel", "-f", "children_looked_after ~ 1", "-f", "children_looked_after ~ factor(year)",
                         "--family", "quasipoisson", "--format", "csv"])
        #expect(f.status == 0, "\(f.stderr)")
        #expect(f.stdout.hasPrefix("model,formula,parameters,res_df,deviance,log_likelihood,theta,df,statistic,p_value\n"))
        let cr2 = try run(["fit", "wales_la_panel", "-f", "children_looked_after ~ unemployment_rate_pct", "--family", "poisson",
                           "--exposure", "population_0_15", "--se", "cr2", "--cluster", "la_code"])
        #expect(cr2.status == 0, "\(cr2.stderr)")
        #expect(cr2.stdout.contains("t value    df Pr(>|t|)") && cr2.stdout.contains("CR2 (Bell-McCaffrey) by la_code (G = 22"))
    }

    @Test func versionNamesBackendAndThreads() throws {
        let r = try run(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("backends:") && r.stdout.contains("threads:"))
    }
}
