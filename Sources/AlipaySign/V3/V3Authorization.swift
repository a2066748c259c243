/// The v3 `Authorization` header (PROTOCOL.md §6.1):
/// `ALIPAY-SHA256withRSA app_id=…[,app_cert_sn=…],nonce=…,timestamp=…[,extra=…],sign=<base64>`.
///
/// Parsing keeps every field's text exactly as sent and in its order, unknown fields included, because line 1 of
/// the signed content is the header's auth string as sent, minus `,sign=…`.
public struct V3Authorization: Sendable, Equatable, CustomStringConvertible {
    public static let scheme = "ALIPAY-SHA256withRSA"

    /// The fields other than `sign`, in order, as (name, value) text.
    public let fields: [(name: String, value: String)]
    /// The base64 signature, when the header has one.
    public let signature: String?

    public static func == (lhs: V3Authorization, rhs: V3Authorization) -> Bool {
        lhs.authString == rhs.authString && lhs.signature == rhs.signature
    }

    public init(fields: [(name: String, value: String)], signature: String?) {
        self.fields = fields
        self.signature = signature
    }

    /// The auth string: the fields joined by `,` (line 1 of the signed content).
    public var authString: String { fields.map { "\($0.name)=\($0.value)" }.joined(separator: ",") }

    /// The header value.
    public var description: String {
        Self.scheme + " " + authString + (signature.map { ",sign=\($0)" } ?? "")
    }

    public func value(of name: String) -> String? { fields.first { $0.name == name }?.value }
    public var appID: String? { value(of: "app_id") }
    public var appCertSN: String? { value(of: "app_cert_sn") }
    public var nonce: String? { value(of: "nonce") }
    /// The timestamp in milliseconds since 1970.
    public var timestamp: Int64? { value(of: "timestamp").flatMap { Int64($0) } }

    /// Parses a header value (with or without the `Authorization:` name).
    /// - Throws: ``AlipaySignError/Code/malformedAuthorization`` saying what is wrong.
    public init(parsing header: String) throws {
        func fail(_ reason: String, hint: String? = nil) -> AlipaySignError {
            AlipaySignError(.malformedAuthorization, "the Authorization header \(reason)", hint: hint)
        }
        var text = Substring(header).trimmingASCIISpaces()
        if text.lowercased().hasPrefix("authorization:") { text = text.dropFirst(14).trimmingASCIISpaces() }
        guard let space = text.firstIndex(of: " ") else {
            throw fail(text.isEmpty ? "is empty" : "has no fields after its scheme")
        }
        let scheme = text[..<space]
        guard scheme == Self.scheme else {
            throw fail(
                "has the scheme '\(scheme)', not \(Self.scheme)",
                hint: scheme.caseInsensitiveEquals(Self.scheme)
                    ? "the scheme is case-sensitive: ALIPAY-SHA256withRSA" : "v2 requests carry sign in the parameters instead")
        }
        var fields: [(name: String, value: String)] = []
        var signature: String?
        for part in text[text.index(after: space)...].split(separator: ",", omittingEmptySubsequences: false) {
            guard let eq = part.firstIndex(of: "="), eq != part.startIndex else {
                throw fail("has a field without a name and '=': '\(part)'")
            }
            let name = String(part[..<eq])
            let value = String(part[part.index(after: eq)...])  // may itself contain '=' (base64 padding)
            if name == "sign" {
                guard signature == nil else { throw fail("has two sign fields") }
                signature = value
                continue
            }
            guard !fields.contains(where: { $0.name == name }) else { throw fail("has the field '\(name)' twice") }
            fields.append((name, value))
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
    }
}

extension Substring {
    func trimmingASCIISpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s.removeLast() }
        return s
    }

    func caseInsensitiveEquals(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
