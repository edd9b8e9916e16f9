/// A Markdown notebook: its lines (each with its own line ending, so every byte is kept) and
/// its command blocks. A command block is a fence whose info string starts with `carerates`;
/// its output is the `output` fence that follows it (only blank lines between), and after that
/// the image links to its figures; that region (the blank lines, the output block and the
/// links) is what `run` rewrites.
public struct NotebookDocument: Sendable {
    /// What a block must exit with (`expect=`): the status of its first failing command, else 0.
    public enum Expectation: Sendable, Equatable {
        /// Status 0 (the default).
        case success
        /// Any non-zero exit.
        case error
        /// Exactly this status.
        case exit(Int32)
    }

    /// A command block and the output region after it.
    public struct Block: Sendable {
        /// `id=`, or `block-N` (N counting the notebook's command blocks from 1).
        public var id: String
        /// Its `expect=` attribute.
        public var expect: Expectation
        /// `output=unchecked`: run, but its output is not compared.
        public var unchecked: Bool
        /// The fence's first line (0-based index into ``NotebookDocument/lines``) and the
        /// index of its closing line.
        public var open: Int, close: Int
        /// The managed region after the block: lines `regionStart..<regionEnd` (empty when there
        /// is no output yet), the output's content lines and the line of its first one.
        public var regionStart: Int, regionEnd: Int
        /// The output block's lines (nil: there is none yet).
        public var output: [String]?
        /// The notebook line (1-based) of the output's first line.
        public var outputFirstLine: Int?
        /// The figure files the region links to.
        public var figures: [String]
    }

    /// A notebook that cannot be parsed: the line and why.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// The notebook line (1-based).
        public let line: Int
        /// What is wrong.
        public let message: String
        /// "line L: message".
        public var description: String { "line \(line): \(message)" }
    }

    /// The text's lines, each with its terminator ("\n" or "\r\n"; the last may have none).
    public let lines: [String]
    /// The command blocks, in order.
    public let blocks: [Block]
    /// The line ending the notebook mostly uses, for the lines `run` writes.
    public let newline: String

    /// The lines of `text`, terminators kept.
    static func split(_ text: String) -> [String] {
        var lines = [String](), current = ""
        for scalar in text.unicodeScalars {
            current.unicodeScalars.append(scalar)
            if scalar == "\n" {
                lines.append(current)
                current = ""
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// A line without its terminator.
    public static func content(_ line: String) -> String {
        var s = line
        if s.hasSuffix("\n") { s.removeLast() }
        if s.hasSuffix("\r") { s.removeLast() }
        return s
    }

    /// The fence a line opens: its character run and info string (nil: not a fence).
    static func fence(_ line: String) -> (marker: String, info: String)? {
        let text = content(line)
        guard let first = text.first, first == "`" || first == "~" else { return nil }
        let marker = String(text.prefix { $0 == first })
        guard marker.count >= 3 else { return nil }
        let info = String(text.dropFirst(marker.count)).trimmingSpaces
        if first == "`" && info.contains("`") { return nil }
        return (marker, info)
    }

    /// Parses a notebook; `figureFolder` is the folder name its figure links point into.
    public init(text: String, figureFolder: String) throws(ParseError) {
        lines = Self.split(text)
        newline = lines.first { $0.hasSuffix("\r\n") } != nil && lines.filter({ $0.hasSuffix("\r\n") }).count * 2 >= lines.count
            ? "\r\n" : "\n"
        var blocks = [Block](), ids = Set<String>()
        var i = 0
        while i < lines.count {
            guard let (marker, info) = Self.fence(lines[i]) else {
                i += 1
                continue
            }
            let close = Self.closing(lines, from: i + 1, marker: marker)
            guard let close else { throw ParseError(line: i + 1, message: "this fence (\(marker)) is never closed") }
            let words = info.split(separator: " ").map(String.init)
            guard words.first == "carerates" else {
                i = close + 1
                continue
            }
            var block = Block(id: "block-\(blocks.count + 1)", expect: .success, unchecked: false, open: i, close: close,
                              regionStart: close + 1, regionEnd: close + 1, output: nil, outputFirstLine: nil, figures: [])
            for attribute in words.dropFirst() {
                let parts = attribute.split(separator: "=", maxSplits: 1).map(String.init)
                switch (parts.first, parts.count == 2 ? parts[1] : nil) {
                case ("id", let v?) where !v.isEmpty && v.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }):
                    block.id = v
                case ("expect", "error"): block.expect = .error
                case ("expect", let v?) where v.hasPrefix("exit:") && Int32(v.dropFirst(5)) != nil:
                    block.expect = .exit(Int32(v.dropFirst(5))!)
                case ("output", "unchecked"): block.unchecked = true
                default:
                    throw ParseError(line: i + 1, message: "unknown block attribute \(attribute) (id=NAME, expect=error, "
                        + "expect=exit:N, output=unchecked)")
                }
            }
            guard ids.insert(block.id).inserted else { throw ParseError(line: i + 1, message: "a second block with id=\(block.id)") }
            // The output block: the next fence after blank lines only, with info "output".
            var j = close + 1
            while j < lines.count && Self.content(lines[j]).trimmingSpaces.isEmpty { j += 1 }
            if j < lines.count, let (outMarker, outInfo) = Self.fence(lines[j]), outInfo == "output" {
                guard let outClose = Self.closing(lines, from: j + 1, marker: outMarker) else {
                    throw ParseError(line: j + 1, message: "this output fence is never closed")
                }
                block.output = lines[(j + 1)..<outClose].map(Self.content)
                block.outputFirstLine = j + 2
                var end = outClose + 1
                // Links to the block's figures, right after the output.
                while end < lines.count, let target = Self.figureLink(lines[end], folder: figureFolder) {
                    block.figures.append(target)
                    end += 1
                }
                block.regionEnd = end
            }
            blocks.append(block)
            i = block.regionEnd
        }
        self.blocks = blocks
    }

    /// The closing fence of an opening `marker`: the same character, at least as long, alone.
    static func closing(_ lines: [String], from start: Int, marker: String) -> Int? {
        var k = start
        while k < lines.count {
            let text = content(lines[k])
            if text.first == marker.first && text.allSatisfy({ $0 == marker.first }) && text.count >= marker.count { return k }
            k += 1
        }
        return nil
    }

    /// The file of a line `![name](folder/name)` linking into `folder`.
    static func figureLink(_ line: String, folder: String) -> String? {
        let text = content(line)
        guard text.hasPrefix("!["), let open = text.range(of: "](" + folder + "/"), text.hasSuffix(")") else { return nil }
        return String(text[open.upperBound..<text.index(before: text.endIndex)])
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
