import Regression

/// Malformed inputs, each a pure function of the seed and its index, so that any input a run
/// reports can be made again alone (`carerates-fuzz PARSER --from I --count 1 --show`).
struct Inputs {
    var rng: SeededGenerator

    init(seed: UInt64, index: Int) { rng = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(index)) }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(rng.next() % UInt64(n)) }
    mutating func chance(_ p: Double) -> Bool { rng.uniform() < p }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Byte-level damage to `bytes`: flips, insertions of interesting bytes, deletions, repeats
    /// of a slice, and splices of pieces from `pieces`.
    mutating func mutate(_ bytes: [UInt8], pieces: [String]) -> [UInt8] {
        var out = bytes
        let interesting: [UInt8] = [0, 9, 10, 13, 34, 39, 44, 46, 43, 45, 101, 69, 48, 57, 32, 0x7F, 0x80, 0xBF, 0xC0, 0xE2, 0xEF, 0xF0, 0xFF]
        for _ in 0..<(1 + below(6)) {
            switch below(6) {
            case 0 where !out.isEmpty: out[below(out.count)] ^= UInt8(1 << below(8))
            case 1: out.insert(pick(interesting), at: below(out.count + 1))
            case 2 where !out.isEmpty: out.remove(at: below(out.count))
            case 3 where !out.isEmpty:
                let a = below(out.count), b = min(out.count, a + 1 + below(16))
                let slice = Array(out[a..<b])
                out.insert(contentsOf: Array(repeating: slice, count: 1 + below(8)).joined(), at: below(out.count + 1))
            case 4: out.insert(contentsOf: Array(pick(pieces).utf8), at: below(out.count + 1))
            default: if !out.isEmpty { out[below(out.count)] = pick(interesting) }
            }
        }
        return out
    }

    // MARK: Numbers

    static let numberPieces = ["0", "1", "9", "-", "+", ".", "e", "E", "e-", "e+", ",", "000", "999999999999999999999",
                               "1e308", "1e-324", "2.2250738585072014e-308", "4.9e-324", "inf", "nan", " ", "1,234"]

    /// A decimal number of any shape, often damaged.
    mutating func number() -> [UInt8] {
        var s = ""
        if chance(0.3) { s += pick(["-", "+"]) }
        let digits = below(30)
        for k in 0..<digits { s += String(k == 0 && chance(0.3) ? 0 : below(10)) }
        if chance(0.6) {
            let point = below(s.count + 1)
            s.insert(".", at: s.index(s.startIndex, offsetBy: point))
        }
        if chance(0.4) { s += pick(["e", "E"]) + (chance(0.5) ? pick(["-", "+"]) : "") + String(below(400)) }
        if chance(0.1) {  // grouped thousands
            s = pick(["1,234", "12,345,678.5", "-1,000", "999,999,999,999"])
        }
        let bytes = Array(s.utf8)
        return chance(0.35) ? mutate(bytes, pieces: Self.numberPieces) : bytes
    }

    // MARK: CSV

    static let csvPieces = ["\"", "\"\"", ",", "\n", "\r\n", "\r", "NA", "[c]", "..", "x", "1e5", "-", "\u{FEFF}", "é", "\"a,b\"",
                            "\"1,234\"", "  ", "\t", "y,x", "\u{0}"]

    /// A CSV file: a header, rows of numbers, text, markers and quoted fields, often damaged.
    mutating func csv() -> [UInt8] {
        let columns = 1 + below(6)
        let rows = chance(0.002) ? 1000 + below(4000) : below(40)
        var s = chance(0.05) ? "\u{FEFF}" : ""
        let eol = chance(0.2) ? "\r\n" : "\n"
        s += (0..<columns).map { chance(0.05) ? "" : (chance(0.1) ? "\"c \($0)\"" : "c\($0)") }.joined(separator: ",") + eol
        for _ in 0..<rows {
            let fields = chance(0.03) ? below(columns + 3) : columns
            var row = [String]()
            for _ in 0..<fields {
                switch below(10) {
                case 0: row.append(pick(["NA", "", "[c]", "..", "x", "z", ":"]))
                case 1: row.append(pick(["a", "Cardiff", "Isle of Anglesey", "é", "-", "1.2.3"]))
                case 2: row.append("\"" + pick(["1,234", "a \"\"quoted\"\" word", "line\nbreak", "12", ""]) + "\"")
                default: row.append(String(decoding: number(), as: UTF8.self))
                }
            }
            s += row.joined(separator: ",") + eol
        }
        if chance(0.2) { s.removeLast() }  // no final newline
        let bytes = Array(s.utf8)
        return chance(0.5) ? mutate(bytes, pieces: Self.csvPieces) : bytes
    }

    // MARK: Formulas

    static let names = ["y", "x", "a", "b", "g", "w", "pop", "`odd name`", "TRUE", "raw", "ref", "center", "scale"]
    static let functions = ["log", "log1p", "exp", "sqrt", "abs", "I", "factor", "poly", "scale", "offset", "cbind", "nosuch"]
    static let formulaPieces = ["~", "+", "-", "*", "/", ":", "^", "(", ")", ",", "=", "1", "0", "2", "\"", "'", "`", " ",
                                "raw = TRUE", "ref = \"a\"", "poly(x, 2)", "(a + b)^2", "-1", ".5", "1e3", "é"]

    /// A formula from R's grammar (and off it), often damaged.
    mutating func formula() -> [UInt8] {
        var budget = 40
        func term(_ depth: Int, _ inputs: inout Inputs) -> String {
            budget -= 1
            if depth > 4 || budget <= 0 { return inputs.pick(Self.names) }
            switch inputs.below(9) {
            case 0, 1, 2: return inputs.pick(Self.names)
            case 3:
                let f = inputs.pick(Self.functions)
                var args = [term(depth + 1, &inputs)]
                if f == "poly" { args.append(String(inputs.below(5))) }
                if inputs.chance(0.2) { args.append(inputs.pick(["raw = TRUE", "ref = \"a\"", "center = FALSE", "degree = 2"])) }
                return f + "(" + args.joined(separator: ", ") + ")"
            case 4: return "(" + term(depth + 1, &inputs) + ")"
            case 5: return term(depth + 1, &inputs) + inputs.pick([" + ", " - ", " * ", ":", " / "]) + term(depth + 1, &inputs)
            case 6: return term(depth + 1, &inputs) + "^" + String(inputs.below(4))
            case 7: return inputs.pick(["1", "0", "-1", "+ 0"])
            default: return inputs.pick(["I(x^2)", "I(a * b - 1)", "offset(log(pop))", "log(x + 1)", "factor(g, ref = \"b\")"])
            }
        }
        var s = (chance(0.1) ? "cbind(y, w)" : "y") + " ~ " + term(0, &self)
        while chance(0.5) && budget > 0 { s += pick([" + ", " - ", " * ", ":"]) + term(1, &self) }
        let bytes = Array(s.utf8)
        return chance(0.5) ? mutate(bytes, pieces: Self.formulaPieces) : bytes
    }

    // MARK: Notebooks

    static let notebookPieces = ["```", "````", "~~~", "```carerates", "```carerates id=a", " expect=error", " expect=exit:3",
                                 " output=unchecked", "```output", "carerates fit x -f \"y ~ x\"", "\\\n", "\"", "'", "\\",
                                 ";", "|", "&", "<", ">", "$(x)", "`", "#", "![f.svg](nb.figures/f.svg)", "...", "[..]",
                                 "\r\n", "\n", "\n\n", " ", "\t", "carerates", "id=", "=", "é", "\u{202E}"]

    /// A Markdown notebook: prose, command blocks with attributes, output blocks, figure links,
    /// often damaged.
    mutating func notebook() -> [UInt8] {
        var text = ""
        for _ in 0..<(1 + below(6)) {
            switch below(4) {
            case 0: text += "Some prose with `code`.\n\n"
            case 1:
                text += "```carerates" + (chance(0.5) ? " id=b\(below(5))" : "") + (chance(0.2) ? " expect=error" : "") + "\n"
                for _ in 0..<(1 + below(3)) { text += "carerates fit wales -f \"y ~ x\" --out f.csv" + (chance(0.2) ? " \\" : "") + "\n" }
                text += "```\n"
            case 2: text += "\n```output\nline\n...\n[exit 1]\n```\n![f.svg](nb.figures/f.svg)\n"
            default: text += "```sh\nrm -rf /\n```\n"
            }
        }
        return chance(0.8) ? mutate(Array(text.utf8), pieces: Self.notebookPieces) : Array(text.utf8)
    }
}
