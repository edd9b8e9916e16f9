import DataTable
import Foundation
import LinearAlgebra
import Regression

/// Least squares with absorbed fixed effects on a generated panel: n rows, five covariates, an
/// authority factor of 150 levels and a year factor of 10 (every combination equally likely),
/// a rate response and a Poisson count with an exposure, fixed seed; ours from a data table
/// through the formula, per backend, against PyFixest's feols and fepois warm (its compiled
/// kernels loaded by a first fit) on the same data, in turn in each of five rounds: the ratio is
/// the median of the rounds' ratios.
///   swift run -c release carerates-bench panel [n]
enum PanelBenchmark {
    static let rounds = 5

    static let pythonScript = """
    import sys, time, warnings, numpy as np, pandas as pd
    import pyfixest as pf
    warnings.simplefilter("ignore")
    d = sys.argv[1]
    names = ["x1", "x2", "x3", "x4", "x5", "rate", "count", "exposure", "la", "year"]
    data = pd.DataFrame({name: np.fromfile(d + "/" + name + ".bin") for name in names})
    data["la"] = data["la"].astype(np.int64)
    data["year"] = data["year"].astype(np.int64)
    data["log_exposure"] = np.log(data["exposure"])
    fits = {
        "feols": lambda: pf.feols("rate ~ x1 + x2 + x3 + x4 + x5 | la + year", data=data),
        "fepois": lambda: pf.fepois("count ~ x1 + x2 + x3 + x4 + x5 | la + year", data=data, offset="log_exposure"),
    }
    for fit in fits.values():
        fit()
    for request in sys.stdin:
        t = time.perf_counter(); m = fits[request.strip()](); t = time.perf_counter() - t
        print(t, *[f"{v:.17g}" for v in m.coef().values], flush=True)
    """

    static func run(n: Int) {
        var generator = SeededGenerator(seed: 20_261_202)
        let la = (0..<n).map { _ in Double(Int(generator.uniform() * 150)) }
        let year = (0..<n).map { _ in Double(2011 + Int(generator.uniform() * 10)) }
        let laEffect = (0..<150).map { _ in generator.normal() }
        var columns = [(name: String, values: [Double])]()
        var rate = (0..<n).map { i in 40 + 10 * laEffect[Int(la[i])] + (year[i] - 2015) + generator.normal() * 5 }
        var eta = (0..<n).map { i in -4 + 0.3 * laEffect[Int(la[i])] + 0.02 * (year[i] - 2015) }
        for j in 1...5 {
            let x = (0..<n).map { i in generator.normal() + 0.3 * laEffect[Int(la[i])] }
            for i in 0..<n {
                rate[i] += Double(j) * 0.5 * x[i]
                eta[i] += (j % 2 == 0 ? 0.05 : -0.05) * x[i]
            }
            columns.append(("x\(j)", x))
        }
        let exposure = (0..<n).map { _ in 1000 + 19000 * generator.uniform() }
        let count = (0..<n).map { generator.poisson(exposure[$0] * exp(eta[$0])) }
        columns += [("rate", rate), ("count", count), ("exposure", exposure), ("la", la), ("year", year)]
        let table = DataTable(source: "generated", numericColumns: columns)
        print(String(format: "Fixed effects n = %d, 5 covariates, la (150 levels) + year (10 levels)", n))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-panel-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, values) in columns {
            values.withUnsafeBytes { try? Data($0).write(to: dir.appendingPathComponent("\(name).bin")) }
        }
        try? pythonScript.write(to: dir.appendingPathComponent("panel.py"), atomically: true, encoding: .utf8)
        // Scale: a factor of 100,000 levels (and the 150 authorities beside it); memory follows the rows.
        let unit = (0..<n).map { i in Double(i % 100_000) }
        let large = DataTable(source: "generated", numericColumns: columns + [("unit", unit)])
        for fixed in ["unit + year", "unit + la"] {
            let base = residentBytes()
            resetPeak()
            let start = Date()
            let fit = try! FixedEffectsModel.fit(
                Formula("rate ~ x1 + x2 + x3 + x4 + x5 | " + fixed), data: large, options: FixedEffectsOptions(), backend: nil)
            print(String(format: "  feols | %@ (%@ levels): %.3f s, %@, accuracy %.1e; peak memory %.0f MB over the table (%.1f x the design)",
                         fixed, fit.factors.map { String($0.levels.count) }.joined(separator: " + "), Date().timeIntervalSince(start),
                         fit.projection.method.rawValue, fit.projection.accuracy, (peakBytes() - base) / 1e6,
                         (peakBytes() - base) / Double(n * 5 * 8)))
        }
        signal(SIGPIPE, SIG_IGN)  // a peer that exits must not take the benchmark with it
        let pyfixest = PeerSession("python3", [dir.appendingPathComponent("panel.py").path, dir.path])
        let ours: (String, BackendKind) -> (seconds: Double, coefficients: [Double], detail: String) = { model, kind in
            let backend = try! kind.make()
            let start = Date()
            if model == "feols" {
                let fit = try! FixedEffectsModel.fit(
                    Formula("rate ~ x1 + x2 + x3 + x4 + x5 | la + year"), data: table, options: FixedEffectsOptions(), backend: backend)
                return (Date().timeIntervalSince(start), fit.coef,
                        String(format: "%@, accuracy %.1e", fit.projection.method.rawValue, fit.projection.accuracy))
            }
            let fit = try! FixedEffectsGLM.fit(
                Formula("count ~ x1 + x2 + x3 + x4 + x5 | la + year"), data: table,
                options: FixedEffectsGLMOptions(family: .poisson, exposure: "exposure"), backend: backend)
            return (Date().timeIntervalSince(start), fit.coef, "\(fit.iterations) IRLS iterations to the optimum")
        }
        // Ours (each backend) and PyFixest's in turn, every round: each ratio compares runs made side by side.
        for model in ["feols", "fepois"] {
            var times = [BackendKind: [Double]](), theirs = [Double](), detail = "", reference = [Double](), coefficients = [Double]()
            for _ in 0..<rounds {
                for kind in BackendKind.available {
                    let run = ours(model, kind)
                    times[kind, default: []].append(run.seconds)
                    (detail, reference) = (run.detail, kind == BackendKind.preferred ? run.coefficients : reference)
                }
                if let answer = pyfixest?.askNumbers(model), answer.count == 6 {
                    theirs.append(answer[0])
                    coefficients = Array(answer[1...])
                }
            }
            for kind in BackendKind.available {
                print(String(format: "  %@ %-7@ best %.3f s (%@)", model, kind.rawValue, times[kind]!.min()!, detail))
            }
            guard theirs.count == rounds else {
                print("    PyFixest \(model): not installed, skipped")
                continue
            }
            let ratios = BackendKind.available.map { kind -> String in
                let perRound = zip(theirs, times[kind]!).map { $0 / $1 }.sorted()
                return String(format: "%@ %.1fx faster (median of rounds; %.1f to %.1f)", kind.rawValue, perRound[rounds / 2],
                              perRound[0], perRound[rounds - 1])
            }
            let diff = zip(coefficients, reference).map { abs($0 - $1) / abs($1) }.max() ?? .nan
            print(String(format: "    PyFixest %@ (warm) best %.3f s: %@; coefficients agree to %.1e", model, theirs.min()!,
                         ratios.joined(separator: ", "), diff))
        }
    }
}
