import DataTable
/// A JSON value written with keys in a fixed order and numbers that read back exactly
/// (shortest round-trip form; NaN and infinities as null, as JSON has no such numbers).
public indirect enum JSONValue {
    /// A JSON string.
    case string(String)
    /// A number; nil (and a non-finite value) is written `null`.
    case number(Double?)
    /// true or false.
    case bool(Bool)
    /// An array.
    case array([JSONValue])
    /// An object, its keys in the order given.
    case object([(String, JSONValue)])

    /// The value as JSON text, nested values indented by `indent` levels.
    public func rendered(indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent + 1), close = String(repeating: "  ", count: indent)
        switch self {
        case .string(let s): return Self.quote(s)
        case .number(let v):
            guard let v, v.isFinite else { return "null" }
            return v.shortText
        case .bool(let b): return b ? "true" : "false"
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n" + close + "]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { pad + Self.quote($0.0) + ": " + $0.1.rendered(indent: indent + 1) }
                .joined(separator: ",\n") + "\n" + close + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

import Foundation
