import DataTable
import Testing

/// `--subset`'s conditions, read as R's `subset =` reads them: a missing cell fails every
/// comparison (and its negation), numbers compare with numbers and text with text.
@Suite struct RowFilterTests {
    let table = try! DataTable.parse(
        bytes: Array("la,year,rate,region\nA,2015,10,North\nA,2016,NA,North\nB,2015,30,South\nB,2016,40,\nC,2020,50,London\n".utf8),
        source: "panel.csv")

    func rows(_ condition: String) throws -> [Int] { try RowFilter(condition).rows(in: table) }

    @Test func comparisonsAndLogic() throws {
        #expect(try rows("year <= 2016") == [0, 1, 2, 3])
        #expect(try rows("2016 >= year & rate > 10") == [2, 3])
        #expect(try rows("year == 2020 | la == 'A'") == [0, 1, 4])
        #expect(try rows("!(la == \"A\")") == [2, 3, 4])
        #expect(try rows("la %in% c('A', 'C') && year != 2016") == [0, 4])
        #expect(try rows("year %in% c(2015,2020)") == [0, 2, 4])
        #expect(try rows("`rate` >= 3e1") == [2, 3, 4])
    }

    @Test func missingCellsFailComparisonsAndNegations() throws {
        #expect(try rows("rate > 0") == [0, 2, 3, 4])
        #expect(try rows("!(rate > 20)") == [0])
        #expect(try rows("region != 'North'") == [2, 4])
    }

    @Test func selectingKeepsLinesAndKinds() throws {
        let subset = table.selecting(rows: try rows("year >= 2016"))
        #expect(subset.rowCount == 3 && subset.rowLines == [3, 5, 6])
        #expect(try subset.column(named: "rate").isMissing(0) && subset.column(named: "rate").numbers[1] == 40)
        #expect(try subset.column(named: "la").kind == .text && subset.column(named: "la").strings == ["A", "B", "C"])
    }

    @Test(arguments: [
        ("year <=", 8, "expected a number or a quoted value"),
        ("year 2015", 6, "expected a comparison after \"year\""),
        ("(year > 1", 10, "a ( is not closed"),
        ("year > 1 year", 10, "unexpected \"year\""),
        ("la == 3", 1, "column \"la\" holds text"),
        ("year == 'x'", 1, "column \"year\" holds numbers"),
        ("yeer > 1", 1, "no column named \"yeer\""),
        ("la == 'A", 7, "a quoted value is not closed"),
    ])
    func errorsNamePositionAndCause(condition: String, position: Int, message: String) throws {
        do {
            _ = try rows(condition)
            Issue.record("\(condition) was accepted")
        } catch let error as RowFilterError {
            #expect(error.position == position, "\(error)")
            #expect(error.message.contains(message), "\(error)")
            #expect(error.description.hasPrefix("--subset, position \(position): "))
        }
    }
}
