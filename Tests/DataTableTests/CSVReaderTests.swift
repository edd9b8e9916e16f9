import DataTable
import Testing

@Suite struct CSVReaderTests {
    func parse(_ text: String) throws(DataError) -> DataTable {
        try DataTable.parse(bytes: Array(text.utf8), source: "data.csv")
    }

    @Test func quotedFieldsBOMAndCRLF() throws {
        let text = "\u{FEFF}la_name,\"rate, per 10k\",note\r\n\"Ynys Môn\",\"1,234\",\"said \"\"hi\"\"\"\r\nRhondda Cynon Taf,95.5,\"two\nlines\"\r\nBro Morgannwg,88,plain\r\n"
        let t = try parse(text)
        #expect(t.columnNames == ["la_name", "rate, per 10k", "note"])
        #expect(t.rowCount == 3)
        let names = try t.column(named: "la_name")
        #expect(names.kind == .text)
        #expect(names.strings == ["Ynys Môn", "Rhondda Cynon Taf", "Bro Morgannwg"])
        let rate = try t.column(named: "rate, per 10k")
        #expect(rate.kind == .numeric)
        #expect(rate.numbers == [1234, 95.5, 88])
        #expect(try t.column(named: "note").strings == ["said \"hi\"", "two\nlines", "plain"])
        #expect(t.rowLines == [2, 3, 5])
    }

    @Test func officialStatisticsMissingMarkers() throws {
        let markers = ["", "NA", ".", "..", ":", "-", "*", "c", "k", "u", "x", "z", "[c]", "[k]", "[low]", "[u]", "[x]", "[z]"]
        let text = "v\n1.5\n" + markers.map { "\"\($0)\"\n" }.joined()
        let t = try parse(text)
        let v = try t.column(named: "v")
        #expect(v.kind == .numeric)
        #expect(t.rowCount == markers.count + 1)
        #expect(Array(v.missing.dropFirst()).compactMap { $0 } == markers)
        #expect(!v.isMissing(0))
    }

    @Test func numbersAreCorrectlyRounded() throws {
        let t = try parse("x\n0.1\n1e-310\n-2.5E+3\n123456789012345678901234567890\n0.30000000000000004\n")
        let expected = ["0.1", "1e-310", "-2500", "123456789012345678901234567890", "0.30000000000000004"].map { Double($0)! }
        #expect(try t.column(named: "x").numbers == expected)
    }

    /// The malformed-file corpus: each error names the file, line and column.
    @Test(arguments: [
        ("a,b\n1,\"2\n3,4\n", "data.csv:2, column 2: quoted field is never closed"),
        ("a,b\n1,2\n3\n", "data.csv:3: row has 1 fields, but the header has 2"),
        ("a,b\n1,2,3\n", "data.csv:2: row has 3 fields, but the header has 2"),
        ("a,,c\n1,2,3\n", "data.csv:1, column 2: header name is empty"),
        ("a,b,a\n1,2,3\n", "data.csv:1, column 3 (a): header name \"a\" repeats column 1"),
        ("a,b\n1,x\"y\n", "data.csv:2, column 2: a \" inside an unquoted field"),
        ("a,b\n1,\"2\"x\n", "data.csv:2, column 2: a \" inside an unquoted field"),
        ("", "data.csv: file is empty"),
        ("\n\n", "data.csv: file is empty"),
    ])
    func malformed(text: String, message: String) {
        do {
            _ = try parse(text)
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    @Test func invalidUTF8NamesLineAndColumn() {
        let bytes: [UInt8] = Array("a,b\n1,".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        do {
            _ = try DataTable.parse(bytes: bytes, source: "bad.csv")
            Issue.record("parsed invalid UTF-8")
        } catch {
            #expect(error.description == "bad.csv:2, column 2: text is not valid UTF-8")
        }
    }

    @Test func forcedNumericColumnNamesTheBadCell() {
        var options = CSVOptions()
        options.columnTypes = ["rate": .numeric]
        do {
            _ = try DataTable.parse(bytes: Array("rate\n1\n2\nabc\n".utf8), source: "r.csv", options: options)
            Issue.record("parsed text as numbers")
        } catch {
            #expect(error.description == "r.csv:4, column 1 (rate): \"abc\" is not a number")
        }
    }

    @Test func missingFileIsAnError() {
        do {
            _ = try DataTable.read(path: "/nonexistent/carerates.csv")
            Issue.record("read a missing file")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/carerates.csv: cannot read file:"))
        }
    }
}
