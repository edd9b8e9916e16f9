import Foundation
import Regression
import Testing

/// Distribution functions against mpmath (scripts/reference/distributions.py). Tolerance:
/// 1e-12 relative, or 1e-300 absolute for probabilities below the normal range of doubles.
@Suite struct DistributionTests {
    nonisolated(unsafe) static let reference: [String: Any] = {
        let url = Bundle.module.url(forResource: "Fixtures/distributions", withExtension: "json")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    static func value(_ any: Any?) -> Double { Double(any as! String)! }

    func relativeError(_ a: Double, _ b: Double) -> Double {
        if a == b { return 0 }
        if abs(b) < 1e-300 { return abs(a - b) <= 1e-300 ? 0 : .infinity }
        return abs(a - b) / abs(b)
    }

    @Test func cdfAndSurvival() {
        for entry in Self.reference["values"] as! [[String: Any]] {
            let dist = entry["dist"] as! String
            let params = (entry["params"] as! [Any]).map(Self.value)
            let x = Self.value(entry["x"])
            let (cdf, sf): (Double, Double) = switch dist {
            case "normal": (Distributions.normalCDF(x), Distributions.normalSF(x))
            case "t": (Distributions.studentTCDF(x, df: params[0]), Distributions.studentTUpperTail(x, df: params[0]))
            case "f": (Distributions.fCDF(x, d1: params[0], d2: params[1]), Distributions.fUpperTail(x, d1: params[0], d2: params[1]))
            default: (Distributions.chiSquaredCDF(x, df: params[0]), Distributions.chiSquaredUpperTail(x, df: params[0]))
            }
            for (name, ours, expected) in [("cdf", cdf, Self.value(entry["cdf"])), ("sf", sf, Self.value(entry["sf"]))] {
                ErrorLedger.shared.record("distribution \(dist) \(name)", ours, expected, absolute: 1e-300)
                #expect(relativeError(ours, expected) <= 1e-12, "\(dist) \(params) \(name)(\(x)) = \(ours), mpmath \(expected)")
            }
        }
    }

    @Test func quantiles() {
        for entry in Self.reference["quantiles"] as! [[String: Any]] {
            let dist = entry["dist"] as! String
            let p = Double(entry["p"] as! String)!
            let expected = Self.value(entry["q"])
            let params = (entry["params"] as! [Any]).map(Self.value)
            let ours = switch dist {
            case "normal": Distributions.normalQuantile(p)
            case "t": Distributions.studentTQuantile(p, df: params[0])
            case "f": Distributions.fQuantile(p, d1: params[0], d2: params[1])
            default: Distributions.chiSquaredQuantile(p, df: params[0])
            }
            ErrorLedger.shared.record("distribution \(dist) quantile", ours, expected, absolute: 1e-300)
            #expect(relativeError(ours, expected) <= 1e-12, "\(dist) \(params) q(\(p)) = \(ours), mpmath \(expected)")
        }
    }
}
