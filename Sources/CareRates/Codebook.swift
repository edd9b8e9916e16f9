/// The codebook of the bundled datasets (`datasets/README.md`), generated with the panels so
/// the two cannot drift apart.
enum Codebook {
    static func render(_ panels: [Panel]) -> String {
        var out = """
            # Bundled datasets

            Built by `carerates data build --from ../shared/data` (see `scripts/build-data.sh`);
            do not edit by hand. CI rebuilds them and fails if they differ from these files.

            ## Licence and attribution

            The Wales and England panels contain public sector information licensed under the Open
            Government Licence v3.0 (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/):
            statistics from the Department for Education, the Office for National Statistics, the
            Ministry of Housing, Communities and Local Government, the Department for Work and
            Pensions and the Welsh Government (StatsWales), Crown copyright. The source files and
            the public copies they were taken from are listed in `../shared/data/SOURCES.md` of the
            build; each column below names its source file. Columns marked derived are CareRates'
            own arithmetic on those figures, not official statistics.

            `longley.csv` is NIST's Longley dataset (Statistical Reference Datasets, US government
            work, public domain): Longley's (1967) US macroeconomic series for 1947-1962, values as
            in NIST's `Longley.dat` with columns renamed from y, x1..x6 to `employed`,
            `gnp_deflator`, `gnp`, `unemployed`, `armed_forces`, `population`, `year`.

            ## Gaps

            A gap stays a gap: nothing is estimated or imputed. A missing cell holds the source's own
            marker (`*` disclosive, `c` suppressed, `x` not available, `z` not applicable, `k` less
            than 0.5%, `u` low reliability, `[x]` not available or not certified) or `NA` where no source has a row for
            that authority and year. CareRates reads all of these as missing and reports, for each
            model, how many rows each column and marker dropped.

            """
        for panel in panels {
            let authorities = Set(panel.rows.map { $0[0] }).count
            out += "\n## `\(panel.file)`: \(panel.title)\n\n"
            if let rowsAre = panel.rowsAre {
                out += "\(panel.rows.count) rows, \(rowsAre).\n\n"
            } else {
                out += "\(panel.rows.count) rows: \(authorities) authorities, one row per authority and year.\n\n"
            }
            out += "| column | unit | reference date | definition | source | missing |\n|---|---|---|---|---|---|\n"
            for (column, counts) in zip(panel.columns, panel.missingCounts) {
                let missing = counts.byMarker.isEmpty ? "0" : counts.byMarker.map { "\($0.1) `\($0.0)`" }.joined(separator: ", ")
                out += "| `\(column.name)` | \(column.unit) | \(column.referenceDate) | \(column.definition) | \(column.source) | \(missing) |\n"
            }
            out += "\nCaveats:\n\n" + panel.caveats.map { "- \($0)\n" }.joined()
        }
        return out
    }
}
