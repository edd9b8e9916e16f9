import Foundation
import Testing

/// The README's Swift program is Examples/FitWales/main.swift, word for word, and it runs:
/// the Welsh model's coefficients (the CLI's to the last digit), residuals and the refit
/// without Torfaen.
@Suite struct SwiftExampleTests {
    @Test func readmeProgramIsTheExampleAndRuns() throws {
        let source = try String(contentsOf: CLITests.root.appendingPathComponent("Examples/FitWales/main.swift"), encoding: .utf8)
        let readme = try String(contentsOf: CLITests.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("```swift\n" + source + "```\n"), "README.md's Swift block differs from Examples/FitWales/main.swift")
        let example = CLITests.binary.deletingLastPathComponent().appendingPathComponent("carerates-example")
        let process = Process()
        process.executableURL = example
        process.currentDirectoryURL = CLITests.root
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 4, "\(text)")
        // The same model as `carerates fit ... --family negbin --exposure population_0_15`.
        let cli = try CLITests().run(["fit", "wales_la_panel", "-f", "children_looked_after ~ children_low_income_pct", "--family", "negbin",
                                      "--exposure", "population_0_15", "--format", "csv"])
        let slope = cli.stdout.split(separator: "\n").first { $0.hasPrefix("children_low_income_pct,") }!.split(separator: ",")[1]
        #expect(lines[1].hasPrefix("children_low_income_pct \(slope) "), "\(lines[1]) against \(slope)")
        #expect(lines[2].hasPrefix("deviance residuals of the first rows: [") && lines[3].hasPrefix("without Torfaen: ["))
    }
}
