import DataTable
import Foundation

/// The English long panel: upper-tier authorities, years ending 31 March 2011 to 2024, with
/// children starting to be looked after beside the 31 March count. A second file rather than a
/// longer `england_la_panel`: that panel's analyses (and the notebooks that check them) rerun to
/// the same numbers, and the long panel's years before 2019 are on other boundaries and other
/// population vintages. Boundaries: `EnglandBoundaries`.
enum EnglandLongPanel {
    static let years = 2011...2024

    /// A source's rows by unit (`EnglandBoundaries.unit` of its code column) and year; rows
    /// failing `keep` (DfE's `z` rows for authorities that did not exist) are left out.
    struct Rows {
        let table: SourceTable
        let index: [String: Int]

        init(_ table: SourceTable, code: String, year: String?, keep: (Int) -> Bool = { _ in true }) throws(DataError) {
            self.table = table
            let codes = try table.strings(code), years = try year.map { (y: String) throws(DataError) -> [String] in try table.strings(y) }
            var index = [String: Int]()
            for i in 0..<table.table.rowCount where keep(i) {
                let key = EnglandBoundaries.unit(codes[i]) + "|" + (years?[i] ?? "")
                // A unit met twice in a year would be a recode the lookup does not know: keep the first, as the build is deterministic.
                if index[key] == nil { index[key] = i }
            }
            self.index = index
        }

        func row(_ unit: String, _ year: Int?) -> Int? { index[unit + "|" + (year.map(String.init) ?? "")] }

        func cell(_ column: String, _ unit: String, _ year: Int?) throws(DataError) -> PanelCell {
            try table.cell(column, row: row(unit, year))
        }

        /// The cell, or for a predecessor published only as its successors, their sum.
        func cellOrUnion(_ column: String, _ unit: String, _ year: Int?) throws(DataError) -> PanelCell {
            if row(unit, year) != nil { return try cell(column, unit, year) }
            guard let parts = EnglandBoundaries.exactUnions[unit] else { return .missing("NA") }
            var total = 0.0
            for part in parts {
                let value = try cell(column, part, year)
                guard let v = value.number else { return value }
                total += v
            }
            return .number(total)
        }
    }

    static func local(_ table: SourceTable, _ column: String, _ value: String) throws(DataError) -> (Int) -> Bool {
        let level = try table.strings(column)
        return { level[$0] == value }
    }

    /// Local-authority rows whose `value` DfE does not mark `z` (the authority did not exist).
    static func existing(_ table: SourceTable, _ column: String, _ level: String, _ value: String) throws(DataError) -> (Int) -> Bool {
        let isLocal = try local(table, column, level), values = try table.strings(value)
        return { isLocal($0) && values[$0] != "z" }
    }

