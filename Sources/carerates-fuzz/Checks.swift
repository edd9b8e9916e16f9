import DataTable
import Foundation
import LinearAlgebra
import Notebook
import Regression

/// What each parser must do with any input: return or throw its own error (never crash), and
/// keep the invariants below. A check returns nil when they hold, else what went wrong.
enum Checks {
    /// A number cell: read by the CSV reader as the correctly rounded double (strtod's) when it
    /// is a decimal number of the reader's grammar, thousands separators allowed, finite;
    /// otherwise not as a number. `DataTable.parseNumber` agrees with the reader.
    static func number(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expected = reference(trimmed)
        let parsed = DataTable.parseNumber(trimmed)
        if parsed?.bitPattern != expected?.bitPattern {
            return "parseNumber(\(String(reflecting: trimmed))) = \(String(describing: parsed)), strtod says \(String(describing: expected))"
        }
        // Through the reader, where the cell cannot change the file's structure.
        guard !bytes.contains(where: { $0 == 10 || $0 == 13 || $0 == 44 || $0 == 34 }), !trimmed.isEmpty,
              !CSVOptions.officialStatisticsMarkers.contains(trimmed), bytes.first != 0xEF
        else { return nil }
        let table: DataTable
        do { table = try DataTable.parse(bytes: Array("x\n".utf8) + bytes + [10], source: "n.csv") } catch { return nil }
        guard let column = try? table.column(named: "x"), table.rowCount == 1 else { return "the cell did not make one row" }
        let read: Double? = column.kind == .numeric && !column.isMissing(0) ? column.numbers[0] : nil
        if read?.bitPattern != expected?.bitPattern {
            return "the reader read \(String(reflecting: text)) as \(String(describing: read)), strtod says \(String(describing: expected))"
        }
        return nil
    }

    /// strtod's value of `s` when it is `[+-]digits[.digits][e[+-]digits]` (digits on at least one
    /// side of the point), or such a number in groups of three with commas, and finite.
    static func reference(_ s: String) -> Double? {
        var body = Substring(s)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        var plain = String(body)
        if body.contains(",") {
            let parts = body.split(separator: ".", omittingEmptySubsequences: false)
            let groups = parts[0].split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count <= 2, (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }),
                  groups.allSatisfy({ $0.allSatisfy { $0 >= "0" && $0 <= "9" } }),
                  parts.count == 1 || parts[1].allSatisfy({ $0 >= "0" && $0 <= "9" })
            else { return nil }
            plain = body.filter { $0 != "," }
        }
        let u = Array(plain.utf8)
        var i = 0, mantissaDigits = 0
        while i < u.count && u[i] >= 48 && u[i] <= 57 { i += 1; mantissaDigits += 1 }
        if i < u.count && u[i] == 46 {
            i += 1
            while i < u.count && u[i] >= 48 && u[i] <= 57 { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return nil }
        if i < u.count && (u[i] == 101 || u[i] == 69) {
            i += 1
            if i < u.count && (u[i] == 43 || u[i] == 45) { i += 1 }
            let start = i
            while i < u.count && u[i] >= 48 && u[i] <= 57 { i += 1 }
            guard i > start else { return nil }
        }
        guard i == u.count else { return nil }
        let value = strtod((s.first == "-" ? "-" : "") + plain, nil)
        return value.isFinite ? value : nil
    }

    /// A CSV file: read with one worker and with two, the same table or the same error; every
    /// column as long as the table.
    static func csv(_ bytes: [UInt8]) -> String? {
        func read(_ threads: Int) -> Result<DataTable, DataError> {
            var options = CSVOptions()
            options.threads = threads
            do { return .success(try DataTable.parse(bytes: bytes, source: "f.csv", options: options)) } catch { return .failure(error) }
        }
        switch (read(1), read(2)) {
        case (.failure(let a), .failure(let b)):
            return a == b ? nil : "one worker: \(a); two: \(b)"
        case (.success(let a), .success(let b)):
            if let problem = consistent(a) { return problem }
            return same(a, b) ? nil : "one worker and two read different tables"
        case (.success, .failure(let e)), (.failure(let e), .success):
            return "only one of one worker and two failed: \(e)"
        }
    }

    static func consistent(_ t: DataTable) -> String? {
        for c in t.columns {
            let count = c.kind == .numeric ? c.numbers.count : c.strings.count
            if count != t.rowCount || (!c.missing.isEmpty && c.missing.count != t.rowCount) {
                return "column \(c.name) has \(count) cells for \(t.rowCount) rows"
            }
        }
        return nil
    }

    static func same(_ a: DataTable, _ b: DataTable) -> Bool {
        guard a.rowLines == b.rowLines, a.columns.count == b.columns.count else { return false }
        for (x, y) in zip(a.columns, b.columns) {
            guard x.name == y.name, x.kind == y.kind, x.strings == y.strings, x.missing == y.missing,
                  x.numbers.map(\.bitPattern) == y.numbers.map(\.bitPattern), x.firstNonNumericRow == y.firstNonNumericRow
            else { return false }
        }
        return true
    }

    /// A small table with the columns the formula inputs name.
    static let table: DataTable = {
        var text = "y,x,a,b,g,w,pop,odd name,TRUE\n"
        for i in 0..<24 {
            text += "\(i % 7 + 1),\(Double(i) / 3),\(i % 5),\(Double(i * i % 11) / 2),\(["p", "q", "r"][i % 3]),\(i % 4 + 1),"
                + "\(100 + i * 10),\(i % 2),\(i % 3)\n"
        }
        return try! DataTable.parse(bytes: Array(text.utf8), source: "t.csv")
    }()

    /// A formula: parsed, or refused with a position inside it (or just past its end); when
    /// parsed, its frame built and a least-squares and a Poisson fit made, or refused with a
    /// ``ModelError``.
    static func formula(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let formula: Formula
        do { formula = try Formula(text) } catch {
            let length = text.count
            return (1...(length + 1)).contains(error.position) ? nil : "position \(error.position) outside 1...\(length + 1)"
        }
        if formula.terms.count > 10_000 { return "\(formula.terms.count) terms" }
        do { _ = try LinearModel.fit(formula, data: table, backend: SwiftBackend()) } catch {}
        do { _ = try GeneralizedLinearModel.fit(formula, data: table, options: GLMOptions(family: .poisson), backend: SwiftBackend()) } catch {}
        return nil
    }

    /// A notebook parses or fails with its own error; parsed, it keeps every byte, its blocks
    /// lie inside it in order, and each block's commands split or fail with a located error.
    static func notebook(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let document: NotebookDocument
        do { document = try NotebookDocument(text: text, figureFolder: "nb.figures") } catch { return nil }
        guard document.lines.joined() == text else { return "the document's lines do not give back its text" }
        var previous = -1
        for block in document.blocks {
            guard block.open > previous, block.close > block.open, block.regionStart == block.close + 1,
                  block.regionEnd >= block.regionStart, block.regionEnd <= document.lines.count
            else { return "block \(block.id) lies outside the document or out of order" }
            previous = block.regionEnd - 1
            let body = document.lines[(block.open + 1)..<block.close].map(NotebookDocument.content)
            do throws(CommandWords.ParseError) {
                for command in try CommandWords.parse(body, first: block.open + 2) where command.line < block.open + 2 || command.line > block.close {
                    return "a command of block \(block.id) is placed at line \(command.line), outside it"
                }
            } catch {
                guard error.line >= block.open + 2 && error.line <= max(block.close, block.open + 2) else {
                    return "a command error of block \(block.id) is placed at line \(error.line), outside it"
                }
            }
        }
        return nil
    }
}
