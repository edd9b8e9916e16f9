import ArgumentParser
import Report

/// `carerates residuals FILE -f "..." --id la_code,la_name`: each observation's fitted value,
/// residual and influence, identified by the columns named.
struct ResidualsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "residuals",
        abstract: "Fit a model and list each observation's fitted value, residuals, leverage and Cook's distance.",
        discussion: """
            Rows carry the --id columns (by default every text column whose values are unique), \
            so each authority's residual reads at a glance; rows dropped for missing values are \
            listed by the same identifiers. With --family or --link, a generalized linear model: \
            response, Pearson, deviance and working residuals, as R's residuals.glm.
            """)

    @OptionGroup var model: ModelOptions

    @OptionGroup var glm: GLMOptionGroup

    @OptionGroup var output: RowOutputOptions

    @Option(help: "Also draw residuals against fitted values, the normal Q-Q plot and leverage with Cook's distance contours to this SVG file.")
    var plot: String?

    func run() throws {
        // Default identifiers are found among all columns, so then every column is read.
        let (fit, path) = try model.fit(try model.specification(glm), alsoRead: output.ids)
        if let plot { try OutputWriter.write(try ModelPlots.diagnostics(fit, ids: output.ids).figure.svg, to: plot, inputs: [path]) }
        try output.emit(try fit.observationReport(ids: output.ids), inputs: [path])
    }
}

/// `--id`, `--format` and `--out` of the commands that print one row per observation.
struct RowOutputOptions: ParsableArguments {
    @Option(help: "Identifier columns, comma-separated (e.g. la_code,la_name,year); by default every text column whose values are unique.")
    var id: String?

    @Option(help: "Output format: text, csv or json.")
    var format: OutputFormat = .text

    @Option(help: "Write the output to this file (atomically) instead of standard output.")
    var out: String?

    /// The --id columns, nil when not given.
    var ids: [String]? { id.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } }

    func emit(_ report: any RenderedReport, inputs: [String]) throws {
        try OutputWriter.emit(format, report, to: out, inputs: inputs)
    }
}
