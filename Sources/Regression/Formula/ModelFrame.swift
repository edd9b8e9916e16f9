import DataTable
import Foundation
import LinearAlgebra

/// A formula applied to a table: the response, the design matrix with R's column names, and
/// the rows dropped for missing values (counted by the column and marker that dropped them).
public struct ModelFrame: Sendable {
    /// The formula applied.
    public let formula: Formula
    /// The response per used row (a `cbind()` response's successes).
    public private(set) var response: [Double]
    /// The failures of a `cbind(successes, failures)` response (``response`` holds the successes).
    public internal(set) var failures: [Double]?
    /// The design matrix, one column per coefficient.
    public let design: Matrix
    /// Design column names as R prints them: `(Intercept)`, `x1`, `x1:x2`.
    public let columnNames: [String]
    /// Table rows used, in order.
    public let rows: [Int]
    /// Rows dropped because a variable was missing.
    public let dropped: [DroppedRow]
    /// The table the rows are of.
    public let table: DataTable
    /// Each used row's label in the grouping column (for cluster-robust errors), if one was named.
    public let groups: [String]?
    /// Each used row's prior weight, if a weights column was named.
    public let weights: [Double]?
    /// The formula's offsets summed per used row (nil without `offset()`).
    public let offset: [Double]?

    /// A dropped row and the first variable (in formula order) that was missing in it.
    public struct DroppedRow: Sendable, Equatable {
        /// The table row.
        public var row: Int
        /// Its file line.
        public var line: Int
        /// The first column missing in it.
        public var column: String
        /// The missing-value marker found there.
        public var marker: String
    }

    /// Builds the frame. Errors name the file, line and column (a column that does not exist or
    /// holds text) or the formula position.
    /// - Parameters:
    ///   - formula: the model formula, applied to `table`.
    ///   - table: the data.
    ///   - groupColumn: a column whose labels are kept for cluster-robust errors.
    ///   - weightsColumn: a column of observation weights (nil: unweighted).
    ///   - alsoRequire: further columns that must be present in a row for it to be used (so
    ///     that nested models are fitted to the same rows).
    ///   - candidates: the table rows to consider, ascending (nil: all). The frame is then the
    ///     one the table holding only those rows would give (transforms and levels learned from
    ///     them too), with row numbers still those of `table`: what a refit on a subset needs.
    public init(
        formula: Formula, table: DataTable, groupColumn: String? = nil, weightsColumn: String? = nil,
        alsoRequire: [String] = [], candidates: [Int]? = nil
    ) throws(ModelError) {
        self.formula = formula
        self.table = table
        var groupColumnData: Column?
        if let groupColumn {
            do { groupColumnData = try table.column(named: groupColumn) } catch { throw .data(error) }
        }
        var required = [String: Column]()
        for name in alsoRequire + (weightsColumn.map { [$0] } ?? []) {
            do { required[name] = try table.column(named: name) } catch { throw .data(error) }
        }
        for call in formula.unitCalls where formula.unitColumn(of: call) == nil {
            throw .formula(FormulaError(
                text: formula.text, position: call.position,
                message: "\(call.deparsed) needs the panel's unit: give --panel UNIT,TIME (e.g. la_code,year) or write it in the call"))
        }
        // An absorbed factor's and a panel unit's columns need only be present: their cells
        // are levels, text or numbers.
        for name in formula.fixedEffects.joined() + formula.unitColumns where required[name] == nil {
            do { required[name] = try table.column(named: name) } catch {
                throw formula.pointing(at: error).map { .formula($0) } ?? .data(error)
            }
        }
        var columns = [String: Column]()
        let categoricalColumns = ModelFrame.categoricalColumns(formula)
        for name in formula.modelVariables {
            let column: Column
            do { column = try table.column(named: name) } catch { throw formula.pointing(at: error).map { .formula($0) } ?? .data(error) }
            if column.kind == .text {
                // Text enters as categories; but a column of numbers with a stray word in it is
                // a data error, unless the formula asks for factor(column) explicitly.
                let explicit = categoricalColumns.explicit.contains(name)
                let mixed = column.strings.contains { DataTable.parseNumber($0.trimmingCharacters(in: .whitespaces)) != nil }
                if !categoricalColumns.all.contains(name) || (mixed && !explicit) {
                    let row = column.firstNonNumericRow ?? 0
                    throw .textColumn(table.location(row: row, column: name), value: column.strings[row])
                }
            }
            columns[name] = column
        }
        var keep = [Int]()
        var dropped = [DroppedRow]()
        // A row is used when every variable, and the grouping column if any, is present.
        var variables = formula.variables + (groupColumn.map { [$0] } ?? [])
        for name in alsoRequire + (weightsColumn.map { [$0] } ?? []) where !variables.contains(name) { variables.append(name) }
        let withMissing = variables.map { columns[$0] ?? required[$0] ?? groupColumnData! }.enumerated()
            .filter { !$0.element.missing.isEmpty }
        keep.reserveCapacity(candidates?.count ?? table.rowCount)
        for i in candidates ?? Array(0..<table.rowCount) {
            if let (k, column) = withMissing.first(where: { $0.element.missing[i] != nil }) {
                dropped.append(DroppedRow(row: i, line: table.rowLines[i], column: variables[k], marker: column.missing[i]!))
            } else {
                keep.append(i)
            }
        }
        rows = keep
        self.dropped = dropped
        groups = groupColumnData.map { column in keep.map { table.cellText(row: $0, column: column) ?? "" } }
        if let weightsColumn {
            let column = required[weightsColumn]!
            if column.kind == .text {
                let row = column.firstNonNumericRow ?? 0
                throw .textColumn(table.location(row: row, column: weightsColumn), value: column.strings[row])
            }
            let w = keep.map { column.numbers[$0] }
            if let bad = w.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
                throw .badWeight(table.location(row: keep[bad], column: weightsColumn), value: w[bad])
            }
            weights = w
        } else {
            weights = nil
        }
        // The response (and a binomial's failures) must be numbers, even where the same column
        // enters the terms as a factor.
        for name in [formula.response] + (formula.responseFailures.map { [$0] } ?? []) where columns[name]!.kind == .text {
            let column = columns[name]!
            let row = column.firstNonNumericRow ?? 0
            let value = shownPlainly(column.strings.isEmpty ? "" : column.strings[row])
            throw .unsupported("\(table.location(row: row, column: name)): \"\(value)\" is not a number, and the response "
                + (name == formula.response ? "" : "(the failures of cbind(successes, failures)) ") + "must be numbers")
        }
        // (Each column looked up once, not once per row.)
        let responseNumbers = columns[formula.response]!.numbers
        response = keep.count == responseNumbers.count ? responseNumbers : keep.map { responseNumbers[$0] }
        failures = formula.responseFailures.map { name in
            let numbers = columns[name]!.numbers
            return keep.map { numbers[$0] }
        }

