import Foundation

/// The worst relative error seen for each statistic checked against a reference, printed when
/// the tests end if `CARERATES_ERROR_REPORT` is set (figures for closing notes):
/// `CARERATES_ERROR_REPORT=1 swift test --filter LinearModelReference`.
final class ErrorLedger: @unchecked Sendable {
    static let shared = ErrorLedger()
    private let lock = NSLock()
    private var worst: [String: (error: Double, count: Int)] = [:]

    private init() {
        if ProcessInfo.processInfo.environment["CARERATES_ERROR_REPORT"] != nil {
            atexit { print(ErrorLedger.shared.report) }
        }
    }

    /// Records `|a - b| / max(|b|, absolute)`; a missing value on both sides counts as exact.
    func record(_ key: String, _ a: Double?, _ b: Double?, absolute: Double) {
        let error: Double
        switch (a, b) {
        case (let a?, let b?): error = a == b ? 0 : abs(a - b) / max(abs(b), absolute)
        case (nil, nil): error = 0
        default: error = .infinity
        }
        lock.lock()
        defer { lock.unlock() }
        let old = worst[key] ?? (0, 0)
        worst[key] = (max(old.error, error.isNaN ? .infinity : error), old.count + 1)
    }

    var report: String {
        lock.lock()
        defer { lock.unlock() }
        var lines = ["worst relative error per statistic (values compared):"]
        for key in worst.keys.sorted() {
            let (error, count) = worst[key]!
            lines.append("  \(key.padding(toLength: 36, withPad: " ", startingAt: 0)) \(String(format: "%.1e", error))  (\(count))")
        }
        return lines.joined(separator: "\n")
    }
}
