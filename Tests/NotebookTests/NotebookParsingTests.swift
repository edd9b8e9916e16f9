import Foundation
import Notebook
import Testing

/// The notebook's parts that need no command tree: splitting command words without a shell,
/// finding blocks and their output, matching with elision markers, and the diff.
@Suite struct NotebookParsingTests {
    @Test func wordsAreSplitAsAShellWouldWithoutExpanding() throws {
        let commands = try CommandWords.parse([
            "carerates fit wales_la_panel -f \"y ~ x + log(z)\" \\",
            "  --family 'neg bin' --id a\\ b",
            "",
            "# a comment",
            "carerates compare x --unit \"la \\\"name\\\"\" --sort '$HOME;|&<>'",
        ], first: 10)
        #expect(commands.count == 2)
        #expect(commands[0].words == ["fit", "wales_la_panel", "-f", "y ~ x + log(z)", "--family", "neg bin", "--id", "a b"])
        #expect(commands[0].line == 10 && commands[1].line == 14)
        #expect(commands[1].words == ["compare", "x", "--unit", "la \"name\"", "--sort", "$HOME;|&<>"])
    }

    @Test(arguments: [
        ("carerates fit x; rm -rf /", 16), ("carerates fit x | tee out", 17), ("carerates fit x > out.txt", 17),
        ("carerates fit x < in.csv", 17), ("carerates fit $(touch sentinel)", 15), ("carerates fit `touch sentinel`", 15),
        ("carerates fit x & sleep 1", 17), ("carerates fit $HOME", 15),
    ])
    func shellSyntaxIsAParseErrorWithItsColumn(line: String, column: Int) {
        #expect(throws: CommandWords.ParseError.self) { try CommandWords.parse([line], first: 3) }
        do { _ = try CommandWords.parse([line], first: 3) } catch {
            #expect(error.line == 3 && error.column == column, "\(error)")
            #expect(error.message.contains("not run by a shell"))
        }
    }

    @Test func everyCommandStartsWithCarerates() {
        #expect(throws: CommandWords.ParseError.self) { try CommandWords.parse(["touch sentinel"], first: 1) }
        #expect(throws: CommandWords.ParseError.self) { try CommandWords.parse(["carerates fit \"open"], first: 1) }
        #expect(throws: CommandWords.ParseError.self) { try CommandWords.parse(["carerates fit x \\"], first: 1) }
    }

    @Test func blocksOutputsAndProse() throws {
        let text = """
            # Title\r
            ```sh
            carerates fit never-run
            ```
            ````carerates id=one expect=error
            carerates fit x
            ````


            ```output
            old
            ```
            ![f.svg](nb.figures/f.svg)
            Prose after.
            ```carerates output=unchecked
            carerates fit y
            ```
            """
        let document = try NotebookDocument(text: text, figureFolder: "nb.figures")
        #expect(document.blocks.count == 2, "the sh block is prose")
        let one = document.blocks[0], two = document.blocks[1]
        #expect(one.id == "one" && one.expect == .error && one.output == ["old"] && one.figures == ["f.svg"])
        #expect(document.lines[one.regionEnd].hasPrefix("Prose after."))
        #expect(two.id == "block-2" && two.unchecked && two.output == nil && two.regionStart == two.regionEnd)
        #expect(document.lines.joined() == text, "every byte kept")
        #expect(throws: NotebookDocument.ParseError.self) { try NotebookDocument(text: "```carerates bogus=1\n```\n", figureFolder: "f") }
        #expect(throws: NotebookDocument.ParseError.self) { try NotebookDocument(text: "```carerates\ncarerates fit\n", figureFolder: "f") }
        #expect(throws: NotebookDocument.ParseError.self) {
            try NotebookDocument(text: "```carerates id=a\n```\n```carerates id=a\n```\n", figureFolder: "f")
        }
    }

    @Test func elisionMarkers() {
        #expect(OutputMatching.matches(expected: ["a", "...", "z"], actual: ["a", "b", "c", "z"]))
        #expect(OutputMatching.matches(expected: ["a", "...", "z"], actual: ["a", "z"]))
        #expect(!OutputMatching.matches(expected: ["a", "...", "z"], actual: ["a", "b"]))
        #expect(OutputMatching.matches(expected: ["took [..] s", "x[..]y[..]"], actual: ["took 1.25 s", "x-1-y-2"]))
        #expect(!OutputMatching.matches(expected: ["took [..] s"], actual: ["took 1.25 ms"]))
        #expect(!OutputMatching.matches(expected: ["a"], actual: ["a", "b"]))
    }

    @Test func diffIsLocatedByTheNotebooksLines() {
        let expected = (1...20).map { "line \($0)" }
        var actual = expected
        actual[9] = "line ten"
        let diff = OutputMatching.unifiedDiff(expected: expected, actual: actual, firstLine: 100)
        #expect(diff.hasPrefix("@@ -106,"), "\(diff)")
        #expect(diff.contains("\n-line 10\n+line ten\n"), "\(diff)")
    }
}
