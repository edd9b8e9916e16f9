import Foundation
import LinearAlgebra

/// A least-squares problem with certified answers, from NIST StRD or from the exact-arithmetic
/// script `scripts/reference/exact_least_squares.py`.
struct CertifiedProblem {
    var name: String
    var terms: [String]
    var x: Matrix
    var y: [Double]
    var intercept: Bool
    var estimate: [Double]
    var stdError: [Double]
    var residualSD: Double
    var rSquared: Double
}

enum Fixtures {
    static func url(_ path: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/" + path, withExtension: nil)!
    }

    static func json(_ path: String) -> [String: Any] {
        let data = try! Data(contentsOf: url(path))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func number(_ any: Any) -> Double {
        if let s = any as? String { return Double(s)! }
        return (any as! NSNumber).doubleValue
    }

    /// NIST problems: Norris, NoInt1, Longley (certified values parsed from NIST's text).
    static func nist(_ name: String) -> CertifiedProblem {
        let j = json("nist/\(name).json")
        let model = j["model"] as! [String: Any]
        let data = j["data_text"] as! [String: [Any]]
        let terms = j["terms"] as! [[String: Any]]
        let n = (data["y"]!).count
        var columns = [[Double]]()
        for term in terms {
            let column = term["column"] as! String
            columns.append(column == "1" ? Array(repeating: 1, count: n) : data[column]!.map(number))
        }
        let cert = j["certified_text"] as! [String: Any]
        return CertifiedProblem(
            name: name, terms: terms.map { $0["term"] as! String }, x: Matrix(columns: columns),
            y: data["y"]!.map(number), intercept: model["intercept"] as! Bool,
            estimate: (cert["estimate"] as! [Any]).map(fortran), stdError: (cert["std_error"] as! [Any]).map(fortran),
            residualSD: fortran(cert["residual_sd"]!), rSquared: fortran(cert["r_squared"]!))
    }

    /// NIST prints exponents Fortran-style (`0.358E-01`), which Double(String) reads as is.
    static func fortran(_ any: Any) -> Double { Double((any as! String).replacingOccurrences(of: "D", with: "E"))! }

    static var exact: [CertifiedProblem] {
        let j = json("exact.json")
        return (j["problems"] as! [[String: Any]]).map { p in
            let cert = p["certified"] as! [String: Any]
            let terms = p["terms"] as! [String]
            return CertifiedProblem(
                name: p["name"] as! String, terms: terms,
                x: Matrix(columns: (p["columns"] as! [[Any]]).map { $0.map(number) }),
                y: (p["y"] as! [Any]).map(number), intercept: terms.first == "(Intercept)",
                estimate: (cert["estimate"] as! [Any]).map(number), stdError: (cert["std_error"] as! [Any]).map(number),
                residualSD: number(cert["residual_sd"]!), rSquared: number(cert["r_squared"]!))
        }
    }
}

/// Log relative error: correct significant digits, capped at 15 as NIST does.
func lre(_ value: Double, _ certified: Double) -> Double {
    if value == certified { return 15 }
    if certified == 0 { return min(15, -log10(abs(value))) }
    let e = abs(value - certified) / abs(certified)
    return e.isNaN ? 0 : min(15, -log10(e))
}

/// The statistics NIST certifies, from a least-squares solution.
struct FitSummary {
    var estimate: [Double]
    var stdError: [Double]
    var residualSD: Double
    var rSquared: Double
    var solution: LeastSquaresSolution

    init(_ problem: CertifiedProblem, backend: any Backend, method: LeastSquares.Method = .automatic) {
        let s = LeastSquares.solve(problem.x, problem.y, backend: backend, method: method)
        let n = problem.y.count
        let rss = s.residualSumOfSquares
        let sigma2 = rss / Double(n - s.rank)
        estimate = s.coefficients
        stdError = (0..<problem.x.columns).map { (sigma2 * s.unscaledCovariance[$0, $0]).squareRoot() }
        residualSD = sigma2.squareRoot()
        let mean = problem.intercept ? problem.y.reduce(0, +) / Double(n) : 0
        let tss = problem.y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        rSquared = 1 - rss / tss
        solution = s
    }
}
