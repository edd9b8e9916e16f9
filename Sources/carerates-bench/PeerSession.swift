import Foundation

/// A peer (R, Python) kept running between timings, so that its runs can be interleaved with
/// ours: on a shared machine the speed drifts by a third from minute to minute, and only runs
/// made side by side compare fairly. The peer's script reads one request per line on stdin
/// and answers each with one line, its time in seconds.
final class PeerSession {
    private let process: Process
    private let input = Pipe()
    private let output = Pipe()
    private var pending: [UInt8] = []

    /// Starts `tool` with `arguments`; nil when peers are switched off or the tool is missing.
    init?(_ tool: String, _ arguments: [String]) {
        guard let process = peerProcess(tool, arguments) else { return nil }
        self.process = process
        process.standardInput = input
        process.standardOutput = output
        guard (try? process.run()) != nil else { return nil }
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// Sends `request` and returns the number the peer answers; nil if it failed (for example
    /// a library that is not installed made the script exit).
    func ask(_ request: String) -> Double? {
        guard let numbers = askNumbers(request), numbers.count == 1 else { return nil }
        return numbers[0]
    }

    /// Sends `request` and returns every number of the line the peer answers (its time first,
    /// then, for a fit, its coefficients); nil if it failed. It returns a moment after the
    /// answer: a peer's BLAS and numba worker threads spin for a while once its work is done,
    /// and on a machine of two cores they would slow whatever is timed next.
    func askNumbers(_ request: String) -> [Double]? {
        guard process.isRunning, (try? input.fileHandleForWriting.write(contentsOf: Data((request + "\n").utf8))) != nil
        else { return nil }
        guard let line = readLine() else { return nil }
        usleep(300_000)
        let numbers = line.split(whereSeparator: \.isWhitespace).map { Double($0) }
        return numbers.isEmpty || numbers.contains(nil) ? nil : numbers.map { $0! }
    }

    private func readLine() -> String? {
        let fd = output.fileHandleForReading.fileDescriptor
        while true {
            if let end = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end + 1)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 4096) }
            if got <= 0 { return nil }
            pending += chunk[..<got]
        }
    }
}
