/// The v3 `Authorization` header (docs/PROTOCOL.md §6.1):
/// `ALIPAY-SHA256withRSA app_id=…[,app_cert_sn=…],nonce=…,timestamp=…[,extra=…],sign=<base64>`.
///
/// Parsing keeps every field's text exactly as sent and in its order, unknown fields included, because line 1 of
/// the signed content is the header's auth string as sent, minus `,sign=…`.
public struct V3Authorization: Sendable, Equatable, CustomStringConvertible {
    /// The header's scheme.
    public static let scheme = "ALIPAY-SHA256withRSA"

    /// The fields other than `sign`, in order, as (name, value) text (a name without the white space that may
    /// precede it after a comma).
    public let fields: [(name: String, value: String)]
    /// The base64 signature, when the header has one.
    public let signature: String?
    /// The auth string exactly as the header carries it, when it differs from the fields joined by `,` (white space
    /// after a comma).
    let sentAuthString: String?

    /// Headers are equal when their fields (in order) and signatures are.
    public static func == (lhs: V3Authorization, rhs: V3Authorization) -> Bool {
        lhs.authString == rhs.authString && lhs.signature == rhs.signature
    }

    /// A header from its parts.
    /// - Parameters:
    ///   - fields: the fields other than `sign`, in order.
    ///   - signature: the base64 signature, or `nil`.
    public init(fields: [(name: String, value: String)], signature: String?) {
        self.fields = fields
        self.signature = signature
        self.sentAuthString = nil
    }

    /// The auth string, line 1 of the signed content: the fields other than `sign` as the header carries them,
    /// white space after a comma included (the gateway verifies the string as sent).
    public var authString: String { sentAuthString ?? canonicalAuthString }

    /// The fields joined by `,` without white space, as the SDKs write them.
    var canonicalAuthString: String { fields.map { "\($0.name)=\($0.value)" }.joined(separator: ",") }

    /// Whether a field follows its comma after white space (`app_id=1, nonce=…`), which the SDKs never write.
    public var hasSpaceAfterComma: Bool { sentAuthString != nil }

    /// The header value.
    public var description: String {
        Self.scheme + " " + authString + (signature.map { ",sign=\($0)" } ?? "")
    }

    /// The first field of that name.
    /// - Parameter name: a field name, such as `app_id`.
    /// - Returns: its value as sent, or `nil`.
    public func value(of name: String) -> String? { fields.first { $0.name == name }?.value }
    /// The `app_id` field.
    public var appID: String? { value(of: "app_id") }
    /// The `app_cert_sn` field (certificate mode).
    public var appCertSN: String? { value(of: "app_cert_sn") }
    /// The `nonce` field.
    public var nonce: String? { value(of: "nonce") }
    /// The timestamp in milliseconds since 1970.
    public var timestamp: Int64? { value(of: "timestamp").flatMap { Int64($0) } }

    /// Parses a header value (with or without the `Authorization:` name). Works on the UTF-8 bytes: the
    /// grammar is ASCII, and `Character` indexing costs more than the RSA verification it precedes.
    /// - Parameter header: the header value.
    /// - Throws: ``AlipaySignError/Code/malformedAuthorization`` saying what is wrong.
    public init(parsing header: String) throws {
        func fail(_ reason: String, hint: String? = nil) -> AlipaySignError {
            AlipaySignError(.malformedAuthorization, "the Authorization header \(reason)", hint: hint)
        }
        func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
        let all = Array(header.utf8)
        var lo = 0, hi = all.count
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
        while lo < hi, isSpace(all[lo]) { lo += 1 }
        while hi > lo, isSpace(all[hi - 1]) { hi -= 1 }
        let name = Array("authorization:".utf8)
        if hi - lo >= name.count, zip(all[lo..<(lo + name.count)], name).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) {
            lo += name.count
            while lo < hi, isSpace(all[lo]) { lo += 1 }
        }
        guard let space = all[lo..<hi].firstIndex(of: 0x20) else {
            throw fail(lo == hi ? "is empty" : "has no fields after its scheme")
        }
        let scheme = text(all[lo..<space])
        guard scheme == Self.scheme else {
            throw fail(
                "has the scheme '\(scheme)', not \(Self.scheme)",
                hint: scheme.lowercased() == Self.scheme.lowercased()
                    ? "the scheme is case-sensitive: ALIPAY-SHA256withRSA" : "v2 requests carry sign in the parameters instead")
        }
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(5)
        var signature: String?
        var sentParts: [ArraySlice<UInt8>] = []
        var spaced = false
        for rawPart in all[(space + 1)..<hi].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            // White space after a comma is read past (and kept in the auth string as sent).
            var part = rawPart
            while let first = part.first, first == 0x20 || first == 0x09 {
                part = part.dropFirst()
                spaced = true
            }
            guard let eq = part.firstIndex(of: UInt8(ascii: "=")), eq != part.startIndex else {
                throw fail("has a field without a name and '=': '\(text(rawPart))'")
            }
            let name = text(part[..<eq])
            let value = text(part[(eq + 1)...])  // may itself contain '=' (base64 padding)
            if name == "sign" {
                guard signature == nil else { throw fail("has two sign fields") }
                signature = value
                continue
            }
            guard !fields.contains(where: { $0.name == name }) else { throw fail("has the field '\(name)' twice") }
            fields.append((name, value))
            sentParts.append(rawPart)
        }
        for required in ["app_id", "nonce", "timestamp"] where !fields.contains(where: { $0.name == required }) {
            throw fail("has no \(required)")
        }
        guard let ms = fields.first(where: { $0.name == "timestamp" })?.value, !ms.isEmpty,
            ms.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), Int64(ms) != nil
        else {
            throw fail(
                "has a timestamp that is not a number of milliseconds",
                hint: "v3 timestamps are Unix time in milliseconds, such as 1763805600000")
        }
        self.fields = fields
        self.signature = signature
        self.sentAuthString = spaced ? sentParts.map(text).joined(separator: ",") : nil
    }
}