    static func build(from directory: URL) throws(DataError) -> Panel {
        func source(_ file: String) throws(DataError) -> SourceTable { try SourceTable(directory: directory, file: file) }
        let startsFile = try source("england_cla_starts_by_la_2011_2025.csv")
        let starts = try Rows(startsFile, code: "new_la_code", year: "time_period",
                              keep: try existing(startsFile, "geographic_level", "Local authority", "cla_started_during_year"))
        let laTables = try source("england_cla_31march_numbers_rates_2011_2016_sfr_la_tables.csv")
        let count2011 = try Rows(laTables, code: "new_la_code", year: "year_at_31_march",
                                 keep: try existing(laTables, "geographic_level", "Local authority", "cla_at_31_march"))
        let sfr = try source("england_cla_31march_counts_2012_2017_sfr.csv")
        let count2012 = try Rows(sfr, code: "new_geog_code", year: "year_at_31_march", keep: try existing(sfr, "geographic_level", "LA", "cla_at_31_march"))
        let ees = try source("england_cla_31march_counts_2018_2022_ees2022pub.csv")
        let count2018 = try Rows(ees, code: "new_la_code", year: "time_period",
                                 keep: try existing(ees, "geographic_level", "Local authority", "cla_at_31_march"))
        let rateFile = try source("england_cla_31march_rate_per10k_2019_2025.csv")
        let count2019 = try Rows(rateFile, code: "new_la_code", year: "time_period",
                                 keep: try existing(rateFile, "geographic_level", "Local authority", "children_count"))
        let myeFile = try source("england_child_population_0_17_mye_2012_2024.csv")
        let mye = try Rows(myeFile, code: "new_la_code", year: "time_period", keep: try local(myeFile, "geographic_level", "Local authority"))
        let imd = try Rows(try source("england_imd2019_upper_tier_la_summaries.csv"), code: "Upper Tier Local Authority District code (2019)", year: nil)
        let cinFile = try source("england_cin_factors_end_of_assessment_2018_2025.csv")
        let cin = try Rows(cinFile, code: "new_la_code", year: "time_period", keep: try local(cinFile, "geographic_level", "Local authority"))
        let rsx22 = try Rows(try source("england_rsx_childrens_social_care_expenditure_2021_22.csv"), code: "ons_code", year: nil)
        let rsx23 = try Rows(try source("england_rsx_childrens_social_care_expenditure_2022_23.csv"), code: "ons_code", year: nil)
        let ro3File = try source("england_ro3_childrens_social_care_expenditure_2023_24_2024_25.csv")
        let ro3Year = try ro3File.strings("financial_year")
        let ro3 = try Rows(ro3File, code: "ons_code", year: nil, keep: { ro3Year[$0] == "2023-24" })
        let lowIncome = try Rows(try source("uk_utla_children_relative_low_income_fye2015_2024_statxplore.csv"),
                                 code: "utla23_code_matched_by_name", year: "fye")
        let unemployment = try Rows(try source("gb_ltla_model_based_unemployment_rate_2015_2020.csv"), code: "ltla21_code", year: "year_ending_march")

        // The 31 March count's source for a year, and its column.
        func countSource(_ year: Int) -> (Rows, String) {
            switch year {
            case 2011: return (count2011, "cla_at_31_march")
            case 2012...2017: return (count2012, "cla_at_31_march")
            case 2018: return (count2018, "cla_at_31_march")
            default: return (count2019, "children_count")
            }
        }
        // The rows: every unit with a count or a starts figure in the year.
        var keys = Set<String>()
        for year in years {
            let (counts, _) = countSource(year)
            for key in counts.index.keys.filter({ $0.hasSuffix("|\(year)") }) { keys.insert(key) }
            for key in starts.index.keys.filter({ $0.hasSuffix("|\(year)") }) { keys.insert(key) }
        }
        let sorted = keys.map { key -> (unit: String, year: Int) in
            let parts = key.split(separator: "|")
            return (String(parts[0]), Int(parts[1])!)
        }.sorted { ($0.unit, $0.year) < ($1.unit, $1.year) }
        // Names and regions from the population file (every unit of every year is in it).
        let myeNames = try myeFile.strings("la_name"), myeRegions = try myeFile.strings("region_name")
        var names = [String: (name: String, region: String)]()
        for (key, row) in mye.index.sorted(by: { $0.key < $1.key }) {
            names[String(key.split(separator: "|")[0])] = (myeNames[row], myeRegions[row])
        }

        var rows = [[PanelCell]]()
        for (unit, year) in sorted {
            let (counts, countColumn) = countSource(year)
            let looked = try counts.cell(countColumn, unit, year)
            let official: PanelCell
            switch year {
            case 2011...2016: official = try count2011.cell("rate_per_10000_under18", unit, year)
            case 2019...: official = try count2019.cell("rate_per_10000", unit, year)
            default: official = .missing("NA")
            }
            // DfE's denominator from 2019; before, ONS's estimate for the mid-year before.
            var pop = year >= 2019 ? try count2019.cell("population_estimate", unit, year) : .missing("NA")
            if pop.isMissing, mye.row(unit, year - 1) != nil { pop = try mye.cell("population_estimate", unit, year - 1) }
            let started = try starts.cell("cla_started_during_year", unit, year)
            let startsRate = year >= 2019 ? try starts.cell("rate_per_10000", unit, year) : PanelCell.missing("NA")
            let needs = try needColumns.map { (column: String) throws(DataError) -> PanelCell in
                year <= 2018 ? try starts.cell(column, unit, year) : .missing("NA")
            }
            let poor = year >= 2015 ? try lowIncome.cellOrUnion("children_in_relative_low_income_families", unit, year) : .missing("NA")
            func perChild(_ column: String) throws(DataError) -> PanelCell {
                year >= 2018 ? ratio(try cin.cell(column, unit, year), pop, per: 10_000) : .missing("NA")
            }
            let spending: PanelCell
            switch year {
            case 2022: spending = try rsx22.cell("childrens_social_care_net_cur_exp_gbp_thousands", unit, nil)
            case 2023: spending = try rsx23.cell("childrens_social_care_net_cur_exp_gbp_thousands", unit, nil)
            case 2024: spending = try ro3.cell("total_childrens_social_care_net_current_exp_gbp_thousands", unit, nil)
            default: spending = .missing("NA")
            }
            let place = names[unit] ?? (unit, "")
            rows.append([
                .text(unit), .text(place.name), .text(place.region), .number(Double(year)),
                looked, official, pop, ratio(looked, pop, per: 10_000),
                started, startsRate, ratio(started, pop, per: 10_000),
            ] + needs + [
                poor, ratio(poor, pop, per: 100),
                try imd.cell("IMD - Average score", unit, nil), try imd.cell("IDACI - Average score", unit, nil),
                try perChild("Domestic_Abuse_parent"), try perChild("Mental_Health_parent"),
                try perChild("Drug_Misuse_parent"), try perChild("Alcohol_Misuse_parent"),
                ratio(spending, pop, per: 1000),
                try unemployment.cell("model_based_unemployment_rate_pct", unit, year),
            ])
        }
        return Panel(
            name: "england_la_panel_2011_2024", file: "england_la_panel_2011_2024.csv",
            title: "English upper-tier local authorities, years ending 31 March 2011 to 2024, with children starting to be looked after",
            columns: columns, rows: rows, caveats: caveats)
    }

