// Benchmarks, each timing peers on the same data in the same run where they are installed.
//
// Least squares: OLS on generated designs (fixed seed) with each backend, against numpy's
// lstsq and R's lm.fit.
//   swift run -c release carerates-bench            # both sizes
//   swift run -c release carerates-bench 200000 20  # one size
// CSV parsing: see CSVBenchmark.swift.
//   swift run -c release carerates-bench csv [rows | FILE]   # FILE: an existing x0..x20 CSV
// Generalized linear models (Poisson, negative binomial): see GLMBenchmark.swift.
//   swift run -c release carerates-bench glm [n] [p]
// The parametric bootstrap behind compare's rank sets: see BootstrapBenchmark.swift.
// Whole commands, CSV in and summary out, against R and Python: see EndToEndBenchmark.swift.
//   swift run -c release carerates-bench e2e [rows ...]
//   swift run -c release carerates-bench bootstrap [replicates]
// Least squares with absorbed fixed effects against PyFixest: see PanelBenchmark.swift.
//   swift run -c release carerates-bench panel [n]
//
// Prints seconds, GFLOP/s (Householder QR count 2np^2 - 2p^3/3), the ratio to each peer, the
// largest relative difference of coefficients from the peer's, and peak resident memory
// during the fit as a multiple of the design matrix's size. CARERATES_BENCH_PEERS=none skips
// the peers (ours only, for profiling).
import Foundation
import LinearAlgebra

ProcessMemory.reuseFreedMemory()  // as the command-line tool does

struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

func design(n: Int, p: Int, seed: UInt64) -> (Matrix, [Double]) {
    var rng = SplitMix64(state: seed)
    var x = Matrix(rows: n, columns: p)
    for i in 0..<n { x[i, 0] = 1 }
    for j in 1..<p {
        for i in 0..<n { x[i, j] = rng.normal() + 0.1 * Double(j) }
    }
    var y = [Double](repeating: 0, count: n)
    for i in 0..<n {
        var s = rng.normal()
        for j in 0..<p { s += x[i, j] * (1 + 0.01 * Double(j)) }
        y[i] = s
    }
    return (x, y)
}

func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }
func peakBytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM") })
    else { return .nan }
    return Double(line.split(separator: " ")[1])! * 1024
}
func residentBytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS") })
    else { return .nan }
    return Double(line.split(separator: " ")[1])! * 1024
}

func time<T>(_ body: () -> T) -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = body()
    return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

