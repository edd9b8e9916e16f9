/// Householder QR of a whole matrix, `A = Q [R; 0]`, with `Q` kept implicitly.
///
/// Tall matrices are factored as a tall-skinny QR (TSQR): the rows are cut into leaves small
/// enough to stay in cache, the leaves are factored independently (on all cores) by the
/// backend's panel QR, and their triangles are stacked and factored again, recursively. Each
/// step is a Householder QR, so the whole is backward stable like one Householder QR, but it
/// reads the matrix from memory once instead of once per column.
///
/// `Q^T y` is returned in the factorization's own coordinates: a vector of length `rows` in
/// which ``topSlots`` hold the first `min(rows, columns)` components (`Q_1^T y`) and every other
/// position holds part of the orthogonal complement. ``apply(_:)`` takes the same layout back.
public final class QRFactorization: @unchecked Sendable {
    /// The factored matrix's rows.
    public let rows: Int
    /// The factored matrix's columns.
    public let columns: Int
    /// The `columns` x `columns` upper-triangular factor (rows past `rows` are zero when
    /// the matrix is wider than tall).
    public let r: Matrix
    /// Where the components `Q_1^T y` sit in a transformed vector, in order.
    public let topSlots: [Int]

    private let backend: any Backend
    private let packed: [Double]
    private let leaves: [Range<Int>]
    private let leafTau: [Double]
    private let parent: QRFactorization?
    /// For each row of the stacked triangles, the row of this matrix it came from.
    private let stackRows: [Int]

    /// Rows per leaf: small enough to stay in cache, never fewer than twice the columns.
    static func leafRows(columns: Int) -> Int { max(4096, 2 * columns) }

    /// Whether `Q` was kept; without it only ``r`` is available (a "Q-less" QR).
    public let keepsQ: Bool
    /// For a Q-less factorization of `[A y]` (see `appending`): `Q_1^T y`, the first
    /// `columns` components of the transformed extra column. Nil otherwise.
    public let appendedTop: [Double]?

    /// Factors `a` on `backend`.
    ///
    /// With `keepingQ: false` the leaves are factored in per-core scratch buffers and only their
    /// triangles are kept, so the design is read once and never copied: the fast path for large
    /// designs whose solution is refined with the design itself (see ``LeastSquares``).
    ///
    /// `appending` (Q-less only) factors `[A y]` in the same pass, so that ``appendedTop`` gives
    /// `Q_1^T y` for a least-squares start without another pass over `A`.
    ///
    /// `rowScale` factors `diag(s) A` instead of `A` (the appended column is taken as given):
    /// a weighted problem's design is scaled as each leaf is copied, never formed whole.
    public init(
        _ a: Matrix, backend: any Backend, keepingQ: Bool = true, appending extra: [Double]? = nil, rowScale: [Double]? = nil
    ) {
        let n = a.rows, p = a.columns
        let leaves = splitRange(n, parts: max(1, n / QRFactorization.leafRows(columns: p))).filter { !$0.isEmpty }
        let keep = keepingQ || leaves.count <= 1
        let extra = keep ? nil : extra
        let width = p + (extra == nil ? 0 : 1)  // columns of each Q-less panel
        var packed = keep ? a.elements : []
        if keep, let scale = rowScale {
            for j in 0..<p { for i in 0..<n { packed[i + j * n] *= scale[i] } }
        }
        var tau = [Double](repeating: 0, count: keep ? max(1, leaves.count) * p : 0)
        var stack = Matrix(rows: leaves.count > 1 ? leaves.count * width : 0, columns: width)
        if n > 0 && p > 0 && keep {
            packed.withUnsafeMutableBufferPointer { ab in
                tau.withUnsafeMutableBufferPointer { tb in
                    let ap = SharedPointer(base: ab.baseAddress!), tp = SharedPointer(base: tb.baseAddress!)
                    parallelFor(leaves.count) { l in
                        backend.householderQR(
                            ap.base + leaves[l].lowerBound, rows: leaves[l].count, columns: p,
                            leadingDimension: n, tau: tp.base + l * p)
                    }
                }
            }
        } else if n > 0 && p > 0 {
            // Q-less: copy each leaf into a scratch panel, factor it there, keep its triangle.
            let chunks = splitRange(leaves.count, parts: workerCount)
            let longest = leaves.map(\.count).max()!
            let extraColumn = extra ?? []
            let scale = rowScale ?? []
            a.elements.withUnsafeBufferPointer { ab in
                scale.withUnsafeBufferPointer { scaleBuffer in
                extraColumn.withUnsafeBufferPointer { eb in
                stack.elements.withUnsafeMutableBufferPointer { sb in
                    let ap = SharedPointer(base: UnsafeMutablePointer(mutating: ab.baseAddress!))
                    let ep = extra == nil ? nil : eb.baseAddress.map { SharedPointer(base: UnsafeMutablePointer(mutating: $0)) }
                    // An empty array may still have a base address: test the option itself.
                    let scaleP = rowScale == nil ? nil : scaleBuffer.baseAddress.map { SharedPointer(base: UnsafeMutablePointer(mutating: $0)) }
                    let sp = SharedPointer(base: sb.baseAddress!)
                    let ldS = leaves.count * width
                    parallelFor(chunks.count) { c in
                        var panel = [Double](repeating: 0, count: longest * width)
                        var panelTau = [Double](repeating: 0, count: width)
                        panel.withUnsafeMutableBufferPointer { pb in
                            panelTau.withUnsafeMutableBufferPointer { tb in
                                let w = pb.baseAddress!
                                for l in chunks[c] {
                                    let range = leaves[l], m = range.count
                                    for j in 0..<p {
                                        let column = ap.base + j * n + range.lowerBound
                                        if let s = scaleP.map({ $0.base + range.lowerBound }) {
                                            for i in 0..<m { w[j * m + i] = column[i] * s[i] }
                                        } else {
                                            (w + j * m).update(from: column, count: m)
                                        }
                                    }
                                    if let ep { (w + p * m).update(from: ep.base + range.lowerBound, count: m) }
                                    backend.householderQR(w, rows: m, columns: width, leadingDimension: m, tau: tb.baseAddress!)
                                    for j in 0..<width {
                                        for i in 0...j { sp.base[l * width + i + j * ldS] = w[i + j * m] }
                                    }
                                }
                            }
                        }
                    }
                }
                }
                }
            }
        }
        rows = n
        columns = p
        self.backend = backend
        self.leaves = leaves
        keepsQ = keep
        if leaves.count <= 1 {
            let k = min(n, p)
            var r = Matrix(rows: p, columns: p)
            for j in 0..<p {
                for i in 0..<min(j + 1, k) { r[i, j] = packed[i + j * n] }
            }
            self.r = r
            topSlots = Array(0..<k)
            parent = nil
            stackRows = []
            appendedTop = nil
        } else {
            // Stack the leaves' triangles and factor them in turn.
            var stackRows = [Int]()
            stackRows.reserveCapacity(leaves.count * p)
            for (l, range) in leaves.enumerated() {
                for i in 0..<p {
                    stackRows.append(range.lowerBound + i)
                    if keep {
                        for j in i..<p { stack[l * p + i, j] = packed[range.lowerBound + i + j * n] }
                    }
                }
            }
            let parent = QRFactorization(stack, backend: backend, keepingQ: keep)
            self.parent = parent
            self.stackRows = stackRows
            if extra != nil {
                // The stacked factor is of [A y]: split off the extra column.
                var r = Matrix(rows: p, columns: p)
                for j in 0..<p { for i in 0...j { r[i, j] = parent.r[i, j] } }
                self.r = r
                appendedTop = (0..<p).map { parent.r[$0, p] }
            } else {
                r = parent.r
                appendedTop = nil
            }
            topSlots = keep ? parent.topSlots.map { stackRows[$0] } : []
        }
        self.packed = packed
        leafTau = tau
    }

