import ArgumentParser
import CareRates
import DataTable
import Regression
import Report

/// `carerates anova FILE -f "y ~ a" -f "y ~ a + b"`: F tests of nested linear models, or
/// likelihood-ratio tests of nested generalized linear models with `--family`.
struct AnovaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anova",
        abstract: "Compare nested models: linear models by F tests, as R's anova(fit1, fit2); generalized linear models (--family) by likelihood-ratio tests, as lmtest::lrtest (F tests for quasipoisson, as anova(test = \"F\")).",
        discussion: "All models are fitted to the rows complete for every model's variables.")

    @Argument(help: "CSV file, or the name of a bundled dataset.")
    var file: String

    @Option(name: [.short, .long], help: "A model formula; give two or more, smallest first.")
    var formula: [String]

    @Option(help: "A column of weights: analytic weights for linear models, prior weights for generalized ones.")
    var weights: String?

    @Option(help: "How --weights are read in linear models: analytic (inverse-variance, as R's lm) or frequency (each row counts that many times, as Stata's fweight).")
    var weightKind: WeightKind = .analytic

    @OptionGroup var glm: GLMOptionGroup

    @OptionGroup var rows: SubsetOption

    @OptionGroup var memory: MemoryOption

    @Option(help: "Output format: text, csv or json.")
    var format: OutputFormat = .text

    @Option(help: "Write the output to this file (atomically) instead of standard output.")
    var out: String?

    func validate() throws {
        if formula.count < 2 { throw ValidationError("give at least two formulas, smallest first: -f \"y ~ a\" -f \"y ~ a + b\"") }
        try checkWeightKind(weightKind, weights: weights, generalized: glm.isGeneralized)
    }

    func run() throws {
        memory.apply()
        let path = try Sandbox.input(file)
        let filter = try rows.filter()
        let table = try SubsetOption.apply(filter, to: try DataTable.read(path: path, options: .limited), path: path)
        var formulas = [Formula]()
        for text in formula {
            do { formulas.append(try Formula(text)) } catch { throw CLIError(error.description) }
        }
        let spec = try ModelChoice.specification(
            glm, weights: weights, weightKind: weightKind, tolerance: nil, standardErrors: .classical, level: 0.95)
        try OutputWriter.emit(format, try spec.nestedComparison(formulas, data: table), to: out, inputs: [path])
    }
}
