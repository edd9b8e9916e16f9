import Foundation

/// Finds data files: a path as given, or the name of a dataset bundled in the project's
/// `datasets/` folder (with or without `.csv`).
public enum DatasetLocator {
    /// Folders searched for bundled datasets: `$CARERATES_DATASETS`, `./datasets`, and the
    /// `datasets` folder of the checkout the executable was built in.
    public static var searchFolders: [URL] {
        var folders = [URL]()
        if let env = ProcessInfo.processInfo.environment["CARERATES_DATASETS"] {
            folders.append(URL(fileURLWithPath: env))
        }
        folders.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("datasets"))
        // The executable lives in <checkout>/.build*/<configuration>/; walk up to find datasets/.
        var dir = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            folders.append(dir.appendingPathComponent("datasets"))
            dir = dir.deletingLastPathComponent()
        }
        return folders
    }

    /// The running executable, absolute (so that a change of the current folder, as a notebook
    /// makes, does not lose it).
    static let executable: URL = {
        let proc = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if proc.path != "/proc/self/exe" && FileManager.default.fileExists(atPath: proc.path) { return proc }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath()
    }()

    /// The first search folder that exists.
    public static var bundledFolder: URL? {
        searchFolders.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    /// The path to read for `nameOrPath`: the path itself when it exists, else a bundled dataset.
    public static func resolve(_ nameOrPath: String) -> String {
        if FileManager.default.fileExists(atPath: nameOrPath) { return nameOrPath }
        guard !nameOrPath.contains("/") else { return nameOrPath }
        let file = nameOrPath.hasSuffix(".csv") ? nameOrPath : nameOrPath + ".csv"
        for folder in searchFolders {
            let candidate = folder.appendingPathComponent(file).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nameOrPath
    }
}
