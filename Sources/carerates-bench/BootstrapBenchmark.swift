import Comparison
import DataTable
import Foundation
import Regression

/// A parametric bootstrap of a negative binomial (theta by ML) on the bundled England panel,
/// the loop behind `compare --replicates`: each replicate draws every row's count from the
/// fitted model and refits it. Ours: `UnitComparison.compare` with the replicates, less the
/// same comparison without them. R: the same loop with MASS::glm.nb (rnegbin at the fitted
/// means and theta, then glm.nb on the draws, one replicate after another as R runs them),
/// timed in the same run where R is installed.
///   swift run -c release carerates-bench bootstrap [replicates]
enum BootstrapBenchmark {
    static let formula = "children_looked_after ~ idaci_average_score + domestic_abuse_parent_per_10000"

    static let rScript = """
    suppressMessages(library(MASS))
    a <- commandArgs(TRUE); R <- as.integer(a[2])
    d <- read.csv(a[1], na.strings = c("", "NA", "c", "u", "x", "z", "[x]", "[c]", "[z]"))
    d <- d[complete.cases(d[, c("children_looked_after", "idaci_average_score", "domestic_abuse_parent_per_10000", "population_0_17")]), ]
    f <- children_looked_after ~ idaci_average_score + domestic_abuse_parent_per_10000 + offset(log(population_0_17))
    fit <- glm.nb(f, d)
    set.seed(1)
    t <- system.time(for (r in seq_len(R)) {
      d$children_looked_after <- rnegbin(nrow(d), fitted(fit), fit$theta)
      refit <- glm.nb(f, d)
    })[["elapsed"]]
    cat(t / R, nrow(d), "\\n")
    """

    static func run(replicates: Int) {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("datasets/england_la_panel.csv").path
        let table = try! DataTable.read(path: path)
        let fit = try! GLMOptions(family: .negbin, exposure: "population_0_17").fit(Formula(formula), data: table, backend: nil)
        var settings = ComparisonSettings(unit: "la_name")
        (settings.leaveOneOut, settings.rankDraws) = (false, 100)
        func time(_ replicates: Int) -> Double {
            settings.replicates = replicates
            var best = Double.infinity
            for _ in 0..<3 {
                let start = Date()
                _ = try! UnitComparison.compare(fit, settings: settings)
                best = min(best, Date().timeIntervalSince(start))
            }
            return best
        }
        let base = time(0), with = time(replicates)
        let names = try! table.column(named: "la_name")
        let ours = (with - base) / Double(replicates)
        print(String(format: "Bootstrap of a negative binomial, England panel (%d rows, %d authorities), %d replicates: "
                     + "%.3f ms per replicate (best of 3; replicates on %d cores)", fit.nobs,
                     Set(fit.frame.rows.map { table.cellText(row: $0, column: names)! }).count, replicates, ours * 1000,
                     ProcessInfo.processInfo.activeProcessorCount))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-boot-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try? rScript.write(to: dir.appendingPathComponent("boot.R"), atomically: true, encoding: .utf8)
        let peerReplicates = min(replicates, 200)
        guard let numbers = peerNumbers("Rscript", [dir.appendingPathComponent("boot.R").path, path, "\(peerReplicates)"]),
              numbers.count >= 2
        else {
            print("  R MASS::glm.nb: not installed, skipped")
            return
        }
        print(String(format: "  R MASS::glm.nb loop: %.3f ms per replicate (%d replicates, %.0f rows): ours %.1fx faster",
                     numbers[0] * 1000, peerReplicates, numbers[1], numbers[0] / ours))
    }
}
