// CSV parsing benchmark: a generated numeric CSV (fixed seed; numbers written with 17
// significant digits), read by DataTable (all columns, and three of them), with
// pandas.read_csv and data.table::fread on the same file in the same run where installed.
// Each reader's best of several runs is printed: on a shared virtual machine one run can be a
// third slower than the next.
import DataTable
import Foundation

enum CSVBenchmark {
    static func write(rows: Int, columns: Int, to url: URL) {
        guard let file = fopen(url.path, "w") else { fatalError("cannot write \(url.path)") }
        defer { fclose(file) }
        var rng = SplitMix64(state: 42)
        fputs((0..<columns).map { "x\($0)" }.joined(separator: ",") + "\n", file)
        var buffer = [CChar](repeating: 0, count: 64)
        for _ in 0..<rows {
            for j in 0..<columns {
                let v = rng.normal() * pow(10, Double(j % 7) - 3)
                _ = withVaList([v]) { vsnprintf(&buffer, 64, "%.17g", $0) }
                fputs(buffer, file)
                fputc(j == columns - 1 ? 10 : 44, file)
            }
        }
    }

    /// Generates the file (or uses `existing`, e.g. to profile) and times every reader on it.
    static func run(rows: Int, existing: String? = nil) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-csv-bench-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = existing.map { URL(fileURLWithPath: $0) } ?? dir.appendingPathComponent("numbers.csv")
        if existing == nil {
            let (_, written) = time { write(rows: rows, columns: 21, to: file) }
            print(String(format: "CSV %d rows x 21 numeric columns (written in %.1f s)", rows, written))
        }
        let size = Double((try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0)
        // Warm the page cache so every reader starts alike.
        guard let warm = try? DataTable.read(path: file.path, options: { var o = CSVOptions(); o.columns = ["x0"]; return o }()) else {
            print("cannot read \(file.path)")
            return
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print(String(format: "%@: %.0f MB, %d rows; %d cores", file.lastPathComponent, size / 1e6, warm.rowCount, cores))
        let cases: [(String, [String]?, Int?)] = [
            ("all 21 columns, \(cores) threads", nil, nil), ("all 21 columns, 1 thread", nil, 1),
            ("3 columns, \(cores) threads", ["x0", "x10", "x20"], nil),
        ]
        for (label, columns, threads) in cases {
            var best = Double.infinity, peak = 0.0, kept = 0
            for _ in 0..<5 {
                var options = CSVOptions()
                options.columns = columns
                options.threads = threads
                let base = residentBytes()
                resetPeak()
                let (table, t) = time { try! DataTable.read(path: file.path, options: options) }
                peak = max(peak, peakBytes() - base)
                kept = table.rowCount * table.columns.count * 8
                best = min(best, t)
            }
            print(String(format: "  DataTable %@: %.3f s, %.0f MB/s, peak memory %.0f MB (%.2f x the numbers kept)",
                         label, best, size / best / 1e6, peak / 1e6, peak / Double(kept)))
        }
        let pandas = """
            import sys, time, pandas as pd
            for precision in ("round_trip", None):
                best = 1e9
                for _ in range(3):
                    t = time.perf_counter(); d = pd.read_csv(sys.argv[1], engine="c", float_precision=precision); best = min(best, time.perf_counter() - t)
                print(best)
            """
        let fread = """
            suppressMessages(library(data.table)); f <- commandArgs(TRUE)[1]
            for (th in c(1, 2)) { best <- Inf; for (i in 1:5) { t <- system.time(d <- fread(f, nThread = th))[["elapsed"]]; best <- min(best, t) }; cat(best, "") }
            """
        try? pandas.write(to: dir.appendingPathComponent("p.py"), atomically: true, encoding: .utf8)
        try? fread.write(to: dir.appendingPathComponent("f.R"), atomically: true, encoding: .utf8)
        if let r = peerNumbers("python3", [dir.appendingPathComponent("p.py").path, file.path]), r.count == 2 {
            print(String(format: "  pandas.read_csv, C engine: correctly rounded (round_trip) %.3f s, %.0f MB/s; default precision (not always correctly rounded) %.3f s, %.0f MB/s",
                         r[0], size / r[0] / 1e6, r[1], size / r[1] / 1e6))
        } else {
            print("  pandas: not installed, skipped")
        }
        if let r = peerNumbers("Rscript", [dir.appendingPathComponent("f.R").path, file.path]), r.count == 2 {
            print(String(format: "  data.table::fread: 1 thread %.3f s, %.0f MB/s; 2 threads %.3f s, %.0f MB/s",
                         r[0], size / r[0] / 1e6, r[1], size / r[1] / 1e6))
        } else {
            print("  data.table::fread: not installed, skipped")
        }
    }
}
