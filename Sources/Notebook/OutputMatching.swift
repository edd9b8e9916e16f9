/// Expected output against actual: `...` alone on a line stands for any number of lines, and
/// `[..]` within a line for any text on it (as trycmd's markers); everything else must be equal.
/// Differences are shown as a unified diff located by the notebook's line numbers.
public enum OutputMatching {
    /// Whether `actual` fits `expected` with its markers.
    public static func matches(expected: [String], actual: [String]) -> Bool {
        let n = expected.count, m = actual.count
        // fits[i][j]: expected[i...] fits actual[j...].
        var fits = [[Bool]](repeating: [Bool](repeating: false, count: m + 1), count: n + 1)
        fits[n][m] = true
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m, through: 0, by: -1) {
                if expected[i] == "..." {
                    fits[i][j] = fits[i + 1][j] || (j < m && fits[i][j + 1])
                } else {
                    fits[i][j] = j < m && lineMatches(expected[i], actual[j]) && fits[i + 1][j + 1]
                }
            }
        }
        return fits[0][0]
    }

    /// One line against a pattern in which `[..]` stands for any text.
    public static func lineMatches(_ pattern: String, _ line: String) -> Bool {
        guard pattern.contains("[..]") else { return pattern == line }
        let parts = pattern.components(separatedBy: "[..]")
        var rest = Substring(line)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for (k, part) in parts.enumerated().dropFirst() {
            if k == parts.count - 1 { return part.isEmpty || rest.hasSuffix(part) }
            guard let found = rest.range(of: part) else { return false }
            rest = rest[found.upperBound...]
        }
        return true
    }

    /// A unified diff of `expected` (whose first line is notebook line `firstLine`) against
    /// `actual`, with three lines of context; at most `limit` lines are shown.
    public static func unifiedDiff(expected: [String], actual: [String], firstLine: Int, limit: Int = 60) -> String {
        let n = expected.count, m = actual.count
        // Longest common subsequence (outputs are short; very long ones diff as a whole).
        var ops = [(Character, String, Int)]()  // (" ", "-", "+"), text, expected index
        if n * m <= 4_000_000 {
            var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    lcs[i][j] = lineMatches(expected[i], actual[j]) ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
                }
            }
            var i = 0, j = 0
            while i < n || j < m {
                if i < n && j < m && lineMatches(expected[i], actual[j]) {
                    ops.append((" ", expected[i], i)); i += 1; j += 1
                } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
                    ops.append(("-", expected[i], i)); i += 1
                } else {
                    ops.append(("+", actual[j], i)); j += 1
                }
            }
        } else {
            ops = expected.enumerated().map { ("-", $1, $0) } + actual.map { ("+", $0, n) }
        }
        var shown = [String](), k = 0
        while k < ops.count {
            guard ops[k].0 != " " else { k += 1; continue }
            // A hunk: from three lines before this change to three after the last one near it.
            let start = max(0, k - 3)
            var end = k
            while end < ops.count {
                if ops[end].0 != " " { end += 1; continue }
                let next = ops[end...].firstIndex { $0.0 != " " }
                guard let next, next - end <= 6 else { break }
                end = next
            }
            end = min(ops.count, end + 3)
            let hunk = ops[start..<end]
            let oldCount = hunk.filter { $0.0 != "+" }.count, newCount = hunk.filter { $0.0 != "-" }.count
            shown.append("@@ -\(firstLine + (hunk.first?.2 ?? 0)),\(oldCount) +\(firstLine + (hunk.first?.2 ?? 0)),\(newCount) @@")
            shown += hunk.map { String($0.0) + $0.1 }
            k = end
        }
        if shown.count > limit {
            let hidden = shown.count - limit
            shown = Array(shown.prefix(limit)) + ["... \(hidden) more diff line\(hidden == 1 ? "" : "s") (compared whole)"]
        }
        return shown.joined(separator: "\n")
    }
}
