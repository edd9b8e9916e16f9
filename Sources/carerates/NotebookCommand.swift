import ArgumentParser
import CareRates
import Foundation
import Notebook
#if canImport(Glibc)
import Glibc
#endif

/// `carerates notebook run FILE.md...` and `carerates notebook check FILE.md|DIR`: Markdown
/// notebooks whose `carerates` blocks are run in process by this command tree, never by a shell.
struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Run Markdown notebooks, writing each block's output, or check that they rerun to the same output.",
        discussion: """
            A notebook is ordinary Markdown. Fenced blocks tagged carerates hold commands, one \
            per line, each starting with the word carerates (\\ continues a line; quotes as in a \
            shell; no shell syntax: ; | & < > $ and backticks are errors). Each block runs in this \
            process, from a fresh work folder shared by the notebook's blocks, and its output \
            (standard output and error in order, [exit N] when N is not 0) goes in the output \
            block after it; SVG files it writes are kept in NAME.figures/ beside the notebook and \
            linked. Attributes: id=NAME, expect=error or expect=exit:N (strict), \
            output=unchecked. In expected output, ... alone on a line stands for any lines and \
            [..] for any text within a line.
            """,
        subcommands: [Run.self, Check.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run notebooks and write each block's output and figures into them.")
        @Argument(help: "Notebook files (.md).") var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                NotebookExecutor.notebookFolder = URL(fileURLWithPath: file).deletingLastPathComponent()
                let outcome = NotebookCommand.runner.process(URL(fileURLWithPath: file), mode: .run)
                if let error = outcome.parseError {
                    FileHandle.standardError.write(Data(("Error: " + error + "\n").utf8))
                    throw ExitCode(2)
                }
                for problem in outcome.problems { FileHandle.standardError.write(Data((problem + "\n").utf8)) }
                failed = failed || !outcome.problems.isEmpty
                print("\(file): \(outcome.blocks) block\(outcome.blocks == 1 ? "" : "s") run")
            }
            if failed { throw ExitCode(1) }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rerun notebooks from fresh work folders and fail, with a diff, where any output or figure differs.",
            discussion: "Exit status 0 when everything matches, 1 on a difference or an unexpected failure, 2 when a notebook cannot be parsed.")
        @Argument(help: "A notebook file, or a folder of them (every .md file in it).") var path: String

        func run() throws {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                FileHandle.standardError.write(Data("Error: \(path): no such file or folder\n".utf8))
                throw ExitCode(2)
            }
            let files = isFolder.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".md") }.sorted()
                    .map { URL(fileURLWithPath: path).appendingPathComponent($0) }
                : [URL(fileURLWithPath: path)]
            if files.isEmpty {
                FileHandle.standardError.write(Data("Error: \(path): no notebooks (.md files) in this folder\n".utf8))
                throw ExitCode(2)
            }
            var problems = 0, blocks = 0, unchecked = 0, parseFailed = false
            for file in files {
                NotebookExecutor.notebookFolder = file.deletingLastPathComponent()
                let outcome = NotebookCommand.runner.process(file, mode: .check)
                if let error = outcome.parseError {
                    FileHandle.standardError.write(Data(("Error: " + error + "\n").utf8))
                    parseFailed = true
                    continue
                }
                for problem in outcome.problems { print(problem) }
                (problems, blocks, unchecked) = (problems + outcome.problems.count, blocks + outcome.blocks, unchecked + outcome.unchecked)
            }
            print("\(files.count) notebook\(files.count == 1 ? "" : "s"), \(blocks) block\(blocks == 1 ? "" : "s")"
                + (unchecked > 0 ? " (\(unchecked) unchecked)" : "") + ": "
                + (problems == 0 ? "all match" : "\(problems) problem\(problems == 1 ? "" : "s"); to accept the new output: carerates notebook run FILE"))
            if parseFailed { throw ExitCode(2) }
            if problems > 0 { throw ExitCode(1) }
        }
    }

    static var runner: NotebookRunner { NotebookRunner { arguments, work in NotebookExecutor.run(arguments, in: work) } }
}

