import Foundation
import Testing

/// `carerates notebook run|check` end to end: idempotent runs, located diffs, strict expected
/// failures, no shell and no escape from the work folder (with a decoy program on PATH),
/// figures checked byte for byte, markers kept, and the same result under another locale.
@Suite struct NotebookCommandTests {
    static let model = "carerates compare wales_la_panel -f \"children_looked_after ~ unemployment_rate_pct\" --family negbin "
        + "--exposure population_0_15 --unit la_name --seed 1 --top 3 --sort ratio --no-loo"

    static let notebook = """
        # A test notebook

        Prose, with a shell block that is never run:

        ```sh
        carerates data build --from nowhere
        ```

        ```carerates id=fit
        carerates fit wales_la_panel -f "rate_per_10000 ~ unemployment_rate_pct"
        ```

        ```carerates id=bad expect=error
        carerates fit wales_la_panel -f "rate_per_10000 ~ nosuch"
        ```

        ```carerates id=table
        \(model) \\
          --format csv --out compare.csv --limits-table limits.csv --plot funnel.svg
        ```

        ```carerates id=replot
        carerates plot funnel compare.csv --limits limits.csv --out replot.svg
        ```

        The end.

        """

    /// A folder holding the notebook (and a decoy folder for PATH).
    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-nb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CLITests.Result {
        try PlotCommandTests().run(arguments, environment: environment)
    }

    @Test func runIsIdempotentAndCheckLocatesEveryDifference() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("test.md")
        try Self.notebook.write(to: file, atomically: true, encoding: .utf8)
        let first = try run(["notebook", "run", file.path])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let once = try String(contentsOf: file, encoding: .utf8)
        #expect(once.contains("```output\n\nCall:\nlm(formula = rate_per_10000 ~ unemployment_rate_pct, data = wales_la_panel)"))
        #expect(once.contains("[exit 1]") && once.contains("![funnel.svg](test.figures/funnel.svg)"))
        #expect(once.contains("```sh\ncarerates data build --from nowhere\n```\n\n```carerates id=fit"), "the sh block is left as it was")
        #expect(!once.contains("/tmp/") && !once.contains(dir.path) && !once.contains("Backend:"), "no path or backend of this machine")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("test.figures/funnel.svg").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("test.figures/replot.svg").path))
        _ = try run(["notebook", "run", file.path])
        #expect(try String(contentsOf: file, encoding: .utf8) == once, "a second run changes no byte")
        let check = try run(["notebook", "check", dir.path])
        #expect(check.status == 0 && check.stdout.contains("1 notebook, 4 blocks: all match"), "\(check.stdout)\(check.stderr)")
        // Under another locale and time zone, the same.
        let german = try run(["notebook", "check", file.path], environment: ["LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8", "TZ": "Asia/Kolkata"])
        #expect(german.status == 0, "\(german.stdout)")

        // A changed digit: a diff naming the file, the line and the block; restored, it passes.
        let tampered = once.replacingOccurrences(of: "63.402", with: "63.412")
        #expect(tampered != once)
        try tampered.write(to: file, atomically: true, encoding: .utf8)
        let failed = try run(["notebook", "check", file.path])
        #expect(failed.status == 1)
        let line = once.components(separatedBy: "\n").firstIndex { $0.hasPrefix("(Intercept)") }! + 1
        #expect(failed.stdout.contains("test.md:9, block fit: output differs"), "\(failed.stdout)")
        #expect(failed.stdout.contains("-(Intercept)             63.412") && failed.stdout.contains("+(Intercept)             63.402"))
        #expect(failed.stdout.contains("@@ -\(line - 3),"), "hunk located at the notebook's lines: \(failed.stdout)")
        #expect(failed.stdout.contains("to accept the new output: carerates notebook run FILE"))
        try once.write(to: file, atomically: true, encoding: .utf8)
        #expect(try run(["notebook", "check", file.path]).status == 0)

        // A figure changed or missing.
        let figure = dir.appendingPathComponent("test.figures/funnel.svg")
        let bytes = try Data(contentsOf: figure)
        try Data("<svg/>".utf8).write(to: figure)
        let changed = try run(["notebook", "check", file.path])
        #expect(changed.status == 1 && changed.stdout.contains("figure differs: test.figures/funnel.svg"), "\(changed.stdout)")
        try FileManager.default.removeItem(at: figure)
        let missing = try run(["notebook", "check", file.path])
        #expect(missing.status == 1 && missing.stdout.contains("figure missing: test.figures/funnel.svg"), "\(missing.stdout)")
        try bytes.write(to: figure)

