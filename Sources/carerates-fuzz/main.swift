// Fuzzing of the parsers that read user input: the CSV reader, the number parser, the
// formula parser (with the model frame and fits behind it) and the notebook parser. Each input is a pure function of
// the seed and its index (Inputs), so any input reported can be made again alone.
//
//   swift run -c release carerates-fuzz all --count 10000000        # each parser
//   swift run -c release carerates-fuzz csv --seed 7 --count 1000000
//   swift run carerates-fuzz formula --from 123456 --count 1 --show  # one input, printed
//
// An input must end in a result or the parser's own error, and keep the invariants in Checks;
// a failure is reported with its index and the run exits 1. A crash (a trap or a signal) is
// reported by a signal handler with the index of the input that caused it, and exit 70.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The index of the input being checked, for the signal handler.
nonisolated(unsafe) var currentIndex = 0
nonisolated(unsafe) var currentParser: UInt8 = 0

let parsers: [(name: String, make: (inout Inputs) -> [UInt8], check: ([UInt8]) -> String?)] = [
    ("number", { $0.number() }, Checks.number),
    ("csv", { $0.csv() }, Checks.csv),
    ("formula", { $0.formula() }, Checks.formula),
    ("notebook", { $0.notebook() }, Checks.notebook),
]

/// A line to standard output at once (unbuffered): a crash must not swallow what was printed.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// Writes "crash at input N" with no allocation (async-signal-safe), then exits 70.
func installCrashReport() {
    let handler: @convention(c) (Int32) -> Void = { signal in
        var buffer = [UInt8](repeating: 0, count: 96)
        var n = 0
        for c in "carerates-fuzz: signal ".utf8 { buffer[n] = c; n += 1 }
        func digits(_ value: Int) {
            var v = value, tmp = [UInt8](repeating: 0, count: 24), k = 0
            repeat { tmp[k] = UInt8(48 + v % 10); v /= 10; k += 1 } while v > 0
            while k > 0 { k -= 1; buffer[n] = tmp[k]; n += 1 }
        }
        digits(Int(signal))
        for c in " at input ".utf8 { buffer[n] = c; n += 1 }
        digits(currentIndex)
        for c in " of parser ".utf8 { buffer[n] = c; n += 1 }
        digits(Int(currentParser))
        buffer[n] = 10
        n += 1
        _ = buffer.withUnsafeBytes { write(2, $0.baseAddress, n) }
        _exit(70)
    }
    for signal in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigaction(signal, &action, nil)
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let k = arguments.firstIndex(of: name), k + 1 < arguments.count else { return nil }
    return arguments[k + 1]
}
let which = arguments.first ?? "all"
let count = option("--count").flatMap(Int.init) ?? 100_000
let seed = option("--seed").flatMap(UInt64.init) ?? 1
let from = option("--from").flatMap(Int.init) ?? 0
let show = arguments.contains("--show")
let chosen = parsers.enumerated().filter { which == "all" || $0.element.name == which }
guard !chosen.isEmpty else {
    FileHandle.standardError.write(Data("usage: carerates-fuzz number|csv|formula|notebook|all [--count N] [--seed S] [--from I] [--show]\n".utf8))
    exit(2)
}
installCrashReport()
var failures = 0
for (k, parser) in chosen {
    currentParser = UInt8(k)
    let start = Date()
    var bytes = 0
    for index in from..<(from + count) {
        currentIndex = index
        var inputs = Inputs(seed: seed &+ UInt64(k) << 56, index: index)
        let input = parser.make(&inputs)
        bytes += input.count
        if show { say("\(parser.name) input \(index): \(String(reflecting: String(decoding: input, as: UTF8.self)))") }
        if let problem = parser.check(input) {
            failures += 1
            say("\(parser.name) input \(index) (seed \(seed)): \(problem)")
            if failures >= 20 { break }
        }
    }
    let seconds = Date().timeIntervalSince(start)
    say("\(parser.name): \(count) inputs (\(bytes) bytes) from index \(from), seed \(seed), in \(String(format: "%.1f", seconds)) s")
}
say(failures == 0 ? "fuzz: no failures" : "fuzz: \(failures) failures")
exit(failures == 0 ? 0 : 1)
