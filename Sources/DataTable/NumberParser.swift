#if canImport(Glibc)
import Glibc
#endif

/// Decimal text to the correctly rounded `Double`, fast.
///
/// The text is split into a 64-bit decimal significand and a power of ten. Small cases take
/// Clinger's exact fast path (significand below 2^53, power of ten at most 22: one correctly
/// rounded multiplication or division). Most others take the Eisel–Lemire algorithm (a
/// 64 x 128-bit product with a table of truncated powers of ten, `PowersOfTen.swift`), which
/// either returns the correctly rounded result or declines; the rare declined cases (more than
/// 19 significant digits, exponents near the ends of the range, exact half-way ties) go to the
/// C library's `strtod`, which is correctly rounded. Accepted syntax: an optional sign, digits
/// with an optional decimal point (at least one digit), and an optional exponent `e`/`E` with
/// optional sign. Infinities, NaN and hexadecimal are not numbers here.
enum NumberParser {
    // A literal, so it is laid out at compile time (no lazy initialisation on each use).
    private static let exactPowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
        1e21, 1e22,
    ]

    /// The number `bytes[0..<count]` spells, or nil if it is not a decimal number.
    @inline(__always)
    static func parse(_ bytes: UnsafePointer<UInt8>, count: Int) -> Double? {
        let (value, stop) = parsePrefix(bytes, count: count)
        return stop == count ? value : nil
    }

    /// Parses the longest number at the start of `bytes[0..<count]`: its value (nil if it is
    /// not a number) and where it stopped, so a caller can check what follows.
    ///
    /// As fast_float does it: the digits are accumulated without per-digit checks (wrapping),
    /// counted from their positions, and only a number with more than 19 significant digits,
    /// whose accumulated significand has wrapped, is handed to `strtod`.
    @inline(__always)
    static func parsePrefix(_ bytes: UnsafePointer<UInt8>, count: Int) -> (Double?, Int) {
        var i = 0
        var negative = false
        if i < count && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
            negative = bytes[i] == UInt8(ascii: "-")
            i &+= 1
        }
        let digitsStart = i
        var significand: UInt64 = 0
        while i < count, bytes[i] &- 48 < 10 {
            significand = significand &* 10 &+ UInt64(bytes[i] &- 48)
            i &+= 1
        }
        var digitCount = i &- digitsStart
        var exponent = 0
        if i < count && bytes[i] == UInt8(ascii: ".") {
            i &+= 1
            let fractionStart = i
            while i &+ 8 <= count, let eight = eightDigits(bytes + i) {
                significand = significand &* 100_000_000 &+ eight
                i &+= 8
            }
            while i < count, bytes[i] &- 48 < 10 {
                significand = significand &* 10 &+ UInt64(bytes[i] &- 48)
                i &+= 1
            }
            exponent = fractionStart &- i
            digitCount &-= exponent
        }
        guard digitCount > 0 else { return (nil, i) }
        if i < count && bytes[i] | 0x20 == UInt8(ascii: "e") {
            i &+= 1
            var exponentNegative = false
            if i < count && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i &+= 1
            }
            let exponentStart = i
            var e = 0
            while i < count, bytes[i] &- 48 < 10 {
                if e < 100_000 { e = e &* 10 &+ Int(bytes[i] &- 48) }
                i &+= 1
            }
            guard i > exponentStart else { return (nil, i) }
            exponent &+= exponentNegative ? -e : e
        }

        var value: Double?
        if digitCount > 19 {
            // Leading zeros are not significant; with more than 19 significant digits the
            // significand has wrapped and only strtod can round.
            var k = digitsStart
            while k < i && (bytes[k] == UInt8(ascii: "0") || bytes[k] == UInt8(ascii: ".")) {
                if bytes[k] == UInt8(ascii: "0") { digitCount &-= 1 }
                k &+= 1
            }
        }
        if significand == 0 && digitCount <= 19 {
            value = 0
        } else if digitCount <= 19 {
            if significand <= (1 << 53) && exponent >= -22 && exponent <= 22 {
                // Clinger: both operands exact, so one correctly rounded operation.
                let s = Double(significand)
                value = exponent >= 0 ? s * exactPower(exponent) : s / exactPower(-exponent)
            } else {
                value = eiselLemire(significand, exponent)
            }
        }
        if value == nil { value = fallback(bytes, count: i) }
        guard let v = value, v.isFinite else { return (nil, i) }
        return (negative ? -v : v, i)
    }

    /// 10^e for e in 0...22, exactly representable.
    @inline(__always)
    private static func exactPower(_ e: Int) -> Double {
        exactPowers.withUnsafeBufferPointer { $0[e] }
    }

    /// Eight ASCII digits at `p` as their value, or nil if they are not all digits (SWAR, as
    /// fast_float does it: one 64-bit load, three multiplications).
    @inline(__always)
    static func eightDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let v = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
        guard ((v &+ 0x4646_4646_4646_4646) | (v &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080 == 0 else { return nil }
        var x = v &- 0x3030_3030_3030_3030
        x = (x &* 10) &+ (x >> 8)
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        return (((x & mask) &* 0x000F_4240_0000_0064) &+ (((x >> 16) & mask) &* 0x0000_2710_0000_0001)) >> 32
    }

    /// Eisel–Lemire: `man * 10^exp10` correctly rounded, or nil when it cannot be sure.
    @inline(__always)
    static func eiselLemire(_ man: UInt64, _ exp10: Int) -> Double? {
        let index = exp10 - powersOfTenMinimumExponent
        guard index >= 0 && index < powersOfTen.count else { return nil }
        let (powerHi, powerLo) = powersOfTen[index]
        let clz = man.leadingZeroBitCount
        let normalized = man << UInt64(clz)
        var exp2 = ((217_706 * exp10) >> 16) + 1087 - clz
        var (xHi, xLo) = normalized.multipliedFullWidth(by: powerHi)
        if xHi & 0x1FF == 0x1FF && xLo &+ normalized < normalized {
            // Wider approximation: bring in the low 64 bits of the power of ten.
            let (yHi, yLo) = normalized.multipliedFullWidth(by: powerLo)
            var mergedHi = xHi
            let mergedLo = xLo &+ yHi
            if mergedLo < xLo { mergedHi &+= 1 }
            if mergedHi & 0x1FF == 0x1FF && mergedLo &+ 1 == 0 && yLo &+ normalized < normalized { return nil }
            xHi = mergedHi
            xLo = mergedLo
        }
        let msb = xHi >> 63
        var mantissa = xHi >> (msb + 9)
        exp2 -= Int(1 ^ msb)
        if xLo == 0 && xHi & 0x1FF == 0 && mantissa & 3 == 1 { return nil }  // exactly half-way
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >> 53 > 0 {
            mantissa >>= 1
            exp2 += 1
        }
        guard exp2 >= 1 && exp2 < 0x7FF else { return nil }
        return Double(bitPattern: UInt64(exp2) << 52 | (mantissa & 0x000F_FFFF_FFFF_FFFF))
    }

    /// The C library's correctly rounded conversion, for the cases above decline.
    static func fallback(_ bytes: UnsafePointer<UInt8>, count: Int) -> Double? {
        var buffer = [CChar](repeating: 0, count: count + 1)
        for k in 0..<count { buffer[k] = CChar(bitPattern: bytes[k]) }
        return buffer.withUnsafeBufferPointer { b -> Double? in
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(b.baseAddress!, &end)
            guard let end, end - UnsafeMutablePointer(mutating: b.baseAddress!) == count else { return nil }
            return abs(v)  // the sign is applied by the caller
        }
    }
}
