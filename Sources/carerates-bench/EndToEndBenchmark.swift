import Foundation
import Regression

/// The commands as a user runs them, CSV in and summary out, each a whole process: `carerates
/// fit` (linear, Poisson and negative binomial with an exposure) on a generated CSV of 18
/// predictors, against R (data.table::fread, then lm, glm or MASS::glm.nb, printing summary())
/// and Python (pandas.read_csv, then the statsmodels formula API's ols, glm(Poisson) and
/// negativebinomial, printing summary()) on the same file in the same run, where installed;
/// best of three each, as ratios, with the largest relative difference in the coefficients.
///   swift run -c release carerates-bench e2e [rows ...]   (default 300000 1000000)
enum EndToEndBenchmark {
    static let predictors = (1...18).map { "x\($0)" }
    static let models: [(name: String, ours: [String], r: String, python: String)] = {
        let rhs = predictors.joined(separator: " + ")
        return [
            ("linear", ["-f", "rate ~ \(rhs)"], "lm(rate ~ \(rhs), d)", "smf.ols('rate ~ \(rhs)', d).fit()"),
            ("poisson", ["-f", "y ~ \(rhs)", "--family", "poisson", "--exposure", "pop"],
             "glm(y ~ \(rhs) + offset(log(pop)), poisson, d)",
             "smf.glm('y ~ \(rhs)', d, family=sm.families.Poisson(), offset=np.log(d['pop'])).fit()"),
            ("negbin", ["-f", "y ~ \(rhs)", "--family", "negbin", "--exposure", "pop"],
             "MASS::glm.nb(y ~ \(rhs) + offset(log(pop)), d)",
             "smf.negativebinomial('y ~ \(rhs)', d, offset=np.log(d['pop'])).fit(disp=0, maxiter=200)"),
        ]
    }()

    /// A CSV of `rows` rows: a count `y` (negative binomial, theta 5, with the exposure `pop`),
    /// its rate per 10,000, 18 standard normal predictors; fixed seed.
    static func write(rows: Int, to url: URL) throws {
        var generator = SeededGenerator(seed: 20_261_201)
        var text = "y,pop,rate," + predictors.joined(separator: ",") + "\n"
        text.reserveCapacity(rows * 200)
        for _ in 0..<rows {
            let x = predictors.indices.map { _ in generator.normal() }
            let pop = (1000 + 49000 * generator.uniform()).rounded()
            var eta = log(pop) - 5
            for (j, v) in x.enumerated() { eta += (j % 2 == 0 ? -0.05 : 0.05) * v }
            let y = generator.negativeBinomial(mean: exp(eta), theta: 5)
            text += "\(Int(y)),\(Int(pop)),\(y / pop * 10_000)," + x.map { String(format: "%.6f", $0) }.joined(separator: ",") + "\n"
        }
        try Data(text.utf8).write(to: url)
    }

    /// Wall time of a whole process and what it printed.
    static func timed(_ tool: String, _ arguments: [String]) -> (seconds: Double, output: String)? {
        let process: Process
        if tool.hasPrefix("/") {
            // Ours, by its path.
            process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            process.standardError = FileHandle.nullDevice
        } else {
            guard let peer = peerProcess(tool, arguments) else { return nil }
            process = peer
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        let start = Date()
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return (Date().timeIntervalSince(start), String(decoding: data, as: UTF8.self))
    }

    /// The numbers after `marker` on the last line starting with it.
    static func coefficients(_ output: String, marker: String) -> [Double] {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix(marker) }) else { return [] }
        return line.dropFirst(marker.count).split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
    }

    static func run(rows: [Int]) {
        let ours = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("carerates").path
        guard FileManager.default.isExecutableFile(atPath: ours) else {
            print("e2e: build carerates first (swift build -c release --product carerates)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-e2e-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for n in rows {
            let csv = dir.appendingPathComponent("e2e-\(n).csv")
            try! write(rows: n, to: csv)
            print("End to end, \(n) rows x 21 columns (\(csv.lastPathComponent)), best of 3 whole processes:")
            for model in models {
                let rScript = dir.appendingPathComponent("\(model.name).R"), pyScript = dir.appendingPathComponent("\(model.name).py")
                try? """
                    suppressMessages(library(data.table)); d <- fread(commandArgs(TRUE)[1]); fit <- \(model.r)
                    invisible(capture.output(print(summary(fit)))); cat("COEF", sprintf("%.15g", coef(fit)), "\\n")
                    """.write(to: rScript, atomically: true, encoding: .utf8)
                try? """
                    import sys, numpy as np, pandas as pd, warnings, statsmodels.api as sm, statsmodels.formula.api as smf
                    warnings.simplefilter("ignore"); d = pd.read_csv(sys.argv[1]); fit = \(model.python)
                    s = str(fit.summary()); print("COEF", *["%.15g" % v for v in fit.params[:19]])
                    """.write(to: pyScript, atomically: true, encoding: .utf8)
                var best = [String: (Double, String)]()
                for _ in 0..<3 {
                    let runs: [(String, (Double, String)?)] = [
                        ("carerates", timed(ours, ["fit", csv.path] + model.ours)),
                        ("R", timed("Rscript", [rScript.path, csv.path])),
                        ("Python", timed("python3", [pyScript.path, csv.path])),
                    ]
                    for (who, result) in runs {
                        guard let result else { continue }
                        if best[who] == nil || result.0 < best[who]!.0 { best[who] = result }
                    }
                }
                guard let mine = best["carerates"], let table = timed(ours, ["fit", csv.path] + model.ours + ["--format", "csv"]) else { continue }
                // The coefficients from the same fit as CSV (untimed).
                let our = table.output.split(separator: "\n").dropFirst().compactMap { Double($0.split(separator: ",")[1]) }
                var line = String(format: "  %-8@ carerates %.2f s", model.name, mine.0)
                for peer in ["R", "Python"] {
                    guard let (seconds, output) = best[peer] else {
                        line += "; \(peer) not installed"
                        continue
                    }
                    let theirs = coefficients(output, marker: "COEF ")
                    let diff = zip(our, theirs).map { abs($0 - $1) / max(abs($1), 1e-300) }.max() ?? .nan
                    line += String(format: "; %@ %.2f s, %.1fx (coefficients agree to %.1e)", peer, seconds, seconds / mine.0, diff)
                }
                print(line)
            }
        }
    }
}
