#if LAPACK
import CLAPACK
#if canImport(Glibc)
import Glibc
#endif

/// What OpenBLAS is doing on this machine, and the fix for CPUs it does not recognise.
///
/// OpenBLAS chooses its kernels once, as the library loads, from the CPU model, or from
/// `OPENBLAS_CORETYPE` when that is set. Debian's OpenBLAS 0.3.21 predates some CPUs and then
/// falls back to its generic "Prescott" kernels, several times slower. ``prepare()`` compares
/// the kernels chosen with what the CPU supports (from `/proc/cpuinfo`) and, when the choice is
/// weaker and the user has not set `OPENBLAS_CORETYPE`, sets it and re-runs OpenBLAS's own
/// kernel selection (`gotoblas_dynamic_init`) before any BLAS call. A user's own setting wins.
///
/// CareRates splits work across cores itself (row blocks of the tall-skinny QR), so OpenBLAS
/// is asked for one thread per call; two levels of threading would only fight.
public enum OpenBLASRuntime {
    /// What ``prepare()`` found and did.
    public struct Status: Sendable {
        /// The kernel family OpenBLAS chose as it loaded.
        public var detectedCore: String
        /// The kernel family in use now.
        public var core: String
        /// Why the kernels were switched, if they were.
        public var note: String?
        /// OpenBLAS's build configuration string.
        public var config: String
        /// Threads OpenBLAS uses per call.
        public var threads: Int
    }

    private static let state: Status = {
        let detected = String(cString: openblas_get_corename())
        var note: String?
        if getenv("OPENBLAS_CORETYPE") == nil, let best = bestSupportedCore(),
            tier(of: best) > tier(of: detected)
        {
            setenv("OPENBLAS_CORETYPE", best, 1)
            gotoblas_dynamic_quit()
            gotoblas_dynamic_init()
            note = "OpenBLAS chose \(detected) kernels for this CPU; switched to \(best), which the CPU supports"
        }
        openblas_set_num_threads(1)
        return Status(
            detectedCore: detected, core: String(cString: openblas_get_corename()), note: note,
            config: String(cString: openblas_get_config()).trimmingCharacters(),
            threads: Int(openblas_get_num_threads()))
    }()

    /// Chooses the kernels (once per process) and returns what is in use.
    @discardableResult
    public static func prepare() -> Status { state }

    /// The strongest OpenBLAS x86-64 kernel family the CPU's flags allow, if known.
    static func bestSupportedCore() -> String? {
        guard let flags = cpuFlags() else { return nil }
        let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        if avx512.allSatisfy(flags.contains) { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        if flags.contains("avx") { return "Sandybridge" }
        return nil
    }

    /// A rough order of OpenBLAS's x86-64 kernel families by the instructions they use.
    static func tier(of core: String) -> Int {
        switch core.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 3
        case "haswell", "zen": return 2
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": return 1
        default: return 0
        }
    }

    private static func cpuFlags() -> Set<String>? {
        guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!)
            if text.hasPrefix("flags") {
                guard let colon = text.firstIndex(of: ":") else { continue }
                return Set(text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
            }
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " || $0 == "\n" }).reversed())
    }
}
#endif
