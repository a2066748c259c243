@_spi(AlipaySignTools) import AlipaySign
import Foundation

/// An HTTP answer of the gateway.
public struct GatewayAnswer: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The `Content-Type` header.
    public var contentType: String
    /// The body's bytes.
    public var body: [UInt8]
    /// Other headers (v3's signature headers).
    public var headers: [(String, String)] = []

    /// - Parameters:
    ///   - status: the HTTP status.
    ///   - contentType: the `Content-Type`.
    ///   - body: the body.
    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// A JSON object written member by member, in order, with the library's JSON string writer: responses must be
/// compact and keep their member order, as Alipay's are.
struct JSONObject {
    private var text = "{"
    private var isEmpty = true

    init() { text.reserveCapacity(256) }

    mutating func add(_ name: String, _ value: String) {
        if !isEmpty { text += "," }
        isEmpty = false
        JSONString.append(name, to: &text)
        text += ":"
        JSONString.append(value, to: &text)
    }

    /// A member whose value is already JSON text.
    mutating func addRaw(_ name: String, _ json: String) {
        if !isEmpty { text += "," }
        isEmpty = false
        JSONString.append(name, to: &text)
        text += ":"
        text += json
    }

    var json: String { text + "}" }
}

/// The gateway's common answers: codes and messages as Alipay's gateway writes them (docs/PROTOCOL.md §7.3, §12).
enum GatewayCode: String {
    case success = "10000"
    case unavailable = "20000"
    case missing = "40001"
    case invalid = "40002"
    case business = "40004"

    var message: String {
        switch self {
        case .success: "Success"
        case .unavailable: "Service Currently Unavailable"
        case .missing: "Missing Required Arguments"
        case .invalid: "Invalid Arguments"
        case .business: "Business Failed"
        }
    }
}

/// A node's content: `{"code":…,"msg":…[,"sub_code":…,"sub_msg":…], fields…}`.
struct NodeContent {
    var object = JSONObject()

    init(_ code: GatewayCode, subCode: String? = nil, subMessage: String? = nil) {
        object.add("code", code.rawValue)
        object.add("msg", code.message)
        if let subCode { object.add("sub_code", subCode) }
        if let subMessage { object.add("sub_msg", subMessage) }
    }

    mutating func add(_ name: String, _ value: String?) {
        if let value { object.add(name, value) }
    }

    var json: String { object.json }
}

/// Signs and writes v2 responses in Alipay's layout (`{"<node>":{…},"alipay_cert_sn":…,"sign":…}`), with the
/// configured faults.
struct ResponseWriter: Sendable {
    let signers: [Charset: Signer]
    let wrongSigners: [Charset: Signer]
    let certificateSN: String?
    let faults: Set<GatewayFault>

    init(configuration: GatewayConfiguration) throws {
        var signers: [Charset: Signer] = [:]
        var wrong: [Charset: Signer] = [:]
        let type = configuration.signType
        let wrongKey = configuration.faults.contains(.responseWrongKey)
            ? try (type == .sm2 ? PrivateKey.generatedSM2() : PrivateKey.generatedRSA()) : nil
        for charset in [Charset.utf8, .gbk, .gb18030] {
            signers[charset] = try Signer(privateKey: configuration.alipayPrivateKey, signType: type, charset: charset)
            if let wrongKey { wrong[charset] = try Signer(privateKey: wrongKey, signType: type, charset: charset) }
        }
        self.signers = signers
        self.wrongSigners = wrong
        self.certificateSN = configuration.alipayCertificate?.sn
        self.faults = configuration.faults
    }

    /// A signed response: the node's content is signed as written (the exact text), in the request's charset.
    func signed(node: String, content: String, charset: Charset) throws -> GatewayAnswer {
        var written = content
        var toSign = content
        if faults.contains(.responseEscapedSlashes), content.contains("/") {
            // Sent with \/ but signed over /: only the Java SDK's second try ("针对JSON \/问题") verifies it.
            written = content.replacingAll("/", with: "\\/")
            toSign = content
        }
        let signer = (faults.contains(.responseWrongKey) ? wrongSigners[charset] : nil) ?? signers[charset] ?? signers[.utf8]!
        var sign = try signer.sign(content: toSign)
        if faults.contains(.responseBadSign) { sign = Self.altered(sign) }
        var root = JSONObject()
        root.addRaw(node, written)
        if let certificateSN, !faults.contains(.responseNoCertSN) {
            root.add(
                "alipay_cert_sn",
                faults.contains(.responseUnknownCertSN) ? "00000000000000000000000000000000" : certificateSN)
        }
        root.add("sign", sign)
        return GatewayAnswer(
            status: 200, contentType: "application/json;charset=\(charset.canonicalName.lowercased())",
            body: try charset.encode(root.json))
    }

    /// An unsigned response (the gateway's answer to a request it could not attribute or verify at all).
    func unsigned(node: String, content: String, charset: Charset) -> GatewayAnswer {
        var root = JSONObject()
        root.addRaw(node, content)
        return GatewayAnswer(
            status: 200, contentType: "application/json;charset=\(charset.canonicalName.lowercased())",
            body: (try? charset.encode(root.json)) ?? Array(root.json.utf8))
    }

    /// One base64 character changed: still base64, no longer the signature.
    static func altered(_ sign: String) -> String {
        var chars = Array(sign)
        if let i = chars.indices.dropLast(4).last {
            chars[i] = chars[i] == "A" ? "B" : "A"
        }
        return String(chars)
    }
}
