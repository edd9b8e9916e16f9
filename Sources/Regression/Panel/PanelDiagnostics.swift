import Foundation

/// Panel diagnostics as plm computes them.
public enum PanelDiagnostics {
    /// A test's statistic, its reference distribution's degrees of freedom (nil: standard
    /// normal, two-sided) and p-value.
    public struct Test: Sendable {
        public let statistic: Double
        public let degreesOfFreedom: Int?
        public let pValue: Double
    }

    /// Breusch and Pagan's Lagrange multiplier test for individual effects, from the residuals
    /// of the pooled regression (plm's `plmtest(type = "bp")`): `LM = n / sqrt(2 (sum T_i^2 - n))
    /// * (sum_i (sum_t e_it)^2 / sum e^2 - 1)`, its square chi-squared on 1 df.
    public static func breuschPagan(residuals e: [Double], unit: [Int32], units: Int) -> Test {
        var sums = [Double](repeating: 0, count: units), counts = [Double](repeating: 0, count: units)
        var squares = 0.0
        for (i, r) in e.enumerated() {
            sums[Int(unit[i])] += r
            counts[Int(unit[i])] += 1
            squares += r * r
        }
        let n = Double(e.count)
        let a = sums.reduce(0) { $0 + $1 * $1 } / squares - 1
        let lm = n / (2 * (counts.reduce(0) { $0 + $1 * $1 } - n)).squareRoot() * a
        return Test(statistic: lm * lm, degreesOfFreedom: 1, pValue: Distributions.chiSquaredUpperTail(lm * lm, df: 1))
    }

    /// Pesaran's CD test of cross-sectional dependence (plm's `pcdtest(test = "cd")` on a
    /// model's residuals): `CD = sqrt(1 / P) sum_{i<j} sqrt(T_ij) rho_ij` over the P pairs of
    /// units with at least two periods in common, `rho_ij` the correlation of their residuals
    /// over those periods; standard normal.
    public static func pesaranCD(residuals e: [Double], unit: [Int32], units: Int, time: [Int32], periods: Int) -> Test {
        var wide = [Double](repeating: .nan, count: units * periods)
        for (i, r) in e.enumerated() { wide[Int(unit[i]) * periods + Int(time[i])] = r }
        var total = 0.0, pairs = 0
        for i in 0..<units {
            for j in (i + 1)..<units {
                var a = [Double](), b = [Double]()
                for t in 0..<periods where !wide[i * periods + t].isNaN && !wide[j * periods + t].isNaN {
                    a.append(wide[i * periods + t])
                    b.append(wide[j * periods + t])
                }
                guard a.count > 1 else { continue }
                let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
                var sab = 0.0, saa = 0.0, sbb = 0.0
                for k in a.indices {
                    sab += (a[k] - ma) * (b[k] - mb)
                    saa += (a[k] - ma) * (a[k] - ma)
                    sbb += (b[k] - mb) * (b[k] - mb)
                }
                total += Double(a.count).squareRoot() * sab / (saa * sbb).squareRoot()
                pairs += 1
            }
        }
        let cd = total / Double(pairs).squareRoot()
        return Test(statistic: cd, degreesOfFreedom: nil, pValue: 2 * Distributions.normalSF(abs(cd)))
    }
}

extension FixedEffectsFit {
    /// Breusch-Pagan's LM test for effects of the first absorbed factor (the pooled model's
    /// residuals: the same formula without the factors) and Pesaran's CD test on this fit's
    /// residuals, units the first factor and periods the second; nil without two factors.
    public func panelDiagnostics() throws(ModelError) -> (breuschPagan: PanelDiagnostics.Test, pesaranCD: PanelDiagnostics.Test)? {
        guard factors.count >= 2 else { return nil }
        let text = frame.formula.text.split(separator: "|", maxSplits: 1)[0]
        let pooledFormula: Formula
        do { pooledFormula = try Formula(String(text)).withPanel(unit: frame.formula.panelUnit) } catch { throw .formula(error) }
        let pooled = try LinearModel.fit(pooledFormula, data: frame.table, options: LinearModelOptions(), backend: backend, candidates: frame.rows)
        let unit = factors[0], time = factors[1]
        return (PanelDiagnostics.breuschPagan(residuals: pooled.residuals, unit: unit.codes, units: unit.levels.count),
                PanelDiagnostics.pesaranCD(
                    residuals: residuals, unit: unit.codes, units: unit.levels.count, time: time.codes, periods: time.levels.count))
    }
}
