/// Writes rows as RFC 4180 CSV: fields quoted only when they hold a delimiter, a quote or a
/// line break; LF line endings; no byte-order mark.
public enum CSVWriter {
    /// The CSV text of a header row and `rows` of fields.
    public static func render(header: [String], rows: [[String]]) -> String {
        var out = header.map(field).joined(separator: ",") + "\n"
        for row in rows { out += row.map(field).joined(separator: ",") + "\n" }
        return out
    }

    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        var quoted = "\""
        for c in s { quoted += c == "\"" ? "\"\"" : String(c) }
        return quoted + "\""
    }
}