        // The block that wrote compare.csv deleted: the one reading it fails loudly.
        let start = once.range(of: "```carerates id=table")!.lowerBound, end = once.range(of: "```carerates id=replot")!.lowerBound
        var withoutProducer = once
        withoutProducer.removeSubrange(start..<end)
        try withoutProducer.write(to: file, atomically: true, encoding: .utf8)
        let orphan = try run(["notebook", "check", file.path])
        #expect(orphan.status == 1 && orphan.stdout.contains("block replot: failed with exit status"), "\(orphan.stdout)")
    }

    @Test func markersSurviveRunAndExpectedFailuresAreStrict() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("markers.md")
        let text = """
            ```carerates id=fit
            carerates fit wales_la_panel -f "rate_per_10000 ~ unemployment_rate_pct"
            ```

            ```output
            ...
            (Intercept)             63.402     14.341   4.421 [..] ***
            ...
            ```

            ```carerates id=fine expect=error
            carerates fit wales_la_panel -f "rate_per_10000 ~ unemployment_rate_pct" --format csv
            ```

            """
        try text.write(to: file, atomically: true, encoding: .utf8)
        let r = try run(["notebook", "run", file.path])
        #expect(r.status == 1 && r.stderr.contains("block fine: expected an error, but the block succeeded"), "\(r.stderr)")
        let after = try String(contentsOf: file, encoding: .utf8)
        #expect(after.contains("...\n(Intercept)             63.402     14.341   4.421 [..] ***\n...\n"))
        let check = try run(["notebook", "check", file.path])
        #expect(check.status == 1 && check.stdout.contains("block fine: expected an error"), "\(check.stdout)")
    }

    /// No shell: shell syntax is a parse error (exit 2), nothing runs, and a decoy `carerates`
    /// and `touch` first on PATH are never started; no read or write escapes the folders.
    @Test func noShellNoEscape() throws {
        let dir = try Self.folder(), decoys = try Self.folder()
        defer { for d in [dir, decoys] { try? FileManager.default.removeItem(at: d) } }
        let sentinel = decoys.appendingPathComponent("sentinel")
        for program in ["carerates", "touch", "sh", "bash", "Rscript"] {
            let path = decoys.appendingPathComponent(program)
            try "#!/bin/sh\necho started > \(sentinel.path)\n".write(to: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path.path)
        }
        let path = decoys.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")
        for (k, line) in ["carerates fit wales_la_panel -f \"y ~ x\"; touch \(sentinel.path)",
                          "carerates fit $(touch \(sentinel.path))", "carerates fit x | carerates fit y",
                          "touch \(sentinel.path)"].enumerated() {
            let file = dir.appendingPathComponent("shell\(k).md")
            try "```carerates\ncarerates fit wales_la_panel -f \"rate_per_10000 ~ unemployment_rate_pct\"\n```\n\n```carerates\n\(line)\n```\n"
                .write(to: file, atomically: true, encoding: .utf8)
            let before = try Data(contentsOf: file)
            let r = try run(["notebook", "run", file.path], environment: ["PATH": path])
            #expect(r.status == 2 && r.stderr.contains("shell\(k).md, block block-2, line 6"), "\(line): \(r.stderr)")
            #expect(try Data(contentsOf: file) == before, "nothing was run or written")
        }
        let escapes = dir.appendingPathComponent("escape.md")
        try """
            ```carerates id=out expect=error
            carerates fit wales_la_panel -f "rate_per_10000 ~ unemployment_rate_pct" --plot ../outside.svg
            ```

            ```carerates id=absolute expect=error
            carerates fit wales_la_panel -f "rate_per_10000 ~ unemployment_rate_pct" --out \(dir.path)/absolute.txt
            ```

            ```carerates id=read expect=error
            carerates fit /etc/passwd -f "y ~ x"
            ```

            ```carerates id=nested expect=error
            carerates notebook run escape.md
            ```

            ```carerates id=seed expect=error
            carerates compare wales_la_panel -f "children_looked_after ~ unemployment_rate_pct" --family poisson --unit la_name
            ```

            ```carerates id=real
            carerates fit wales_la_panel -f "rate_per_10000 ~ unemployment_rate_pct" --format csv
            ```

            """.write(to: escapes, atomically: true, encoding: .utf8)
        let r = try run(["notebook", "run", escapes.path], environment: ["PATH": path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let out = try String(contentsOf: escapes, encoding: .utf8)
        #expect(out.contains("../outside.svg: a notebook writes only inside its work folder"), "\(out)")
        #expect(out.contains("absolute.txt: a notebook writes only inside its work folder"))
        #expect(out.contains("/etc/passwd: a notebook reads only its work folder's files"))
        #expect(out.contains("a notebook cannot run notebooks") && out.contains("give --seed N in a notebook"))
        #expect(out.contains("term,estimate,std_error"))
        #expect(!FileManager.default.fileExists(atPath: dir.deletingLastPathComponent().appendingPathComponent("outside.svg").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("absolute.txt").path))
        #expect(!FileManager.default.fileExists(atPath: sentinel.path), "a decoy program was started")
    }

    /// A folder without notebooks is a usage error, not "all match".
    @Test func aFolderWithoutNotebooks() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(["notebook", "check", dir.path])
        #expect(r.status == 2 && r.stderr.contains("no notebooks (.md files) in this folder"), "\(r.stderr)")
        let missing = try run(["notebook", "check", dir.appendingPathComponent("nothing.md").path])
        #expect(missing.status == 2 && missing.stderr.contains("no such file or folder"), "\(missing.stderr)")
    }
}