    /// `Q^T y`, in this factorization's coordinates (see the type's documentation).
    public func applyTranspose(_ y: [Double]) -> [Double] {
        precondition(keepsQ, "applyTranspose needs a factorization that kept Q")
        precondition(y.count == rows, "applyTranspose needs a vector of length rows")
        var z = y
        applyLeaves(&z, transpose: true)
        if let parent {
            let s = parent.applyTranspose(stackRows.map { z[$0] })
            for (k, row) in stackRows.enumerated() { z[row] = s[k] }
        }
        return z
    }

    /// `Q z` for `z` in this factorization's coordinates.
    public func apply(_ z: [Double]) -> [Double] {
        precondition(keepsQ, "apply needs a factorization that kept Q")
        precondition(z.count == rows, "apply needs a vector of length rows")
        var y = z
        if let parent {
            let s = parent.apply(stackRows.map { y[$0] })
            for (k, row) in stackRows.enumerated() { y[row] = s[k] }
        }
        applyLeaves(&y, transpose: false)
        return y
    }

    /// The components `Q_1^T y` of a transformed vector, padded with zeros to `columns`.
    public func top(of z: [Double]) -> [Double] {
        var t = topSlots.map { z[$0] }
        t.append(contentsOf: repeatElement(0, count: columns - t.count))
        return t
    }

    /// A transformed vector with its `Q_1^T` part replaced by the first entries of `values`.
    public func replacingTop(of z: [Double], with values: [Double]) -> [Double] {
        var z = z
        for (k, slot) in topSlots.enumerated() { z[slot] = values[k] }
        return z
    }

    private func applyLeaves(_ v: inout [Double], transpose: Bool) {
        let n = rows, p = columns, backend = self.backend, leaves = self.leaves
        if n == 0 || p == 0 { return }
        packed.withUnsafeBufferPointer { a in
            leafTau.withUnsafeBufferPointer { t in
                v.withUnsafeMutableBufferPointer { vb in
                    let ap = SharedPointer(base: UnsafeMutablePointer(mutating: a.baseAddress!))
                    let tp = SharedPointer(base: UnsafeMutablePointer(mutating: t.baseAddress!))
                    let vp = SharedPointer(base: vb.baseAddress!)
                    parallelFor(leaves.count, parallel: n >= 65536) { l in
                        let range = leaves[l]
                        backend.applyHouseholder(
                            ap.base + range.lowerBound, rows: range.count, reflectors: min(range.count, p),
                            leadingDimension: n, tau: tp.base + l * p, to: vp.base + range.lowerBound,
                            transpose: transpose)
                    }
                }
            }
        }
    }
}
