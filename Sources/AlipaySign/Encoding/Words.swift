/// Bytes eight at a time (a 64-bit word): the one zero-byte test behind every scan that skips the bytes it has no
/// business with — JSON strings read and written, form bodies decoded. Each test sets the high bit of a byte
/// position that matches; a position above a true match may be set too (a borrow), which only ends a fast path
/// early, never hides a match.
enum ByteWord {
    static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let ones: UInt64 = 0x0101_0101_0101_0101

    /// The word at `p` (any alignment), its first byte in the low bits on every platform.
    @inline(__always) static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// Writes a word read by ``load(_:)`` back as the same eight bytes at `p` (any alignment).
    @inline(__always) static func store(_ x: UInt64, to p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: x.littleEndian, as: UInt64.self)
    }

    /// The positions whose byte is `byte`.
    @inline(__always) static func equal(_ x: UInt64, _ byte: UInt8) -> UInt64 {
        let v = x ^ (ones &* UInt64(byte))
        return (v &- ones) & ~v & highBits
    }

    /// The positions whose byte is below `byte` (which must be at most 0x80).
    @inline(__always) static func below(_ x: UInt64, _ byte: UInt8) -> UInt64 {
        (x &- ones &* UInt64(byte)) & ~x & highBits
    }

    /// The positions whose byte is not ASCII.
    @inline(__always) static func nonASCII(_ x: UInt64) -> UInt64 { x & highBits }

    /// Whether every byte of `b` is ASCII and none is `byte`, eight at a time (a base64 sign checked for escapes
    /// before it is taken as it is: a byte loop took about ten instructions a byte, 3,300 a response).
    static func allASCII(_ b: UnsafeBufferPointer<UInt8>, excluding byte: UInt8) -> Bool {
        guard let p = b.baseAddress else { return true }
        let n = b.count
        var i = 0
        var found: UInt64 = 0
        while i + 8 <= n {
            let x = load(p + i)
            found |= nonASCII(x) | equal(x, byte)  // a borrow's false match only ever sits above a true one
            i += 8
        }
        while i < n {
            if p[i] >= 0x80 || p[i] == byte { return false }
            i += 1
        }
        return found == 0
    }

    /// The offset (0–7) of the first matching byte of a non-zero result of the tests above, in memory order:
    /// the lowest set bit (``load(_:)`` puts the first byte lowest), which is always a true match.
    @inline(__always) static func firstMatch(_ matches: UInt64) -> Int { matches.trailingZeroBitCount >> 3 }
}

/// Decimal digits written as bytes (serial numbers, OID arcs, Beijing times), without a String per number.
enum DecimalText {
    /// Appends `value` in decimal, padded with leading zeros to `width` digits.
    static func append(_ value: UInt64, width: Int = 1, to out: inout [UInt8]) {
        var count = 1
        var v = value
        while v >= 10 {
            v /= 10
            count += 1
        }
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(count, width)))
        v = value
        var i = out.count - 1
        while i >= start, v > 0 {
            out[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
    }

    /// Writes `value` in decimal at `out` (room for 20 digits); returns the number of digits written.
    static func write(_ value: UInt64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var count = 1
        var v = value
        while v >= 10 {
            v /= 10
            count += 1
        }
        v = value
        for i in stride(from: count - 1, through: 0, by: -1) {
            out[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
        }
        return count
    }
}
