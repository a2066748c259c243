#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one JSON tokenizer (RFC 8259) of the library, under both the tree reader (``JSONReader``) and the raw-range
/// scanner of responses (`JSONScan`): whitespace, literals, numbers and strings, over bytes in UTF-8, GBK or
/// GB18030, with one nesting limit.
///
/// Strings are scanned in the text's charset, so that a GBK or GB18030 trail byte that happens to be `\` (0x5C),
/// `"` or `}` never counts as syntax, as it does not for the Java SDK, which works on decoded characters.
struct JSONTokenizer {
    /// How deep objects and arrays may nest (the root container is level 1). Deeper input is malformed for every
    /// reader of the library: no Alipay message comes near it, and the limit bounds the tree reader's recursion.
    static let maximumDepth = 512

    enum Encoding { case utf8, gbk, gb18030 }

    let b: UnsafeBufferPointer<UInt8>
    let encoding: Encoding
    /// The error's wording: what is being read (`the response`, `JSON`) and the hint to give. Static strings, so
    /// that the tokenizer holds no reference: the readers copy it into every cursor and parser they make, and a
    /// `String` here was a retain and a release on each copy (about 55 copies an exchange in `check`).
    let subject: StaticString
    let hint: StaticString?
    /// The position of the next byte to read.
    var i = 0
    /// ``plainStringByte``, read once (each static access is a `swift_once` check, and strings are the hot path).
    let plain = JSONTokenizer.plainStringByte

    init(_ b: UnsafeBufferPointer<UInt8>, encoding: Encoding = .utf8, subject: StaticString = "JSON", hint: StaticString? = nil) {
        self.b = b
        self.encoding = encoding
        self.subject = subject
        self.hint = hint
    }

    /// For each byte: whether it stands for itself inside a string (printable ASCII other than '"' and '\').
    /// Allocated once for the process, never freed and never written after: safe to share across threads.
    nonisolated(unsafe) static let plainStringByte: UnsafePointer<Bool> = {
        let table = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
        for c in 0..<256 { table[c] = c >= 0x20 && c < 0x80 && c != 0x22 && c != 0x5C }
        return UnsafePointer(table)
    }()

    func fail(_ what: String, at position: Int? = nil) -> AlipaySignError {
        AlipaySignError(.malformedJSON, "\(subject) is not valid JSON: \(what) at byte \(position ?? i)", hint: hint.map { "\($0)" })
    }

    /// The error for a container opened one level past ``maximumDepth``.
    func tooDeep() -> AlipaySignError { fail("nested more than \(Self.maximumDepth) levels deep") }

    var atEnd: Bool { i >= b.count }

