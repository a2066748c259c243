/// An `application/x-www-form-urlencoded` body or query string, decoded exactly once (docs/PROTOCOL.md §1.2,
/// §2.2): the one form decoder of the library, under notifications, requests and ``FormBody``.
///
/// Decoding works on bytes, as a servlet container does: `+` is a space, `%XX` is the byte XX, and the bytes of
/// each name and value are then decoded in the charset. A value is never decoded twice: a `%25` in the body stays
/// `%` in the value. The names and values are kept as ranges of one UTF-8 buffer, in body order; nothing is copied
/// into strings until asked.
package struct DecodedForm: Sendable {
    /// One parameter: the byte ranges of its name and value in ``text``.
    package struct Pair: Sendable {
        package var name: Range<Int>
        package var value: Range<Int>
        package init(name: Range<Int>, value: Range<Int>) {
            self.name = name
            self.value = value
        }
    }

    /// Every name and value, percent-decoded and in UTF-8.
    package let text: [UInt8]
    /// The parameters, in body order until ``sortInJavaOrder()``.
    package private(set) var pairs: [Pair]
    /// The charset the bytes were decoded in.
    package let charset: Charset
    /// Whether any name or value has a byte outside ASCII (then the content is encoded back to be verified).
    package let hasNonASCII: Bool

    /// Decodes a body.
    /// - Parameters:
    ///   - body: the body or query string as received.
    ///   - charset: the charset of the percent-decoded bytes; `nil`: the body's own `charset` parameter, else UTF-8.
    /// - Throws: ``AlipaySignError/Code/malformedForm`` for a `%` not followed by two hex digits,
    ///   ``AlipaySignError/Code/unknownCharset`` for a `charset` parameter the library does not know,
    ///   ``AlipaySignError/Code/invalidEncoding`` for bytes that are not valid in the charset.
    package init(decoding body: UnsafeBufferPointer<UInt8>, charset: Charset?) throws {
        var pairs: [Pair] = []
        pairs.reserveCapacity(32)
        var malformedAt: (index: Int, segment: Int)?
        var nonASCII = false
        // One pass: percent-decode every pair into one buffer, recording ranges. Bytes that stand for themselves
        // (the common case) are copied in a tight loop on raw pointers; a table says which bytes need a look.
        let special = Self.formSpecialByte
        let hexValue = Self.hexDigitValue
        let decoded = [UInt8](capacity: body.count) { out, written in
            guard let src = body.baseAddress, let dst = out.baseAddress else {
                written = 0
                return
            }
            let n = body.count
            var o = 0
            var k = 0
            var segment = 1
            var nameStart = 0
            var nameEnd = -1
            while true {
                // Eight bytes at a time while none is '&', '=', '+', '%' or non-ASCII (a zero-byte test on each
                // of the four, and the high bits); a word with one is stored whole too (the output is never ahead
                // of the input, so it stays inside), and both positions move to its first special byte.
                var atSpecial = false
                while k + 8 <= n {
                    let x = ByteWord.load(src + k)
                    let found = ByteWord.equal(x, UInt8(ascii: "&")) | ByteWord.equal(x, UInt8(ascii: "="))
                        | ByteWord.equal(x, UInt8(ascii: "+")) | ByteWord.equal(x, UInt8(ascii: "%")) | ByteWord.nonASCII(x)
                    ByteWord.store(x, to: dst + o)
                    if found != 0 {
                        let m = ByteWord.firstMatch(found)
                        o += m
                        k += m
                        atSpecial = true
                        break
                    }
                    o += 8
                    k += 8
                }
                // The last few bytes one at a time (a word that found a special byte has told where it is: the
                // table's look at it again was a dependent load on every escape, a quarter of this loop's time).
                if !atSpecial {
                    while k < n, special[Int(src[k])] == 0 {
                        dst[o] = src[k]
                        o += 1
                        k += 1
                    }
                }
                if k == n || src[k] == UInt8(ascii: "&") {
                    // The end of a pair; an empty one (`&&`, a leading or trailing `&`) is skipped.
                    if o > nameStart || nameEnd >= 0 {
                        if nameEnd < 0 { nameEnd = o }
                        pairs.append(Pair(name: nameStart..<nameEnd, value: nameEnd..<o))
                    }
                    if k == n { break }
                    k += 1
                    segment += 1
                    nameStart = o
                    nameEnd = -1
                    continue
                }
                let c = src[k]
                switch c {
                case UInt8(ascii: "="):
                    if nameEnd < 0 {
                        nameEnd = o
                    } else {
                        dst[o] = c
                        o += 1
                    }
                    k += 1
                case UInt8(ascii: "+"):
                    dst[o] = 0x20
                    o += 1
                    k += 1
                case UInt8(ascii: "%"):
                    // Escapes come in runs (%E8%AF%AD: each byte of a non-ASCII character): the run is decoded
                    // here rather than through the word scan once per escape.
                    var high: UInt8 = 0
                    repeat {
                        // Two table loads; a byte that is not a hex digit (`&` among them) reads 0xFF.
                        let hi = k + 2 < n ? hexValue[Int(src[k + 1])] : 0xFF
                        let lo = k + 2 < n ? hexValue[Int(src[k + 2])] : 0xFF
                        guard (hi | lo) < 0x10 else {
                            malformedAt = (k, segment)
                            written = o
                            return
                        }
                        let v = hi << 4 | lo
                        high |= v
                        dst[o] = v
                        o += 1
                        k += 3
                    } while k < n && src[k] == UInt8(ascii: "%")
                    if high >= 0x80 { nonASCII = true }
                default:  // a byte >= 0x80, sent raw
                    nonASCII = true
                    dst[o] = c
                    o += 1
                    k += 1
                }
            }
            written = o
        }
        if let (k, segment) = malformedAt {
            var end = k + 1
            while end < min(k + 3, body.count), body[end] != UInt8(ascii: "&") { end += 1 }
            let seen = String(decoding: body[(k + 1)..<end], as: UTF8.self)
            throw AlipaySignError(
                .malformedForm,
                "'%\(seen)' in parameter \(segment) is not a percent-escape (% must be followed by two hex digits)",
                hint: "a literal % is sent as %25; was the body decoded once already?")
        }
        // The charset: the caller's, else the body's own `charset` parameter (ASCII in every supported charset).
        var cs = Charset.utf8
        if let charset {
            cs = charset
        } else if let pair = decoded.withUnsafeBufferPointer({ d in pairs.first { Self.bytes(d, $0.name, equal: "charset") } }),
            !pair.value.isEmpty
        {
            cs = try Charset(name: String(decoding: decoded[pair.value], as: UTF8.self))
        }
        self.charset = cs
        self.hasNonASCII = nonASCII
        guard nonASCII else {
            self.text = decoded
            self.pairs = pairs
            return
        }
        if cs == .utf8 {
            try decoded.withUnsafeBufferPointer { d in
                // The names and values lie end to end in the buffer, so each is valid UTF-8 when the whole buffer
                // is and none starts on a continuation byte (then every piece is whole scalars): one pass, eight
                // ASCII bytes at a time, instead of one short pass a name or value. Only when that fails are the
                // pieces checked one by one, to name the one that is not valid.
                if UTF8Check.isValid(d, 0..<d.count), !pairs.contains(where: {
                    Self.startsInsideScalar(d, $0.name.lowerBound) || Self.startsInsideScalar(d, $0.value.lowerBound)
                }) {
                    return
                }
                for pair in pairs {
                    if !UTF8Check.isValid(d, pair.name) { throw Self.invalidText(nil, cs) }
                    if !UTF8Check.isValid(d, pair.value) { throw Self.invalidText(String(decoding: d[pair.name], as: UTF8.self), cs) }
                }
            }
            self.text = decoded
            self.pairs = pairs
            return
        }
        // GBK and GB18030: each name or value with non-ASCII bytes is decoded once (pooled iconv) into UTF-8.
        var out: [UInt8] = []
        out.reserveCapacity(decoded.count + decoded.count / 2)
        var ranges = pairs
        for (k, pair) in pairs.enumerated() {
            let nameStart = out.count
            try Self.appendDecoded(decoded[pair.name], cs, to: &out, what: nil)
            let valueStart = out.count
            let name = String(decoding: out[nameStart..<valueStart], as: UTF8.self)
            try Self.appendDecoded(decoded[pair.value], cs, to: &out, what: name)
            ranges[k] = Pair(name: nameStart..<valueStart, value: valueStart..<out.count)
        }
        self.text = out
        self.pairs = ranges
    }

    /// Whether the byte at `index` is a UTF-8 continuation byte (a piece starting there would split a scalar).
    private static func startsInsideScalar(_ d: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        index < d.count && d[index] & 0xC0 == 0x80
    }

    /// Decodes a body given as any collection of bytes.
    package init<C: Collection>(decoding body: C, charset: Charset?) throws where C.Element == UInt8 {
        let bytes = Array(body)
        self = try bytes.withUnsafeBufferPointer { try DecodedForm(decoding: $0, charset: charset) }
    }

    /// Parameters that were decoded elsewhere (a web framework's map, a logged JSON object), laid out as if they
    /// had come in a body, so that the same verification runs over them.
    package init(parameters: [String: String], charset: Charset) {
        var text: [UInt8] = []
        var pairs: [Pair] = []
        pairs.reserveCapacity(parameters.count)
        var nonASCII = false
        for (name, value) in parameters {
            let nameStart = text.count
            text.append(contentsOf: name.utf8)
            let valueStart = text.count
            text.append(contentsOf: value.utf8)
            pairs.append(Pair(name: nameStart..<valueStart, value: valueStart..<text.count))
        }
        for b in text where b >= 0x80 {
            nonASCII = true
            break
        }
        self.text = text
        self.pairs = pairs
        self.charset = charset
        self.hasNonASCII = nonASCII
    }

    private static func appendDecoded(_ bytes: ArraySlice<UInt8>, _ cs: Charset, to out: inout [UInt8], what name: String?)
        throws
    {
        guard bytes.contains(where: { $0 >= 0x80 }) else {
            out.append(contentsOf: bytes)
            return
        }
        do {
            out.append(contentsOf: try cs.decode(bytes: Array(bytes)).utf8)
        } catch {
            throw invalidText(name, cs)
        }
    }

    private static func invalidText(_ name: String?, _ cs: Charset) -> AlipaySignError {
        let what = name.map { "the value of '\($0)'" } ?? "a parameter name"
        return AlipaySignError(
            .invalidEncoding, "\(what) is not valid \(cs.canonicalName) once percent-decoded",
            hint: "the declared charset must be the one the body was encoded in (docs/PROTOCOL.md §2.2)")
    }

    /// The text of a range.
    package func string(_ range: Range<Int>) -> String { String(decoding: text[range], as: UTF8.self) }

    /// The parameters as a dictionary.
    /// - Throws: ``AlipaySignError/Code/duplicateParameter`` when a name appears twice.
    package func dictionary() throws -> [String: String] {
        var parameters: [String: String] = [:]
        parameters.reserveCapacity(pairs.count)
        for pair in pairs {
            let name = string(pair.name)
            guard parameters.updateValue(string(pair.value), forKey: name) == nil else { throw Self.duplicate(name) }
        }
        return parameters
    }

    package static func duplicate(_ name: String) -> AlipaySignError {
        AlipaySignError(
            .duplicateParameter, "parameter '\(name)' appears more than once",
            hint: "Alipay sends each parameter once; a repeated one is ambiguous to sign")
    }

    /// Sorts the pairs in place in Java `String` order of their names (docs/PROTOCOL.md §1.1).
    /// - Throws: ``AlipaySignError/Code/duplicateParameter`` when a name appears twice.
    package mutating func sortInJavaOrder() throws {
        try text.withUnsafeBufferPointer { d in
            pairs.sort { Self.javaLess(d, $0.name, $1.name) }
            for j in pairs.indices.dropFirst() where !Self.javaLess(d, pairs[j - 1].name, pairs[j].name) {
                throw Self.duplicate(String(decoding: d[pairs[j].name], as: UTF8.self))
            }
        }
    }

    /// Java `String.compareTo` over UTF-8 bytes: byte order is code-point order, which is UTF-16 order except
    /// that a supplementary character (lead byte F0–F4, a surrogate pair in Java) sorts before U+E000–U+FFFF
    /// (lead byte EE–EF). The first differing byte is a lead byte in both or in neither.
    package static func javaLess(_ d: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        javaLess(UnsafeBufferPointer(rebasing: d[a]), UnsafeBufferPointer(rebasing: d[b]))
    }

    /// The same over two buffers.
    static func javaLess(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = min(a.count, b.count)
        for j in 0..<n {
            let x = a[j]
            let y = b[j]
            if x == y { continue }
            if x >= 0xF0, y == 0xEE || y == 0xEF { return true }
            if y >= 0xF0, x == 0xEE || x == 0xEF { return false }
            return x < y
        }
        return a.count < b.count
    }

    /// The same over two arrays.
    static func javaLess(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in javaLess(x, y) } }
    }

    /// The value of the first parameter with this ASCII name.
    package func value(_ name: StaticString) -> Range<Int>? {
        text.withUnsafeBufferPointer { Self.value(name, in: pairs, $0) }
    }

    /// The value of the first of `pairs` (names and values in `d`) with this ASCII name. Lengths first, bytes only
    /// for a name of the same length: the conformance check looks a request's parameters up some fifteen times an
    /// exchange, and comparing every pair's bytes (a call each) was about 3,500 instructions of it.
    package static func value(_ name: StaticString, in pairs: [Pair], _ d: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        let count = name.utf8CodeUnitCount
        for pair in pairs where pair.name.count == count && bytes(d, pair.name, equal: name) { return pair.value }
        return nil
    }

    /// Whether `d[r]` is the ASCII `literal` (concrete code: the generic `elementsEqual` costs several times more).
    package static func bytes(_ d: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, equal literal: StaticString) -> Bool {
        guard r.count == literal.utf8CodeUnitCount else { return false }
        for j in 0..<r.count where d[r.lowerBound + j] != literal.utf8Start[j] { return false }
        return true
    }

    /// Java `StringUtils.isEmpty` over valid UTF-8 bytes: every character is Java whitespace.
    package static func isJavaEmpty(_ d: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        var i = r.lowerBound
        while i < r.upperBound {
            let c = d[i]
            if c < 0x80 {
                guard SignContent.isJavaWhitespace(UInt16(c)) else { return false }
                i += 1
            } else if c < 0xE0 {
                return false  // U+0080–U+07FF: no Java whitespace there (U+00A0 is not)
            } else if c < 0xF0 {
                guard i + 2 < r.upperBound else { return false }
                let unit = UInt16(c & 0x0F) << 12 | UInt16(d[i + 1] & 0x3F) << 6 | UInt16(d[i + 2] & 0x3F)
                guard SignContent.isJavaWhitespace(unit) else { return false }
                i += 3
            } else {
                return false  // above U+FFFF: never whitespace
            }
        }
        return true
    }

    /// For each byte of a form body: 0 when it stands for itself, else 1 (`&`, `=`, `+`, `%`, or not ASCII).
    /// Allocated once for the process and never written after.
    nonisolated(unsafe) static let formSpecialByte: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for c in 0..<256 {
            table[c] = c >= 0x80 || c == 0x26 || c == 0x3D || c == 0x2B || c == 0x25 ? 1 : 0
        }
        return UnsafePointer(table)
    }()

    /// For each byte: its value as a hex digit (`0`–`9`, `a`–`f`, `A`–`F`), else 0xFF. Allocated once for the
    /// process and never written after.
    nonisolated(unsafe) static let hexDigitValue: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for c in 0..<256 { table[c] = Hex.value(UInt8(c)) ?? 0xFF }
        return UnsafePointer(table)
    }()
}
