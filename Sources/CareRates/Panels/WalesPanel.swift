import DataTable
import Foundation

/// The Welsh panel: 22 authorities at 31 March 2015 to 2018, 2024 and 2025 (the years with
/// counts by authority in the sources).
enum WalesPanel {
    static let years = [2015, 2016, 2017, 2018, 2024, 2025]

    /// The official 0-17 denominators: the ONS mid-year estimate before each 31 March count, with
    /// the file and release it comes from (none for mid-2014 to mid-2017 or mid-2024).
    static let officialPopulations: [Int: (file: String, midYear: Int, vintage: String)] = [
        2024: ("wales_population_single_age_0_17_mid2022_mid2023.csv", 2023, "ONS mid-2023 estimates (England and Wales release of 15 July 2024)"),
    ]

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
        let recent = try SourceTable(directory: directory, file: "wales_cla_31march_by_la_2024_2025.csv")
        let recentIndex = try recent.index(by: ["la_code", "year_at_31_march"])
        var official = [Int: (table: SourceTable, index: [[String]: Int])]()
        for (year, population) in officialPopulations {
            let table = try SourceTable(directory: directory, file: population.file)
            official[year] = (table, try table.index(by: ["la_code", "mid_year"]))
        }

        var rows = [[PanelCell]]()
        for code in authorities.keys.sorted() {
            for year in years {
                let y = String(year)
                let looked = year <= 2018
                    ? try cla.cell("total_boys_and_girls", row: claIndex[[code, y]])
                    : try recent.cell("cla_at_31_march_rounded5", row: recentIndex[[code, y]])
                // Nearest mid-year estimate: mid-Y is 3 months after 31 March Y.
                let pop = try population.cell("population_aged_0_15_thirdparty_sum", row: popIndex[[code, y]])
                // The official denominator, the mid-year before (as the Welsh Government's rates).
                var pop17 = PanelCell.missing("NA"), vintage = PanelCell.missing("NA")
                if let source = official[year], let midYear = officialPopulations[year]?.midYear {
                    pop17 = try source.table.cell("derived_sum_age_0_17", row: source.index[[code, String(midYear)]])
                    vintage = .text(officialPopulations[year]!.vintage)
                }
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
                    pop17, vintage, ratio(looked, pop17, per: 10_000),
                ])
            }
        }
        return Panel(
            name: "wales_la_panel", file: "wales_la_panel.csv",
            title: "Welsh local authorities, 31 March 2015 to 2018, 2024 and 2025",
            columns: columns, rows: rows, caveats: caveats)
    }

    static let columns: [PanelColumn] = [
        PanelColumn(name: "la_code", unit: "ONS code", referenceDate: "2019 boundaries", definition: "Local authority code (W06...).", source: "wales_cla_31march_by_la_sex_age_2003_2018.csv: la_code", decimals: nil),
        PanelColumn(name: "la_name", unit: "text", referenceDate: "", definition: "Local authority name as StatsWales publishes it.", source: "wales_cla_31march_by_la_sex_age_2003_2018.csv: la_name (StatsWales)", decimals: nil),
        PanelColumn(name: "year", unit: "year", referenceDate: "31 March of the year", definition: "Year of the 31 March count.", source: "year_at_31_march of the count files", decimals: nil),
        PanelColumn(name: "children_looked_after", unit: "children", referenceDate: "31 March", definition: "Children looked after at 31 March, published rounded to the nearest 5 by the Welsh Government. 2015-2018: all ages including the few aged 18+ (`total_boys_and_girls`); 2024 and 2025: total looked-after children of all ethnic groups (`cla_at_31_march_rounded5`).", source: "wales_cla_31march_by_la_sex_age_2003_2018.csv: total_boys_and_girls (2015-2018); wales_cla_31march_by_la_2024_2025.csv: cla_at_31_march_rounded5 (2024, 2025) (StatsWales)", decimals: nil),
        PanelColumn(name: "population_0_15", unit: "children", referenceDate: "mid-year (30 June) of the same year", definition: "Children aged 0 to 15, 2015-2018 only: a third-party sum of ONS single-year estimates of another vintage (the 2021-geography series), not an official figure; it differs from ONS's first-published estimates by -5.7% to +0.4% per authority in mid-2019, so rates on it do not reproduce the Welsh Government's. The mid-year nearest the count (3 months after it) is used. NA in 2024 and 2025 (the sum stops at mid-2020).", source: "gb_ltla_population_aged_0_15_mid2015_2020_thirdparty_sum.csv: population_aged_0_15_thirdparty_sum, by ltla21_code and year (MatteoLarrode/ChildrenLowIncomeHouseholdsUK)", decimals: nil),
        PanelColumn(name: "rate_per_10000", unit: "per 10,000 children aged 0-15", referenceDate: "31 March", definition: "Derived: children_looked_after / population_0_15 * 10,000 (2015-2018). Not the official rate: the numerator counts all ages, the denominator ages 0 to 15 only, so it runs above the official per-10,000-under-18 rate; see rate_per_10000_0_17.", source: "derived from children_looked_after and population_0_15", decimals: 4),
        PanelColumn(name: "wimd_pct_lsoas_most_deprived_10pct", unit: "percent of LSOAs", referenceDate: "WIMD 2019", definition: "Share of the authority's small areas (LSOAs) in the most deprived 10% of Wales, WIMD 2019; the same in every year.", source: "wales_wimd2019_la_summary.csv: pct_lsoas_most_deprived_10pct (derived there from WIMD 2019 ranks)", decimals: nil),
        PanelColumn(name: "wimd_pct_lsoas_most_deprived_20pct", unit: "percent of LSOAs", referenceDate: "WIMD 2019", definition: "Share of LSOAs in the most deprived 20% of Wales, WIMD 2019; the same in every year.", source: "wales_wimd2019_la_summary.csv: pct_lsoas_most_deprived_20pct (derived there from WIMD 2019 ranks)", decimals: nil),
        PanelColumn(name: "unemployment_rate_pct", unit: "percent", referenceDate: "year ending 31 March", definition: "ONS model-based unemployment rate, ages 16+, for the year ending March of the year (to 2020: NA in 2024 and 2025).", source: "gb_ltla_model_based_unemployment_rate_2015_2020.csv: model_based_unemployment_rate_pct, by ltla21_code and year_ending_march (ONS)", decimals: nil),
        PanelColumn(name: "children_low_income", unit: "children", referenceDate: "financial year ending 31 March", definition: "Children (under 16) in relative low-income families, DWP/HMRC, financial year ending in March of the year (2014/15 for 2015); this vintage stops at 2021/22, and the later, revised vintage is not spliced on (NA in 2024 and 2025).", source: "uk_ltla_children_relative_low_income_fye2015_2022.csv: children_in_relative_low_income_families, by la_code_matched and financial_year (DWP)", decimals: nil),
        PanelColumn(name: "children_low_income_pct", unit: "percent of children aged 0-15", referenceDate: "financial year ending 31 March", definition: "Derived: children_low_income / population_0_15 * 100.", source: "derived from children_low_income and population_0_15", decimals: 4),
        PanelColumn(name: "population_0_17", unit: "children", referenceDate: "mid-year (30 June) of the previous year", definition: "Children aged 0 to 17, official: the sum of ONS's single-year estimates (MYE2 persons, ages 0 to 17) for the mid-year before the count, the denominator of the Welsh Government's rates. 2024: mid-2023. None in the sources for the mid-years before 2015-2018 or 2025 (NA).", source: "wales_population_single_age_0_17_mid2022_mid2023.csv: derived_sum_age_0_17 (the sum of age_0 to age_17), mid_year 2023 (ONS)", decimals: nil),
        PanelColumn(name: "population_0_17_vintage", unit: "text", referenceDate: "", definition: "The ONS estimates population_0_17 comes from (mid-year and release).", source: "the release named in the SOURCES.md entry of population_0_17's file", decimals: nil),
        PanelColumn(name: "rate_per_10000_0_17", unit: "per 10,000 children aged 0-17", referenceDate: "31 March", definition: "Derived: children_looked_after / population_0_17 * 10,000, the Welsh Government's definition (per 10,000 children under 18, on the estimate for the mid-year before); the count's rounding to 5 carries into it.", source: "derived from children_looked_after and population_0_17", decimals: 4),
    ]

    static let caveats = [
        "No Welsh local-authority counts for 31 March 2019 to 2023 are in the sources: the panel has 2015 to 2018, then 2024 and 2025.",
        "Denominators by year: 2015-2018 population_0_15, a third-party sum (see the column); 2024 population_0_17, ONS mid-2023 (official); 2025 none (the sources have no mid-2024 estimates by authority).",
        "Counts are rounded to the nearest 5 at source; rates inherit that rounding (up to 2.5 children either way).",
        "The child population is a third-party sum of ages 0 to 15, not an official denominator; the official rate uses ages 0 to 17.",
        "No Welsh spending by authority is in the sources; the panel has no spending column.",
    ]
}
