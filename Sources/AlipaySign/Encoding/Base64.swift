/// Standard base64 (RFC 4648 §4, `+` `/` and `=` padding), as every Alipay SDK writes it (PROTOCOL.md §2.3).
///
/// Encoding never breaks lines. Decoding skips ASCII whitespace anywhere (keys and signatures are pasted with
/// line breaks) and is otherwise strict: any other character outside the alphabet, a misplaced `=`, or a
/// length that does not end on a whole group is rejected.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodeTable: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    /// Encodes bytes as standard base64 without line breaks.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        Array(bytes).withUnsafeBufferPointer { encode(buffer: $0) }
    }

    static func encode(buffer bytes: UnsafeBufferPointer<UInt8>) -> String {
        let alphabet = Self.alphabet
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var it = bytes.makeIterator()
        while let b0 = it.next() {
            let b1 = it.next(), b2 = it.next()
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)])
            out.append(b1.map { alphabet[Int(($0 & 0x0F) << 2 | (b2 ?? 0) >> 6)] } ?? UInt8(ascii: "="))
            out.append(b2.map { alphabet[Int($0 & 0x3F)] } ?? UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a byte is a base64 alphabet character or `=`.
    static func isAlphabetOrPad(_ c: UInt8) -> Bool { c == UInt8(ascii: "=") || decodeTable[Int(c)] != 0xFF }

    /// Decodes standard base64, skipping ASCII whitespace; `nil` when the text is not base64.
    public static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        // Generic code is not specialised across modules: convert once, then run the concrete loop.
        Array(text).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    static func decode(buffer text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let decodeTable = Self.decodeTable  // one lazy-initialisation check, not one per character
        var out = [UInt8]()
        out.reserveCapacity(text.count / 4 * 3)
        var quad: UInt32 = 0
        var n = 0          // sextets in the current group
        var padding = 0    // '=' seen
        for c in text {
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C:
                continue
            case UInt8(ascii: "="):
                // '=' may only complete a group that has 2 or 3 sextets.
                guard n + padding >= 2 else { return nil }
                padding += 1
                guard n + padding <= 4 else { return nil }
            default:
                let v = decodeTable[Int(c)]
                guard v != 0xFF, padding == 0 else { return nil }
                quad = quad << 6 | UInt32(v)
                n += 1
                if n == 4 {
                    out.append(UInt8(truncatingIfNeeded: quad >> 16))
                    out.append(UInt8(truncatingIfNeeded: quad >> 8))
                    out.append(UInt8(truncatingIfNeeded: quad))
                    quad = 0
                    n = 0
                }
            }
        }
        if padding > 0 {
            guard n + padding == 4 else { return nil }
        }
        switch n {
        case 0:
            break
        case 2:
            // Non-canonical trailing bits are rejected (RFC 4648 §3.5 allows it; signatures must be exact).
            guard quad & 0x0F == 0 else { return nil }
            out.append(UInt8(truncatingIfNeeded: quad >> 4))
        case 3:
            guard quad & 0x03 == 0 else { return nil }
            out.append(UInt8(truncatingIfNeeded: quad >> 10))
            out.append(UInt8(truncatingIfNeeded: quad >> 2))
        default:
            return nil
        }
        return out
    }

    /// Decodes a string; `nil` when it is not base64.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(buffer: $0) }
    }
}
