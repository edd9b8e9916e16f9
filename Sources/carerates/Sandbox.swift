import CareRates
import Foundation

/// Where a notebook's commands may read and write: they write only inside the notebook's work
/// folder and read only there, in the notebook's repository and in the bundled datasets.
/// Outside a notebook (`current` nil) nothing is confined.
enum Sandbox {
    struct Roots {
        let work: URL
        let reads: [URL]
    }

    nonisolated(unsafe) static var current: Roots?

    static func canonical(_ path: String) -> URL {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
    }

    static func inside(_ url: URL, _ root: URL) -> Bool {
        let r = canonical(root.path).path
        return url.path == r || url.path.hasPrefix(r.hasSuffix("/") ? r : r + "/")
    }

    /// The file to read for `nameOrPath` (a path, or a bundled dataset's name): in a notebook, a
    /// relative path not in the work folder is looked up in the repository, and a file outside
    /// the allowed folders is refused.
    static func input(_ nameOrPath: String) throws -> String {
        guard let roots = current else { return DatasetLocator.resolve(nameOrPath) }
        var path = DatasetLocator.resolve(nameOrPath)
        if !path.hasPrefix("/") && !FileManager.default.fileExists(atPath: path), let repository = roots.reads.dropFirst().first {
            let candidate = repository.appendingPathComponent(path).path
            if FileManager.default.fileExists(atPath: candidate) { path = candidate }
        }
        let target = canonical(path)
        guard roots.reads.contains(where: { inside(target, $0) }) else {
            throw CLIError("\(nameOrPath): a notebook reads only its work folder's files, its repository's and the bundled datasets")
        }
        return path
    }

    /// Refuses, in a notebook, a write outside the work folder.
    static func checkWrite(_ path: String) throws {
        guard let roots = current else { return }
        let target = canonical(path)
        guard inside(target.deletingLastPathComponent(), roots.work) else {
            throw CLIError("\(path): a notebook writes only inside its work folder (give a name without folders, e.g. funnel.svg)")
        }
    }
}
