import DataTable
import Foundation

/// The English panel: upper-tier authorities at 31 March 2019 to 2024, each authority in the
/// years it existed (boundary changes follow DfE's own rows).
enum EnglandPanel {
    static let years = 2019...2024

    /// The row for `code`, or for another code of the same area (`EnglandBoundaries`' recodes:
    /// sources of other dates use the other code), and the rest of the key.
    static func lookup(_ index: [[String]: Int], _ code: String, _ rest: String...) -> Int? {
        if let row = index[[code] + rest] { return row }
        for other in EnglandBoundaries.codes(of: EnglandBoundaries.unit(code)) where other != code {
            if let row = index[[other] + rest] { return row }
        }
        return nil
    }

    static func build(from directory: URL) throws(DataError) -> Panel {
        let cla = try SourceTable(directory: directory, file: "england_cla_31march_rate_per10k_2019_2025.csv")
        let mye = try SourceTable(directory: directory, file: "england_child_population_0_17_mye_2012_2024.csv")
        let imd = try SourceTable(directory: directory, file: "england_imd2019_upper_tier_la_summaries.csv")
        let cin = try SourceTable(directory: directory, file: "england_cin_factors_end_of_assessment_2018_2025.csv")
        let rsx = try SourceTable(directory: directory, file: "england_rsx_childrens_social_care_expenditure_2021_22.csv")
        let ro3 = try SourceTable(directory: directory, file: "england_ro3_childrens_social_care_expenditure_2023_24_2024_25.csv")
        let unemployment = try SourceTable(directory: directory, file: "gb_ltla_model_based_unemployment_rate_2015_2020.csv")

        let level = try cla.strings("geographic_level"), codes = try cla.strings("new_la_code")
        let names = try cla.strings("la_name"), regions = try cla.strings("region_name"), periods = try cla.strings("time_period")
        let counts = try cla.strings("children_count")
        let claIndex = try cla.index(by: ["new_la_code", "time_period"]) { level[$0] == "Local authority" }
        let myeLevel = try mye.strings("geographic_level")
        let myeIndex = try mye.index(by: ["new_la_code", "time_period"]) { myeLevel[$0] == "Local authority" }
        let imdIndex = try imd.index(by: ["Upper Tier Local Authority District code (2019)"])
        let cinLevel = try cin.strings("geographic_level")
        let cinIndex = try cin.index(by: ["new_la_code", "time_period"]) { cinLevel[$0] == "Local authority" }
        let rsxIndex = try rsx.index(by: ["ons_code"])
        let ro3Year = try ro3.strings("financial_year")
        let ro3Index = try ro3.index(by: ["ons_code"]) { ro3Year[$0] == "2023-24" }
        let unemploymentIndex = try unemployment.index(by: ["ltla21_code", "year_ending_march"])

        // Authority-years that existed: DfE marks the others "z" (not applicable).
        var keys = [(code: String, year: Int, row: Int)]()
        for i in 0..<cla.table.rowCount where level[i] == "Local authority" {
            guard let year = Int(periods[i]), years.contains(year), counts[i] != "z" else { continue }
            keys.append((codes[i], year, i))
        }
        keys.sort { ($0.code, $0.year) < ($1.code, $1.year) }

        var rows = [[PanelCell]]()
        for key in keys {
            let y = String(key.year), row = claIndex[[key.code, y]]
            // DfE's own denominator; where DfE gives none, ONS's estimate for the same mid-year.
            var pop = try cla.cell("population_estimate", row: row)
            if pop.isMissing, let other = lookup(myeIndex, key.code, String(key.year - 1)) {
                pop = try mye.cell("population_estimate", row: other)
            }
            let cinRow = lookup(cinIndex, key.code, y)
            func perChild(_ column: String) throws(DataError) -> PanelCell {
                ratio(try cin.cell(column, row: cinRow), pop, per: 10_000)
            }
            let spending: PanelCell
            switch key.year {
            case 2022: spending = try rsx.cell("childrens_social_care_net_cur_exp_gbp_thousands", row: lookup(rsxIndex, key.code))
            case 2024: spending = try ro3.cell("total_childrens_social_care_net_current_exp_gbp_thousands", row: lookup(ro3Index, key.code))
            default: spending = .missing("NA")
            }
            rows.append([
                .text(key.code), .text(names[key.row]), .text(regions[key.row]), .number(Double(key.year)),
                try cla.cell("children_count", row: row), try cla.cell("rate_per_10000", row: row), pop,
                try imd.cell("IMD - Average score", row: lookup(imdIndex, key.code)),
                try imd.cell("IDACI - Average score", row: lookup(imdIndex, key.code)),
                try perChild("Domestic_Abuse_parent"), try perChild("Mental_Health_parent"),
                try perChild("Drug_Misuse_parent"), try perChild("Alcohol_Misuse_parent"),
                ratio(spending, pop, per: 1000),
                try unemployment.cell("model_based_unemployment_rate_pct", row: unemploymentIndex[[key.code, y]]),
            ])
        }
        return Panel(
            name: "england_la_panel", file: "england_la_panel.csv",
            title: "English upper-tier local authorities, 31 March 2019 to 2024",
            columns: columns, rows: rows, caveats: caveats)
    }

