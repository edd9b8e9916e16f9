import DataTable
import Regression
import Testing

@Suite struct FormulaTests {
    @Test(arguments: [
        ("y ~ x1 + x2", true, ["x1", "x2"]),
        ("y ~ x1 + x2 - 1", false, ["x1", "x2"]),
        ("y ~ 0 + x1", false, ["x1"]),
        ("y ~ x1 * x2", true, ["x1", "x2", "x1:x2"]),
        ("y ~ (a + b + c)^2", true, ["a", "b", "c", "a:b", "a:c", "b:c"]),
        ("y ~ a * b - a", true, ["b", "a:b"]),
        ("y ~ a:b + a", true, ["a", "a:b"]),
        ("y~`odd name`+x", true, ["odd name", "x"]),
        ("y ~ x - 1 + 1", true, ["x"]),
    ])
    func expands(text: String, intercept: Bool, terms: [String]) throws {
        let f = try Formula(text)
        #expect(f.response == "y")
        #expect(f.intercept == intercept)
        #expect(f.terms.map(Formula.name(of:)) == terms)
    }

    @Test(arguments: [
        ("y x1 + x2", 1, "~"),
        ("y ~ x1 +", 9, "ends"),
        ("y ~ x1 + (x2", 13, ")"),
        ("y ~ x1 $ x2", 8, "unexpected character"),
        ("y ~ log(x1)", 5, "log() is not supported"),
        ("y ~ x1 + 2", 10, "1 or 0"),
        ("~ x1", 1, "response"),
        ("y ~ x + y", 3, "also appears among the terms"),
    ])
    func errorsPointAtThePosition(text: String, position: Int, fragment: String) {
        do {
            _ = try Formula(text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.position == position, "\(text): \(error)")
            #expect(error.description.contains(fragment), "\(error)")
        }
    }

    @Test func unknownColumnSuggestsTheNearestName() throws {
        let table = try DataTable.parse(bytes: Array("rate,imd_score\n1,2\n3,4\n".utf8), source: "t.csv")
        do {
            _ = try LinearModel.fit(Formula("rate ~ imd_scor"), data: table)
            Issue.record("fitted with an unknown column")
        } catch {
            #expect("\(error)" == "t.csv: no column named \"imd_scor\"; did you mean \"imd_score\"?")
        }
    }
}
