import Foundation

/// Runs a notebook's command blocks, top to bottom, from a fresh work folder, through an
/// executor that runs one command in process (the CLI's command tree; never a shell), and
/// either writes the outputs and figures into the notebook (``Mode/run``) or compares them
/// with the ones it holds (``Mode/check``).
public struct NotebookRunner {
    /// Write the outputs into the notebook (`run`), or compare them with its own (`check`).
    public enum Mode: Sendable {
        /// Write each block's output and figures into the notebook.
        case run
        /// Compare them with the notebook's own and report every difference.
        case check
    }

    /// Runs `arguments` (the words after `carerates`) with `workFolder` as the current folder;
    /// returns standard output and standard error merged in order, and the exit status.
    public typealias Execute = (_ arguments: [String], _ workFolder: URL) -> (output: String, status: Int32)

    /// What running or checking a notebook found.
    public struct Outcome: Sendable {
        /// Differences and failures, each located (file, line, block), for `check`; for `run`,
        /// the blocks that failed unexpectedly.
        public var problems: [String] = []
        /// A notebook, command or attribute that could not be parsed (exit status 2).
        public var parseError: String?
        /// The command blocks run, and those marked `output=unchecked`.
        public var blocks = 0, unchecked = 0
    }

    let execute: Execute

    /// A runner whose commands `execute` runs.
    public init(execute: @escaping Execute) { self.execute = execute }

    /// The folder beside `notebook` its figures are kept in, and its name as the links write it.
    public static func figureFolder(_ notebook: URL) -> (url: URL, name: String) {
        let name = notebook.deletingPathExtension().lastPathComponent + ".figures"
        return (notebook.deletingLastPathComponent().appendingPathComponent(name), name)
    }

    /// 64-bit FNV-1a of `data`, as 16 hex digits: the short hash the output lists a figure by.
    public static func shortHash(_ data: Data) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Runs every block of `notebook` from a fresh work folder and, by `mode`, writes or checks.
    public func process(_ notebook: URL, mode: Mode) -> Outcome {
        var outcome = Outcome()
        let display = notebook.lastPathComponent
        guard let data = FileManager.default.contents(atPath: notebook.path), let text = String(data: data, encoding: .utf8) else {
            outcome.parseError = "\(display): cannot read the notebook (not a UTF-8 text file)"
            return outcome
        }
        let (figureURL, figureName) = Self.figureFolder(notebook)
        let document: NotebookDocument
        do { document = try NotebookDocument(text: text, figureFolder: figureName) } catch {
            outcome.parseError = "\(display): \(error)"
            return outcome
        }
        // Every command parsed before any runs.
        var commands = [[CommandWords]]()
        for block in document.blocks {
            let body = document.lines[(block.open + 1)..<block.close].map(NotebookDocument.content)
            do { commands.append(try CommandWords.parse(body, first: block.open + 2)) } catch {
                outcome.parseError = "\(display), block \(block.id), \(error)"
                return outcome
            }
        }
        let work = FileManager.default.temporaryDirectory
            .appendingPathComponent("carerates-notebook-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        var regions = [(start: Int, end: Int, lines: [String])]()
        var figureWrites = [(String, Data)]()
        outcome.blocks = document.blocks.count
        for (block, blockCommands) in zip(document.blocks, commands) {
            let before = Self.svgFiles(work)
            var output = "", status: Int32 = 0
            for command in blockCommands {
                let result = execute(command.words, work)
                output += result.output
                status = result.status
                if status != 0 { break }
            }
            var lines = Self.split(output)
            if status != 0 { lines.append("[exit \(status)]") }
            // Figures: SVG files the block wrote or changed.
            let after = Self.svgFiles(work)
            let figures = after.keys.filter { after[$0] != before[$0] }.sorted()
            for name in figures { lines.append("[figure \(name) \(Self.shortHash(after[name]!))]") }
            let place = "\(display):\(block.open + 1), block \(block.id)"
            switch (block.expect, status) {
            case (.success, let s) where s != 0: outcome.problems.append("\(place): failed with exit status \(s) (mark it expect=error if that is intended)")
            case (.error, 0): outcome.problems.append("\(place): expected an error, but the block succeeded")
            case (.exit(let n), let s) where s != n: outcome.problems.append("\(place): expected exit status \(n), got \(s)")
            default: break
            }
            switch mode {
            case .check:
                if block.unchecked { outcome.unchecked += 1 }
                if let expected = block.output {
                    if !block.unchecked && !OutputMatching.matches(expected: expected, actual: lines) {
                        outcome.problems.append("\(place): output differs\n" + OutputMatching.unifiedDiff(
                            expected: expected, actual: lines, firstLine: block.outputFirstLine ?? block.close + 2))
                    }
                } else {
                    outcome.problems.append("\(place): no output block (run the notebook to write it)")
                }
                for name in figures {
                    let stored = FileManager.default.contents(atPath: figureURL.appendingPathComponent(name).path)
                    if stored == nil {
                        outcome.problems.append("\(place): figure missing: \(figureName)/\(name)")
                    } else if stored != after[name] {
                        outcome.problems.append("\(place): figure differs: \(figureName)/\(name)")
                    }
                }
            case .run:
                // Output that still fits the block's markers keeps them.
                let kept = block.output.flatMap { OutputMatching.matches(expected: $0, actual: lines) ? $0 : nil } ?? lines
                regions.append((block.regionStart, block.regionEnd,
                                Self.region(kept, figures: figures.map { "\(figureName)/\($0)" }, newline: document.newline)))
                for name in figures { figureWrites.append((name, after[name]!)) }
            }
        }
        if mode == .run {
            var lines = document.lines
            // A last line without a terminator gets one before a region is appended after it.
            if let last = lines.last, !last.hasSuffix("\n"), regions.contains(where: { $0.start == lines.count }) {
                lines[lines.count - 1] = last + document.newline
            }
            for region in regions.reversed() { lines.replaceSubrange(region.start..<region.end, with: region.lines) }
            do {
                if !figureWrites.isEmpty { try FileManager.default.createDirectory(at: figureURL, withIntermediateDirectories: true) }
                for (name, bytes) in figureWrites { try bytes.write(to: figureURL.appendingPathComponent(name), options: .atomic) }
                let updated = Data(lines.joined().utf8)
                if updated != data { try updated.write(to: notebook, options: .atomic) }
            } catch {
                outcome.problems.append("\(display): cannot write: \(error.localizedDescription)")
            }
        }
        return outcome
    }

    /// Output text as lines, without a last empty one.
    static func split(_ text: String) -> [String] {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
    }

    /// The region `run` writes after a block: a blank line, the output fence (one backtick
    /// longer than any run of them inside, at least three), and a link to each figure.
    static func region(_ output: [String], figures: [String], newline: String) -> [String] {
        var longest = 0
        for line in output {
            var run = 0
            for c in line { run = c == "`" ? run + 1 : 0; longest = max(longest, run) }
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return [newline, fence + "output" + newline] + output.map { $0 + newline } + [fence + newline]
            + figures.map { "![\($0.split(separator: "/").last!)](\($0))" + newline }
    }

    /// The SVG files of `folder` (not its subfolders) and their bytes.
    static func svgFiles(_ folder: URL) -> [String: Data] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var files = [String: Data]()
        for name in names where name.hasSuffix(".svg") {
            files[name] = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
        }
        return files
    }
}