    static let needColumns = [
        "starts_need_N1_abuse_or_neglect", "starts_need_N2_child_disability", "starts_need_N3_parental_illness_disability",
        "starts_need_N4_family_acute_stress", "starts_need_N5_family_dysfunction", "starts_need_N6_socially_unacceptable_behaviour",
        "starts_need_N7_low_income", "starts_need_N8_absent_parenting",
    ]

        static let population = "mid-year (30 June) of the previous year"

    static let columns: [PanelColumn] = [
        PanelColumn(name: "la_code", unit: "ONS code", referenceDate: "boundaries of the year", definition: "Upper-tier authority code: the area on the boundaries of the year, under its latest code where only the code changed (see `england_la_boundary_changes.csv`).", source: "new_la_code (new_geog_code in england_cla_31march_counts_2012_2017_sfr.csv) of the files below (DfE); codes harmonised by england_la_boundary_changes.csv", decimals: nil),
        PanelColumn(name: "la_name", unit: "text", referenceDate: "", definition: "Authority name.", source: "england_child_population_0_17_mye_2012_2024.csv: la_name (DfE)", decimals: nil),
        PanelColumn(name: "region_name", unit: "text", referenceDate: "", definition: "Region (ITL1).", source: "england_child_population_0_17_mye_2012_2024.csv: region_name (DfE)", decimals: nil),
        PanelColumn(name: "year", unit: "year", referenceDate: "31 March of the year", definition: "Year of the 31 March count and the year ending then (starts, financial and reporting years).", source: "time_period (year_at_31_march in the 2011-2017 files) of the files below", decimals: nil),
        PanelColumn(name: "children_looked_after", unit: "children", referenceDate: "31 March", definition: "Children looked after at 31 March. 2011: DfE's LA table, rounded to the nearest 5; 2012-2017: SFR underlying data, unrounded; 2018: the 2021-22 publication, unrounded; 2019-2024: the latest publication of each year.", source: "england_cla_31march_numbers_rates_2011_2016_sfr_la_tables.csv: cla_at_31_march (2011); england_cla_31march_counts_2012_2017_sfr.csv: cla_at_31_march (2012-2017); england_cla_31march_counts_2018_2022_ees2022pub.csv: cla_at_31_march (2018); england_cla_31march_rate_per10k_2019_2025.csv: children_count (2019-2024) (DfE)", decimals: nil),
        PanelColumn(name: "rate_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "31 March", definition: "Official DfE rate of children looked after per 10,000 children under 18, published rounded to a whole number: 2011-2016 from DfE's LA tables (rate_per_10000_under18), 2019-2024 as published; none is published for 2017 and 2018 (NA). The 2011-2016 rates use ONS estimates of their day, not the revised ones in population_0_17.", source: "england_cla_31march_numbers_rates_2011_2016_sfr_la_tables.csv: rate_per_10000_under18 (2011-2016); england_cla_31march_rate_per10k_2019_2025.csv: rate_per_10000 (2019-2024) (DfE)", decimals: nil),
        PanelColumn(name: "population_0_17", unit: "children", referenceDate: population, definition: "Children aged 0 to 17 for the mid-year before the count: from 2019 the denominator DfE's rates use (population_estimate); before, ONS's estimate in DfE's compilation (mid-2012 on: none for 2011 and 2012; none for Bournemouth, Poole and the old Dorset before 2019, which that compilation marks `x`).", source: "england_cla_31march_rate_per10k_2019_2025.csv: population_estimate (2019-2024); england_child_population_0_17_mye_2012_2024.csv: population_estimate (2013-2018) (ONS via DfE)", decimals: nil),
        PanelColumn(name: "derived_rate_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "31 March", definition: "Derived: children_looked_after / population_0_17 * 10,000, unrounded, in every year both exist. From 2019 it rounds to the official rate; before 2017 it differs from it where ONS revised the estimates.", source: "derived from children_looked_after and population_0_17", decimals: 4),
        PanelColumn(name: "children_starting", unit: "children", referenceDate: "year ending 31 March", definition: "Children who started to be looked after during the year (cla_started_during_year), as first published for 2011-2017 (later time series revise them slightly upward), from the 2021-22 publication for 2018, the latest publication for 2019 on.", source: "england_cla_starts_by_la_2011_2025.csv: cla_started_during_year (DfE)", decimals: nil),
        PanelColumn(name: "starts_rate_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "year ending 31 March", definition: "Official DfE rate of children starting to be looked after per 10,000 children under 18, rounded to a whole number; published from 2019 (NA before).", source: "england_cla_starts_by_la_2011_2025.csv: rate_per_10000 (DfE)", decimals: nil),
        PanelColumn(name: "derived_starts_rate_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "year ending 31 March", definition: "Derived: children_starting / population_0_17 * 10,000, unrounded.", source: "derived from children_starting and population_0_17", decimals: 4),
        PanelColumn(name: "starts_need_abuse_or_neglect", unit: "children", referenceDate: "year ending 31 March", definition: "Starts by category of need N1, abuse or neglect; published to 2018 (NA after). `c` suppressed, `x` not available.", source: "england_cla_starts_by_la_2011_2025.csv: starts_need_N1_abuse_or_neglect (DfE)", decimals: nil),
        PanelColumn(name: "starts_need_child_disability", unit: "children", referenceDate: "year ending 31 March", definition: "Starts by category of need N2, child's disability; to 2018.", source: "england_cla_starts_by_la_2011_2025.csv: starts_need_N2_child_disability (DfE)", decimals: nil),
        PanelColumn(name: "starts_need_parental_illness_disability", unit: "children", referenceDate: "year ending 31 March", definition: "Starts by category of need N3, parental illness or disability; to 2018.", source: "england_cla_starts_by_la_2011_2025.csv: starts_need_N3_parental_illness_disability (DfE)", decimals: nil),
        PanelColumn(name: "starts_need_family_acute_stress", unit: "children", referenceDate: "year ending 31 March", definition: "Starts by category of need N4, family in acute stress; to 2018.", source: "england_cla_starts_by_la_2011_2025.csv: starts_need_N4_family_acute_stress (DfE)", decimals: nil),
        PanelColumn(name: "starts_need_family_dysfunction", unit: "children", referenceDate: "year ending 31 March", definition: "Starts by category of need N5, family dysfunction; to 2018.", source: "england_cla_starts_by_la_2011_2025.csv: starts_need_N5_family_dysfunction (DfE)", decimals: nil),
        PanelColumn(name: "starts_need_socially_unacceptable_behaviour", unit: "children", referenceDate: "year ending 31 March", definition: "Starts by category of need N6, socially unacceptable behaviour; to 2018.", source: "england_cla_starts_by_la_2011_2025.csv: starts_need_N6_socially_unacceptable_behaviour (DfE)", decimals: nil),
        PanelColumn(name: "starts_need_low_income", unit: "children", referenceDate: "year ending 31 March", definition: "Starts by category of need N7, low income; to 2018.", source: "england_cla_starts_by_la_2011_2025.csv: starts_need_N7_low_income (DfE)", decimals: nil),
        PanelColumn(name: "starts_need_absent_parenting", unit: "children", referenceDate: "year ending 31 March", definition: "Starts by category of need N8, absent parenting; to 2018.", source: "england_cla_starts_by_la_2011_2025.csv: starts_need_N8_absent_parenting (DfE)", decimals: nil),
        PanelColumn(name: "children_low_income", unit: "children", referenceDate: "financial year ending 31 March", definition: "Children in relative low-income families (DWP/HMRC, Stat-Xplore, revised vintage), dependent children: under 16, or 16 to 19 in full-time non-advanced education; financial year ending in March of the year, from 2015. Published on April 2023 boundaries: Northamptonshire (to 2021) and Cumbria (to 2023) are the sums of their successors (whole districts regrouped, so the sum is exact: derived); Bournemouth, Poole and the old Dorset have none (NA), as part of Dorset went to the merged authority.", source: "uk_utla_children_relative_low_income_fye2015_2024_statxplore.csv: children_in_relative_low_income_families, by utla23_code_matched_by_name and fye (DWP)", decimals: nil),
        PanelColumn(name: "children_low_income_pct", unit: "per 100 children aged 0-17", referenceDate: "financial year ending 31 March", definition: "Derived: children_low_income / population_0_17 * 100. The denominator is the official 0-17 estimate for the mid-year before; DWP's own percentages use other ages and estimates, so this is a comparable index across authorities and years, not DWP's published percentage.", source: "derived from children_low_income and population_0_17", decimals: 4),
        PanelColumn(name: "imd_average_score", unit: "score", referenceDate: "IoD 2019", definition: "Index of Multiple Deprivation 2019, average score (upper-tier summary on 2019 boundaries); the same in every year; NA for areas not on those boundaries.", source: "england_imd2019_upper_tier_la_summaries.csv: IMD - Average score (MHCLG)", decimals: nil),
        PanelColumn(name: "idaci_average_score", unit: "score (share of children)", referenceDate: "IoD 2019", definition: "Income Deprivation Affecting Children Index 2019, average score; as above.", source: "england_imd2019_upper_tier_la_summaries.csv: IDACI - Average score (MHCLG)", decimals: nil),
        PanelColumn(name: "domestic_abuse_parent_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "year ending 31 March", definition: "Derived: children-in-need assessments ending in the year with domestic abuse of a parent identified, per 10,000 children (population_0_17); from 2018.", source: "england_cin_factors_end_of_assessment_2018_2025.csv: Domestic_Abuse_parent (DfE table C3); derived with population_0_17", decimals: 4),
        PanelColumn(name: "mental_health_parent_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "year ending 31 March", definition: "Derived: as above, parental mental health.", source: "england_cin_factors_end_of_assessment_2018_2025.csv: Mental_Health_parent (DfE table C3); derived with population_0_17", decimals: 4),
        PanelColumn(name: "drug_misuse_parent_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "year ending 31 March", definition: "Derived: as above, parental drug misuse.", source: "england_cin_factors_end_of_assessment_2018_2025.csv: Drug_Misuse_parent (DfE table C3); derived with population_0_17", decimals: 4),
        PanelColumn(name: "alcohol_misuse_parent_per_10000", unit: "per 10,000 children aged 0-17", referenceDate: "year ending 31 March", definition: "Derived: as above, parental alcohol misuse.", source: "england_cin_factors_end_of_assessment_2018_2025.csv: Alcohol_Misuse_parent (DfE table C3); derived with population_0_17", decimals: 4),
        PanelColumn(name: "csc_net_spend_per_child_gbp", unit: "GBP per child aged 0-17", referenceDate: "financial year ending 31 March", definition: "Derived: net current expenditure on children's social care (GBP thousand * 1000) / population_0_17. 2022 from RSX 2021-22, 2023 from RSX 2022-23, 2024 from RO3 2023-24 (MHCLG revenue outturn; RSX and RO3 definitions are close but not identical); no source for other years (NA).", source: "england_rsx_childrens_social_care_expenditure_2021_22.csv and england_rsx_childrens_social_care_expenditure_2022_23.csv: childrens_social_care_net_cur_exp_gbp_thousands; england_ro3_childrens_social_care_expenditure_2023_24_2024_25.csv: total_childrens_social_care_net_current_exp_gbp_thousands, financial_year 2023-24 (MHCLG); derived with population_0_17", decimals: 2),
        PanelColumn(name: "unemployment_rate_pct", unit: "percent", referenceDate: "year ending 31 March", definition: "ONS model-based unemployment rate for the year ending March, 2015 to 2020, on 2021 lower-tier areas: only for authorities that are also lower-tier districts in 2021 (counties have none, and Bournemouth, Poole and the old Dorset none before 2020).", source: "gb_ltla_model_based_unemployment_rate_2015_2020.csv: model_based_unemployment_rate_pct, by ltla21_code (ONS)", decimals: nil),
    ]

    static let caveats = [
        "Each year is on the boundaries of that year, as DfE publishes its rows: Bournemouth, Poole and the county of Dorset to 2019, Bournemouth, Christchurch and Poole and the unitary Dorset from 2020; Northamptonshire to 2021, North and West Northamptonshire from 2022; Cumbria to 2023, Cumberland and Westmorland and Furness in 2024. A predecessor and its successors are different units (a fixed-effects or within model treats them so); nothing is apportioned. Authorities whose code changed on the same boundary (Gateshead and Northumberland in 2013, Buckinghamshire, North Yorkshire and Somerset) keep their latest code in every year. Every change is in `england_la_boundary_changes.csv`.",
        "Isles of Scilly: DfE gives no starts before 2018 and marks its starts `c` or `z` after; City of London's starts are `x` to 2015.",
        "Values to 2017 are as first published; DfE's later time series revise starts slightly (for example England 2015 from 31,070 to 31,350).",
        "Markers kept from the sources: `c` suppressed, `x` not available, `z` not applicable, `u` low reliability (DfE); `[x]` not available or not certified (MHCLG). `NA` means no source has a value for that authority and year.",
        "Children-in-need factors: authorities may record several factors per assessment, and recording practice varies between authorities.",
    ]
}
