#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Reads the input chunk by chunk into two reused buffers: while one chunk is parsed, the
/// next is read into the other (`prefetch`), so the cores never wait for the copy from the
/// page cache. The unparsed tail of a chunk (a record cut by the chunk's end) is carried to the
/// front of the next.
struct ChunkReader {
    let input: CSVReader.Input
    let source: String
    private(set) var exhausted = false
    private var current = ByteBuffer()
    private var spare = ByteBuffer()
    /// Bytes of input in the current buffer.
    private(set) var count = 0
    /// Size of the whole input (for estimates).
    let totalSize: Int
    private var pending: Pending?

    /// A read under way into `spare`, after `tail` carried bytes.
    private struct Pending {
        let done: DispatchGroup
        let outcome: ReadOutcome
        let tail: Int
    }

    init(input: CSVReader.Input, source: String) throws(DataError) {
        self.input = input
        self.source = source
        switch input {
        case .memory(let bytes): totalSize = bytes.count
        case .file(let fd):
            var info = stat()
            totalSize = fstat(fd, &info) == 0 ? Int(info.st_size) : CSVReader.chunkSize
        }
        try fill(keeping: 0)
    }

    func withBytes<R>(_ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        body(UnsafePointer(current.base), count)
    }

    /// The start of the input (enough for the header and first record), as an array.
    func prefix() -> [UInt8] { Array(UnsafeBufferPointer(start: current.base, count: count)) }

    /// Line breaks in the buffer after `start` (for an estimate of bytes per row).
    func countLines(from start: Int) -> Int {
        var lines = 0
        for i in min(start, count)..<count where current.base[i] == 10 { lines += 1 }
        return lines
    }

    /// Starts reading the next chunk into the spare buffer, after a copy of
    /// `current[start..<count]`; the current buffer is left as it is until `advance()`.
    mutating func prefetch(keeping start: Int) {
        precondition(pending == nil)
        let tail = count - min(start, count)
        switch input {
        case .memory(let bytes):
            spare.reserve(bytes.count)
            bytes.withUnsafeBufferPointer { b in
                if let base = b.baseAddress { spare.base.update(from: base, count: b.count) }
            }
            let outcome = ReadOutcome()
            outcome.got = bytes.count
            outcome.atEnd = true
            pending = Pending(done: DispatchGroup(), outcome: outcome, tail: 0)
        case .file(let fd):
            let want = max(1, min(CSVReader.chunkSize, totalSize + 1))
            spare.reserve(tail + want)
            if tail > 0 { spare.base.update(from: current.base + start, count: tail) }
            let outcome = ReadOutcome()
            let destination = UnsafeSendableBox(spare.base + tail)
            let done = DispatchGroup()
            DispatchQueue.global().async(group: done) { outcome.read(fd, into: destination.value, want) }
            pending = Pending(done: done, outcome: outcome, tail: tail)
        }
    }

    /// Waits for the read `prefetch` started and makes its buffer the current one.
    mutating func advance() throws(DataError) {
        guard let read = pending else { return }
        read.done.wait()
        pending = nil
        swap(&current, &spare)
        count = read.tail + read.outcome.got
        exhausted = read.outcome.atEnd
        if read.outcome.error != 0 {
            throw .cannotRead(file: source, reason: String(cString: strerror(read.outcome.error)))
        }
    }

    /// Keeps `current[start..<count]` at the front and reads up to one more chunk after it.
    mutating func fill(keeping start: Int) throws(DataError) {
        prefetch(keeping: start)
        try advance()
    }

    /// Back to the beginning of the input (for a second pass).
    mutating func rewind() throws(DataError) {
        try? advance()
        if case .file(let fd) = input, lseek(fd, 0, SEEK_SET) != 0 {
            throw .cannotRead(file: source, reason: String(cString: strerror(errno)))
        }
        exhausted = false
        count = 0
        try fill(keeping: 0)
    }
}

/// A growable byte buffer whose memory is not moved while a read fills it.
final class ByteBuffer: @unchecked Sendable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int

    init() {
        capacity = 1
        base = .allocate(capacity: 1)
    }

    deinit { base.deallocate() }

    /// Room for `bytes` (contents not kept).
    func reserve(_ bytes: Int) {
        guard bytes > capacity else { return }
        base.deallocate()
        base = .allocate(capacity: bytes)
        capacity = bytes
    }
}

/// What a background read got: bytes, end of input, or errno.
final class ReadOutcome: @unchecked Sendable {
    var got = 0
    var atEnd = false
    var error: Int32 = 0

    /// Reads until `want` bytes, end of input or an error.
    func read(_ fd: Int32, into destination: UnsafeMutablePointer<UInt8>, _ want: Int) {
        while got < want {
            let r = Glibc.read(fd, destination + got, want - got)
            if r < 0 {
                if errno == EINTR { continue }
                error = errno
                return
            }
            if r == 0 {
                atEnd = true
                return
            }
            got += r
        }
    }
}
