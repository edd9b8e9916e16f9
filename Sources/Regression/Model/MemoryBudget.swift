import DataTable
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The memory a model may take, checked before anything whose size comes from the input (the
/// design, a polynomial basis, simulated draws) is allocated, so that a many-level factor or an
/// interaction that multiplies out is refused with a message instead of exhausting the machine.
///
/// The default is half of the smaller of the machine's physical memory and the process's
/// address-space limit (`ulimit -v`, `prlimit --as`); `carerates --max-memory` sets it.
public enum MemoryBudget {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var chosen: Int?

    /// Bytes a model may allocate.
    public static var limit: Int {
        get {
            lock.lock()
            defer { lock.unlock() }
            return chosen ?? defaultLimit
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            chosen = newValue
        }
    }

    /// Half of the smaller of physical memory and the address-space limit.
    public static let defaultLimit: Int = {
        var available = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max { available = min(available, Double(limit.rlim_cur)) }
        return Int(min(available / 2, Double(Int.max / 2)))
    }()

    /// Refuses `bytes` (which may be beyond any Int) over the limit: `what` says what would be
    /// allocated and why it is large, `advice` what to do instead.
    static func require(_ bytes: Double, for what: @autoclosure () -> String, advice: String = "") throws(ModelError) {
        let limit = self.limit
        guard bytes > Double(limit) else { return }
        throw .tooLarge("\(what()): about \(formatBytes(bytes)), over the memory limit of \(formatBytes(Double(limit))) (--max-memory)"
            + (advice.isEmpty ? "" : "; " + advice))
    }
}
