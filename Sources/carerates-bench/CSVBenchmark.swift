// CSV parsing benchmark: a generated numeric CSV (fixed seed; numbers written with 17
// significant digits), read by DataTable (all columns, and three of them), with
// pandas.read_csv and data.table::fread on the same file in the same run where installed.
// The peers stay running and the readers of the same work take turns, round after round: on a
// shared virtual machine one run can be a third slower than the next, so only runs made side
// by side compare fairly. Each reader's best and median are printed, and for each peer our
// speed as a multiple of its speed, the median over rounds of the two runs' ratio.
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
        print(String(format: "%@: %.0f MB, %d rows; %d cores; best and median of %d rounds, each reader in turn",
                     file.lastPathComponent, size / 1e6, warm.rowCount, cores, rounds))
        signal(SIGPIPE, SIG_IGN)  // a peer that exits must not take the benchmark with it
        try? freadScript.write(to: dir.appendingPathComponent("f.R"), atomically: true, encoding: .utf8)
        try? pandasScript.write(to: dir.appendingPathComponent("p.py"), atomically: true, encoding: .utf8)
        let fread = PeerSession("Rscript", [dir.appendingPathComponent("f.R").path, file.path])
        let pandas = PeerSession("python3", [dir.appendingPathComponent("p.py").path, file.path])
        let ours: (String, [String]?, Int?) -> Reader = { label, columns, threads in
            Reader(label: label) {
                var options = CSVOptions()
                options.columns = columns
                options.threads = threads
                let base = residentBytes()
                resetPeak()
                let (table, t) = time { try! DataTable.read(path: file.path, options: options) }
                return (t, (peakBytes() - base) / Double(table.rowCount * table.columns.count * 8))
            }
        }
        let peer: (String, PeerSession?, String) -> Reader? = { label, session, request in
            guard let session, session.ask(request) != nil else { return nil }  // also warms it up
            return Reader(label: label) { session.ask(request).map { ($0, .nan) } }
        }
        // Readers of the same work, timed in turn in every round (the order reversed in every
        // other round), so that each ratio compares runs made side by side.
        let groups: [[Reader?]] = [
            [ours("DataTable, \(cores) threads", nil, nil), peer("data.table::fread, \(cores) threads", fread, "\(cores)")],
            [ours("DataTable, 1 thread", nil, 1), peer("data.table::fread, 1 thread", fread, "1"),
             peer("pandas.read_csv, correctly rounded (round_trip)", pandas, "round_trip"),
             peer("pandas.read_csv, default precision (not always correctly rounded)", pandas, "default")],
            [ours("DataTable, 3 columns, \(cores) threads", ["x0", "x10", "x20"], nil)],
        ]
        for group in groups {
            let readers = group.compactMap { $0 }
            var times = readers.map { _ in [Double]() }
            var memory = 0.0
            for round in 0..<rounds {
                for k in round % 2 == 0 ? Array(readers.indices) : readers.indices.reversed() {
                    guard let (t, peak) = readers[k].run() else { continue }
                    times[k].append(t)
                    if k == 0 { memory = max(memory, peak) }
                }
            }
            for (k, reader) in readers.enumerated() where !times[k].isEmpty {
                let sorted = times[k].sorted()
                var line = String(format: "  %@: best %.3f s, %.0f MB/s; median %.0f MB/s", reader.label,
                                  sorted[0], size / sorted[0] / 1e6, size / sorted[sorted.count / 2] / 1e6)
                if k == 0 {
                    line += String(format: "; peak memory %.2f x the numbers kept", memory)
                } else if times[k].count == times[0].count {
                    // Per round: their time over ours, i.e. our speed as a multiple of theirs.
                    let ratios = zip(times[k], times[0]).map { $0 / $1 }.sorted()
                    line += String(format: "; DataTable %.2f x its speed (median of rounds; %.2f to %.2f)",
                                   ratios[ratios.count / 2], ratios[0], ratios[ratios.count - 1])
                }
                print(line)
            }
            if readers.count < group.count { print("  (a peer is not installed or failed: skipped)") }
        }
    }

    /// One reader of the file: a run's seconds and, for ours, peak memory over the numbers kept.
    struct Reader {
        let label: String
        let run: () -> (Double, Double)?
    }

    static let rounds = 9

    static let freadScript = """
        suppressMessages(library(data.table)); f <- commandArgs(TRUE)[1]; con <- file("stdin", "r")
        while (length(threads <- readLines(con, n = 1)) > 0) {
          t <- Sys.time(); d <- fread(f, nThread = as.integer(threads)); t <- as.numeric(Sys.time() - t, units = "secs")
          rm(d); invisible(gc()); cat(sprintf("%.6f\\n", t)); flush(stdout())
        }
        """
    static let pandasScript = """
        import sys, time, pandas as pd
        for request in sys.stdin:
            precision = "round_trip" if request.strip() == "round_trip" else None
            t = time.perf_counter(); d = pd.read_csv(sys.argv[1], engine="c", float_precision=precision); t = time.perf_counter() - t
            del d
            print(f"{t:.6f}", flush=True)
        """
}
