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
        var worst = [String: Double]()
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
                let e = relativeError(ours, expected)
                worst[dist + " " + name] = max(worst[dist + " " + name] ?? 0, e)
                #expect(e <= 1e-12, "\(dist) \(params) \(name)(\(x)) = \(ours), mpmath \(expected)")
            }
        }
        if ProcessInfo.processInfo.environment["CARERATES_LRE_REPORT"] != nil {
            for (k, v) in worst.sorted(by: { $0.key < $1.key }) { print("worst relative error \(k): \(v)") }
        }
    }

    @Test func quantiles() {
        for entry in Self.reference["quantiles"] as! [[String: Any]] {
            let dist = entry["dist"] as! String
            let p = Double(entry["p"] as! String)!
            let expected = Self.value(entry["q"])
            let ours = dist == "normal"
                ? Distributions.normalQuantile(p)
                : Distributions.studentTQuantile(p, df: Self.value((entry["params"] as! [Any])[0]))
            #expect(relativeError(ours, expected) <= 1e-12, "\(dist) q(\(p)) = \(ours), mpmath \(expected)")
        }
    }
}
