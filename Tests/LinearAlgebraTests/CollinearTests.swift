import Foundation
import LinearAlgebra
import Testing

/// Exactly collinear designs against R's lm (fixture from scripts/reference/collinear.R):
/// the same columns aliased; the other coefficients and standard errors to 1e-10 relative
/// (R's own QR has errors near 1e-14 on these well-conditioned designs).
@Suite struct CollinearTests {
    struct Case {
        var name: String
        var terms: [String]
        var x: Matrix
        var y: [Double]
        var estimate: [Double?]
        var stdError: [Double?]
        var rank: Int
    }

    static var cases: [Case] {
        let j = Fixtures.json("collinear.json")
        let number = { (a: Any) -> Double? in (a as? String).flatMap(Double.init) }
        return (j["cases"] as! [[String: Any]]).map { c in
            Case(
                name: c["name"] as! String, terms: c["terms"] as! [String],
                x: Matrix(columns: (c["columns"] as! [[Any]]).map { $0.map { number($0)! } }),
                y: (c["y"] as! [Any]).map { number($0)! },
                estimate: (c["estimate"] as! [Any]).map(number), stdError: (c["std_error"] as! [Any]).map(number),
                rank: c["rank"] as! Int)
        }
    }

    @Test(arguments: BackendKind.available)
    func matchesR(kind: BackendKind) throws {
        let backend = try kind.make()
        for c in Self.cases {
            let s = LeastSquares.solve(c.x, c.y, backend: backend)
            #expect(s.rank == c.rank, "\(c.name)")
            let aliasedByR = c.estimate.indices.filter { c.estimate[$0] == nil }
            #expect(s.aliased == aliasedByR, "\(c.name): aliased \(s.aliased.map { c.terms[$0] }) vs R \(aliasedByR.map { c.terms[$0] })")
            let sigma2 = s.residualSumOfSquares / Double(c.y.count - s.rank)
            for (j, expected) in c.estimate.enumerated() {
                guard let expected else {
                    #expect(s.coefficients[j].isNaN)
                    continue
                }
                #expect(abs(s.coefficients[j] - expected) <= 1e-10 * abs(expected), "\(c.name) \(c.terms[j])")
                let se = (sigma2 * s.unscaledCovariance[j, j]).squareRoot()
                #expect(abs(se - c.stdError[j]!) <= 1e-10 * c.stdError[j]!, "\(c.name) \(c.terms[j]) SE")
            }
        }
    }
}