        // Evaluate each model variable over the rows used (data-dependent transforms learned first).
        var learned = try LearnedTransform.learn(formula: formula, table: table, columns: columns, candidates: candidates)
        for name in formula.unitColumns where columns[name] == nil { columns[name] = required[name] }
        // within() and between() learn their unit means from the rows used.
        learned.merge(try LearnedTransform.learnUnitMeans(formula: formula, table: table, columns: columns, rows: keep, learned: learned)) { a, _ in a }
        self.learned = learned
        let evaluator = Evaluator(table: table, columns: columns, rows: keep, formula: formula, learned: learned)
        var values = [String: ModelVariable]()
        for term in formula.terms {
            for label in term where values[label] == nil { values[label] = try evaluator.evaluate(label) }
        }
        offset = try evaluator.offset()
        let design = try DesignBuilder(formula: formula, values: values, rows: keep.count)
        columnNames = design.names
        columnTerms = design.terms
        self.design = Matrix(rows: keep.count, columns: design.names.count, elements: design.elements)
        self.variables = values
    }

    /// The design matrix of new data through this frame's formula: the same transforms, the
    /// same factor levels and coding (a level the fit never saw is an error naming it). Rows
    /// missing a predictor are left out and returned as dropped.
    public func design(for data: DataTable) throws(ModelError) -> (design: Matrix, rows: [Int], dropped: [DroppedRow]) {
        let predictors = formula.predictors + formula.unitColumns.filter { !formula.predictors.contains($0) }
        var columns = [String: Column]()
        for name in predictors {
            do { columns[name] = try data.column(named: name) } catch { throw .data(error) }
        }
        var keep = [Int](), dropped = [DroppedRow]()
        for i in 0..<data.rowCount {
            if let name = predictors.first(where: { columns[$0]!.isMissing(i) }) {
                dropped.append(DroppedRow(row: i, line: data.rowLines[i], column: name, marker: columns[name]!.missing[i] ?? ""))
            } else {
                keep.append(i)
            }
        }
        var levels = [String: [String]]()
        for (label, variable) in variables {
            if case .categorical(let l, _) = variable { levels[label] = l }
        }
        let evaluator = Evaluator(table: data, columns: columns, rows: keep, formula: formula, fittedLevels: levels, learned: learned)
        var values = [String: ModelVariable]()
        for term in formula.terms {
            for label in term where values[label] == nil { values[label] = try evaluator.evaluate(label) }
        }
        let builder = try DesignBuilder(formula: formula, values: values, rows: keep.count)
        return (Matrix(rows: keep.count, columns: builder.names.count, elements: builder.elements), keep, dropped)
    }

    /// The formula's offsets summed over `rows` of new data (zeros without `offset()`); a
    /// missing or non-finite offset is an error naming the line.
    public func offsets(for data: DataTable, rows: [Int]) throws(ModelError) -> [Double] {
        var columns = [String: Column]()
        for node in formula.offsets {
            for name in node.columns {
                do { columns[name] = try data.column(named: name) } catch { throw .data(error) }
            }
        }
        let evaluator = Evaluator(table: data, columns: columns, rows: rows, formula: formula, learned: learned)
        return try evaluator.offset() ?? [Double](repeating: 0, count: rows.count)
    }

    /// The least-squares problem to solve: `sqrt(w) X`, `sqrt(w) (y - offset)` with weights, else
    /// `X`, `y - offset`.
    public var workingProblem: (design: Matrix, response: [Double]) {
        let y = offset.map { zip(response, $0).map { $0 - $1 } } ?? response
        guard let weights else { return (design, y) }
        return (rowsScaled(design, byRootOf: weights), zip(weights, y).map { $0.squareRoot() * $1 })
    }

    /// For each design column, the index of the formula term it belongs to (-1: the intercept).
    public let columnTerms: [Int]
    /// The evaluated model variables by label (levels of factors, for prediction and reports).
    public let variables: [String: ModelVariable]
    /// The parameters of `scale()` and orthogonal `poly()` learned from this frame's table.
    let learned: [String: LearnedTransform]

    /// Data columns that may enter the model as categories: directly as a term, or in
    /// factor() (`explicit`).
    static func categoricalColumns(_ formula: Formula) -> (all: Set<String>, explicit: Set<String>) {
        var all = Set<String>(), explicit = Set<String>()
        for term in formula.terms {
            for label in term {
                switch formula.expressions[label] {
                case .variable(let name, _)?: all.insert(name)
                case .call("factor", let args, _)?:
                    for case .variable(let name, _) in args {
                        all.insert(name)
                        explicit.insert(name)
                    }
                default: break
                }
            }
        }
        return (all, explicit)
    }

    /// Dropped rows summarised by column and marker, e.g. `x2 "[c]": 3`.
    public var droppedSummary: [(column: String, marker: String, count: Int)] {
        var counts = [(column: String, marker: String, count: Int)]()
        for d in dropped {
            if let k = counts.firstIndex(where: { $0.column == d.column && $0.marker == d.marker }) {
                counts[k].count += 1
            } else {
                counts.append((d.column, d.marker, 1))
            }
        }
        return counts
    }
}

extension ModelFrame {
    /// The frame with the response `y` on its rows (the table, design and offsets as they were):
    /// what a refit to a new response fits. For `cbind(successes, failures)`, `y` is proportions
    /// of each row's trials (successes rounded to whole numbers).
    func replacingResponse(_ y: [Double]) throws(ModelError) -> ModelFrame {
        guard y.count == rows.count else { throw .unsupported("a new response needs one value per row used (\(rows.count))") }
        var frame = self
        if let failures {
            // cbind(successes, failures): y holds proportions of the same trials.
            let trials = zip(response, failures).map { $0 + $1 }
            frame.response = zip(y, trials).map { ($0 * $1).rounded() }
            frame.failures = zip(trials, frame.response).map { $0 - $1 }
        } else {
            frame.response = y
        }
        return frame
    }
}

extension Formula {
    /// Checks that `table` has every column this formula reads; a missing one is an error
    /// pointing at it in the formula (before models sharing rows require each other's columns).
    func requireColumns(in table: DataTable) throws(ModelError) {
        for name in variables {
            do { _ = try table.column(named: name) } catch { throw pointing(at: error).map { .formula($0) } ?? .data(error) }
        }
    }
}
