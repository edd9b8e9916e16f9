import ArgumentParser
import Foundation
import LinearAlgebra

/// `carerates backend`: which backend, BLAS, kernels and threads are in use.
struct BackendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backend", abstract: "Show the linear-algebra backends, BLAS kernels and threads in use.")

    func run() throws { print(BackendInfo.report) }
}

enum BackendInfo {
    static let version = "0.1.0"

    static var versionText: String { "carerates \(version)\n" + report }

    static var report: String {
        var lines = ["backends: \(BackendKind.available.map(\.rawValue).joined(separator: ", ")) (default \(BackendKind.preferred.rawValue))"]
        #if LAPACK
        let status = OpenBLASRuntime.prepare()
        lines.append("BLAS: OpenBLAS (\(status.config)) with LAPACKE")
        lines.append("kernels: \(status.core)" + (status.note.map { " (\($0))" } ?? ""))
        lines.append("threads: \(ProcessInfo.processInfo.activeProcessorCount) (CareRates splits rows across cores; OpenBLAS \(status.threads) per call)")
        #else
        lines.append("BLAS: none (built with --disable-default-traits; pure Swift)")
        lines.append("threads: \(ProcessInfo.processInfo.activeProcessorCount) (CareRates splits rows across cores)")
        #endif
        return lines.joined(separator: "\n")
    }
}
