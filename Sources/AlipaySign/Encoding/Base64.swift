/// Standard base64 (RFC 4648 §4, `+` `/` and `=` padding), as every Alipay SDK writes it (docs/PROTOCOL.md §2.3).
///
/// Encoding never breaks lines. Decoding skips ASCII whitespace anywhere (keys and signatures are pasted with
/// line breaks) and is otherwise strict: any other character outside the alphabet, a misplaced `=`, or a
/// length that does not end on a whole group is rejected.
@_spi(AlipaySignTools) public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodeTable: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    /// The same table behind a plain pointer for the hot loop (no bounds check per character): allocated once
    /// for the process and never written after.
    nonisolated(unsafe) private static let decodePointer: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for c in 0..<256 { table[c] = decodeTable[c] }
        return UnsafePointer(table)
    }()

    /// Four tables for the compact decoder, one per position in a group of four characters: entry `256 k + c` is
    /// character `c`'s sextet shifted to where it lands in the group's three bytes, read as a little-endian
    /// `UInt32` (so that a group decodes to the OR of four loads); `0x01FF_FFFF` (the high byte set) for a
    /// character outside the alphabet. Allocated once for the process and never written after.
    nonisolated(unsafe) private static let groupTables: UnsafePointer<UInt32> = {
        let tables = UnsafeMutablePointer<UInt32>.allocate(capacity: 1024)
        for c in 0..<256 {
            let v = decodeTable[c]
            guard v != 0xFF else {
                for k in 0..<4 { tables[256 * k + c] = 0x01FF_FFFF }
                continue
            }
            let x = UInt32(v)
            tables[c] = x << 2                                   // byte 0, bits 7-2
            tables[256 + c] = x >> 4 | (x & 0x0F) << 12          // byte 0, bits 1-0; byte 1, bits 7-4
            tables[512 + c] = (x >> 2) << 8 | (x & 0x03) << 22   // byte 1, bits 3-0; byte 2, bits 7-6
            tables[768 + c] = x << 16                            // byte 2, bits 5-0
        }
        return UnsafePointer(tables)
    }()

    /// Encodes bytes as standard base64 without line breaks.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        // Contiguous input (an array, the usual case) is read in place; anything else is copied once.
        if let encoded = bytes.withContiguousStorageIfAvailable({ encode(buffer: $0) }) { return encoded }
        return Array(bytes).withUnsafeBufferPointer { encode(buffer: $0) }
    }

    /// Writes the text straight into the string's storage: one allocation, the result's.
    static func encode(buffer bytes: UnsafeBufferPointer<UInt8>) -> String {
        let alphabet = Self.alphabet
        let length = (bytes.count + 2) / 3 * 4
        return String(unsafeUninitializedCapacity: length) { out in
            var o = 0
            var i = 0
            let n = bytes.count
            while i + 3 <= n {
                let b0 = bytes[i], b1 = bytes[i + 1], b2 = bytes[i + 2]
                out[o] = alphabet[Int(b0 >> 2)]
                out[o + 1] = alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)]
                out[o + 2] = alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)]
                out[o + 3] = alphabet[Int(b2 & 0x3F)]
                i += 3
                o += 4
            }
            if i < n {
                let b0 = bytes[i]
                let b1: UInt8? = i + 1 < n ? bytes[i + 1] : nil
                out[o] = alphabet[Int(b0 >> 2)]
                out[o + 1] = alphabet[Int((b0 & 0x03) << 4 | (b1 ?? 0) >> 4)]
                out[o + 2] = b1.map { alphabet[Int(($0 & 0x0F) << 2)] } ?? UInt8(ascii: "=")
                out[o + 3] = UInt8(ascii: "=")
                o += 4
            }
            return o
        }
    }

    /// Whether a byte is a base64 alphabet character or `=`.
    static func isAlphabetOrPad(_ c: UInt8) -> Bool { c == UInt8(ascii: "=") || decodeTable[Int(c)] != 0xFF }

    /// Decodes standard base64, skipping ASCII whitespace; `nil` when the text is not base64.
    public static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        // Generic code is not specialised across modules: convert once, then run the concrete loop.
        Array(text).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    static func decode(buffer text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        if let fast = decodeCompact(text) { return fast }
        return decodeGeneral(text)
    }

    /// The common case, a signature as sent: no whitespace, length a multiple of 4, padding only at the end.
    /// Four characters at a time; `nil` (not an error) sends anything else to the general decoder.
    private static func decodeCompact(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count >= 4, text.count % 4 == 0 else { return nil }
        var decoded: Int?
        let out = [UInt8](capacity: text.count / 4 * 3) { out, initialized in
            decoded = decodeCompact(text, into: out)
            initialized = decoded ?? 0
        }
        return decoded == nil ? nil : out
    }

    /// The compact decoder writing into `out` (at least `text.count / 4 * 3` bytes); the byte count, or `nil`
    /// for anything but compact base64.
    private static func decodeCompact(
        _ text: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>
    ) -> Int? {
        let count = text.count
        guard count >= 4, count % 4 == 0, out.count >= count / 4 * 3, let src = text.baseAddress,
            let dst = out.baseAddress
        else { return nil }
        let pad = src[count - 1] == UInt8(ascii: "=") ? (src[count - 2] == UInt8(ascii: "=") ? 2 : 1) : 0
        let groups = count / 4
        let t = Self.groupTables
        var badGroups: UInt32 = 0
        var o = 0
        var i = 0
        // Every group but the last: four loads, stored as one 4-byte word whose fourth byte the next group's
        // first overwrites (the last group is written below, so no byte past the output is touched).
        for _ in 0..<(groups - 1) {
            let x = t[Int(src[i])] | t[256 + Int(src[i + 1])] | t[512 + Int(src[i + 2])] | t[768 + Int(src[i + 3])]
            badGroups |= x
            UnsafeMutableRawPointer(dst + o).storeBytes(of: x.littleEndian, as: UInt32.self)
            o += 3
            i += 4
        }
        let table = Self.decodePointer
        var bad: UInt8 = badGroups >> 24 != 0 ? 0xFF : 0
        // The last group, with its padding.
        let a = table[Int(src[i])], b = table[Int(src[i + 1])]
        let c = pad == 2 ? 0 : table[Int(src[i + 2])]
        let d = pad >= 1 ? 0 : table[Int(src[i + 3])]
        bad |= a | b | c | d
        // Non-canonical trailing bits are rejected, as by the general decoder.
        if pad == 2 && b & 0x0F != 0 { bad = 0xFF }
        if pad == 1 && c & 0x03 != 0 { bad = 0xFF }
        dst[o] = a << 2 | b >> 4
        dst[o + 1] = b << 4 | c >> 2
        dst[o + 2] = c << 6 | d
        // 0xFF marks characters outside the alphabet; any of them (bit 6 or 7 set) fails the fast path.
        return bad & 0xC0 == 0 ? groups * 3 - pad : nil
    }

    /// Runs `body` with the decoded bytes, or `nil` when the text is not base64. Compact base64 of up to 1 KiB
    /// (every RSA signature up to 8192 bits) decodes into a stack buffer: no allocation; anything else goes
    /// through the general decoder.
    static func withDecoded<R>(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows
        -> R
    {
        let capacity = text.count / 4 * 3
        if text.count >= 4, text.count % 4 == 0, capacity <= 1024 {
            let fast: R? = try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
                guard let count = decodeCompact(text, into: buffer) else { return nil }
                return try body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[0..<count])))
            }
            if let fast { return fast }
        }
        guard let decoded = decodeGeneral(text) else { return try body(nil) }
        return try decoded.withUnsafeBytes { try body($0) }
    }

    /// Base64 with whitespace anywhere (PEM bodies, pasted keys) or unpadded: one table load and one comparison
    /// per alphabet character, whitespace and `=` handled off that path, output written in place.
    static func decodeGeneral(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let table = Self.decodePointer  // 0xFF for every byte outside the alphabet
        var valid = true
        // Full groups give 3 bytes per 4 characters of the text at most, a final partial group 2 more.
        let out = [UInt8](capacity: text.count / 4 * 3 + 2) { dst, initialized in
            var o = 0
            var quad: UInt32 = 0
            var n = 0          // sextets in the current group
            var padding = 0    // '=' seen
            initialized = 0
            for c in text {
                let v = table[Int(c)]
                if v < 0x40 {
                    guard padding == 0 else { return valid = false }
                    quad = quad << 6 | UInt32(v)
                    n += 1
                    if n == 4 {
                        dst[o] = UInt8(truncatingIfNeeded: quad >> 16)
                        dst[o + 1] = UInt8(truncatingIfNeeded: quad >> 8)
                        dst[o + 2] = UInt8(truncatingIfNeeded: quad)
                        o += 3
                        quad = 0
                        n = 0
                    }
                    continue
                }
                switch c {
                case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C:
                    continue
                case UInt8(ascii: "="):
                    // '=' may only complete a group that has 2 or 3 sextets.
                    guard n + padding >= 2, n + padding < 4 else { return valid = false }
                    padding += 1
                default:
                    return valid = false
                }
            }
            if padding > 0, n + padding != 4 { return valid = false }
            switch n {
            case 0:
                break
            case 2:
                // Non-canonical trailing bits are rejected (RFC 4648 §3.5 allows it; signatures must be exact).
                guard quad & 0x0F == 0 else { return valid = false }
                dst[o] = UInt8(truncatingIfNeeded: quad >> 4)
                o += 1
            case 3:
                guard quad & 0x03 == 0 else { return valid = false }
                dst[o] = UInt8(truncatingIfNeeded: quad >> 10)
                dst[o + 1] = UInt8(truncatingIfNeeded: quad >> 2)
                o += 2
            default:
                return valid = false
            }
            initialized = o
        }
        return valid ? out : nil
    }

    /// Whether a string is base64 as the decoder reads it (whitespace skipped), without allocating when it is a
    /// compact signature of up to 1 KiB.
    public static func isValid(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isValid($0) }
    }

    /// Whether bytes are base64, as ``isValid(_:)-(String)`` says of text (a signature is decoded on the stack).
    package static func isValid(_ text: UnsafeBufferPointer<UInt8>) -> Bool { withDecoded(text) { $0 != nil } }

    /// Decodes a string; `nil` when it is not base64.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(buffer: $0) }
    }
}
