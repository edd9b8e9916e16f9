import DataTable
import Foundation

/// Builds the bundled panels and their codebook from the official-statistics folder.
public enum DataBuild {
    /// The panels, built from `directory` (the folder `../shared/data` of the checkout).
    public static func panels(from directory: URL) throws(DataError) -> [Panel] {
        [
            try WalesPanel.build(from: directory), try EnglandPanel.build(from: directory),
            try EnglandLongPanel.build(from: directory), EnglandBoundaries.table,
        ]
    }

    /// Writes each panel's CSV and the codebook (`README.md`) into `output`, atomically.
    @discardableResult
    public static func run(from directory: URL, to output: URL) throws -> [Panel] {
        let panels = try panels(from: directory)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        for panel in panels {
            try Data(panel.csv.utf8).write(to: output.appendingPathComponent(panel.file), options: .atomic)
        }
        try Data(Codebook.render(panels).utf8).write(to: output.appendingPathComponent("README.md"), options: .atomic)
        return panels
    }
}
