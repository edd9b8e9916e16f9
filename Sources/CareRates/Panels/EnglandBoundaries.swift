/// English upper-tier boundary and code changes since 2011, and the one rule the long panel
/// follows: each year on the boundaries of that year (as DfE publishes its rows), with an
/// authority whose code changed but whose boundary did not under its latest code in every year.
/// A predecessor and its successors are different units; nothing is apportioned between them.
enum EnglandBoundaries {
    /// One change: the area before, the area after, from which 31 March the panel has the
    /// successor, and what kind of change it was.
    struct Change {
        var predecessor: String, predecessorName: String
        var successor: String, successorName: String
        /// The date the change took effect.
        var effective: String
        /// The first year (31 March) the panel's rows are on the successor.
        var firstYear: Int
        var kind: String
        var note: String
    }

    static let changes: [Change] = [
        Change(predecessor: "E08000020", predecessorName: "Gateshead", successor: "E08000037", successorName: "Gateshead",
               effective: "1 April 2013", firstYear: 2013, kind: "recode",
               note: "A minor boundary correction with Northumberland; DfE's files to 2017 keep the old code. The same unit in every year."),
        Change(predecessor: "E06000048", predecessorName: "Northumberland", successor: "E06000057", successorName: "Northumberland",
               effective: "1 April 2013", firstYear: 2013, kind: "recode",
               note: "The other side of the Gateshead correction; the same unit in every year."),
        Change(predecessor: "E10000002", predecessorName: "Buckinghamshire", successor: "E06000060", successorName: "Buckinghamshire",
               effective: "1 April 2020", firstYear: 2020, kind: "recode",
               note: "The county and its districts became one unitary authority on the same boundary; the same unit in every year."),
        Change(predecessor: "E10000023", predecessorName: "North Yorkshire", successor: "E06000065", successorName: "North Yorkshire",
               effective: "1 April 2023", firstYear: 2020, kind: "recode",
               note: "Unitary on the county's boundary; DfE uses the new code from 2020. The same unit in every year."),
        Change(predecessor: "E10000027", predecessorName: "Somerset", successor: "E06000066", successorName: "Somerset",
               effective: "1 April 2023", firstYear: 2020, kind: "recode",
               note: "Unitary on the county's boundary; DfE uses the new code from 2020. The same unit in every year."),
        Change(predecessor: "E06000028", predecessorName: "Bournemouth", successor: "E06000058", successorName: "Bournemouth, Christchurch and Poole",
               effective: "1 April 2019", firstYear: 2020, kind: "merger",
               note: "With Poole and Christchurch (a district of Dorset county)."),
        Change(predecessor: "E06000029", predecessorName: "Poole", successor: "E06000058", successorName: "Bournemouth, Christchurch and Poole",
               effective: "1 April 2019", firstYear: 2020, kind: "merger", note: "With Bournemouth and Christchurch."),
        Change(predecessor: "E10000009", predecessorName: "Dorset", successor: "E06000058", successorName: "Bournemouth, Christchurch and Poole",
               effective: "1 April 2019", firstYear: 2020, kind: "split",
               note: "Christchurch district went to Bournemouth, Christchurch and Poole."),
        Change(predecessor: "E10000009", predecessorName: "Dorset", successor: "E06000059", successorName: "Dorset",
               effective: "1 April 2019", firstYear: 2020, kind: "split",
               note: "The county less Christchurch became the unitary Dorset: not the same area, so a different unit."),
        Change(predecessor: "E10000021", predecessorName: "Northamptonshire", successor: "E06000061", successorName: "North Northamptonshire",
               effective: "1 April 2021", firstYear: 2022, kind: "split",
               note: "Corby, East Northamptonshire, Kettering and Wellingborough districts."),
        Change(predecessor: "E10000021", predecessorName: "Northamptonshire", successor: "E06000062", successorName: "West Northamptonshire",
               effective: "1 April 2021", firstYear: 2022, kind: "split",
               note: "Daventry, Northampton and South Northamptonshire districts."),
        Change(predecessor: "E10000006", predecessorName: "Cumbria", successor: "E06000063", successorName: "Cumberland",
               effective: "1 April 2023", firstYear: 2024, kind: "split", note: "Allerdale, Carlisle and Copeland districts."),
        Change(predecessor: "E10000006", predecessorName: "Cumbria", successor: "E06000064", successorName: "Westmorland and Furness",
               effective: "1 April 2023", firstYear: 2024, kind: "split", note: "Barrow-in-Furness, Eden and South Lakeland districts."),
    ]

    /// Old code to latest code, for the changes that moved no boundary that matters here.
    static let recodes: [String: String] = Dictionary(
        uniqueKeysWithValues: changes.filter { $0.kind == "recode" }.map { ($0.predecessor, $0.successor) })

    /// The code a row of any source is filed under.
    static func unit(_ code: String) -> String { recodes[code] ?? code }

    /// Every code a source may use for `unit`: the unit's own and its former codes.
    static func codes(of unit: String) -> [String] { [unit] + recodes.filter { $0.value == unit }.map(\.key).sorted() }

    /// Predecessors that are exactly the union of their successors (whole districts regrouped),
    /// for sources published only on the later boundaries: the predecessor's count is the sum of
    /// the successors'. Dorset is not here: part of it went to a merged authority.
    static let exactUnions: [String: [String]] = [
        "E10000021": ["E06000061", "E06000062"],
        "E10000006": ["E06000063", "E06000064"],
    ]

    /// The lookup as a table for `datasets/`.
    static var table: Panel {
        let columns = [
            PanelColumn(name: "predecessor_code", unit: "ONS code", referenceDate: "before the change", definition: "Upper-tier authority code before the change.", source: "ONS codes as DfE publishes them", decimals: nil),
            PanelColumn(name: "predecessor_name", unit: "text", referenceDate: "", definition: "Its name.", source: "", decimals: nil),
            PanelColumn(name: "successor_code", unit: "ONS code", referenceDate: "after the change", definition: "Upper-tier authority code after the change.", source: "ONS codes as DfE publishes them", decimals: nil),
            PanelColumn(name: "successor_name", unit: "text", referenceDate: "", definition: "Its name.", source: "", decimals: nil),
            PanelColumn(name: "effective", unit: "date", referenceDate: "", definition: "The date the change took effect.", source: "", decimals: nil),
            PanelColumn(name: "first_panel_year", unit: "year", referenceDate: "31 March", definition: "The first year whose rows in `england_la_panel_2011_2024.csv` are on the successor (DfE's first count on the new boundary, or its first use of the new code).", source: "", decimals: nil),
            PanelColumn(name: "kind", unit: "text", referenceDate: "", definition: "`recode` (the same area under a new code: one unit, filed under the successor's code in every year), `merger` or `split` (different areas: different units).", source: "", decimals: nil),
            PanelColumn(name: "note", unit: "text", referenceDate: "", definition: "What moved.", source: "", decimals: nil),
        ]
        let rows: [[PanelCell]] = changes.map {
            [.text($0.predecessor), .text($0.predecessorName), .text($0.successor), .text($0.successorName), .text($0.effective),
             .number(Double($0.firstYear)), .text($0.kind), .text($0.note)]
        }
        return Panel(
            name: "england_la_boundary_changes", file: "england_la_boundary_changes.csv",
            title: "English upper-tier boundary and code changes, 2011 to 2024", columns: columns, rows: rows,
            caveats: ["Structural changes only (authorities created, merged, split or recoded); minor boundary corrections that kept the code are not listed."],
            rowsAre: "one row per predecessor and successor")
    }
}
