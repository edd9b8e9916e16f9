import DataTable
import Foundation
import LinearAlgebra
import Regression
import Testing

/// A regressor that is non-zero only where the count is zero separates those rows: no finite
/// estimate exists with them (their linear predictor heads to minus infinity). They are found
/// by their fitted means going to zero, removed and named, and the model fitted without them,
/// where the regressor no longer varies and is reported as not defined, as ppmlhdfe does.
@Suite struct FixedEffectsSeparationTests {
    static func table(separating: Bool) throws -> DataTable {
        var generator = SeededGenerator(seed: 20_261_202)
        var text = "unit,year,x,sep,y\n"
        for u in 0..<40 {
            for t in 0..<5 {
                let x = generator.normal()
                let separated = u % 7 == 0 && t == 2
                let y = separated ? 0 : generator.poisson(exp(1 + 0.4 * x + Double(u % 5) * 0.1))
                if separated && !separating { continue }
                text += "u\(u),\(2011 + t),\(x),\(separated ? 1 : 0),\(Int(y))\n"
            }
        }
        return try DataTable.parse(bytes: Array(text.utf8), source: "separation.csv")
    }

    @Test(arguments: BackendKind.available)
    func separatedRowsAreRemovedAndNamed(kind: BackendKind) throws {
        let fit = try FixedEffectsGLM.fit(
            Formula("y ~ x + sep | unit + year"), data: Self.table(separating: true), options: FixedEffectsGLMOptions(family: .poisson),
            backend: kind.make())
        #expect(fit.separatedRows.count == 6, "\(fit.separatedRows)")
        #expect(fit.coefficients[1].estimate == nil, "sep is not defined once its rows go")
        #expect(fit.converged)
        let clean = try FixedEffectsGLM.fit(
            Formula("y ~ x | unit + year"), data: Self.table(separating: false), options: FixedEffectsGLMOptions(family: .poisson),
            backend: kind.make())
        #expect(abs(fit.coef[0] - clean.coef[0]) <= 1e-9 * abs(clean.coef[0]), "\(fit.coef[0]) against \(clean.coef[0])")
        #expect(fit.nobs == clean.nobs)
    }
}
