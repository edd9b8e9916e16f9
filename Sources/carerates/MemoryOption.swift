import ArgumentParser
import DataTable
import Foundation
import Regression

/// `--max-memory`, the most a model may allocate, shared by the commands that fit.
struct MemoryOption: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "The most memory a model may take, e.g. 4G or 512M (default: half of the smaller of physical memory and ulimit -v).",
        discussion: "The columns read, the design (costed from its terms before it is built, named by the term that makes it large) and simulated draws are kept within it."))
    var maxMemory: ByteCount?

    /// Sets the limit for this run.
    func apply() {
        if let maxMemory { MemoryBudget.limit = maxMemory.bytes }
    }
}

extension CSVOptions {
    /// Reading options under the run's memory limit.
    static var limited: CSVOptions {
        var options = CSVOptions()
        options.memoryLimit = MemoryBudget.limit
        return options
    }
}

/// A number of bytes written as people write them: 4G, 512M, 1.5GB, 1000000.
struct ByteCount: ExpressibleByArgument {
    let bytes: Int

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Double)] = [("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("T", 1e12), ("G", 1e9), ("M", 1e6), ("K", 1e3), ("B", 1)]
        var number = text, scale = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = String(text.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            scale = factor
            break
        }
        guard let value = Double(number), value.isFinite, value > 0, value * scale >= 1, value * scale < 9e18 else { return nil }
        bytes = Int(value * scale)
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
