import Foundation
import Report

/// Writes results to standard output, or to a file atomically (a temporary file in the same
/// folder, then renamed), refusing to write over an input.
enum OutputWriter {
    /// Renders `report` in `format` (Markdown: the report's own table, else its text) and writes.
    static func emit(_ format: OutputFormat, _ report: any RenderedReport, to path: String?, inputs: [String]) throws {
        let output: String
        switch format {
        case .text: output = report.text
        case .markdown: output = report.markdownTable ?? report.text
        case .csv: output = report.csv
        case .json: output = report.json
        }
        try write(output, to: path, inputs: inputs)
    }

    static func write(_ text: String, to path: String?, inputs: [String]) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        try Sandbox.checkWrite(path)
        let target = Sandbox.canonical(path)
        for input in inputs where Sandbox.canonical(input) == target {
            throw CLIError("--out \(path): that is an input file; CareRates never writes to its inputs")
        }
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try Data(text.utf8).write(to: temporary)
            if rename(temporary.path, target.path) != 0 {
                throw CLIError("--out \(path): cannot write: \(String(cString: strerror(errno)))")
            }
        } catch let error as CLIError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CLIError("--out \(path): cannot write: \(error.localizedDescription)")
        }
    }
}
