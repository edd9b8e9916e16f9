import DataTable
import Foundation
import Regression
import Testing

/// Each failure mode of a generalized linear model is provoked and its message checked: an
/// error naming the file, line and column for a response outside the family's support or a bad
/// exposure; a warning for non-convergence, separation and theta running to infinity.
@Suite struct GLMFailureTests {
    func table(_ text: String, _ name: String = "g.csv") throws -> DataTable {
        try DataTable.parse(bytes: Array(text.utf8), source: name)
    }

    func message(_ formula: String, _ data: DataTable, _ options: GLMOptions) -> String? {
        do {
            _ = try GeneralizedLinearModel.fit(Formula(formula), data: data, options: options)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func responsesOutsideTheSupportAreRefused() throws {
        let counts = try table("y,x,pop\n1,1,10\n2.5,2,10\n3,3,10\n4,4,10\n", "c.csv")
        #expect(message("y ~ x", counts, GLMOptions(family: .poisson))
                == "c.csv:3, column 1 (y): 2.5: a count must be a whole number of at least 0")
        let negative = try table("y,x\n1,1\n-2,2\n3,3\n4,4\n", "n.csv")
        #expect(message("y ~ x", negative, GLMOptions(family: .negbin))
                == "n.csv:3, column 1 (y): -2.0: a count must be a whole number of at least 0")
        let zero = try table("y,x,pop\n1,1,10\n2,2,0\n3,3,10\n4,4,10\n", "e.csv")
        #expect(message("y ~ x", zero, GLMOptions(family: .poisson, exposure: "pop"))
                == "e.csv:3, column 3 (pop): 0.0: exposure must be positive")
        let proportion = try table("y,x\n0.5,1\n1.5,2\n0,3\n1,4\n", "p.csv")
        #expect(message("y ~ x", proportion, GLMOptions(family: .binomial))?.hasPrefix(
            "p.csv:3, column 1 (y): 1.5: a binomial response must be a proportion from 0 to 1") == true)
        let gamma = try table("y,x\n1,1\n0,2\n3,3\n4,4\n", "m.csv")
        #expect(message("y ~ x", gamma, GLMOptions(family: .gamma))
                == "m.csv:3, column 1 (y): 0.0: the Gamma family needs a response greater than 0")
        let trials = try table("s,f,x\n1,2,1\n2,-1,2\n3,3,3\n4,4,4\n", "t.csv")
        #expect(message("cbind(s, f) ~ x", trials, GLMOptions(family: .binomial))
                == "t.csv:3, column 2 (f): -1.0: successes and failures must be whole numbers of at least 0")
    }

    @Test func optionsAFamilyDoesNotTakeAreRefused() throws {
        let data = try table("y,f,x\n1,2,1\n2,1,2\n3,3,3\n4,4,4\n5,1,5\n")
        #expect(message("y ~ x", data, GLMOptions(family: .binomial, link: .log))
                == "the binomial family takes the link logit, probit, cloglog; not log")
        #expect(message("cbind(y, f) ~ x", data, GLMOptions(family: .poisson))
                == "a cbind(successes, failures) response is for the binomial family")
        #expect(message("y ~ x", data, GLMOptions(family: .poisson, theta: 2))
                == "a fixed theta is for the negative binomial family")
    }

    @Test func nonConvergenceSaysWhereTheDevianceStood() throws {
        let data = try table("y,x\n1,1\n3,2\n2,3\n7,4\n9,5\n14,6\n")
        let fit = try GeneralizedLinearModel.fit(Formula("y ~ x"), data: data, options: GLMOptions(family: .poisson, maxIterations: 2))
        #expect(!fit.converged)
        let warning = fit.warnings.first { $0.hasPrefix("IRLS did not converge in 2 iterations: the deviance stood at ") }
        #expect(warning != nil, "\(fit.warnings)")
    }

    @Test func separationNamesTheTerm() throws {
        // y is 1 exactly when x > 3; z is noise.
        let data = try table("y,x,z\n0,1,0.3\n0,2,0.1\n0,3,0.4\n1,4,0.2\n1,5,0.5\n1,6,0.1\n0,2.5,0.3\n1,4.5,0.2\n")
        let fit = try GeneralizedLinearModel.fit(Formula("y ~ x + z"), data: data, options: GLMOptions(family: .binomial))
        let warning = fit.warnings.first { $0.contains("separation") }
        #expect(warning?.contains("term x separate") == true, "\(fit.warnings)")
        // Quasi-complete: the reference level with only failures.
        var text = "y,g,x\n"
        for (k, y) in [0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0].enumerated() { text += "\(y),\(["east", "north", "west"][k / 4]),\(k % 4)\n" }
        let quasi = try GeneralizedLinearModel.fit(Formula("y ~ g + x"), data: try table(text), options: GLMOptions(family: .binomial))
        #expect(quasi.warnings.contains { $0.contains("term g (its reference level: all failures) separate") }, "\(quasi.warnings)")
    }

    @Test func thetaRunningToInfinityPointsToPoisson() throws {
        // Counts with less spread than a Poisson: no overdispersion to estimate.
        var text = "y,x\n"
        for i in 0..<60 { text += "\(20 + (i % 3) - 1),\(i % 5)\n" }
        let fit = try GeneralizedLinearModel.fit(Formula("y ~ x"), data: try table(text), options: GLMOptions(family: .negbin))
        #expect(fit.warnings.contains { $0.contains("running to infinity") && $0.contains("use --family poisson") }, "\(fit.warnings)")
    }
}

/// Found by carerates-fuzz (formula input 1620421, seed 20261201): a text column as the
/// failures of cbind() while a factor of it is a term indexed an empty number column.
@Suite struct FuzzRegressionTests {
    @Test func textFailuresColumnIsAnError() throws {
        let table = try DataTable.parse(bytes: Array("y,g\n1,p\n2,q\n3,r\n4,p\n".utf8), source: "g.csv")
        do {
            _ = try GeneralizedLinearModel.fit(Formula("cbind(y, g) ~ (factor(g, ref = \"b\")^3)"), data: table,
                                               options: GLMOptions(family: .binomial))
            Issue.record("a text failures column was accepted")
        } catch {
            #expect("\(error)".contains("g.csv:2, column 2 (g): \"p\" is not a number, and the response (the failures of cbind"))
        }
    }
}
