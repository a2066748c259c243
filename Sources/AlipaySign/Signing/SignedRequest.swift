/// A signed v2 request: the parameters to send, the exact content that was signed, its signature, and the wire
/// encoding as the Java SDK splits it (docs/PROTOCOL.md §7.2), so that a caller never percent-encodes by hand.
///
/// ```swift
/// let signed = try signer.signRequest(parameters)
/// // POST https://openapi.alipay.com/gateway.do?\(signed.query)
/// // Content-Type: application/x-www-form-urlencoded;charset=utf-8
/// // body: signed.formBody
/// ```
public struct SignedRequest: Sendable, Equatable {
    /// The parameters that were signed (without `sign`).
    public let signedParameters: [String: String]
    /// The exact text that was signed.
    public let content: String
    /// Its standard base64 signature: the value of `sign`.
    public let signature: String
    /// The charset the content was signed in, and the one the wire encoding uses.
    public let charset: Charset

    package init(signedParameters: [String: String], content: String, signature: String, charset: Charset) {
        self.signedParameters = signedParameters
        self.content = content
        self.signature = signature
        self.charset = charset
    }

    /// Every parameter to send: the signed ones and `sign`.
    public var parameters: [String: String] {
        var all = signedParameters
        all["sign"] = signature
        return all
    }

    /// The URL query: the Java SDK's protocol parameters (`method`, `app_id`, `charset`, `sign`, ...), each
    /// `name=value` with the value percent-encoded in ``charset`` as Java's `URLEncoder` does, empty values left
    /// out, in the SDK's order.
    ///
    /// `charset` must be in the query: the gateway reads it from there to decode everything else.
    public var query: String {
        let all = parameters
        return Self.encode(Self.queryNames.compactMap { name in all[name].map { (name, $0) } }, charset: charset)
    }

    /// The form body (`application/x-www-form-urlencoded;charset=…`): every other parameter (`biz_content`,
    /// `app_auth_token`, ...), sorted by name, encoded as in ``query``.
    public var formBody: String {
        let body = signedParameters.filter { !Self.queryNameSet.contains($0.key) }.sorted { $0.key < $1.key }
        return Self.encode(body.map { ($0.key, $0.value) }, charset: charset)
    }

    /// Java `AbstractAlipayClient`: the protocol-must parameters, then the protocol-optional ones.
    static let queryNames = [
        "method", "version", "app_id", "sign_type", "terminal_type", "terminal_info", "notify_url", "return_url",
        "charset", "target_app_id", "encrypt_type", "app_cert_sn", "alipay_root_cert_sn", "timestamp", "sign",
        "format", "auth_token", "alipay_sdk", "prod_code",
    ]
    static let queryNameSet = Set(queryNames)

    /// `WebUtils.buildQuery`: pairs whose value is empty are left out (Java `StringUtils.areNotEmpty`).
    package static func encode(_ pairs: [(String, String)], charset: Charset) -> String {
        var out: [UInt8] = []
        for (name, value) in pairs where !name.isEmpty && !value.isEmpty {
            if !out.isEmpty { out.append(UInt8(ascii: "&")) }
            urlEncode(name, charset, into: &out)
            out.append(UInt8(ascii: "="))
            urlEncode(value, charset, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Java `URLEncoder.encode(value, charset)`: letters, digits and `.-*_` stand for themselves, a space is `+`,
    /// every other byte of the charset's encoding is `%XX` in uppercase hex. A character the charset cannot
    /// encode was refused when the content was signed, so the fall-back to UTF-8 is never taken.
    static func urlEncode(_ text: String, _ charset: Charset, into out: inout [UInt8]) {
        let bytes = (try? charset.encode(text)) ?? Array(text.utf8)
        for b in bytes {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "*"),
                UInt8(ascii: "_"):
                out.append(b)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out.append(UInt8(ascii: "%"))
                out.append(Hex.upperDigits[Int(b >> 4)])
                out.append(Hex.upperDigits[Int(b & 0x0F)])
            }
        }
    }
}
