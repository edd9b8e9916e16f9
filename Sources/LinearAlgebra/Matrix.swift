/// A dense matrix of `Double` stored column by column (column-major), as LAPACK expects.
///
/// Element (i, j) lives at `elements[i + j * rows]`. Columns are contiguous, so a column of a
/// tall design matrix is one stretch of memory: the layout every kernel here is written for.
public struct Matrix: Sendable, Equatable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let columns: Int
    /// The elements, column by column.
    public var elements: [Double]

    /// A `rows` x `columns` matrix with every element equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.elements = Array(repeating: value, count: rows * columns)
    }

    /// A matrix from its elements in column-major order.
    public init(rows: Int, columns: Int, elements: [Double]) {
        precondition(elements.count == rows * columns, "Matrix needs rows * columns elements")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix whose columns are the given arrays, all of one length.
    public init(columns: [[Double]]) {
        let rows = columns.first?.count ?? 0
        precondition(columns.allSatisfy { $0.count == rows }, "Matrix columns must have equal length")
        self.init(rows: rows, columns: columns.count, elements: columns.flatMap { $0 })
    }

    /// The identity matrix of order `n`.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    /// The element at `row` and `column` (0-based).
    public subscript(row: Int, column: Int) -> Double {
        get { elements[row + column * rows] }
        set { elements[row + column * rows] = newValue }
    }

    /// Column `j` as an array.
    public func column(_ j: Int) -> [Double] {
        Array(elements[(j * rows)..<((j + 1) * rows)])
    }

    /// The transpose.
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for j in 0..<columns {
            for i in 0..<rows { t[j, i] = self[i, j] }
        }
        return t
    }

    /// The matrix product, computed plainly; for small matrices and tests, not for designs.
    public static func * (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.columns == b.rows, "Matrix product needs a.columns == b.rows")
        var c = Matrix(rows: a.rows, columns: b.columns)
        for j in 0..<b.columns {
            for k in 0..<a.columns {
                let bkj = b[k, j]
                if bkj == 0 { continue }
                for i in 0..<a.rows { c[i, j] += a[i, k] * bkj }
            }
        }
        return c
    }

    /// Matrix times vector, computed plainly.
    public static func * (a: Matrix, x: [Double]) -> [Double] {
        precondition(a.columns == x.count, "Matrix-vector product needs a.columns == x.count")
        var y = [Double](repeating: 0, count: a.rows)
        for j in 0..<a.columns where x[j] != 0 {
            for i in 0..<a.rows { y[i] += a[i, j] * x[j] }
        }
        return y
    }

    /// The columns at `indices`, in that order.
    public func selectingColumns(_ indices: [Int]) -> Matrix {
        var out = [Double]()
        out.reserveCapacity(rows * indices.count)
        for j in indices { out.append(contentsOf: elements[(j * rows)..<((j + 1) * rows)]) }
        return Matrix(rows: rows, columns: indices.count, elements: out)
    }
}