    mutating func skipWhitespace() {
        while i < b.count {
            switch b[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    /// Reads `true`, `false` or `null` at `i`.
    mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw fail("a truncated literal") }
        for k in 0..<n where b[i + k] != word.utf8Start[k] { throw fail("an invalid literal") }
        i += n
    }

    /// Reads a number at `i`: `-`? int frac? exp?.
    mutating func number() throws {
        let start = i
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count, isDigit(b[i]) else { throw fail("a number without digits", at: start) }
        if b[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < b.count, isDigit(b[i]) else { throw fail("a number with no digits after '.'", at: start) }
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count, isDigit(b[i]) else { throw fail("a number with an empty exponent", at: start) }
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
    }

    func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// A string token: where its content is (inside the quotes), and whether it has escapes.
    struct StringToken {
        let content: Range<Int>
        let escaped: Bool
    }

    /// Skips a string starting at its opening quote. Validates escapes (a `\u` needs four hex digits; pairing of
    /// surrogates is the decoder's business), control characters and the charset's byte sequences.
    mutating func string() throws -> StringToken {
        let start = i
        i += 1
        var escaped = false
        guard let base = b.baseAddress else { throw fail("an unterminated string", at: start) }
        let plain = self.plain
        let n = b.count
        while i < n {
            // Printable ASCII other than '"' and '\' (one table load instead of four comparisons), on a local
            // index and a raw pointer: the common case of every scan.
            var j = i
            // Eight bytes at a time while none is a quote, a backslash, a control character or non-ASCII
            // (a base64 sign, most values): a zero-byte test on each of the three, and the high bits. A word with
            // one goes straight to its first (the lowest set bit is always a true match), not byte by byte: in a
            // JSON document quoted in a string (a response body in a capture line) a `\"` comes every few bytes.
            var atSpecial = false
            while j + 8 <= n {
                let x = ByteWord.load(base + j)
                let special = ByteWord.equal(x, 0x22) | ByteWord.equal(x, 0x5C) | ByteWord.below(x, 0x20)
                    | ByteWord.nonASCII(x)
                if special != 0 {
                    j += ByteWord.firstMatch(special)
                    atSpecial = true
                    break
                }
                j += 8
            }
            // The last few bytes one at a time; not the byte the word scan stopped at, which it has found special
            // (looking it up again in the table was a load waiting on the scan, on every escape).
            if !atSpecial {
                while j < n, plain[Int(base[j])] { j += 1 }
            }
            i = j
            guard i < n else { break }
            let c = base[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return StringToken(content: (start + 1)..<(i - 1), escaped: escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                guard i + 1 < n else { break }
                switch base[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 6 <= n, Hex.value(base[i + 2]) != nil, Hex.value(base[i + 3]) != nil,
                        Hex.value(base[i + 4]) != nil, Hex.value(base[i + 5]) != nil
                    else {
                        throw fail("an invalid \\u escape")
                    }
                    i += 6
                default:
                    throw fail("an invalid escape")
                }
                continue
            }
            if c < 0x20 { throw fail("an unescaped control character in a string") }
            if c < 0x80 {
                i += 1
                continue
            }
            i += try multibyteLength(at: i)
        }
        throw fail("an unterminated string", at: start)
    }

    /// The length of the multi-byte character at `p` in the text's charset; throws when it is not one.
    func multibyteLength(at p: Int) throws -> Int {
        let c = b[p]
        func byte(_ k: Int) -> UInt8? { p + k < b.count ? b[p + k] : nil }
        func cont(_ k: Int) -> Bool { byte(k).map { $0 & 0xC0 == 0x80 } ?? false }
        switch encoding {
        case .utf8:
            switch c {
            case 0xC2...0xDF where cont(1): return 2
            case 0xE0 where (byte(1).map { (0xA0...0xBF).contains($0) } ?? false) && cont(2): return 3
            case 0xE1...0xEC where cont(1) && cont(2): return 3
            case 0xEE...0xEF where cont(1) && cont(2): return 3
            case 0xED where (byte(1).map { (0x80...0x9F).contains($0) } ?? false) && cont(2): return 3
            case 0xF0 where (byte(1).map { (0x90...0xBF).contains($0) } ?? false) && cont(2) && cont(3): return 4
            case 0xF1...0xF3 where cont(1) && cont(2) && cont(3): return 4
            case 0xF4 where (byte(1).map { (0x80...0x8F).contains($0) } ?? false) && cont(2) && cont(3): return 4
            default: throw fail("bytes that are not valid UTF-8", at: p)
            }
        case .gbk, .gb18030:
            guard (0x81...0xFE).contains(c), let second = byte(1) else {
                throw fail("bytes that are not valid \(encoding == .gbk ? "GBK" : "GB18030")", at: p)
            }
            if (0x40...0x7E).contains(second) || (0x80...0xFE).contains(second) { return 2 }
            if encoding == .gb18030, (0x30...0x39).contains(second), let third = byte(2), let fourth = byte(3),
                (0x81...0xFE).contains(third), (0x30...0x39).contains(fourth)
            {
                return 4
            }
            throw fail("bytes that are not valid \(encoding == .gbk ? "GBK" : "GB18030")", at: p)
        }
    }

    /// The text of a UTF-8 string token, escapes resolved (surrogate escapes must pair).
    func decode(_ token: StringToken) throws -> String {
        guard token.escaped else { return String(decoding: b[token.content], as: UTF8.self) }
        return String(decoding: try unescapedBytes(token), as: UTF8.self)
    }

    /// The bytes of a UTF-8 string token, escapes resolved.
    ///
    /// Written into the array's storage (an escape never writes more bytes than it reads, so the token's length
    /// is enough), eight bytes at a time between backslashes: a JSON document quoted inside a string (a response
    /// body in a capture or a batch line) has an escape every few bytes, a base64 value none.
    func unescapedBytes(_ token: StringToken) throws -> [UInt8] {
        guard token.escaped else { return Array(b[token.content]) }
        let end = token.content.upperBound
        let base = b.baseAddress!
        func hex4(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for q in 0..<4 { v = v << 4 | UInt32(Hex.value(base[at + q]) ?? 0) }
            return v
        }
        return try [UInt8](capacity: token.content.count) { out, written in
            let dst = out.baseAddress!
            var o = 0
            var k = token.content.lowerBound
            while k < end {
                // The output is never ahead of the input (o <= k - start), so a word stored at o stays inside.
                // A word with a backslash is stored whole too, and both positions move to the backslash.
                var atBackslash = false
                while k + 8 <= end {
                    let x = ByteWord.load(base + k)
                    ByteWord.store(x, to: dst + o)
                    let backslash = ByteWord.equal(x, 0x5C)
                    if backslash != 0 {
                        let m = ByteWord.firstMatch(backslash)
                        o += m
                        k += m
                        atBackslash = true
                        break
                    }
                    o += 8
                    k += 8
                }
                if !atBackslash {
                    while k < end, base[k] != 0x5C {
                        dst[o] = base[k]
                        o += 1
                        k += 1
                    }
                }
                guard k < end else { break }
                let e = base[k + 1]
                k += 2
                switch e {
                case UInt8(ascii: "b"): dst[o] = 0x08
                case UInt8(ascii: "f"): dst[o] = 0x0C
                case UInt8(ascii: "n"): dst[o] = 0x0A
                case UInt8(ascii: "r"): dst[o] = 0x0D
                case UInt8(ascii: "t"): dst[o] = 0x09
                case UInt8(ascii: "u"):
                    var scalar = hex4(k)
                    k += 4
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard k + 6 <= end, base[k] == UInt8(ascii: "\\"), base[k + 1] == UInt8(ascii: "u") else {
                            written = o
                            throw fail("a high surrogate escape without its low surrogate", at: k)
                        }
                        let low = hex4(k + 2)
                        guard (0xDC00...0xDFFF).contains(low) else {
                            written = o
                            throw fail("an unpaired surrogate escape", at: k)
                        }
                        k += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        written = o
                        throw fail("an unpaired surrogate escape", at: k)
                    }
                    guard let u = Unicode.Scalar(scalar) else {
                        written = o
                        throw fail("an invalid \\u escape", at: k)
                    }
                    // Up to four bytes for the six or twelve read.
                    UTF8.encode(u) { byte in
                        dst[o] = byte
                        o += 1
                    }
                    continue
                default: dst[o] = e  // '"', '\', '/': the tokenizer admitted no other
                }
                o += 1
            }
            written = o
        }
    }
}
