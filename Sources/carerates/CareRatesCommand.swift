import ArgumentParser
import LinearAlgebra

@main
struct CareRatesCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "carerates",
            abstract: "Models of looked-after-children rates across local authorities.",
            discussion: """
                Fit a model to a CSV file (or a bundled dataset by name) and read its \
                coefficients as R prints them, or as tidy CSV or JSON for scripts.
                """,
            version: BackendInfo.versionText,
            subcommands: [FitCommand.self, ResidualsCommand.self, PredictCommand.self, CompareCommand.self, PlotCommand.self, NotebookCommand.self, AnovaCommand.self, DataCommand.self, BackendCommand.self])
    }

    /// Parses and runs the command, as `ParsableCommand`'s own `main()` does, once the allocator
    /// is told to reuse freed columns (fits free and allocate them many times over).
    static func main() {
        ProcessMemory.reuseFreedMemory()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// `--backend lapack|swift`, shared by every command that computes.
struct BackendOptions: ParsableArguments {
    @Option(help: "Linear-algebra backend: \(BackendKind.available.map(\.rawValue).joined(separator: " or ")).")
    var backend: BackendKind = .preferred

    func make() throws -> any Backend { try backend.make() }
}

extension BackendKind: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
