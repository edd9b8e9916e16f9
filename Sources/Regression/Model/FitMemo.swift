import Synchronization

/// Statistics of a fit computed once, when first asked for: a summary asks for the
/// log-likelihood three times (itself, AIC, BIC) and for the null model twice (the null
/// deviance, the likelihood-ratio test), and each is a pass over the rows or a refit. Fits are
/// immutable values; their copies share the memo. Computing happens outside the lock (one
/// statistic may need another), so two threads may both compute a value; they get the same.
final class FitMemo: Sendable {
    private let store = Mutex<[String: any Sendable]>([:])

    func value<T: Sendable>(_ key: String, _ make: () -> T) -> T {
        // Unwrap the lookup before the cast: a missing key cast to an optional T would succeed as nil.
        if let stored = store.withLock({ $0[key] }), let known = stored as? T { return known }
        let made = make()
        store.withLock { $0[key] = made }
        return made
    }
}
