import DataTable
import Foundation

/// The Welsh panel: 22 authorities at 31 March 2015 to 2018.
enum WalesPanel {
    static let years = 2015...2018

    static func build(from directory: URL) throws(DataError) -> Panel {
        let cla = try SourceTable(directory: directory, file: "wales_cla_31march_by_la_sex_age_2003_2018.csv")
        let population = try SourceTable(directory: directory, file: "gb_ltla_population_aged_0_15_mid2015_2020_thirdparty_sum.csv")
        let wimd = try SourceTable(directory: directory, file: "wales_wimd2019_la_summary.csv")
        let unemployment = try SourceTable(directory: directory, file: "gb_ltla_model_based_unemployment_rate_2015_2020.csv")
        let lowIncome = try SourceTable(directory: directory, file: "uk_ltla_children_relative_low_income_fye2015_2022.csv")

        let codes = try cla.strings("la_code"), names = try cla.strings("la_name"), claYears = try cla.strings("year_at_31_march")
        let claIndex = try cla.index(by: ["la_code", "year_at_31_march"]) { codes[$0].hasPrefix("W06") }
        let authorities = Dictionary(
            (0..<cla.table.rowCount).filter { codes[$0].hasPrefix("W06") }.map { (codes[$0], names[$0]) },
            uniquingKeysWith: { first, _ in first })
        let popIndex = try population.index(by: ["ltla21_code", "year"])
        let wimdIndex = try wimd.index(by: ["la_code"])
        let unemploymentIndex = try unemployment.index(by: ["ltla21_code", "year_ending_march"])
        let lowIncomeIndex = try lowIncome.index(by: ["la_code_matched", "financial_year"])
        _ = claYears

        var rows = [[PanelCell]]()
        for code in authorities.keys.sorted() {
            for year in years {
                let y = String(year)
                let looked = try cla.cell("total_boys_and_girls", row: claIndex[[code, y]])
                // Nearest mid-year estimate: mid-Y is 3 months after 31 March Y.
                let pop = try population.cell("population_aged_0_15_thirdparty_sum", row: popIndex[[code, y]])
                let children = try lowIncome.cell(
                    "children_in_relative_low_income_families",
                    row: lowIncomeIndex[[code, "\(year - 1)/\(String(year).suffix(2))"]])
                rows.append([
                    .text(code), .text(authorities[code]!), .number(Double(year)),
                    looked, pop, ratio(looked, pop, per: 10_000),
                    try wimd.cell("pct_lsoas_most_deprived_10pct", row: wimdIndex[[code]]),
                    try wimd.cell("pct_lsoas_most_deprived_20pct", row: wimdIndex[[code]]),
                    try unemployment.cell("model_based_unemployment_rate_pct", row: unemploymentIndex[[code, y]]),
                    children, ratio(children, pop, per: 100),
                ])
            }
        }
        return Panel(
            name: "wales_la_panel", file: "wales_la_panel.csv",
            title: "Welsh local authorities, 31 March 2015 to 2018",
            columns: columns, rows: rows, caveats: caveats)
    }

    static let columns: [PanelColumn] = [
        PanelColumn(name: "la_code", unit: "ONS code", referenceDate: "2019 boundaries", definition: "Local authority code (W06...).", source: "wales_cla_31march_by_la_sex_age_2003_2018.csv", decimals: nil),
        PanelColumn(name: "la_name", unit: "text", referenceDate: "", definition: "Local authority name as StatsWales publishes it.", source: "wales_cla_31march_by_la_sex_age_2003_2018.csv", decimals: nil),
        PanelColumn(name: "year", unit: "year", referenceDate: "31 March of the year", definition: "Year of the 31 March count.", source: "", decimals: nil),
        PanelColumn(name: "children_looked_after", unit: "children", referenceDate: "31 March", definition: "Children looked after at 31 March, all ages including the few aged 18+; rounded to the nearest 5 by the Welsh Government (`total_boys_and_girls`).", source: "wales_cla_31march_by_la_sex_age_2003_2018.csv (StatsWales)", decimals: nil),
        PanelColumn(name: "population_0_15", unit: "children", referenceDate: "mid-year (30 June) of the same year", definition: "Children aged 0 to 15: a third-party sum of ONS single-year mid-year estimates, not an official figure. The mid-year nearest the count (3 months after it) is used.", source: "gb_ltla_population_aged_0_15_mid2015_2020_thirdparty_sum.csv", decimals: nil),
        PanelColumn(name: "rate_per_10000", unit: "per 10,000 children aged 0-15", referenceDate: "31 March", definition: "Derived: children_looked_after / population_0_15 * 10,000. Not the official rate: the numerator counts all ages, the denominator ages 0 to 15 only, so it runs above the official per-10,000-under-18 rate.", source: "derived", decimals: 4),
        PanelColumn(name: "wimd_pct_lsoas_most_deprived_10pct", unit: "percent of LSOAs", referenceDate: "WIMD 2019", definition: "Share of the authority's small areas (LSOAs) in the most deprived 10% of Wales, WIMD 2019; the same in every year.", source: "wales_wimd2019_la_summary.csv", decimals: nil),
        PanelColumn(name: "wimd_pct_lsoas_most_deprived_20pct", unit: "percent of LSOAs", referenceDate: "WIMD 2019", definition: "Share of LSOAs in the most deprived 20% of Wales, WIMD 2019; the same in every year.", source: "wales_wimd2019_la_summary.csv", decimals: nil),
        PanelColumn(name: "unemployment_rate_pct", unit: "percent", referenceDate: "year ending 31 March", definition: "ONS model-based unemployment rate, ages 16+, for the year ending March of the year.", source: "gb_ltla_model_based_unemployment_rate_2015_2020.csv", decimals: nil),
        PanelColumn(name: "children_low_income", unit: "children", referenceDate: "financial year ending 31 March", definition: "Children (under 16) in relative low-income families, DWP/HMRC, financial year ending in March of the year (2014/15 for 2015).", source: "uk_ltla_children_relative_low_income_fye2015_2022.csv", decimals: nil),
        PanelColumn(name: "children_low_income_pct", unit: "percent of children aged 0-15", referenceDate: "financial year ending 31 March", definition: "Derived: children_low_income / population_0_15 * 100.", source: "derived", decimals: 4),
    ]

    static let caveats = [
        "No Welsh local-authority figures on children looked after after March 2018 are in the sources, so the panel stops at 2018.",
        "Counts are rounded to the nearest 5 at source; rates inherit that rounding (up to 2.5 children either way).",
        "The child population is a third-party sum of ages 0 to 15, not an official denominator; the official rate uses ages 0 to 17.",
        "No Welsh spending by authority is in the sources; the panel has no spending column.",
    ]
}
