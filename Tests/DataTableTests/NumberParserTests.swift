import DataTable
import Foundation
import Testing

/// Every number the CSV reader parses must be the correctly rounded double. The reference is
/// the C library's strtod (correctly rounded in glibc), through Swift's Double(String).
@Suite struct NumberParserTests {
    func parsed(_ text: String) throws -> Double? {
        let t = try DataTable.parse(bytes: Array("x\n\(text)\n".utf8), source: "n.csv")
        let c = try t.column(named: "x")
        return c.kind == .numeric ? c.numbers[0] : nil
    }

    /// Reads `texts` as one column and checks every value bit for bit against strtod.
    func expectCorrectlyRounded(_ texts: [String]) throws {
        let t = try DataTable.parse(bytes: Array((["x"] + texts).joined(separator: "\n").utf8 + [10]), source: "r.csv")
        let column = try t.column(named: "x")
        let got = column.numbers
        let wrong = zip(got, texts).filter { $0.0.bitPattern != Double($0.1)!.bitPattern }
        #expect(got.count == texts.count, "read as \(column.kind); first non-number: \(column.firstNonNumericRow.map { texts[$0] } ?? "none")")
        #expect(wrong.isEmpty, "\(wrong.count) misrounded, e.g. \(wrong.first?.1 ?? "")")
    }

    @Test func randomSeventeenDigitNumbersRoundCorrectly() throws {
        var rng = SystemRandomNumberGenerator()
        var texts = [String]()
        for _ in 0..<200_000 {
            let digits = String(UInt64.random(in: 10_000_000_000_000_000...99_999_999_999_999_999, using: &rng))
            let point = Int.random(in: 0...17, using: &rng)
            // Up to 9.99...e307: finite (the reader refuses overflow as not a number).
            let exponent = Int.random(in: -320...(308 - point), using: &rng)
            let text = (Bool.random(using: &rng) ? "-" : "") + String(digits.prefix(point)) + "." + String(digits.dropFirst(point)) + "e\(exponent)"
            texts.append(text)
        }
        try expectCorrectlyRounded(texts)
    }

    /// 1 to 24 digits, with leading and trailing zeros, a point anywhere or none, an exponent
    /// or none: every path (Clinger, Eisel-Lemire, more than 19 digits) and its boundaries.
    @Test func randomNumbersOfEveryShapeRoundCorrectly() throws {
        var rng = SystemRandomNumberGenerator()
        var texts = [String]()
        for _ in 0..<200_000 {
            let length = Int.random(in: 1...24, using: &rng)
            var digits = String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
            if Int.random(in: 0..<4, using: &rng) == 0 { digits = String(repeating: "0", count: Int.random(in: 1...6, using: &rng)) + digits }
            if Int.random(in: 0..<4, using: &rng) == 0 { digits += String(repeating: "0", count: Int.random(in: 1...6, using: &rng)) }
            let point = Int.random(in: 0...digits.count + 1, using: &rng)
            var text = point > digits.count ? digits : String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if Bool.random(using: &rng) { text += (Bool.random(using: &rng) ? "e" : "E") + "\(Int.random(in: -40...40, using: &rng))" }
            texts.append(text)
        }
        try expectCorrectlyRounded(texts)
    }

    @Test(arguments: [
        "0", "-0", "1", "0.1", "1e23", "9007199254740993", "9007199254740995", "2.2250738585072011e-308",
        "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308", "123456789012345678901234567890",
        "0.000000000000000000000000000000000000001", "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124", "7.2057594037927933e16", "+5", ".5", "5.", "1E5",
        ".0", "0.000", "-000.000e3", "0.00000000000000000000012345678901234567890123", "00000000000000000000001.5",
        "0.000000000000000000000000000000000000000000000000001", "10000000000000000000000.",
    ])
    func hardCases(text: String) throws {
        let value = try #require(try parsed(text))
        #expect(value.bitPattern == Double(text)!.bitPattern, "\(text)")
    }

    @Test(arguments: ["1e", "e5", "1.2.3", "--1", "0x10", "inf", "nan", "1e400", "1 2", "١٢", "-.", ".e5", "0.e"])
    func notNumbers(text: String) throws {
        #expect(try parsed(text) == nil, "\(text)")
    }
}
