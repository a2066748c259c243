/// Lowercase hex, the one encoder for fingerprints, certificate SNs, DN `#hex` values and UUIDs, and the one
/// digit reader for percent-escapes.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)
    /// Uppercase hex digits, for percent-escapes.
    static let upperDigits = Array("0123456789ABCDEF".utf8)

    /// `bytes` as lowercase hex, two digits a byte.
    static func lower(_ bytes: some Collection<UInt8>) -> String {
        let digits = Self.digits
        // Written into the String's own storage: no intermediate buffer.
        return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var i = 0
            for b in bytes {
                out[i] = digits[Int(b >> 4)]
                out[i + 1] = digits[Int(b & 0x0F)]
                i += 2
            }
            return i
        }
    }

    /// Appends the lowercase hex of `bytes` to `out`.
    static func appendLower(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        let digits = Self.digits
        // No reserveCapacity here: called once per attribute, exact reservations would make a long name quadratic.
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
    }

    /// The value of one hex digit (either case); `nil` for anything else.
    @inline(__always) static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    /// Left-padded with zeros to `width` characters (hex code points, nine-digit chunks of a decimal).
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
