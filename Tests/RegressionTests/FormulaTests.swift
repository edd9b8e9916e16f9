import Foundation
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
        ("y ~ poly(x1)", 5, "poly() takes a variable and a degree"),
        ("y ~ poly(x1, 1.5)", 5, "poly() takes a variable and a degree"),
        ("y ~ scale(x1, x2)", 5, "scale() takes one expression"),
        ("y ~ scale(x1, centre = TRUE)", 15, "scale() has no argument \"centre\""),
        ("y ~ scale(x1, center = \"yes\")", 15, "center = takes TRUE, FALSE or a number"),
        ("y ~ sin(x1)", 5, "sin() is not supported"),
        ("y ~ factor(g, base = \"a\")", 15, "factor() has no argument \"base\""),
        ("y ~ x1 + 2", 10, "1 or 0"),
        ("~ x1", 1, "response"),
        ("y ~ x + y", 3, "also appears among the terms"),
        ("y ~ x |", 8, "fixed effects are missing"),
        ("y ~ x | log(a)", 9, "columns whose fixed effects are absorbed"),
        ("y ~ x | a^a", 10, "appears twice"),
        ("y ~ x | y", 7, "cannot also be a fixed effect"),
        ("y ~ x | a | b", 11, "unexpected \"|\""),
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

    /// Factors after `|` are absorbed: read as fixest writes them, never as terms.
    @Test func absorbedFactorsFollowTheBar() throws {
        let f = try Formula("y ~ x1 + factor(g) | la_code + region^year + la_code")
        #expect(f.terms.map(Formula.name(of:)) == ["x1", "factor(g)"])
        #expect(f.fixedEffects == [["la_code"], ["region", "year"]])
        #expect(f.fixedEffects.map(Formula.name(ofFixedEffect:)) == ["la_code", "region^year"])
        #expect(f.variables == ["y", "x1", "g", "la_code", "region", "year"])
        #expect(try Formula("y ~ x").fixedEffects.isEmpty)
    }

    /// scale() and poly() learn from the fitting rows; new data goes through the learned
    /// transform (not one re-learned from it), and bad data is refused naming the term.
    @Test func learnedTransformsCarryToNewData() throws {
        let table = try DataTable.parse(bytes: Array("y,x\n1,1\n3,2\n2,3\n5,4\n4,5\n".utf8), source: "t.csv")
        let fit = try LinearModel.fit(Formula("y ~ scale(x) + poly(x, 2)"), data: table)
        #expect(fit.coefficients.map(\.term) == ["(Intercept)", "scale(x)", "poly(x, 2)1", "poly(x, 2)2"])
        let one = try DataTable.parse(bytes: Array("x\n3\n".utf8), source: "new.csv")
        let p = try fit.predict(one)
        // x = 3 is the mean of the fitting x: scale(x) = 0 and the linear polynomial is 0 there.
        let (design, _, _) = try fit.frame.design(for: one)
        #expect(abs(design[0, 1]) < 1e-15 && abs(design[0, 2]) < 1e-15)
        #expect(abs(p.fit[0] - (try fit.predict().fit[2])) < 1e-12)
        let constant = try DataTable.parse(bytes: Array("y,x\n1,2\n3,2\n2,2\n".utf8), source: "c.csv")
        #expect(throws: ModelError.self) { try LinearModel.fit(Formula("y ~ scale(x)"), data: constant) }
        do {
            _ = try LinearModel.fit(Formula("y ~ poly(x, 3)"), data: constant)
            Issue.record("a cubic in one distinct value was fitted")
        } catch {
            #expect("\(error)".contains("x takes 1 distinct value in the rows used; the degree must be less than that"), "\(error)")
        }
    }

    @Test func unknownColumnIsPointedAtWithTheNearestName() throws {
        let table = try DataTable.parse(bytes: Array("rate,imd_score\n1,2\n3,4\n".utf8), source: "t.csv")
        do {
            _ = try LinearModel.fit(Formula("rate ~ imd_scor"), data: table)
            Issue.record("fitted with an unknown column")
        } catch {
            #expect("\(error)" == """
                formula, position 8: no column named "imd_scor" in t.csv; did you mean "imd_score"?
                  rate ~ imd_scor
                         ^
                """)
        }
    }
}

/// factor(x, ref = "level") reparametrises: the same fit, coefficients relative to the new
/// reference (b'_old = -b_ref, intercept' = intercept + b_ref).
@Suite struct FactorReferenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func referenceLevelReparametrises() throws {
        let table = try DataTable.read(path: Self.root.appendingPathComponent("datasets/wales_la_panel.csv").path)
        let base = try LinearModel.fit(Formula("rate_per_10000 ~ factor(year) + unemployment_rate_pct"), data: table)
        let moved = try LinearModel.fit(Formula("rate_per_10000 ~ factor(year, ref = \"2018\") + unemployment_rate_pct"), data: table)
        #expect(moved.frame.columnNames == ["(Intercept)", "factor(year)2015", "factor(year)2016", "factor(year)2017", "unemployment_rate_pct"])
        let b = Dictionary(uniqueKeysWithValues: base.coefficients.map { ($0.term, $0.estimate!) })
        let m = Dictionary(uniqueKeysWithValues: moved.coefficients.map { ($0.term, $0.estimate!) })
        #expect(abs(m["(Intercept)"]! - (b["(Intercept)"]! + b["factor(year)2018"]!)) < 1e-9)
        #expect(abs(m["factor(year)2015"]! + b["factor(year)2018"]!) < 1e-9)
        #expect(abs(m["unemployment_rate_pct"]! - b["unemployment_rate_pct"]!) < 1e-9)
        #expect(abs(moved.residualSumOfSquares - base.residualSumOfSquares) < 1e-9 * base.residualSumOfSquares)
        do {
            _ = try LinearModel.fit(Formula("rate_per_10000 ~ factor(year, ref = \"2019\")"), data: table)
            Issue.record("an unknown reference level was accepted")
        } catch {
            #expect("\(error)".contains("reference level \"2019\" is not among its levels (2015, 2016, 2017, 2018)"))
        }
    }
}

/// Formulas built to exhaust the stack or the time: every one gets one error with a position,
/// the message a readable line whatever the formula's length.
@Suite struct BoundedFormulaTests {
    static func error(_ text: String) -> FormulaError? {
        do {
            _ = try Formula(text)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("(", ")", "nest more than 100 deep"), ("log(", ")", "nest more than 100 deep"),
        ("I(", ")", "nest more than 100 deep"), ("factor(", ")", "nest more than 100 deep"),
    ])
    func deepNestingIsRefused(open: String, close: String, message: String) throws {
        for depth in [101, 20_000, 500_000] {
            let text = "y ~ " + String(repeating: open, count: depth) + "x" + String(repeating: close, count: depth)
            let e = try #require(Self.error(text), "depth \(depth) accepted")
            #expect(e.message.contains(message), "\(e.message)")
            #expect(e.position == 5 + 100 * open.count, "\(e.position)")
            #expect(e.description.count < 400)
        }
        // 100 levels is within the limit.
        let ok = "y ~ " + String(repeating: "(", count: 100) + "x" + String(repeating: ")", count: 100)
        #expect(Self.error(ok) == nil)
    }

    /// A million characters: chains of terms or operators, one long name, an interaction.
    @Test func millionCharacterFormulas() throws {
        let chain = "y ~ " + (0..<150_000).map { "x\($0)" }.joined(separator: " + ")
        #expect(chain.count > 1_000_000)
        let e = try #require(Self.error(chain))
        #expect(e.message.contains("more than 1000 terms and operators in a chain"), "\(e.message)")
        #expect(e.description.count < 400)
        let products = "y ~ " + Array(repeating: "a", count: 500_000).joined(separator: ":")
        #expect(try #require(Self.error(products)).message.contains("more than 1000 terms and operators"))
        // One name of a million characters parses (it is simply a column the data must have).
        let long = try Formula("y ~ " + String(repeating: "a", count: 1_000_000))
        #expect(long.predictors.first?.count == 1_000_000)
        // 999 terms in a chain are within the limit, and expand to 999 terms.
        let within = try Formula("y ~ " + (0..<999).map { "x\($0)" }.joined(separator: " + "))
        #expect(within.terms.count == 999)
        // A power that multiplies out is refused at the operator.
        let power = "y ~ (" + (0..<40).map { "x\($0)" }.joined(separator: " + ") + ")^40"
        #expect(try #require(Self.error(power)).message.contains("more than CareRates' limit of 10000"))
    }
}
