import Foundation

/// A PNG decoded to RGBA pixels: enough of the format for Chromium's screenshots (8-bit
/// truecolour or greyscale, with or without alpha, not interlaced), with a DEFLATE decoder
/// (RFC 1951) so the tests need no image library.
struct PNGImage {
    let width: Int, height: Int
    /// RGBA, row by row.
    let pixels: [UInt8]

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func rgba(x: Int, y: Int) -> (UInt8, UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 4
        return (pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
    }

    /// Whether the pixel differs from white by more than `tolerance` in any channel.
    func isInk(x: Int, y: Int, tolerance: UInt8 = 40) -> Bool {
        guard x >= 0 && y >= 0 && x < width && y < height else { return false }
        let (r, g, b, _) = rgba(x: x, y: y)
        return r < 255 - tolerance || g < 255 - tolerance || b < 255 - tolerance
    }

    init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 8, bytes[0..<8] == [137, 80, 78, 71, 13, 10, 26, 10] else { throw Failure(description: "not a PNG") }
        var at = 8, idat = [UInt8](), header = [UInt8]()
        func be32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        while at + 8 <= bytes.count {
            let length = be32(at), type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
            let body = Array(bytes[(at + 8)..<(at + 8 + length)])
            if type == "IHDR" { header = body }
            if type == "IDAT" { idat += body }
            if type == "IEND" { break }
            at += 12 + length
        }
        guard header.count == 13 else { throw Failure(description: "no IHDR") }
        let w = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        let h = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
        let depth = header[8], colour = header[9], interlace = header[12]
        guard depth == 8, interlace == 0, [0, 2, 4, 6].contains(colour) else {
            throw Failure(description: "unsupported PNG: depth \(depth), colour type \(colour), interlace \(interlace)")
        }
        let channels = [0: 1, 2: 3, 4: 2, 6: 4][Int(colour)]!
        let raw = try Inflate.zlib(idat)
        let stride = w * channels
        guard raw.count >= h * (stride + 1) else { throw Failure(description: "short image data") }
        var out = [UInt8](repeating: 0, count: w * h * 4), previous = [UInt8](repeating: 0, count: stride)
        for y in 0..<h {
            let filter = raw[y * (stride + 1)]
            var line = Array(raw[(y * (stride + 1) + 1)..<((y + 1) * (stride + 1))])
            for i in 0..<stride {
                let a = i >= channels ? Int(line[i - channels]) : 0, b = Int(previous[i])
                let c = i >= channels ? Int(previous[i - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Failure(description: "bad filter \(filter)")
                }
                line[i] = UInt8((Int(line[i]) + predictor) & 0xFF)
            }
            for x in 0..<w {
                let s = x * channels, d = (y * w + x) * 4
                switch channels {
                case 1: (out[d], out[d + 1], out[d + 2], out[d + 3]) = (line[s], line[s], line[s], 255)
                case 2: (out[d], out[d + 1], out[d + 2], out[d + 3]) = (line[s], line[s], line[s], line[s + 1])
                case 3: (out[d], out[d + 1], out[d + 2], out[d + 3]) = (line[s], line[s + 1], line[s + 2], 255)
                default: (out[d], out[d + 1], out[d + 2], out[d + 3]) = (line[s], line[s + 1], line[s + 2], line[s + 3])
                }
            }
            previous = line
        }
        (width, height, pixels) = (w, h, out)
    }
}

/// DEFLATE (RFC 1951) inside a zlib stream (RFC 1950): stored, fixed and dynamic Huffman blocks.
enum Inflate {
    struct Bits {
        let data: [UInt8]
        var position = 0, bit = 0

        mutating func read(_ count: Int) throws -> Int {
            var value = 0
            for k in 0..<count {
                guard position < data.count else { throw PNGImage.Failure(description: "truncated deflate stream") }
                value |= Int((data[position] >> UInt8(bit)) & 1) << k
                bit += 1
                if bit == 8 { (bit, position) = (0, position + 1) }
            }
            return value
        }

        mutating func alignToByte() { if bit > 0 { (bit, position) = (0, position + 1) } }
    }

    /// A canonical Huffman code from code lengths: (count per length, symbols by code).
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16), symbols = [Int]()

        init(lengths: [Int]) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for l in 1..<16 { offsets[l] = offsets[l - 1] + counts[l - 1] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (s, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = s
                offsets[l] += 1
            }
        }

        func decode(_ bits: inout Bits) throws -> Int {
            var code = 0, first = 0, index = 0
            for length in 1..<16 {
                code |= try bits.read(1)
                let count = counts[length]
                if code - count < first { return symbols[index + (code - first)] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw PNGImage.Failure(description: "bad Huffman code")
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                               4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    static func zlib(_ data: [UInt8]) throws -> [UInt8] {
        guard data.count > 2, data[0] & 0x0F == 8 else { throw PNGImage.Failure(description: "not a zlib stream") }
        var bits = Bits(data: data, position: 2)
        var out = [UInt8]()
        out.reserveCapacity(data.count * 4)
        var last = 0
        repeat {
            last = try bits.read(1)
            switch try bits.read(2) {
            case 0:
                bits.alignToByte()
                let p = bits.position
                let length = Int(data[p]) | Int(data[p + 1]) << 8
                out += data[(p + 4)..<(p + 4 + length)]
                bits.position = p + 4 + length
            case 1:
                let lengths = [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112) + [Int](repeating: 7, count: 24)
                    + [Int](repeating: 8, count: 8)
                try block(&bits, &out, Huffman(lengths: lengths), Huffman(lengths: [Int](repeating: 5, count: 30)))
            case 2:
                let literals = try bits.read(5) + 257, distances = try bits.read(5) + 1, codes = try bits.read(4) + 4
                let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
                var codeLengths = [Int](repeating: 0, count: 19)
                for k in 0..<codes { codeLengths[order[k]] = try bits.read(3) }
                let codeCode = Huffman(lengths: codeLengths)
                var lengths = [Int]()
                while lengths.count < literals + distances {
                    let symbol = try codeCode.decode(&bits)
                    switch symbol {
                    case 0..<16: lengths.append(symbol)
                    case 16: lengths += [Int](repeating: lengths.last ?? 0, count: 3 + (try bits.read(2)))
                    case 17: lengths += [Int](repeating: 0, count: 3 + (try bits.read(3)))
                    default: lengths += [Int](repeating: 0, count: 11 + (try bits.read(7)))
                    }
                }
                try block(&bits, &out, Huffman(lengths: Array(lengths[0..<literals])), Huffman(lengths: Array(lengths[literals...])))
            default:
                throw PNGImage.Failure(description: "bad block type")
            }
        } while last == 0
        return out
    }

    static func block(_ bits: inout Bits, _ out: inout [UInt8], _ literal: Huffman, _ distance: Huffman) throws {
        while true {
            let symbol = try literal.decode(&bits)
            if symbol < 256 {
                out.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let l = symbol - 257
                let length = lengthBase[l] + (try bits.read(lengthExtra[l]))
                let d = try distance.decode(&bits)
                let back = distanceBase[d] + (try bits.read(distanceExtra[d]))
                guard back <= out.count else { throw PNGImage.Failure(description: "distance too far back") }
                let start = out.count - back
                for k in 0..<length { out.append(out[start + k]) }
            }
        }
    }
}
