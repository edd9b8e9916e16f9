import Foundation

/// Panel diagnostics as plm computes them.
public enum PanelDiagnostics {
    /// A test's statistic, its reference distribution's degrees of freedom (nil: standard
    /// normal, two-sided) and p-value.
    public struct Test: Sendable {
        /// The statistic.
        public let statistic: Double
        /// Chi-squared's degrees of freedom (LM), the F test's denominator df (Wooldridge), nil for a z.
        public let degreesOfFreedom: Int?
        /// Its p-value.
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

extension PanelDiagnostics {
    /// Wooldridge's test for serial correlation in fixed-effects panels (plm's `pwartest`):
    /// each unit's fixed-effects residuals, in time order, regressed (pooled, with a constant) on
    /// the unit's previous residual; under no serial correlation of the errors the slope is
    /// `-1 / (T - 1)` (T the periods), tested with Arellano's cluster-robust variance (HC0,
    /// by unit): `F = ((b + 1/(T-1)) / se)^2` on 1 and the auxiliary regression's residual df.
    public static func wooldridgeSerial(residuals e: [Double], unit: [Int32], time: [Int32], periods: Int) -> Test {
        let order = e.indices.sorted { (unit[$0], time[$0]) < (unit[$1], time[$1]) }
        var y = [Double](), lag = [Double](), group = [Int32]()
        for k in 1..<order.count where unit[order[k]] == unit[order[k - 1]] {
            y.append(e[order[k]])
            lag.append(e[order[k - 1]])
            group.append(unit[order[k]])
        }
        let m = Double(y.count)
        let my = y.reduce(0, +) / m, ml = lag.reduce(0, +) / m
        var sll = 0.0, sly = 0.0
        for k in y.indices {
            sll += (lag[k] - ml) * (lag[k] - ml)
            sly += (lag[k] - ml) * (y[k] - my)
        }
        let b = sly / sll, a = my - b * ml
        // Arellano's sandwich for the slope: bread (X'X)^{-1}, meat of the unit sums of x_i e_i.
        let sx = lag.reduce(0, +), sxx = lag.reduce(0) { $0 + $1 * $1 }
        let det = m * sxx - sx * sx
        let inverse = [sxx / det, -sx / det, -sx / det, m / det]
        var scores = [Int32: (Double, Double)]()
        for k in y.indices {
            let r = y[k] - a - b * lag[k]
            scores[group[k], default: (0, 0)].0 += r
            scores[group[k], default: (0, 0)].1 += lag[k] * r
        }
        var meat = [0.0, 0.0, 0.0, 0.0]
        for (_, s) in scores {
            meat[0] += s.0 * s.0
            meat[1] += s.0 * s.1
            meat[2] += s.1 * s.0
            meat[3] += s.1 * s.1
        }
        // (B M B)[1, 1] for the slope.
        let b1 = [inverse[2], inverse[3]]
        let variance = b1[0] * (meat[0] * b1[0] + meat[1] * b1[1]) + b1[1] * (meat[2] * b1[0] + meat[3] * b1[1])
        let rho = -1 / Double(periods - 1)
        let f = (b - rho) * (b - rho) / variance
        let df = y.count - 2
        return Test(statistic: f, degreesOfFreedom: df, pValue: Distributions.fUpperTail(f, d1: 1, d2: Double(df)))
    }
}

extension FixedEffectsFit {
    /// Breusch-Pagan's LM test for effects of the first absorbed factor (the pooled model's
    /// residuals: the same formula without the factors), and Pesaran's CD test and Wooldridge's
    /// serial-correlation test on this fit's residuals, units the first factor and periods the
    /// second; nil without two factors.
    public func panelDiagnostics() throws(ModelError) -> (
        breuschPagan: PanelDiagnostics.Test, pesaranCD: PanelDiagnostics.Test, wooldridge: PanelDiagnostics.Test
    )? {
        guard factors.count >= 2 else { return nil }
        let text = frame.formula.text.split(separator: "|", maxSplits: 1)[0]
        let pooledFormula: Formula
        do { pooledFormula = try Formula(String(text)).withPanel(unit: frame.formula.panelUnit) } catch { throw .formula(error) }
        let pooled = try LinearModel.fit(pooledFormula, data: frame.table, options: LinearModelOptions(), backend: backend, candidates: frame.rows)
        let unit = factors[0], time = factors[1]
        return (PanelDiagnostics.breuschPagan(residuals: pooled.residuals, unit: unit.codes, units: unit.levels.count),
                PanelDiagnostics.pesaranCD(
                    residuals: residuals, unit: unit.codes, units: unit.levels.count, time: time.codes, periods: time.levels.count),
                PanelDiagnostics.wooldridgeSerial(residuals: residuals, unit: unit.codes, time: time.codes, periods: time.levels.count))
    }
}
