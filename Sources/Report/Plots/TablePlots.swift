import DataTable
import Plot
import Regression
#if canImport(Glibc)
import Glibc
#endif

/// Plots from tables the tool wrote (`compare --format csv`, `--limits-table`, `fit --format
/// csv`, `residuals --format csv`) and from a panel's rates, for `carerates plot`. A missing
/// column is an error naming the file and the column.
public enum TablePlots {
    static func numbers(_ table: DataTable, _ name: String) throws(DataError) -> [Double] {
        let column = try table.column(named: name)
        guard column.kind == .numeric else {
            // The first cell that is not a number, by line and column.
            let row = (0..<table.rowCount).first { table.cellText(row: $0, column: column) != nil } ?? 0
            throw .notNumeric(table.location(row: row, column: name), value: table.cellText(row: row, column: column) ?? "")
        }
        return column.numbers
    }

    static func texts(_ table: DataTable, _ name: String) throws(DataError) -> [String] {
        let column = try table.column(named: name)
        return (0..<table.rowCount).map { table.cellText(row: $0, column: column) ?? "" }
    }

    /// The file's name without its folders (captions must not depend on where it lies).
    static func name(_ table: DataTable) -> String { String(table.source.split(separator: "/").last ?? "") }

    /// The first of `names` the table has.
    static func first(_ table: DataTable, _ names: [String]) throws(DataError) -> String {
        if let found = names.first(where: { table.columnNames.contains($0) }) { return found }
        _ = try table.column(named: names[0])
        return names[0]
    }

    /// A unit's name with its `by` value, when the table has units split by one.
    static func unitNames(_ table: DataTable) throws(DataError) -> [String] {
        let units = try texts(table, "unit")
        // A by column sits between unit and observed.
        let names = table.columnNames
        guard let u = names.firstIndex(of: "unit"), let o = names.firstIndex(of: "observed"), o == u + 2 else { return units }
        let by = try texts(table, names[u + 1])
        return zip(units, by).map { $0 + " " + $1 }
    }

    /// The funnel of a comparison's CSV and its limits table.
    public static func funnel(comparison table: DataTable, limits: DataTable) throws(DataError) -> FunnelPlot {
        let names = try unitNames(table), expected = try numbers(table, "expected"), ratio = try numbers(table, "ratio")
        let flags = try texts(table, "flag")
        let e = try numbers(limits, "expected"), level = try numbers(limits, "level"), low = try numbers(limits, "low")
        let high = try numbers(limits, "high"), over = try texts(limits, "overdispersion")
        let levels = Set(level).sorted(), outer = levels.last ?? 0
        let outerText = FunnelPlot.percent(outer)
        let units = names.indices.map { k in
            let direction = flags[k].hasPrefix("above") ? 1 : flags[k].hasPrefix("below") ? -1 : 0
            return FunnelPlot.Unit(
                name: names[k], expected: expected[k], ratio: ratio[k], direction: direction,
                outermost: direction != 0 && flags[k].hasSuffix(" " + outerText),
                hover: "\(names[k]): E \(NumberFormat.significant(expected[k], digits: 5)), O/E \(NumberFormat.significant(ratio[k], digits: 5)), \(flags[k])")
        }
        let adjusted = Set(over).contains { $0 != "none" }
        var curves = [FunnelPlot.Curve]()
        for method in Set(over).sorted() {
            for l in levels {
                let rows = e.indices.filter { over[$0] == method && level[$0] == l }
                curves.append(FunnelPlot.Curve(level: l, adjusted: adjusted && method != "none", expected: rows.map { e[$0] },
                                               low: rows.map { low[$0] }, high: rows.map { high[$0] }))
            }
        }
        return FunnelPlot(title: "Funnel plot: observed against expected", units: units, curves: curves,
                          caption: "From \(name(table)); limits from \(name(limits))"
                            + (adjusted ? " (" + Set(over).subtracting(["none"]).sorted().joined(separator: ", ") + " overdispersion)" : "") + ".")
    }

    /// A comparison's units by O/E (or the shrunken O/E) with their intervals and rank sets.
    public static func caterpillar(comparison table: DataTable, shrunk: Bool) throws(DataError) -> CaterpillarPlot {
        let names = try unitNames(table), flags = try texts(table, "flag")
        let estimate = try numbers(table, shrunk ? "shrunk_ratio" : "ratio")
        let low = try numbers(table, shrunk ? "shrunk_low" : "ratio_low"), high = try numbers(table, shrunk ? "shrunk_high" : "ratio_high")
        let rank = try numbers(table, "rank"), rankLow = try numbers(table, "rank_low"), rankHigh = try numbers(table, "rank_high")
        let order = names.indices.sorted { estimate[$0] > estimate[$1] }
        let f = { (x: Double) in NumberFormat.significant(x, digits: 5) }
        let units = order.map { k in
            CaterpillarPlot.Unit(
                label: names[k] + (rankLow[k].isFinite ? " (rank \(f(rank[k])); \(f(rankLow[k])) to \(f(rankHigh[k])))" : ""),
                estimate: estimate[k], low: low[k], high: high[k], flagged: flags[k] != "within",
                hover: "\(names[k]): \(f(estimate[k])) (\(f(low[k])) to \(f(high[k]))), \(flags[k])")
        }
        return CaterpillarPlot(title: "Caterpillar plot by \(shrunk ? "shrunken " : "")O/E", units: units,
                               xTitle: (shrunk ? "Shrunken O/E" : "O/E") + " with its interval (log scale)",
                               caption: "From \(name(table)). Flagged (squares): outside the funnel's limits.")
    }

