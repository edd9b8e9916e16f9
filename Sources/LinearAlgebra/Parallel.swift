import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// A pointer that may cross into the closures of ``parallelFor(_:parallel:_:)``; each caller writes disjoint
/// parts of the memory behind it.
public struct SharedPointer<T>: @unchecked Sendable {
    /// The memory the callers share.
    public let base: UnsafeMutablePointer<T>
    /// Shares `base` with the closures of a parallel loop.
    public init(base: UnsafeMutablePointer<T>) { self.base = base }
}

/// Cores to split large jobs over.
public let workerCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

/// Runs `body(i)` for `i` in `0..<count`, in parallel when `parallel` is true. Each call must
/// write only memory no other call touches.
public func parallelFor(_ count: Int, parallel: Bool = true, _ body: (Int) -> Void) {
    if count <= 1 || !parallel || workerCount == 1 {
        for i in 0..<count { body(i) }
    } else {
        withoutActuallyEscaping(body) { body in
            let task = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: count) { task.value($0) }
        }
    }
}

struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Splits `0..<n` into `parts` contiguous ranges of nearly equal length.
public func splitRange(_ n: Int, parts: Int) -> [Range<Int>] {
    let parts = max(1, min(parts, n))
    return (0..<parts).map { (($0 * n) / parts)..<((($0 + 1) * n) / parts) }
}

/// Runs `body` over contiguous slices of `0..<n`, one per core when `n` is at least 65,536 (below
/// that, the whole range at once). Each call must write only its own slice's elements.
public func forEachRowBlock(_ n: Int, _ body: (Range<Int>) -> Void) {
    guard n >= 65_536 && workerCount > 1 else {
        body(0..<n)
        return
    }
    let blocks = splitRange(n, parts: workerCount)
    parallelFor(blocks.count) { body(blocks[$0]) }
}
