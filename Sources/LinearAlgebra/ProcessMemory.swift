import CMalloc

/// How the process's allocator hands back memory, set once by a program (the command-line tool,
/// the benchmarks), never by the library on its own.
///
/// glibc serves an allocation above its mmap threshold (128 KB at first, raised as such blocks are
/// freed, up to 32 MB) with fresh pages from the kernel and unmaps them when it is freed, and it
/// returns the top of its heap once 128 KB of it is free. A fit allocates and frees columns of
/// the data's length many times over (each IRLS step's weights, working response and projected
/// design), so every step would fault in and zero its pages again: about a sixth of a
/// fixed-effects Poisson fit of a million rows went on that. ``reuseFreedMemory()`` keeps blocks
/// up to the largest threshold glibc allows in its heap and keeps the heap's free top, so freed
/// columns are reused; the peak resident memory is the same, and it is returned when the process
/// exits.
public enum ProcessMemory {
    /// Keeps freed blocks of up to 32 MB for reuse (glibc only; elsewhere nothing changes).
    public static func reuseFreedMemory() {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }
}
