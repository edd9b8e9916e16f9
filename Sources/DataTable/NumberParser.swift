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
        guard count > 0 else { return (nil, 0) }
        // Without branches: signs are as likely as not, so a branch would be mispredicted.
        let first = bytes[0]
        let negative: UInt64 = first == UInt8(ascii: "-") ? 1 : 0
        var i = (first &- UInt8(ascii: "+")) & 0xFD == 0 ? 1 : 0  // "+" or "-"
        let digitsStart = i
        var significand: UInt64 = 0
        while i < count, bytes[i] &- 48 < 10 {  // the integer part
            significand = significand &* 10 &+ UInt64(bytes[i] &- 48)
            i &+= 1
        }
        let hasIntegerDigits = i > digitsStart
        // Significant digits: those in the significand (leading zeros of a fraction below one are
        // skipped, so 0.000123 has three); more than 19 means it has wrapped.
        var digitCount = i &- digitsStart
        var exponent = 0
        var hasFractionDigits = false
        if i < count && bytes[i] == UInt8(ascii: ".") {
            i &+= 1
            let fractionStart = i
            if significand == 0 { skipZeros(bytes, count: count, at: &i) }
            let significantStart = i
            accumulateDigits(bytes, count: count, at: &i, into: &significand)
            exponent = fractionStart &- i
            digitCount &+= i &- significantStart
            hasFractionDigits = i > fractionStart
        }
        guard hasIntegerDigits || hasFractionDigits else { return (nil, i) }
        let mantissaEnd = i
        if i < count && bytes[i] | 0x20 == UInt8(ascii: "e") {
            guard let e = parseExponent(bytes, count: count, at: &i) else { return (nil, i) }
            exponent &+= e
        }
        var value = digitCount <= 19 ? convert(significand, exponent) : nil
        if value == nil {
            value = convertSlowly(bytes, digitsStart: digitsStart, mantissaEnd: mantissaEnd, end: i,
                                  significand: significand, exponent: exponent)
        }
        guard let v = value, v.isFinite else { return (nil, i) }
        return (Double(bitPattern: v.bitPattern | negative &<< 63), i)
    }

    /// `significand * 10^exponent` by the fast paths: zero, Clinger, Eisel-Lemire; nil if they
    /// decline.
    @inline(__always)
    private static func convert(_ significand: UInt64, _ exponent: Int) -> Double? {
        if significand == 0 { return 0 }
        if significand <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            // Clinger: both operands exact, so one correctly rounded operation.
            let s = Double(significand)
            return exponent >= 0 ? s * exactPower(exponent) : s / exactPower(-exponent)
        }
        return eiselLemire(significand, exponent)
    }

    /// The rare cases, kept out of line so the common path stays small enough to inline: more
    /// than 19 digits counted (leading zeros of the integer part are not significant either,
    /// so count again from the first nonzero digit; past 19 significant digits the significand
    /// has wrapped), and what the fast paths declined, for `strtod`.
    @inline(never)
    private static func convertSlowly(
        _ bytes: UnsafePointer<UInt8>, digitsStart: Int, mantissaEnd: Int, end: Int, significand: UInt64, exponent: Int
    ) -> Double? {
        var k = digitsStart
        while k < mantissaEnd && (bytes[k] == UInt8(ascii: "0") || bytes[k] == UInt8(ascii: ".")) { k &+= 1 }
        var digitCount = mantissaEnd &- k
        let point = fractionPoint(bytes, from: digitsStart, to: mantissaEnd)
        if point < mantissaEnd && k < point { digitCount &-= 1 }
        if digitCount <= 19, let value = convert(significand, exponent) { return value }
        return fallback(bytes, count: end)
    }

    /// The exponent after `e` or `E` at `bytes[i]` (an optional sign and at least one digit,
    /// capped far beyond any double's range), moving `i` past it; nil if no digits follow.
    @inline(never)
    private static func parseExponent(_ bytes: UnsafePointer<UInt8>, count: Int, at i: inout Int) -> Int? {
        i &+= 1
        var negative = false
        if i < count && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
            negative = bytes[i] == UInt8(ascii: "-")
            i &+= 1
        }
        let start = i
        var e = 0
        while i < count, bytes[i] &- 48 < 10 {
            if e < 100_000 { e = e &* 10 &+ Int(bytes[i] &- 48) }
            i &+= 1
        }
        guard i > start else { return nil }
        return negative ? -e : e
    }

    /// Moves `i` past the zeros at `bytes[i...]`, a word at a time where it can.
    @inline(__always)
    private static func skipZeros(_ bytes: UnsafePointer<UInt8>, count: Int, at i: inout Int) {
        while count &- i >= 8 {
            let v = UnsafeRawPointer(bytes + i).loadUnaligned(as: UInt64.self) ^ 0x3030_3030_3030_3030
            let zeros = v.trailingZeroBitCount &>> 3
            i &+= zeros
            if zeros < 8 { return }
        }
        while i < count && bytes[i] == UInt8(ascii: "0") { i &+= 1 }
    }

    /// The position of the decimal point in `bytes[from..<to]` (`to` if none).
    private static func fractionPoint(_ bytes: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        var k = from
        while k < to && bytes[k] != UInt8(ascii: ".") { k &+= 1 }
        return k
    }

    /// Adds the digits at `bytes[i...]` to `significand` (wrapping past 19 digits) and moves `i`
    /// past them, a word at a time where eight bytes can be read (SWAR, as fast_float does it).
    /// A byte is flagged when it is below "0" or above "9"; carries and borrows only start at
    /// flagged bytes, so the lowest flagged byte is exact and ends the run of digits. A
    /// fraction's length then costs a branch per word rather than per digit. (The integer part,
    /// usually one to four digits, is faster digit by digit: measured.)
    @inline(__always)
    private static func accumulateDigits(
        _ bytes: UnsafePointer<UInt8>, count: Int, at i: inout Int, into significand: inout UInt64
    ) {
        while count &- i >= 8 {
            let v = UnsafeRawPointer(bytes + i).loadUnaligned(as: UInt64.self)
            let flags = ((v &+ 0x4646_4646_4646_4646) | (v &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080
            if flags == 0 {
                significand = significand &* 100_000_000 &+ leadingDigits(v, 8)
                i &+= 8
                continue
            }
            let run = flags.trailingZeroBitCount &>> 3
            significand = significand &* integerPower(run) &+ leadingDigits(v, run)
            i &+= run
            return
        }
        while i < count, bytes[i] &- 48 < 10 {
            significand = significand &* 10 &+ UInt64(bytes[i] &- 48)
            i &+= 1
        }
    }

    /// The value of the first `run` (0...8) ASCII digits of the little-endian word `v`: the
    /// bytes after them are shifted out and zeros shifted in as leading digits.
    @inline(__always)
    private static func leadingDigits(_ v: UInt64, _ run: Int) -> UInt64 {
        var x = (v &- 0x3030_3030_3030_3030) << UInt64((8 &- run) &* 8)
        x = (x &* 10) &+ (x >> 8)
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        return (((x & mask) &* 0x000F_4240_0000_0064) &+ (((x >> 16) & mask) &* 0x0000_2710_0000_0001)) >> 32
    }

    private static let integerPowers: [UInt64] = [1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// 10^e for e in 0...8.
    @inline(__always)
    private static func integerPower(_ e: Int) -> UInt64 {
        integerPowers.withUnsafeBufferPointer { $0[e] }
    }

    /// 10^e for e in 0...22, exactly representable.
    @inline(__always)
    private static func exactPower(_ e: Int) -> Double {
        exactPowers.withUnsafeBufferPointer { $0[e] }
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