    static let columns: [PanelColumn] = [
        PanelColumn(name: "la_code", unit: "ONS code", referenceDate: "boundaries of the year", definition: "Upper-tier local authority code as DfE publishes it for the year.", source: "england_cla_31march_rate_per10k_2019_2025.csv: new_la_code (DfE)", decimals: nil),
        PanelColumn(name: "la_name", unit: "text", referenceDate: "", definition: "Local authority name as DfE publishes it.", source: "england_cla_31march_rate_per10k_2019_2025.csv: la_name (DfE)", decimals: nil),
        PanelColumn(name: "region_name", unit: "text", referenceDate: "", definition: "Region (ITL1).", source: "england_cla_31march_rate_per10k_2019_2025.csv: region_name (DfE)", decimals: nil),
        PanelColumn(name: "year", unit: "year", referenceDate: "31 March of the year", definition: "Year of the 31 March count (and of the financial or reporting year ending then).", source: "england_cla_31march_rate_per10k_2019_2025.csv: time_period", decimals: nil),
        PanelColumn(name: "children_looked_after", unit: "children", referenceDate: "31 March", definition: "Children looked after at 31 March (DfE `children_count`).", source: "england_cla_31march_rate_per10k_2019_2025.csv: children_count (DfE)", decimals: nil),
        PanelColumn(name: "rate_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "31 March", definition: "Official DfE rate of children looked after per 10,000 children under 18 (published rounded to a whole number).", source: "england_cla_31march_rate_per10k_2019_2025.csv: rate_per_10000 (DfE)", decimals: nil),
        PanelColumn(name: "population_0_17", unit: "children", referenceDate: "mid-year (30 June) of the previous year", definition: "ONS mid-year estimate of children aged 0 to 17 for the mid-year before the count: the denominator DfE's rate uses (DfE's `population_estimate`), or, where DfE gives none, the ONS estimate for the same mid-year.", source: "england_cla_31march_rate_per10k_2019_2025.csv: population_estimate; england_child_population_0_17_mye_2012_2024.csv: population_estimate where DfE gives none (ONS via DfE)", decimals: nil),
        PanelColumn(name: "imd_average_score", unit: "score", referenceDate: "IoD 2019", definition: "Index of Multiple Deprivation 2019, average score of the authority's LSOAs (upper-tier summary); the same in every year.", source: "england_imd2019_upper_tier_la_summaries.csv: IMD - Average score (MHCLG)", decimals: nil),
        PanelColumn(name: "idaci_average_score", unit: "score (share of children)", referenceDate: "IoD 2019", definition: "Income Deprivation Affecting Children Index 2019, average score; the same in every year.", source: "england_imd2019_upper_tier_la_summaries.csv: IDACI - Average score (MHCLG)", decimals: nil),
        PanelColumn(name: "domestic_abuse_parent_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "year ending 31 March", definition: "Derived: children-in-need assessments ending in the year with domestic abuse of a parent identified as a factor, per 10,000 children (population_0_17).", source: "england_cin_factors_end_of_assessment_2018_2025.csv: Domestic_Abuse_parent (DfE table C3); derived with population_0_17", decimals: 4),
        PanelColumn(name: "mental_health_parent_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "year ending 31 March", definition: "Derived: as above, parental mental health identified as a factor.", source: "england_cin_factors_end_of_assessment_2018_2025.csv: Mental_Health_parent (DfE table C3); derived with population_0_17", decimals: 4),
        PanelColumn(name: "drug_misuse_parent_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "year ending 31 March", definition: "Derived: as above, parental drug misuse identified as a factor.", source: "england_cin_factors_end_of_assessment_2018_2025.csv: Drug_Misuse_parent (DfE table C3); derived with population_0_17", decimals: 4),
        PanelColumn(name: "alcohol_misuse_parent_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "year ending 31 March", definition: "Derived: as above, parental alcohol misuse identified as a factor.", source: "england_cin_factors_end_of_assessment_2018_2025.csv: Alcohol_Misuse_parent (DfE table C3); derived with population_0_17", decimals: 4),
        PanelColumn(name: "csc_net_spend_per_child_gbp", unit: "GBP per child aged 0-17", referenceDate: "financial year ending 31 March", definition: "Derived: net current expenditure on children's social care (GBP thousand * 1000) / population_0_17. 2022 from RSX 2021-22, 2024 from RO3 2023-24 (MHCLG revenue outturn; definitions close but not identical); other years have no source (NA).", source: "england_rsx_childrens_social_care_expenditure_2021_22.csv: childrens_social_care_net_cur_exp_gbp_thousands; england_ro3_childrens_social_care_expenditure_2023_24_2024_25.csv: total_childrens_social_care_net_current_exp_gbp_thousands, financial_year 2023-24 (MHCLG); derived with population_0_17", decimals: 2),
        PanelColumn(name: "unemployment_rate_pct", unit: "percent", referenceDate: "year ending 31 March", definition: "ONS model-based unemployment rate for the year ending March; only 2019 and 2020 exist in the sources, and only for authorities that are also lower-tier districts (counties have none: there are no labour-force weights to combine their districts).", source: "gb_ltla_model_based_unemployment_rate_2015_2020.csv: model_based_unemployment_rate_pct, by ltla21_code (ONS)", decimals: nil),
    ]

    static let caveats = [
        "Boundary changes follow DfE's rows: Bournemouth and Poole are separate in 2019 and Bournemouth, Christchurch and Poole (E06000058) from 2020; Northamptonshire (E10000021) until 2021, North and West Northamptonshire (E06000061, E06000062) from 2022; Cumbria (E10000006) until 2023, Cumberland and Westmorland and Furness (E06000063, E06000064) from 2024. An authority-year DfE marks `z` (did not exist) is left out.",
        "Buckinghamshire (E06000060, formerly E10000002), North Yorkshire (E06000065, formerly E10000023) and Somerset (E06000066, formerly E10000027) changed code without changing boundary; sources of other dates are matched through the former code.",
        "IoD 2019 is published for 2019 upper-tier boundaries (with a single Bournemouth, Christchurch and Poole, Northamptonshire and Cumbria): Bournemouth and Poole in 2019 and the successor authorities of Northamptonshire and Cumbria have no IMD or IDACI score (NA). Nothing is apportioned.",
        "Markers kept from the sources: `c` suppressed, `x` not available, `z` not applicable, `k` less than 0.5%, `u` low reliability (DfE); `[x]` not available or not certified (MHCLG). `NA` means no source has a row for that authority and year.",
        "Children-in-need factors: authorities may record several factors per assessment, and recording practice varies between authorities.",
        "No children's social care spending by authority was found for 2019 to 2021 or 2023.",
    ]
}