    /// A fit's coefficient table (`fit --format csv`), exponentiated when asked (a count model's
    /// rate ratios).
    public static func coefficients(fit table: DataTable, exponentiate: Bool) throws(DataError) -> CoefficientPlot {
        let terms = try texts(table, "term"), b = try numbers(table, "estimate")
        let low = try numbers(table, "conf_low"), high = try numbers(table, "conf_high")
        let g = { (x: Double) in exponentiate ? exp(x) : x }
        let rows = terms.indices.filter { terms[$0] != "(Intercept)" && b[$0].isFinite }
        return CoefficientPlot(
            title: "Coefficients", terms: rows.map { CoefficientPlot.Term(name: terms[$0], estimate: g(b[$0]), low: g(low[$0]), high: g(high[$0])) },
            exponentiated: exponentiate, level: 0.95, caption: "From \(name(table)).")
    }

    /// Residual diagnostics from `residuals --format csv` (a linear model's or a GLM's columns).
    public static func diagnostics(residuals table: DataTable) throws(DataError) -> DiagnosticPlots {
        let fitted = try numbers(table, "fitted")
        let residual = try numbers(table, try first(table, ["residual", "resid_deviance"]))
        let standardized = try numbers(table, try first(table, ["std_residual", "std_resid_deviance"]))
        let leverage = try numbers(table, "leverage"), cooks = try numbers(table, "cooks_distance")
        let idColumns = Array(table.columnNames.prefix { $0 != "line" })
        let ids = try idColumns.map { name throws(DataError) in try texts(table, name) }
        let n = fitted.count, theoretical = ModelPlots.normalScores(standardized)
        let observations = (0..<n).map { i in
            DiagnosticPlots.Observation(
                name: ids.isEmpty ? "row \(i + 1)" : ids.map { $0[i] }.joined(separator: " "), fitted: fitted[i], residual: residual[i],
                standardized: standardized[i], leverage: leverage[i], cooks: cooks[i], theoretical: theoretical[i])
        }
        // The hat matrix's trace is the number of coefficients.
        let p = Int(leverage.filter(\.isFinite).reduce(0, +).rounded())
        return DiagnosticPlots(title: "Residual diagnostics", observations: observations, parameters: max(p, 1),
                               caption: "From \(name(table)). \(n) observations, \(p) coefficients (the leverages' sum).")
    }

    /// Rates by year, a line per unit; the overall rate emphasised: the sum of `count` over the
    /// sum of `exposure` per `per` each year when both are given, else the units' mean rate.
    public static func rates(_ table: DataTable, unit: String, year: String, rate: String, count: String?, exposure: String?,
                             per: Double, overall name: String) throws(DataError) -> TrendPlot {
        let units = try texts(table, unit), years = try numbers(table, year), rates = try numbers(table, rate)
        let counts = try count.map { c throws(DataError) in try numbers(table, c) }
        let exposures = try exposure.map { c throws(DataError) in try numbers(table, c) }
        var order = [String](), byUnit = [String: [(Double, Double)]]()
        // Rows without a rate draw nothing, and do not stretch the axis (a panel's later years may have no denominator).
        for k in units.indices where years[k].isFinite && rates[k].isFinite {
            if byUnit[units[k]] == nil { order.append(units[k]) }
            byUnit[units[k], default: []].append((years[k], rates[k]))
        }
        let series = order.map { u in
            let points = byUnit[u]!.sorted { $0.0 < $1.0 }
            return TrendPlot.Series(name: u, years: points.map(\.0), values: points.map(\.1))
        }
        let allYears = Set(byUnit.values.flatMap { $0.map(\.0) }).sorted()
        let overall: [Double] = allYears.map { y in
            let rows = units.indices.filter { years[$0] == y }
            if let counts, let exposures {
                let used = rows.filter { counts[$0].isFinite && exposures[$0].isFinite }
                return used.reduce(0.0) { $0 + counts[$1] } / used.reduce(0.0) { $0 + exposures[$1] } * per
            }
            let finite = rows.map { rates[$0] }.filter(\.isFinite)
            return finite.reduce(0, +) / Double(max(finite.count, 1))
        }
        let how = counts != nil && exposures != nil
            ? "\(name): the sum of \(count!) over the sum of \(exposure!), per \(NumberFormat.significant(per, digits: 10))"
            : "\(name): the mean of the units' \(rate) (give --count and --exposure for the pooled rate)"
        return TrendPlot(title: "\(rate) by \(year), a line per \(unit)", units: series,
                         overall: TrendPlot.Series(name: name, years: allYears, values: overall), yTitle: rate,
                         caption: "From \(Self.name(table)). \(how).")
    }
}
