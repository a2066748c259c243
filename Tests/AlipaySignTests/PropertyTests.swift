@_spi(AlipaySignTools) import AlipaySign
import Foundation
import Testing
import VectorSupport

/// Properties over random inputs (a fixed-seed generator, so that a failure reproduces): extraction returns exactly
/// the node's bytes; sign then verify round-trips in every charset; any single-byte change breaks verification.
@Suite struct PropertyTests {
    /// The shared fixed-seed generator (VectorSupport): a failing case replays from its iteration number.
    typealias Random = SeededRandom

    static let pieces = ["a", "Z", "9", " ", "测", "试", "乗", "€", "{", "}", "[", "]", ",", ":", "\\\"", "\\\\", "\\/",
                         "\\n", "\\u6d4b", "\\ud83d\\ude00", "sign", "\\\"sign\\\"", "_response", "é"]

    static func randomString(_ r: inout Random) -> String {
        "\"" + (0..<r.int(0...12)).map { _ in r.pick(pieces) }.joined() + "\""
    }

    static func whitespace(_ r: inout Random) -> String { r.pick(["", "", " ", "\r\n", "\t", "\n  "]) }

    static func randomValue(_ r: inout Random, depth: Int) -> String {
        switch depth > 6 ? r.int(0...2) : r.int(0...5) {
        case 0: return randomString(&r)
        case 1: return r.pick(["0", "-1.5e3", "true", "false", "null", "12345678901234567890"])
        case 2: return randomString(&r)
        case 3, 4:
            let members = (0..<r.int(0...4)).map { _ in
                whitespace(&r) + randomString(&r) + whitespace(&r) + ":" + whitespace(&r) + randomValue(&r, depth: depth + 1)
            }
            return "{" + members.joined(separator: ",") + whitespace(&r) + "}"
        default:
            let items = (0..<r.int(0...4)).map { _ in whitespace(&r) + randomValue(&r, depth: depth + 1) }
            return "[" + items.joined(separator: ",") + whitespace(&r) + "]"
        }
    }

    @Test func extractionReturnsExactlyTheNodeBytes() throws {
        var r = Random(state: 20261122)
        for iteration in 0..<2000 {
            var node = Self.randomValue(&r, depth: 1)
            if !node.hasPrefix("{") { node = "{\"code\":" + node + "}" }
            let sign = "\"" + Base64.encode((0..<r.int(1...40)).map { _ in UInt8(truncatingIfNeeded: r.next()) }) + "\""
            var members = [
                "\"alipay_trade_query_response\"" + Self.whitespace(&r) + ":" + Self.whitespace(&r) + node,
                "\"sign\"" + Self.whitespace(&r) + ":" + Self.whitespace(&r) + sign,
            ]
            if r.int(0...1) == 1 { members.append("\"alipay_cert_sn\":\"7513daaaa48aa3ba2e4018d84402479c\"") }
            if r.int(0...1) == 1 { members.append("\"other\":" + Self.randomValue(&r, depth: 3)) }
            if r.int(0...1) == 1 { members.reverse() }
            let body = "{" + members.map { Self.whitespace(&r) + $0 + Self.whitespace(&r) }.joined(separator: ",") + "}"
            let bytes = Array(body.utf8)
            let e: ExtractedResponse
            do { e = try ResponseExtractor.extract(bytes, method: "alipay.trade.query") } catch {
                Issue.record("iteration \(iteration): \(error): \(body)")
                continue
            }
            #expect(Array(bytes[e.range]) == Array(node.utf8), "iteration \(iteration): \(body)")
            #expect(e.sign.map { "\"\($0)\"" } == sign, "iteration \(iteration)")
            // The same body is valid JSON to Foundation as well (the generator's own check).
            #expect((try? JSONSerialization.jsonObject(with: Data(bytes))) != nil, "iteration \(iteration): not JSON")
        }
    }

    @Test(arguments: ["UTF-8", "GBK", "GB18030"])
    func signThenVerifyRoundTripsAndAnyByteChangeFails(charsetName: String) throws {
        let charset = try Charset(name: charsetName)
        let key = try PrivateKey(parsing: Vectors.bytes("alipay/keys/rsa2048-pkcs8.pem"))
        let signer = try Signer(privateKey: key, charset: charset)
        let verifier = try SignatureVerifier(publicKey: key.publicKey, charset: charset)
        var r = Random(state: 42 &+ UInt64(charsetName.utf8.count))
        let values = ["1", "测试商品", "Iphone6 16G", "{\"a\":\"b\"}", "乗亄", "x y", "88.88", "a&b=c", "%25", "  "]
        for iteration in 0..<60 {
            var parameters: [String: String] = [:]
            for _ in 0..<r.int(1...12) {
                parameters[r.pick(["app_id", "method", "biz_content", "subject", "k\(r.int(0...99))", "sign_type", "notify_url"])] =
                    r.pick(values) + String(r.int(0...9))
            }
            let signed = try signer.signRequest(parameters)
            #expect(try verifier.verify(content: signed.content, signature: signed.signature), "iteration \(iteration)")
            // One byte of the content's bytes changed (XOR 1), then one byte of the signature.
            var bytes = try charset.encode(signed.content)
            let raw = try #require(Base64.decode(signed.signature))
            let position = r.int(0...(bytes.count - 1))
            bytes[position] ^= 0x01
            #expect(!verifier.isValidSignature(raw, for: bytes), "iteration \(iteration): content byte \(position)")
            bytes[position] ^= 0x01
            var badSignature = raw
            badSignature[r.int(0...(raw.count - 1))] ^= UInt8(1 << r.int(0...7))
            #expect(!verifier.isValidSignature(badSignature, for: bytes), "iteration \(iteration): signature")
            #expect(verifier.isValidSignature(raw, for: bytes))
        }
    }
}
