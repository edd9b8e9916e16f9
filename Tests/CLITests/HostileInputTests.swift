import Foundation
import Testing

/// Inputs built to crash the tool, hang it or exhaust the machine: each must end in one clear
/// error (or a correct fit) within seconds, under a 4 GB address-space limit (`prlimit --as`,
/// where util-linux has it), never in a signal, a backtrace or the kernel's OOM killer.
@Suite struct HostileInputTests {
    /// A folder of generated inputs, made once.
    static let folder: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-hostile-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) { try! text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        // 200,000 rows, an identifier of 200,000 levels, a small factor, a count.
        var many = "y,x,id,g\n"
        for i in 0..<200_000 { many += "\(i % 17),\(Double(i % 1000) / 1000),id\(i),\(i % 7)\n" }
        write("many_levels.csv", many)
        // 100,000 columns, 30 rows.
        let width = 100_000
        var wide = (0..<width).map { "c\($0)" }.joined(separator: ",") + "\n"
        for r in 0..<30 { wide += (0..<width).map { String(($0 * 7 + r * r) % 101) }.joined(separator: ",") + "\n" }
        write("wide.csv", wide)
        // A 5 MB field, in a column a model does not need and in one it does.
        let big = String(repeating: "abcdefghij", count: 500_000)
        var field = "y,x,note\n"
        for i in 0..<20 { field += "\(i),\(i * i % 13),\(i == 3 ? "\"" + big + "\"" : "ok")\n" }
        write("big_field.csv", field)
        var numbers = "y,x\n"
        for i in 0..<20 { numbers += "\(i),\(i == 7 ? big : String(i % 5))\n" }
        write("big_number_field.csv", numbers)
        for (name, value) in [("inf", "inf"), ("nan", "nan"), ("huge", "1e400"), ("minus_inf", "-Infinity")] {
            write("nonfinite_\(name).csv", "y,x\n1,2\n2,\(value)\n3,4\n5,4\n6,1\n")
        }
        write("nul_cell.csv", "y,x\n1,2\n2,3\u{0}\n3,4\n5,4\n")
        write("nul_header.csv", "y,x\u{0}\n1,2\n2,3\n3,4\n5,4\n")
        // Enough distinct values for poly(x, 30), few rows for the columns it multiplies into.
        var small = "y,a,b,c,d,x\n"
        for i in 0..<200 { small += "\(i % 9),\(i % 3),\(i % 5),\(i % 7),\(i % 11),\(Double(i) / 7)\n" }
        write("small.csv", small)
        // Four clusters of 400 rows: CR2's eigendecompositions would take 18 s.
        var clustered = "y,x,g\n"
        for i in 0..<1600 { clustered += "\(Double(i * 37 % 101) / 10),\(Double(i % 13)),\(i % 4)\n" }
        write("big_clusters.csv", clustered)
        return dir
    }()

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Runs the binary under a 4 GB address-space limit; nil status means it was killed for
    /// taking longer than `seconds`.
    func run(_ arguments: [String], seconds: Double = 60) throws -> (status: Int32?, stdout: String, stderr: String) {
        let process = Process()
        let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) }
        if let prlimit {
            process.executableURL = URL(fileURLWithPath: prlimit)
            process.arguments = ["--as=4294967296", CLITests.binary.path] + arguments
        } else {
            process.executableURL = CLITests.binary
            process.arguments = arguments
        }
        process.currentDirectoryURL = CLITests.root
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).out")
        let err = out.appendingPathExtension("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        var timedOut = false
        if process.isRunning {
            process.terminate()
            timedOut = true
        }
        process.waitUntilExit()
        return (timedOut ? nil : process.terminationStatus,
                String(decoding: try Data(contentsOf: out), as: UTF8.self), String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// One error line (ArgumentParser adds its usage lines to option errors), no crash, in time.
    func expectClearError(_ arguments: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try run(arguments)
        #expect(r.status != nil, "timed out: \(arguments.prefix(4))", sourceLocation: sourceLocation)
        #expect(r.status != 0 && r.status != nil, "\(arguments.prefix(4)) succeeded", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(message), "\(r.stderr.prefix(600))", sourceLocation: sourceLocation)
        #expect(r.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }.count == 1, "\(r.stderr.prefix(600))",
                sourceLocation: sourceLocation)
        #expect(r.stderr.utf8.count < 2_000, "the message is \(r.stderr.utf8.count) bytes", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Backtrace") && !r.stderr.contains("allocate"),
                sourceLocation: sourceLocation)
    }

    @Test func manyLevelFactorsAreRefusedBeforeTheDesignIsBuilt() throws {
        try expectClearError(["fit", Self.path("many_levels.csv"), "-f", "y ~ x + id"],
                             "term id: 199999 columns, from a factor of 200000 levels")
        try expectClearError(["fit", Self.path("many_levels.csv"), "-f", "y ~ x + factor(id)", "--family", "poisson"],
                             "better absorbed as a fixed effect")
        // Reading itself stays within the limit: 200,000 rows of two numbers and a line are 4.8 MB.
        try expectClearError(["fit", Self.path("many_levels.csv"), "-f", "y ~ x", "--max-memory", "2M"],
                             "the columns needed take more than the memory limit of 2 MB (--max-memory) by line ")
        try expectClearError(["fit", Self.path("many_levels.csv"), "-f", "y ~ x + id", "--max-memory", "6M"],
                             "the columns needed take more than the memory limit of 6 MB")
        // A small factor on the same rows fits.
        let ok = try run(["fit", Self.path("many_levels.csv"), "-f", "y ~ x + factor(g)", "--family", "poisson"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("Observations: 200000."))
    }

    @Test func interactionsThatMultiplyOutAreCostedBeforeExpansion() throws {
        let twenty = (0..<20).map { "x\($0)" }.joined(separator: " + ")
        try expectClearError(["fit", Self.path("small.csv"), "-f", "y ~ (\(twenty))^20"], "more than CareRates' limit of 10000")
        try expectClearError(
            ["fit", Self.path("small.csv"), "-f", "y ~ (a + b)^1000000000 + (\(twenty)):(\(twenty)):(\(twenty)):(\(twenty))"],
            "expands to 160000 terms")
        // (a + b + c + d)^4 * poly(x, 30): 31 terms, 15 + 30 + 450 columns, more than the rows.
        try expectClearError(["fit", Self.path("small.csv"), "-f", "y ~ (a + b + c + d)^4 * poly(x, 30)"],
                             "200 usable rows for 496 coefficients")
        try expectClearError(["fit", Self.path("small.csv"), "-f", "y ~ (a + b + c + d)^4 * poly(x, 30)", "--max-memory", "1M"],
                             "over the memory limit of 1 MB (--max-memory)")
    }

    /// CR2 costs the cube of each cluster's size: past a few seconds' work it is not computed.
    @Test func largeClustersAreNotGivenCR2() throws {
        let r = try run(["fit", Self.path("big_clusters.csv"), "-f", "y ~ x", "--se", "cr2", "--cluster", "g"], seconds: 30)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("CR2 was not computed") && r.stdout.contains("the largest has 400 rows"), "\(r.stdout)")
    }

    @Test func deepAndLongFormulasGetAPosition() throws {
        let x = "employed ~ " + String(repeating: "(", count: 20_000) + "gnp" + String(repeating: ")", count: 20_000)
        try expectClearError(["fit", "longley", "-f", x], "position 112: parentheses, calls and signs nest more than 100 deep")
        let calls = "employed ~ " + String(repeating: "log(", count: 20_000) + "gnp" + String(repeating: ")", count: 20_000)
        try expectClearError(["fit", "longley", "-f", calls], "nest more than 100 deep")
        let signs = "employed ~ " + String(repeating: "-", count: 20_000) + "gnp"
        try expectClearError(["fit", "longley", "-f", signs], "position 13: unexpected \"-\" where a term was expected")
        // The longest argument Linux passes is 128 KB: a chain of 20,000 terms.
        let chain = "employed ~ " + Array(repeating: "gnp", count: 20_000).joined(separator: " + ")
        try expectClearError(["anova", "longley", "-f", "employed ~ gnp", "-f", chain], "more than 1000 terms and operators in a chain")
    }

    @Test func wideFilesAndLongFieldsAreRead() throws {
        let wide = try run(["fit", Self.path("wide.csv"), "-f", "c0 ~ c1 + c99999"])
        #expect(wide.status == 0, "\(wide.stderr)")
        #expect(wide.stdout.contains("c99999"))
        let field = try run(["fit", Self.path("big_field.csv"), "-f", "y ~ x"])
        #expect(field.status == 0, "\(field.stderr)")
        // A text column is a factor: here of two levels, one of them 5 MB long.
        let factor = try run(["fit", Self.path("big_field.csv"), "-f", "y ~ x + note"])
        #expect(factor.status == 0 && factor.stdout.contains("noteok"), "\(factor.stderr.prefix(300))")
        try expectClearError(["fit", Self.path("big_number_field.csv"), "-f", "y ~ x"], "... (5000000 characters)")
    }

    /// Infinities, NaN and numbers beyond a double's range are refused with the cell named.
    @Test(arguments: [("inf", "\"inf\""), ("nan", "\"nan\""), ("huge", "\"1e400\""), ("minus_inf", "\"-Infinity\"")])
    func nonFiniteNumbersAreRefusedByCell(name: String, value: String) throws {
        try expectClearError(["fit", Self.path("nonfinite_\(name).csv"), "-f", "y ~ x"],
                             "nonfinite_\(name).csv:3, column 2 (x): \(value) is not a finite number")
        try expectClearError(["fit", Self.path("nonfinite_\(name).csv"), "-f", "x ~ y", "--family", "poisson"], "is not a finite number")
    }

    @Test func nulBytesAreShownEscaped() throws {
        try expectClearError(["fit", Self.path("nul_cell.csv"), "-f", "y ~ x"], "nul_cell.csv:3, column 2 (x): \"3\\u{0}\" is not a number")
        let r = try run(["fit", Self.path("nul_header.csv"), "-f", "y ~ x"])
        #expect(r.status != 0 && !r.stderr.contains("\u{0}"), "\(r.stderr)")
    }

    /// Options out of range, for every subcommand that takes them.
    @Test func optionsOutOfRange() throws {
        let model = ["wales_la_panel", "-f", "children_looked_after ~ unemployment_rate_pct"]
        for command in ["fit", "residuals", "predict"] {
            let args = [command] + model
            if command != "residuals" {
                try expectClearError(args + ["--level", "-0.5"], "--level must be between 0 and 1")
                try expectClearError(args + ["--level", "1"], "--level must be between 0 and 1")
            }
            try expectClearError(args + ["--family", "negbin", "--theta", "0"], "--theta must be a positive number")
            try expectClearError(args + ["--family", "negbin", "--theta", "-2"], "--theta must be a positive number")
            try expectClearError(args + ["--family", "poisson", "--maxit", "0"], "--maxit must be at least 1")
            try expectClearError(args + ["--family", "poisson", "--epsilon", "0"], "--epsilon must be between 0 and 1")
            try expectClearError(args + ["--epsilon", "1e-8"], "--epsilon is for generalized linear models")
            try expectClearError(args + ["--max-memory", "0"], "The value '0' is invalid for '--max-memory")
            try expectClearError(args + ["--tol", "-1"], "--tol must be between 0 and 1")
        }
        try expectClearError(["predict"] + model + ["--draws", "5"], "--draws must be between 100 and 1000000")
        try expectClearError(["predict"] + model + ["--family", "poisson", "--draws", "1000000", "--max-memory", "10M"],
                             "1000000 simulated draws for each of 88 rows")
        let anova = ["anova", "wales_la_panel", "-f", "children_looked_after ~ 1", "-f", "children_looked_after ~ unemployment_rate_pct"]
        try expectClearError(anova + ["--family", "poisson", "--maxit", "0"], "--maxit must be at least 1")
        try expectClearError(anova + ["--family", "negbin", "--theta", "0"], "--theta must be a positive number")
        try expectClearError(anova + ["--max-memory", "-1"], "The value '-1' is invalid for '--max-memory")
        try expectClearError(["data", "describe", "no/such/file.csv"], "cannot read file")
    }
}