func which(_ tool: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let path = "\(dir)/\(tool)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// Runs a peer on the matrix written to `dir`; it prints seconds then the coefficients.
func peer(_ tool: String, _ arguments: [String]) -> (seconds: Double, coefficients: [Double])? {
    guard let numbers = peerNumbers(tool, arguments), numbers.count > 1 else { return nil }
    return (numbers[0], Array(numbers.dropFirst()))
}

/// A peer's process, not yet started, with its errors discarded; nil when peers are switched
/// off (CARERATES_BENCH_PEERS=none) or the tool is missing.
func peerProcess(_ tool: String, _ arguments: [String]) -> Process? {
    if ProcessInfo.processInfo.environment["CARERATES_BENCH_PEERS"] == "none" { return nil }
    guard let path = which(tool) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardError = FileHandle.nullDevice
    return process
}

/// Runs a peer and returns the numbers it prints, or nil if it is missing or fails.
func peerNumbers(_ tool: String, _ arguments: [String]) -> [Double]? {
    guard let process = peerProcess(tool, arguments) else { return nil }
    let pipe = Pipe()
    process.standardOutput = pipe
    guard (try? process.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
}

let numpyScript = """
import sys, time, numpy as np
n, p = int(sys.argv[2]), int(sys.argv[3])
X = np.fromfile(sys.argv[1] + "/x.bin").reshape((p, n)).T
y = np.fromfile(sys.argv[1] + "/y.bin")
best = 1e9
for _ in range(2):
    t = time.perf_counter(); b = np.linalg.lstsq(X, y, rcond=None)[0]; best = min(best, time.perf_counter() - t)
print(best, *[f"{v:.17g}" for v in b])
"""
let rScript = """
a <- commandArgs(TRUE); n <- as.integer(a[2]); p <- as.integer(a[3])
X <- matrix(readBin(file.path(a[1], "x.bin"), "double", n * p), n, p)
y <- readBin(file.path(a[1], "y.bin"), "double", n)
best <- Inf
for (i in 1:2) { t <- system.time(f <- lm.fit(X, y))[["elapsed"]]; best <- min(best, t) }
cat(best, sprintf("%.17g", f$coefficients), "\\n")
"""

func run(n: Int, p: Int) {
    let (x, y) = design(n: n, p: p, seed: 20_261_123)
    let bytes = Double(n * p * 8)
    let flops = 2 * Double(n) * Double(p * p) - 2 * Double(p * p * p) / 3
    print(String(format: "OLS n = %d, p = %d (design %.0f MB)", n, p, bytes / 1e6))
    var results: [BackendKind: (Double, [Double])] = [:]
    for kind in BackendKind.available {
        let backend = try! kind.make()
        _ = LeastSquares.solve(Matrix(rows: 64, columns: 2, repeating: 1), [Double](repeating: 1, count: 64), backend: backend)
        var best = Double.infinity
        var solution: LeastSquaresSolution?
        var peak = 0.0
        for _ in 0..<3 {
            let base = residentBytes()
            resetPeak()
            let (s, t) = time { LeastSquares.solve(x, y, backend: backend) }
            peak = max(peak, peakBytes() - base)
            best = min(best, t)
            solution = s
        }
        let (_, plain) = time { LeastSquares.solve(x, y, backend: backend, method: .none) }
        results[kind] = (best, solution!.coefficients)
        print(String(format: "  %-7@ %.3f s  %6.2f GFLOP/s  (plain QR solve %.3f s; %@ refinement, %d steps)  peak memory %.2f x design",
                     kind.rawValue, best, flops / best / 1e9, plain, solution!.method.rawValue, solution!.refinementSteps, (peak + bytes) / bytes))
    }
    if let swift = results[.swift], let lapack = results[.lapack] {
        print(String(format: "  swift / lapack time ratio %.2f; largest relative coefficient difference %.1e",
                     swift.0 / lapack.0, zip(swift.1, lapack.1).map { abs($0 - $1) / abs($1) }.max()!))
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    x.elements.withUnsafeBytes { try? Data($0).write(to: dir.appendingPathComponent("x.bin")) }
    y.withUnsafeBytes { try? Data($0).write(to: dir.appendingPathComponent("y.bin")) }
    try? numpyScript.write(to: dir.appendingPathComponent("bench.py"), atomically: true, encoding: .utf8)
    try? rScript.write(to: dir.appendingPathComponent("bench.R"), atomically: true, encoding: .utf8)
    let peers: [(String, (Double, [Double])?)] = [
        ("numpy.linalg.lstsq", peer("python3", [dir.appendingPathComponent("bench.py").path, dir.path, "\(n)", "\(p)"])),
        ("R lm.fit", peer("Rscript", [dir.appendingPathComponent("bench.R").path, dir.path, "\(n)", "\(p)"])),
    ]
    for (name, result) in peers {
        guard let (seconds, coefficients) = result else {
            print("  \(name): not installed, skipped")
            continue
        }
        let ratios = BackendKind.available.map { kind in
            String(format: "%@ %.2fx faster", kind.rawValue, seconds / results[kind]!.0)
        }.joined(separator: ", ")
        let reference = results[BackendKind.preferred]!.1
        let diff = zip(coefficients, reference).map { abs($0 - $1) / abs($1) }.max() ?? .nan
        print(String(format: "  %@ %.3f s: %@; coefficients agree to %.1e", name, seconds, ratios, diff))
    }
}

if CommandLine.arguments.dropFirst().first == "glm" {
    let sizes = CommandLine.arguments.dropFirst(2).compactMap { Int($0) }
    GLMBenchmark.run(n: sizes.first ?? 1_000_000, p: sizes.count > 1 ? sizes[1] : 20)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "e2e" {
    let rows = CommandLine.arguments.dropFirst(2).compactMap { Int($0) }
    EndToEndBenchmark.run(rows: rows.isEmpty ? [300_000, 1_000_000] : rows)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "panel" {
    PanelBenchmark.run(n: CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 1_000_000)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "bootstrap" {
    BootstrapBenchmark.run(replicates: CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 1000)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "csv" {
    let argument = CommandLine.arguments.dropFirst(2).first
    if let argument, Int(argument) == nil {
        CSVBenchmark.run(rows: 0, existing: argument)
    } else {
        CSVBenchmark.run(rows: argument.flatMap { Int($0) } ?? 1_000_000)
    }
    exit(0)
}
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
#if LAPACK
let status = OpenBLASRuntime.prepare()
print("OpenBLAS kernels: \(status.core)\(status.note.map { " (\($0))" } ?? ""); CareRates threads: \(ProcessInfo.processInfo.activeProcessorCount)")
#endif
if arguments.count == 2 {
    run(n: arguments[0], p: arguments[1])
} else {
    run(n: 1_000_000, p: 20)
    run(n: 100_000, p: 100)
}
