import DataTable
import Testing

@Suite struct JoinTests {
    func table(_ text: String, _ name: String) throws(DataError) -> DataTable {
        try DataTable.parse(bytes: Array(text.utf8), source: name)
    }

    @Test func leftJoinOnTwoKeysReportsUnmatchedKeys() throws {
        let left = try table("la_code,year,count\nW1,2015,10\nW1,2016,12\nW2,2015,[c]\nW3,2015,7\n", "left.csv")
        let right = try table("la_code,year,pop\nW1,2015,1000\nW1,2016,1010\nW2,2015,500\nW9,2015,1\n", "right.csv")
        let (joined, report) = try left.leftJoin(right, on: ["la_code", "year"])
        #expect(joined.columnNames == ["la_code", "year", "count", "pop"])
        let pop = try joined.column(named: "pop")
        #expect(Array(pop.numbers.prefix(3)) == [1000, 1010, 500])
        #expect(pop.missing[3] == "NA")
        #expect(report.unmatchedLeft == [["W3", "2015"]])
        #expect(report.unmatchedRight == [["W9", "2015"]])
        let rate = try joined.column(named: "count").rate(per: 10_000, of: pop, name: "rate")
        #expect(rate.numbers[0] == 100 && rate.numbers[1] == 12 / 1010 * 10_000)
        #expect(rate.isMissing(2) && rate.isMissing(3))
    }

    @Test func duplicateRightKeyIsAnErrorNamingTheLine() throws {
        let left = try table("k,v\na,1\n", "l.csv")
        let right = try table("k,w\na,1\nb,2\na,3\n", "r.csv")
        #expect(throws: JoinError.duplicateKey(file: "r.csv", line: 4, key: ["a"])) { try left.leftJoin(right, on: ["k"]) }
    }
}
