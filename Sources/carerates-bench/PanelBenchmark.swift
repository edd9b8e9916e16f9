import DataTable
import Foundation
import LinearAlgebra
import Regression

/// Least squares with absorbed fixed effects on a generated panel: n rows, five covariates, an
/// authority factor of 150 levels and a year factor of 10 (every combination equally likely),
/// a rate response (and a count with an exposure), fixed seed; ours from a data table through
/// the formula, per backend, against PyFixest's feols warm (its compiled kernels loaded by a
/// first fit, then the best of three) on the same data in the same run.
///   swift run -c release carerates-bench panel [n]
enum PanelBenchmark {
    static let pythonScript = """
    import sys, time, warnings, numpy as np, pandas as pd
    import pyfixest as pf
    warnings.simplefilter("ignore")
    d, n = sys.argv[1], int(sys.argv[2])
    cols = {name: np.fromfile(d + "/" + name + ".bin") for name in ["x1", "x2", "x3", "x4", "x5", "rate", "la", "year"]}
    data = pd.DataFrame(cols)
    data["la"] = data["la"].astype(np.int64)
    data["year"] = data["year"].astype(np.int64)
    f = "rate ~ x1 + x2 + x3 + x4 + x5 | la + year"
    pf.feols(f, data=data)
    best = 1e9
    for _ in range(3):
        t = time.perf_counter(); m = pf.feols(f, data=data); best = min(best, time.perf_counter() - t)
    print(best, *[f"{v:.17g}" for v in m.coef().values])
    """

    static func run(n: Int) {
        var generator = SeededGenerator(seed: 20_261_202)
        let la = (0..<n).map { _ in Double(Int(generator.uniform() * 150)) }
        let year = (0..<n).map { _ in Double(2011 + Int(generator.uniform() * 10)) }
        let laEffect = (0..<150).map { _ in generator.normal() }
        var columns = [(name: String, values: [Double])]()
        var rate = (0..<n).map { i in 40 + 10 * laEffect[Int(la[i])] + (year[i] - 2015) + generator.normal() * 5 }
        for j in 1...5 {
            let x = (0..<n).map { i in generator.normal() + 0.3 * laEffect[Int(la[i])] }
            for i in 0..<n { rate[i] += Double(j) * 0.5 * x[i] }
            columns.append(("x\(j)", x))
        }
        columns += [("rate", rate), ("la", la), ("year", year)]
        let table = DataTable(source: "generated", numericColumns: columns)
        print(String(format: "Fixed effects n = %d, 5 covariates, la (150 levels) + year (10 levels)", n))
        let formula = try! Formula("rate ~ x1 + x2 + x3 + x4 + x5 | la + year")
        var ours = [BackendKind: (seconds: Double, fit: FixedEffectsFit)]()
        for kind in BackendKind.available {
            let backend = try! kind.make()
            for _ in 0..<3 {
                let start = Date()
                let fit = try! FixedEffectsModel.fit(formula, data: table, options: FixedEffectsOptions(), backend: backend)
                let seconds = Date().timeIntervalSince(start)
                if seconds < ours[kind]?.seconds ?? .infinity { ours[kind] = (seconds, fit) }
            }
            let (seconds, fit) = ours[kind]!
            print(String(format: "  feols %-7@ %.3f s (%@, accuracy %.1e)", kind.rawValue, seconds, fit.projection.method.rawValue,
                         fit.projection.accuracy))
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-panel-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, values) in columns {
            values.withUnsafeBytes { try? Data($0).write(to: dir.appendingPathComponent("\(name).bin")) }
        }
        try? pythonScript.write(to: dir.appendingPathComponent("panel.py"), atomically: true, encoding: .utf8)
        let reference = ours[BackendKind.preferred]!.fit.coef
        guard let numbers = peerNumbers("python3", [dir.appendingPathComponent("panel.py").path, dir.path, "\(n)"]), numbers.count == 6
        else {
            print("    PyFixest feols: not installed, skipped")
            return
        }
        let seconds = numbers[0], coefficients = Array(numbers[1...])
        let ratios = BackendKind.available.map { String(format: "%@ %.1fx faster", $0.rawValue, seconds / ours[$0]!.seconds) }
        let diff = zip(coefficients, reference).map { abs($0 - $1) / abs($1) }.max() ?? .nan
        print(String(format: "    PyFixest feols (warm) %.3f s: %@; coefficients agree to %.1e", seconds, ratios.joined(separator: ", "), diff))
    }
}