/// One notebook command, run by this process's own command tree with its output captured.
enum NotebookExecutor {
    /// The folder of the notebook being run (set for each notebook).
    nonisolated(unsafe) static var notebookFolder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)

    /// The repository a notebook belongs to: the nearest folder above it holding Package.swift
    /// or .git (else its own folder).
    static var repository: URL {
        var dir = notebookFolder.standardizedFileURL
        for _ in 0..<20 {
            for marker in ["Package.swift", ".git"] where FileManager.default.fileExists(atPath: dir.appendingPathComponent(marker).path) {
                return dir
            }
            let parent = dir.deletingLastPathComponent()
            if parent == dir { break }
            dir = parent
        }
        return notebookFolder
    }

    /// Commands that draw random numbers must be given a seed in a notebook.
    static func seedProblem(_ arguments: [String]) -> String? {
        guard !arguments.contains("--seed") else { return nil }
        if arguments.first == "compare" && !arguments.contains("--no-ranks") {
            return "compare draws random numbers for its rank sets: give --seed N in a notebook (or --no-ranks)"
        }
        if arguments.first == "predict" && (arguments.contains("--family") || arguments.contains("--link")) {
            return "predict simulates a generalized linear model's intervals: give --seed N in a notebook"
        }
        return nil
    }

    static func run(_ arguments: [String], in work: URL) -> (output: String, status: Int32) {
        if arguments.first == "notebook" { return ("Error: a notebook cannot run notebooks\n", 2) }
        if let problem = seedProblem(arguments) { return ("Error: \(problem)\n", 2) }
        let repository = Self.repository, previous = FileManager.default.currentDirectoryPath
        var reads = [work, repository]
        if let bundled = DatasetLocator.bundledFolder { reads.append(bundled) }
        Sandbox.current = Sandbox.Roots(work: work, reads: reads)
        _ = FileManager.default.changeCurrentDirectoryPath(work.path)
        defer {
            Sandbox.current = nil
            _ = FileManager.default.changeCurrentDirectoryPath(previous)
        }
        // Standard output and error into one file, in the order written.
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("carerates-capture-\(UUID().uuidString)")
        let fd = open(capture.path, O_CREAT | O_TRUNC | O_RDWR, 0o600)
        guard fd >= 0 else { return ("Error: cannot capture the command's output\n", 1) }
        fflush(nil)
        let savedOut = dup(1), savedErr = dup(2)
        dup2(fd, 1)
        dup2(fd, 2)
        var status: Int32 = 0
        do {
            var command = try CareRatesCommand.parseAsRoot(arguments)
            try command.run()
        } catch {
            let message = CareRatesCommand.fullMessage(for: error)
            fflush(nil)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            status = CareRatesCommand.exitCode(for: error).rawValue
        }
        fflush(nil)
        dup2(savedOut, 1)
        dup2(savedErr, 2)
        close(savedOut)
        close(savedErr)
        close(fd)
        let data = FileManager.default.contents(atPath: capture.path) ?? Data()
        try? FileManager.default.removeItem(at: capture)
        var output = String(decoding: data, as: UTF8.self)
        // No path of this machine in a notebook: the work folder and the repository are named
        // relative to themselves.
        for root in [work, repository] + (DatasetLocator.bundledFolder.map { [$0.deletingLastPathComponent()] } ?? []) {
            for form in Set([root.path, Sandbox.canonical(root.path).path]) {
                output = output.replacingOccurrences(of: form + "/", with: "")
            }
        }
        // Which backend ran is the one thing the two builds print differently; the numbers are
        // the same (the tests hold them to it), so a notebook leaves the name out.
        for name in ["lapack", "swift"] {
            output = output.replacingOccurrences(of: " Backend: \(name).", with: "")
                .replacingOccurrences(of: "\"backend\": \"\(name)\", ", with: "")
        }
        return (output, status)
    }
}
