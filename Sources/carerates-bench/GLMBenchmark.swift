import DataTable
import Foundation
import LinearAlgebra
import Regression

/// Poisson (with an offset) and negative binomial (theta by maximum likelihood) fits of a
/// generated n x p design (intercept and p - 1 standard normal covariates, exposures uniform on
/// [1000, 20000], fixed seed), per backend, against R's glm.fit and MASS::glm.nb and statsmodels'
/// GLM(Poisson) and NegativeBinomial (NB2, alpha by ML) on the same data in the same run.
/// Ours is timed from a data table through the formula (design built), theirs from a matrix.
///   swift run -c release carerates-bench glm [n] [p]
enum GLMBenchmark {
    static let rScript = """
    suppressMessages(library(MASS))
    a <- commandArgs(TRUE); n <- as.integer(a[2]); p <- as.integer(a[3])
    X <- matrix(readBin(file.path(a[1], "x.bin"), "double", n * p), n, p)
    off <- readBin(file.path(a[1], "offset.bin"), "double", n)
    y <- readBin(file.path(a[1], paste0(a[4], ".bin")), "double", n)
    if (a[4] == "poisson") {
      t <- system.time(f <- glm.fit(X, y, family = poisson(), offset = off))[["elapsed"]]
      cat(t, f$iter, f$coefficients, "\\n")
    } else {
      t <- system.time(f <- glm.nb(y ~ X - 1 + offset(off)))[["elapsed"]]
      cat(t, f$iter, coef(f), "\\n")
    }
    """
    static let pythonScript = """
    import sys, time, numpy as np, warnings
    import statsmodels.api as sm
    warnings.simplefilter("ignore")
    d, n, p, model = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    X = np.fromfile(d + "/x.bin").reshape((p, n)).T
    off = np.fromfile(d + "/offset.bin")
    y = np.fromfile(d + "/" + model + ".bin")
    t = time.perf_counter()
    if model == "poisson":
        r = sm.GLM(y, X, family=sm.families.Poisson(), offset=off).fit()
        it = r.fit_history["iteration"]
        b = r.params
    else:
        r = sm.NegativeBinomial(y, X, offset=off).fit(disp=0, maxiter=100)
        it = r.mle_retvals.get("iterations", r.mle_retvals.get("gcalls", 0))
        b = r.params[:p]
    print(time.perf_counter() - t, it, *[f"{v:.17g}" for v in b])
    """

    static func run(n: Int, p: Int) {
        var generator = SeededGenerator(seed: 20_261_123)
        var columns = [(name: String, values: [Double])]()
        var eta = [Double](repeating: -4, count: n)
        for j in 1..<p {
            let beta = (j % 2 == 0 ? 0.05 : -0.05) * (1 + Double(j % 5) / 5)
            var x = [Double](repeating: 0, count: n)
            for i in 0..<n {
                x[i] = generator.normal()
                eta[i] += beta * x[i]
            }
            columns.append(("x\(j)", x))
        }
        let exposure = (0..<n).map { _ in 1000 + 19000 * generator.uniform() }
        let offset = exposure.map { log($0) }
        let yPoisson = (0..<n).map { generator.poisson(exp(eta[$0] + offset[$0])) }
        let yNegbin = (0..<n).map { generator.negativeBinomial(mean: exp(eta[$0] + offset[$0]), theta: 2) }
        columns += [("exposure", exposure), ("poisson", yPoisson), ("negbin", yNegbin)]
        let table = DataTable(source: "generated", numericColumns: columns)
        print(String(format: "GLM n = %d, p = %d (design %.0f MB); Poisson mean %.1f", n, p, Double(n * p * 8) / 1e6,
                     yPoisson.reduce(0, +) / Double(n)))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-glm-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var x = [Double](repeating: 1, count: n)
        for j in 1..<p { x += columns[j - 1].values }
        for (name, values) in [("x", x), ("offset", offset), ("poisson", yPoisson), ("negbin", yNegbin)] {
            values.withUnsafeBytes { try? Data($0).write(to: dir.appendingPathComponent("\(name).bin")) }
        }
        x = []
        try? rScript.write(to: dir.appendingPathComponent("glm.R"), atomically: true, encoding: .utf8)
        try? pythonScript.write(to: dir.appendingPathComponent("glm.py"), atomically: true, encoding: .utf8)
        let formula = try! Formula("y ~ " + (1..<p).map { "x\($0)" }.joined(separator: " + "))

        for family in [GLMFamily.poisson, .negbin] {
            let response = family == .poisson ? "poisson" : "negbin"
            let f = try! Formula(formula.text.replacingOccurrences(of: "y ~", with: "\(response) ~"))
            var ours = [BackendKind: (seconds: Double, fit: GeneralizedLinearModelFit)]()
            for kind in BackendKind.available {
                let backend = try! kind.make()
                for _ in 0..<2 {
                    let start = Date()
                    let fit = try! GeneralizedLinearModel.fit(
                        f, data: table, options: GLMOptions(family: family, exposure: "exposure"), backend: backend)
                    let seconds = Date().timeIntervalSince(start)
                    if seconds < ours[kind]?.seconds ?? .infinity { ours[kind] = (seconds, fit) }
                }
                let (seconds, fit) = ours[kind]!
                let detail = fit.theta.map { String(format: "; theta %.4f (%d alternations)", $0, fit.alternations ?? 0) } ?? ""
                print(String(format: "  %@ %-7@ %.3f s, %d IRLS iterations (last fit)%@", family.rawValue, kind.rawValue, seconds,
                             fit.iterations, detail))
            }
            let peers: [(String, [Double]?)] = [
                (family == .poisson ? "R glm.fit" : "R MASS::glm.nb",
                 peerNumbers("Rscript", [dir.appendingPathComponent("glm.R").path, dir.path, "\(n)", "\(p)", response])),
                (family == .poisson ? "statsmodels GLM(Poisson)" : "statsmodels NegativeBinomial",
                 peerNumbers("python3", [dir.appendingPathComponent("glm.py").path, dir.path, "\(n)", "\(p)", response])),
            ]
            let reference = ours[BackendKind.preferred]!.fit.coefficientEstimates
            for (name, numbers) in peers {
                guard let numbers, numbers.count >= 2 + p else {
                    print("    \(name): not installed, skipped")
                    continue
                }
                let seconds = numbers[0], coefficients = Array(numbers[2..<(2 + p)])
                let ratios = BackendKind.available.map { String(format: "%@ %.1fx faster", $0.rawValue, seconds / ours[$0]!.seconds) }
                let diff = zip(coefficients, reference).map { abs($0 - $1) / abs($1) }.max() ?? .nan
                print(String(format: "    %@ %.2f s (%.0f iterations or gradient calls): %@; coefficients agree to %.1e", name, seconds, numbers[1],
                             ratios.joined(separator: ", "), diff))
            }
        }
    }
}
