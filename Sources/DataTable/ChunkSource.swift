#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Hands out the input as chunks of complete records, in order, to whichever worker asks next.
/// A worker reads its chunk under a lock and parses it outside, so reading and parsing overlap
/// and no core waits for another between chunks. The record a chunk's end cuts is carried to
/// the front of the next chunk.
final class ChunkSource: @unchecked Sendable {
    let input: CSVReader.Input
    let source: String
    /// Size of the whole input (for estimates).
    let totalSize: Int
    /// Bytes read per chunk: small enough that every core gets several chunks of a small file
    /// and that a chunk and its parsed numbers stay in the core's cache between the read and
    /// the parse (1 MB reads faster than 4 MB), large enough that the lock is rarely contended.
    let chunkSize: Int
    private let lock = DispatchSemaphore(value: 1)
    /// Read but not yet handed out: at first the start of the input (for the header).
    private(set) var carry: [UInt8] = []
    private var exhausted = false
    private var position = 0  // in memory input
    private var issued = 0

    /// Complete records in a worker's buffer: `buffer[0..<count]`, the `index`th chunk.
    struct Chunk {
        let index: Int
        let count: Int
    }

    init(input: CSVReader.Input, source: String, workers: Int) throws(DataError) {
        self.input = input
        self.source = source
        switch input {
        case .memory(let bytes): totalSize = bytes.count
        case .file(let fd):
            var info = stat()
            totalSize = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        }
        chunkSize = min(1 << 20, max(256 << 10, totalSize / (4 * workers)))
        try readStart()
    }

    /// Drops the first `count` bytes of the input (the header) before the first chunk.
    func skip(_ count: Int) { carry.removeFirst(min(count, carry.count)) }

    /// Back to the start of the input, for a second pass.
    func rewind() throws(DataError) {
        if case .file(let fd) = input, lseek(fd, 0, SEEK_SET) != 0 {
            throw .cannotRead(file: source, reason: String(cString: strerror(errno)))
        }
        position = 0
        exhausted = false
        issued = 0
        try readStart()
    }

    private func readStart() throws(DataError) {
        var failure: DataError?
        carry = [UInt8](unsafeUninitializedCapacity: chunkSize) { buffer, count in
            do throws(DataError) { count = try read(into: buffer.baseAddress!, chunkSize) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Fills `buffer` with the next chunk, or returns nil at the end of the input.
    func next(into buffer: ByteBuffer) throws(DataError) -> Chunk? {
        lock.wait()
        defer { lock.signal() }
        var count = carry.count
        buffer.reserve(count + chunkSize, keeping: 0)
        carry.withUnsafeBufferPointer { c in
            if let base = c.baseAddress { buffer.base.update(from: base, count: c.count) }
        }
        while true {
            if !exhausted { count += try read(into: buffer.base + count, chunkSize) }
            if count == 0 { return nil }
            let end = completeEnd(buffer.base, count: count, atEnd: exhausted)
            if end > 0 {
                carry = Array(UnsafeBufferPointer(start: buffer.base + end, count: count - end))
                issued += 1
                return Chunk(index: issued - 1, count: end)
            }
            // One record longer than a chunk: read on.
            buffer.reserve(count + chunkSize, keeping: count)
        }
    }

    /// Reads until `want` bytes or the end of the input; returns how many.
    private func read(into destination: UnsafeMutablePointer<UInt8>, _ want: Int) throws(DataError) -> Int {
        switch input {
        case .memory(let bytes):
            let got = min(want, bytes.count - position)
            bytes.withUnsafeBufferPointer { b in
                if got > 0 { destination.update(from: b.baseAddress! + position, count: got) }
            }
            position += got
            if got < want { exhausted = true }
            return got
        case .file(let fd):
            var got = 0
            while got < want {
                let r = Glibc.read(fd, destination + got, want - got)
                if r < 0 {
                    if errno == EINTR { continue }
                    throw .cannotRead(file: source, reason: String(cString: strerror(errno)))
                }
                if r == 0 {
                    exhausted = true
                    break
                }
                got += r
            }
            return got
        }
    }

    /// The end of the last complete record in `p[0..<n]` (all of it at the end of input).
    private func completeEnd(_ p: UnsafePointer<UInt8>, count n: Int, atEnd: Bool) -> Int {
        // At the end of input everything is parsed (the parser reports an unclosed quote).
        if atEnd { return n }
        if memchr(p, 34, n) == nil {
            var i = n - 1
            while i >= 0 && p[i] != 10 { i -= 1 }
            return i + 1
        }
        // Quotes present: scan, tracking whether we are inside a quoted field.
        var inQuotes = false
        var lastEnd = 0
        for i in 0..<n {
            let c = p[i]
            if c == 34 {
                inQuotes.toggle()
            } else if c == 10 && !inQuotes {
                lastEnd = i + 1
            }
        }
        return lastEnd
    }
}

/// A growable byte buffer, one per worker.
final class ByteBuffer: @unchecked Sendable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int

    init() {
        capacity = 1
        base = .allocate(capacity: 1)
    }

    deinit { base.deallocate() }

    /// Room for `bytes`, keeping the first `kept`.
    func reserve(_ bytes: Int, keeping kept: Int) {
        guard bytes > capacity else { return }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes)
        grown.update(from: base, count: kept)
        base.deallocate()
        base = grown
        capacity = bytes
    }
}

/// Lets workers take turns in a fixed order (chunk 0, 1, 2, ...), for appending their results.
final class Turnstile: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var turn = 0

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Runs `body` when every turn before `index` has been taken.
    func take<R>(_ index: Int, _ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        while turn != index { pthread_cond_wait(condition, mutex) }
        pthread_mutex_unlock(mutex)
        defer {
            pthread_mutex_lock(mutex)
            turn += 1
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body()
    }
}
