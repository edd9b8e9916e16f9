#if canImport(Glibc)
import Glibc
#endif

/// The numeric columns and the row lines of a scan, sized ahead and filled by the workers in
/// parallel. Each chunk's rows get their range in chunk order (``reserve(_:)``, in the
/// turnstile), and are copied there outside it (``copy(_:to:lineBase:)``): the copy is
/// mostly the faulting-in of fresh pages, and made in turn it held up the other worker (up to a
/// tenth of a run, measured).
///
/// Storage is allocated with its full capacity counted in and never zeroed; every row below
/// the reserved count is written before ``finish(rows:)`` trims the rest, so nothing
/// unwritten is ever read.
final class RowBlocks: @unchecked Sendable {
    private var numbers: [[Double]]
    private var lines: [Int]
    private var capacity: Int
    /// Where the copies write: read-held by copies, write-held to grow the storage.
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
    private var numberBases: [UnsafeMutablePointer<Double>?] = []
    private var lineBase: UnsafeMutablePointer<Int>?

    /// Storage for `capacity` rows of each column whose `numeric` flag is set.
    init(numeric: [Bool], capacity: Int) {
        self.capacity = max(1, capacity)
        numbers = numeric.map { _ in [] }
        lines = []
        pthread_rwlock_init(lock, nil)
        for j in numeric.indices where numeric[j] { numbers[j] = Self.block(self.capacity) }
        lines = Self.block(self.capacity)
        takeBases()
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Makes room for rows up to `rows` (called in chunk order, so `rows` only grows). Waits
    /// for copies in progress if the storage has to move.
    func reserve(_ rows: Int) {
        guard rows > capacity else { return }
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        let grown = max(rows, capacity + capacity / 2)
        for j in numbers.indices where !numbers[j].isEmpty { numbers[j] = Self.moved(numbers[j], to: grown) }
        lines = Self.moved(lines, to: grown)
        capacity = grown
        takeBases()
    }

    /// Copies a part's numeric columns and lines (relative to `lineBase`) to rows from `offset`.
    /// (A column that turned text in the part gets stale numbers; the reader drops such a
    /// column's numbers.)
    func copy(_ part: PartScratch, to offset: Int, lineBase base: Int) {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        for (j, column) in numberBases.enumerated() {
            column?.advanced(by: offset).update(from: part.numbers[j], count: part.rows)
        }
        let destination = lineBase!.advanced(by: offset)
        for i in 0..<part.rows { destination[i] = base + Int(part.lines[i]) }
    }

    /// The columns and lines, trimmed to `rows`. The blocks are empty afterwards.
    func finish(rows: Int) -> (numbers: [[Double]], lines: [Int]) {
        numberBases = []
        lineBase = nil
        for j in numbers.indices where !numbers[j].isEmpty { numbers[j].removeSubrange(rows...) }
        lines.removeSubrange(rows...)
        defer {
            numbers = []
            lines = []
        }
        return (numbers, lines)
    }

    /// The storage's addresses, for copies made without touching the arrays: nothing else
    /// touches them until they grow (which takes the addresses again) or finish, so their
    /// storage stays where it is.
    private func takeBases() {
        numberBases = numbers.indices.map { j in
            numbers[j].isEmpty ? nil : numbers[j].withUnsafeMutableBufferPointer { $0.baseAddress }
        }
        lineBase = lines.withUnsafeMutableBufferPointer { $0.baseAddress }
    }

    /// `count` elements whose memory is not written (any bit pattern is a value of `T`), on
    /// huge pages where the kernel allows.
    private static func block<T: BitwiseCopyable>(_ count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            adviseHugePages(buffer.baseAddress, bytes: count * MemoryLayout<T>.stride)
            initialized = count
        }
    }

    private static func moved<T: BitwiseCopyable>(_ old: [T], to count: Int) -> [T] {
        var grown: [T] = block(count)
        grown.withUnsafeMutableBufferPointer { g in
            old.withUnsafeBufferPointer { g.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
        }
        return grown
    }
}
