/// The charset whose bytes are signed and verified (docs/PROTOCOL.md §2.2).
///
/// Alipay's `charset` parameter names it; the content string is encoded in it before hashing, exactly as the
/// Java SDK's `content.getBytes(charset)`, except that a character the charset cannot encode is an error here,
/// never the `?` that Java substitutes.
///
/// Supported names, case-insensitive: `UTF-8`/`utf8`; `GBK`/`cp936`, and `GB2312` as an alias that signs GBK
/// bytes (GBK is a superset of GB 2312, and what Alipay's gateway decodes); `GB18030`.
public struct Charset: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable { case utf8, gbk, gb18030 }

    let kind: Kind
    /// The name as it was given (or the canonical name for the static members).
    public let name: String

    /// UTF-8, the default and the only charset of v3.
    public static let utf8 = Charset(kind: .utf8, name: "UTF-8")
    /// Java's GBK, as Alipay's gateway encodes it (`€` is `A2 E3`); cp936 and GB2312 are its aliases.
    public static let gbk = Charset(kind: .gbk, name: "GBK")
    /// GB18030.
    public static let gb18030 = Charset(kind: .gb18030, name: "GB18030")

    init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// Parses a charset name as it appears in a `charset` parameter.
    /// - Parameter name: `UTF-8`, `GBK` (or `cp936`, `GB2312`) or `GB18030`, in any case.
    /// - Throws: ``AlipaySignError/Code/unknownCharset`` for any other name.
    public init(name: String) throws {
        // Compared without lowercasing the name (a new string each time; `check` reads a charset on every
        // exchange), against literals (no shared table whose reference count every thread would touch).
        let trimmed = name.trimmingASCIIWhitespace()
        func named(_ name: String) -> Bool { trimmed.equalsIgnoringCase(name) }
        if named("utf-8") || named("utf8") {
            kind = .utf8
        } else if named("gbk") || named("cp936") || named("gb2312") || named("windows-936") || named("ms936") {
            kind = .gbk
        } else if named("gb18030") {
            kind = .gb18030
        } else {
            throw AlipaySignError(
                .unknownCharset, "unknown charset '\(name)'",
                hint: "use UTF-8, GBK (also cp936, GB2312) or GB18030")
        }
        self.name = name
    }

    /// The canonical name of the byte encoding used: `UTF-8`, `GBK` or `GB18030`.
    public var canonicalName: String {
        switch kind {
        case .utf8: "UTF-8"
        case .gbk: "GBK"
        case .gb18030: "GB18030"
        }
    }

    /// The canonical name.
    public var description: String { canonicalName }

    /// Charsets are equal when they encode alike: `GBK` and `cp936` are equal.
    public static func == (lhs: Charset, rhs: Charset) -> Bool { lhs.kind == rhs.kind }
    /// Hashes the encoding, consistently with ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }

    /// Encodes text in this charset.
    /// - Parameter text: the text.
    /// - Returns: its bytes in this charset.
    /// - Throws: ``AlipaySignError/Code/unencodableCharacter`` naming the first character that has no encoding.
    public func encode(_ text: String) throws -> [UInt8] {
        switch kind {
        case .utf8:
            return Array(text.utf8)
        case .gb18030:
            return try Iconv.encodeGB18030(text)
        case .gbk:
            return try Charset.javaGBK(text)
        }
    }

    /// Java's GBK, which Alipay's gateway uses: GB18030's one- and two-byte codes, so `€` is `A2 E3` as in Java
    /// (glibc's "GBK" writes `80`, CP936 style; Python's refuses it). A character that GB18030 can only write in
    /// four bytes is not in GBK: an error, where Java would substitute `?`.
    static func javaGBK(_ text: String) throws -> [UInt8] {
        let bytes = try Iconv.encodeGB18030(text)
        var i = 0, character = 0
        while i < bytes.count {
            if bytes[i] < 0x80 {
                i += 1
            } else if i + 1 < bytes.count, (0x30...0x39).contains(bytes[i + 1]) {
                let scalar = text.unicodeScalars.dropFirst(character).first
                let name = scalar.map {
                    "'\(Character($0))' (U+\(String($0.value, radix: 16, uppercase: true).leftPadded(to: 4)))"
                } ?? "a character"
                throw AlipaySignError(
                    .unencodableCharacter, "\(name) at character \(character) cannot be encoded in GBK",
                    hint: "use UTF-8, or GB18030, which encodes every Unicode character")
            } else {
                i += 2
            }
            character += 1
        }
        return bytes
    }

    /// Decodes bytes in this charset.
    /// - Parameter bytes: the bytes.
    /// - Returns: the text.
    /// - Throws: ``AlipaySignError/Code/invalidEncoding`` when the bytes are not valid in the charset.
    public func decode<C: Collection>(_ bytes: C) throws -> String where C.Element == UInt8 {
        try decode(bytes: Array(bytes))
    }

    func decode(bytes: [UInt8]) throws -> String {
        switch kind {
        case .utf8:
            if let s = String(validating: bytes, as: UTF8.self) { return s }
            throw AlipaySignError(
                .invalidEncoding, "the bytes are not valid UTF-8",
                hint: "if the text is GBK, name GBK as its charset")
        case .gbk, .gb18030:
            // GB18030 decodes every GBK byte sequence as Java's GBK does (its superset).
            return try Iconv.decodeGB18030(bytes, name: canonicalName)
        }
    }
}

extension Charset {
    /// The charset a `charset` parameter names: `nil` when absent or empty.
    /// - Throws: ``AlipaySignError/Code/unknownCharset`` for a name the library does not know.
    package static func declared(_ name: String?) throws -> Charset? {
        guard let name, !name.isEmpty else { return nil }
        return try Charset(name: name)
    }
}

extension String {
    package func trimmingASCIIWhitespace() -> String {
        // Nothing to trim (the usual case): the string itself, without copying its bytes.
        if let first = utf8.first, let last = utf8.last, !first.isASCIIWhitespace, !last.isASCIIWhitespace {
            return self
        }
        let u = Array(utf8)
        var lo = 0, hi = u.count
        while lo < hi, u[lo].isASCIIWhitespace { lo += 1 }
        while hi > lo, u[hi - 1].isASCIIWhitespace { hi -= 1 }
        return String(decoding: u[lo..<hi], as: UTF8.self)
    }
}

extension UInt8 {
    var isASCIIWhitespace: Bool { self == 0x20 || (self >= 0x09 && self <= 0x0D) }
}
