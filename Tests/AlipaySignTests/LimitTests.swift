@_spi(AlipaySignTools) import AlipaySign
import Foundation
import Testing
import VectorSupport

/// Hostile sizes: nesting 100,000 deep and 100,000 parameters neither crash nor fail to finish (their timing is in
/// bench/: scale_*); inputs over a limit get a clear error.
@Suite struct LimitTests {
    static let depth = 100_000

    /// A response whose root, node and arrays nest `levels` containers deep in all.
    static func response(levels: Int) -> (body: [UInt8], node: String) {
        let arrays = levels - 2
        let node = "{\"code\":\"10000\",\"deep\":" + String(repeating: "[", count: arrays) + String(repeating: "]", count: arrays) + "}"
        return (Array(("{\"alipay_trade_query_response\":" + node + ",\"sign\":\"AAAA\"}").utf8), node)
    }

    /// One nesting limit for both JSON readers: 512 levels are read, 513 and 100,000 are an error, never a crash.
    @Test func jsonNestingHasOneLimit() throws {
        #expect(JSONReader.maximumDepth == 512)
        let (body, node) = Self.response(levels: 512)
        let e = try ResponseExtractor.extract(body, method: "alipay.trade.query")
        #expect(e.range.count == node.utf8.count)
        _ = try JSONReader.parse(body)
        for levels in [513, Self.depth] {
            let deep = Self.response(levels: levels).body
            #expect(throws: AlipaySignError(.malformedJSON, "")) { try ResponseExtractor.extract(deep, method: "alipay.trade.query") }
            #expect(throws: AlipaySignError(.malformedJSON, "")) { try JSONReader.parse(deep) }
        }
        // Unclosed: an error, not a crash.
        #expect(throws: AlipaySignError(.malformedJSON, "")) {
            try ResponseExtractor.extract(Array(body.dropLast(200)), method: "alipay.trade.query")
        }
        let parameters = Array(("{\"a\":" + String(repeating: "[", count: Self.depth) + String(repeating: "]", count: Self.depth) + "}").utf8)
        #expect(throws: AlipaySignError(.malformedJSON, "")) { try Parameters.fromJSONObject(parameters) }
    }

    @Test func xmlNested100000Deep() throws {
        // XML that deep: libxml2 2.9 reads it (its SAX pass does not recurse); the slice is the Java rule's.
        let inner = String(repeating: "<a>", count: Self.depth) + String(repeating: "</a>", count: Self.depth)
        let xml = "<alipay_trade_query_response>" + inner + "<sign>x</sign></alipay_trade_query_response>"
        let x = try ResponseExtractor.extract(Array(xml.utf8), method: "alipay.trade.query", format: .xml)
        #expect(x.range.count == inner.utf8.count)
    }

    @Test func oneHundredThousandParameters() throws {
        let body = (0..<100_000).map { "k\($0)=v%E6%B5%8B\($0)" }.joined(separator: "&") + "&sign=AAAA&charset=utf-8"
        let (parameters, _) = try FormBody.decode(Array(body.utf8))
        #expect(parameters.count == 100_002)
        #expect(SignContent.build(parameters).utf8.count > 1_000_000)
        let key = try PrivateKey(parsing: Vectors.bytes("alipay/keys/rsa2048-pkcs8.pem"))
        let result = try NotificationVerifier(publicKey: key.publicKey).verify(formBody: Array(body.utf8))
        #expect(!result.isValid)
        // A duplicate among them is still found.
        #expect(throws: AlipaySignError(.duplicateParameter, "")) { try FormBody.decode(Array((body + "&k99999=x").utf8)) }
        let json = "{" + (0..<100_000).map { "\"k\($0)\":\"v\($0)\"" }.joined(separator: ",") + "}"
        #expect(try Parameters.fromJSONObject(Array(json.utf8)).count == 100_000)
    }

    @Test func certificateFilesHaveALimit() throws {
        let big = [UInt8](repeating: UInt8(ascii: "A"), count: CertificateFile.maximumSize + 4)
        do {
            _ = try CertificateFile(parsing: big)
            Issue.record("accepted")
        } catch let error as AlipaySignError {
            #expect(error.code == .inputTooLarge)
        }
    }
}
