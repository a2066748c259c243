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

/// Times as Alipay writes them: `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8, no daylight saving), computed with
/// the proleptic Gregorian calendar's day arithmetic (no `Calendar` on the hot path).
enum BeijingTime {
    static let offset = 8 * 3600

    static func format(_ date: Date) -> String {
        let seconds = Int((date.timeIntervalSince1970).rounded(.down)) + offset
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (y, m, d) = civil(days: days)
        let t = seconds - days * 86_400
        var out = [UInt8]()
        out.reserveCapacity(19)
        func digits(_ n: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = n
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(v / divisor % 10))
                v %= divisor
                divisor /= 10
            }
        }
        digits(y, 4); out.append(0x2D); digits(m, 2); out.append(0x2D); digits(d, 2); out.append(0x20)
        digits(t / 3600, 2); out.append(0x3A); digits(t / 60 % 60, 2); out.append(0x3A); digits(t % 60, 2)
        return String(decoding: out, as: UTF8.self)
    }

    static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 19, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x20, b[13] == 0x3A, b[16] == 0x3A else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), let h = number(11..<13),
            let mi = number(14..<16), let s = number(17..<19), (1...12).contains(mo), d >= 1, h < 24, mi < 60, s < 60
        else { return nil }
        let days = daysFromCivil(y, mo, d)
        guard civil(days: days) == (y, mo, d) else { return nil }  // no 2026-02-30
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + h * 3600 + mi * 60 + s - offset))
    }

    /// Days since 1970-01-01 of a Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civil(days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
