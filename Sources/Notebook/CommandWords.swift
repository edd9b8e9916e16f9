/// A notebook command line split into words as a shell would split it, and nothing more:
/// single quotes keep everything, double quotes keep everything but `\"` and `\\`, a backslash
/// outside quotes escapes the next character, and a backslash at the end of a line continues
/// it. Nothing is expanded, and the characters a shell would act on (`;`, `|`, `&`, `<`, `>`,
/// `$`, backticks) are errors unless quoted: notebook commands are not run by a shell.
public struct CommandWords: Sendable, Equatable {
    /// The words after `carerates`, as the command tree takes them.
    public let words: [String]
    /// The notebook line the command starts on.
    public let line: Int

    /// A command that cannot be split: where (notebook line and column) and why.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// The notebook line and the column (1-based) of the fault.
        public let line: Int, column: Int
        /// What is wrong.
        public let message: String
        /// "line L, column C: message".
        public var description: String { "line \(line), column \(column): \(message)" }
    }

    /// The commands of a block's lines (`first` is the notebook line of `lines[0]`). Blank lines
    /// and lines starting with `#` are skipped; every command must start with `carerates`.
    public static func parse(_ lines: [String], first: Int) throws(ParseError) -> [CommandWords] {
        var commands = [CommandWords]()
        var words = [String](), word = "", inWord = false, start = 0
        var quote: Character? = nil
        var continuing = false
        for (offset, raw) in lines.enumerated() {
            let number = first + offset
            let text = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            if !continuing && quote == nil {
                let trimmed = text.drop { $0 == " " || $0 == "\t" }
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                start = number
            }
            continuing = false
            let characters = Array(text)
            var k = 0
            while k < characters.count {
                let c = characters[k]
                let column = k + 1
                if let q = quote {
                    if c == q {
                        quote = nil
                    } else if q == "\"" && c == "\\" && k + 1 < characters.count && "\"\\$`".contains(characters[k + 1]) {
                        word.append(characters[k + 1])
                        k += 1
                    } else {
                        word.append(c)
                    }
                    k += 1
                    continue
                }
                switch c {
                case " ", "\t":
                    if inWord { words.append(word) }
                    (word, inWord) = ("", false)
                case "'", "\"":
                    quote = c
                    inWord = true
                case "\\":
                    if k + 1 == characters.count {
                        continuing = true
                    } else {
                        word.append(characters[k + 1])
                        inWord = true
                        k += 1
                    }
                case ";", "|", "&", "<", ">", "$", "`":
                    throw ParseError(line: number, column: column, message: "notebook commands are not run by a shell: \(c) is "
                        + "not allowed here (quote it to pass it as text)")
                default:
                    word.append(c)
                    inWord = true
                }
                k += 1
            }
            if quote != nil {
                word.append("\n")  // a quoted newline
                continue
            }
            if continuing { continue }
            if inWord { words.append(word) }
            (word, inWord) = ("", false)
            if !words.isEmpty {
                guard words[0] == "carerates" else {
                    throw ParseError(line: start, column: 1, message: "a notebook command starts with the word carerates, not \(words[0])")
                }
                commands.append(CommandWords(words: Array(words.dropFirst()), line: start))
            }
            words = []
        }
        if quote != nil {
            throw ParseError(line: first + lines.count - 1, column: 1, message: "a quote (\(quote!)) is not closed")
        }
        if continuing || !words.isEmpty || inWord {
            throw ParseError(line: first + lines.count - 1, column: 1, message: "the last command ends in a line continuation")
        }
        return commands
    }
}
