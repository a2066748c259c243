@testable import AlipayGateway
import AlipayConformance
@_spi(AlipaySignTools) import AlipaySign
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The shapes a v2 request arrives in besides query + form: an upload (multipart, text parts signed, files not), an
/// app's order string (no query, its own charset). And the recording of all of them, checked by `check`'s checker,
/// gives the verdicts the gateway gave.
@Suite struct GatewayRequestShapeTests {
    /// An upload in the Java SDK's layout (docs/PROTOCOL.md §11): the protocol parameters in the query, every other
    /// signed parameter a text part, and the file. `tamper` changes a text part after signing.
    static func upload(
        _ client: some TestClientProtocol, charset: Charset = .utf8, tamper: Bool = false, file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 13, 10]
    ) async throws -> [UInt8] {
        let signed = try GatewayTests.request(
            "alipay.offline.material.image.upload", "", charset: charset,
            extra: ["image_type": "png", "image_name": "海报 & poster=1%"])
        var text = try FormBody.decode(Array(signed.formBody.utf8), charset: charset).parameters
        text["biz_content"] = nil
        if tamper { text["image_name"] = "海报" }
        let boundary = "1764460800000"
        var body: [UInt8] = []
        for (name, value) in text.sorted(by: { $0.key < $1.key }) {
            body += Array("\r\n--\(boundary)\r\nContent-Disposition:form-data;name=\"\(name)\"\r\nContent-Type:text/plain\r\n\r\n".utf8)
            body += try charset.encode(value)
        }
        body += Array("\r\n--\(boundary)\r\nContent-Disposition:form-data;name=\"image_content\";filename=\"p.png\"\r\nContent-Type:image/png\r\n\r\n".utf8)
        body += file
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        let query = signed.query.split(separator: "&").filter { !$0.hasPrefix("biz_content=") }.joined(separator: "&")
        return try await client.execute(
            uri: "/gateway.do?" + query, method: .post,
            headers: [.contentType: "multipart/form-data;boundary=\(boundary);charset=\(charset.canonicalName)"],
            body: ByteBuffer(bytes: body)
        ) { Array($0.body.readableBytesView) }
    }

    /// An app's order string as Java's `sdkExecute` writes it (docs/PROTOCOL.md §13): every parameter with `sign`,
    /// sorted, values `URLEncoder`-encoded; posted as the whole body, without a query. `raw` leaves the values
    /// unencoded, the commonest mistake.
    static func orderString(_ client: some TestClientProtocol, charset: Charset, outTradeNo: String, raw: Bool = false)
        async throws -> [UInt8]
    {
        let signed = try GatewayTests.request(
            "alipay.trade.app.pay", #"{"out_trade_no":"\#(outTradeNo)","total_amount":"6.60","subject":"测试 a+b&c"}"#,
            charset: charset)
        let pairs = signed.parameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let body = raw
            ? try charset.encode(pairs.map { "\($0)=\($1)" }.joined(separator: "&"))
            : Array(SignedRequest.encode(pairs, charset: charset).utf8)
        return try await client.execute(
            uri: "/gateway.do", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(bytes: body)
        ) { Array($0.body.readableBytesView) }
    }

    static func code(_ body: [UInt8], _ method: String, charset: Charset = .utf8) throws -> (code: String?, subCode: String?) {
        let r = try ResponseVerifier(publicKey: GatewayTests.alipayPublic, charset: charset).verify(body, method: method)
        switch r {
        case .valid(let v): return (v.code, v.subCode)
        default: return (nil, String(decoding: body, as: UTF8.self))
        }
    }

    @Test func uploadsSignTheirTextPartsAndNotTheFile() async throws {
        let app = Application(router: try GatewayTests.gateway().router())
        let method = "alipay.offline.material.image.upload"
        try await app.test(.router) { client in
            let ok = try await Self.upload(client)
            #expect(try Self.code(ok, method).code == "10000")
            #expect(String(decoding: ok, as: UTF8.self).contains("image_id"))
            // Another file: still valid (files are not signed).
            #expect(try Self.code(try await Self.upload(client, file: Array(repeating: 0xFF, count: 5000)), method).code == "10000")
            // GBK text parts, decoded in the query's charset.
            #expect(try Self.code(try await Self.upload(client, charset: .gbk), method, charset: .gbk).code == "10000")
            // A text part changed after signing.
            #expect(try Self.code(try await Self.upload(client, tamper: true), method).subCode == "isv.invalid-signature")
        }
    }

    @Test func anAppOrderStringIsCheckedAsTheAppSendsIt() async throws {
        let app = Application(router: try GatewayTests.gateway().router())
        let method = "alipay.trade.app.pay"
        try await app.test(.router) { client in
            let utf8 = try await Self.orderString(client, charset: .utf8, outTradeNo: "APP-1")
            #expect(try Self.code(utf8, method).code == "10000")
            #expect(String(decoding: utf8, as: UTF8.self).contains(#""total_amount":"6.60""#))
            // A GBK order string: decoded in its own charset (there is no query).
            let gbk = try await Self.orderString(client, charset: .gbk, outTradeNo: "APP-2")
            #expect(try Self.code(gbk, method, charset: .gbk).code == "10000")
            // Values not encoded: `&` in biz_content splits it, `+` in sign becomes a space.
            let raw = try await Self.orderString(client, charset: .utf8, outTradeNo: "APP-3", raw: true)
            #expect(try Self.code(raw, method).code != "10000")
        }
    }

    /// What the gateway answered each request, and what `check` says of the recording: the same verdicts.
    @Test func checkOverARecordingGivesTheGatewaysVerdicts() async throws {
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: record) }
        let verdicts = try await Application(router: try GatewayTests.gateway(record: record).router()).test(.router) { client in
            var verdicts: [(String, Bool)] = []
            func post(_ what: String, _ signed: SignedRequest, _ method: String) async throws {
                let answer = try await GatewayTests.post(client, signed).body
                verdicts.append((what, try Self.code(answer, method, charset: signed.charset).code == "10000"))
            }
            try await post("utf-8", GatewayTests.request(
                "alipay.trade.create", #"{"out_trade_no":"R-1","total_amount":"1.00","subject":"咖啡"}"#), "alipay.trade.create")
            try await post("gbk", GatewayTests.request(
                "alipay.trade.create", #"{"out_trade_no":"R-2","total_amount":"1.00","subject":"咖啡€"}"#, charset: .gbk),
                "alipay.trade.create")
            try await post("wrong key", GatewayTests.request(
                "alipay.trade.query", #"{"out_trade_no":"R-1"}"#, signer: GatewayTests.alipayPrivate), "alipay.trade.query")
            var stale = try GatewayTests.request("alipay.trade.query", "{}", extra: ["timestamp": "2020-01-01 00:00:00"])
            stale = try Signer(privateKey: GatewayTests.appPrivate).signRequest(stale.signedParameters)
            try await post("stale timestamp", stale, "alipay.trade.query")
            // charset only in the body, with a non-ASCII body.
            let moved = try GatewayTests.request("alipay.trade.create", #"{"out_trade_no":"R-3","total_amount":"1","subject":"中文"}"#)
            let answer = try await client.execute(
                uri: "/gateway.do?" + moved.query.split(separator: "&").filter { !$0.hasPrefix("charset=") }.joined(separator: "&"),
                method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: moved.formBody + "&charset=utf-8")
            ) { Array($0.body.readableBytesView) }
            verdicts.append(("charset in the body", try Self.code(answer, "alipay.trade.create").code == "10000"))
            let method = "alipay.offline.material.image.upload"
            verdicts.append(("upload", try Self.code(try await Self.upload(client), method).code == "10000"))
            verdicts.append(("tampered upload", try Self.code(try await Self.upload(client, tamper: true), method).code == "10000"))
            verdicts.append(("gbk upload", try Self.code(try await Self.upload(client, charset: .gbk), method, charset: .gbk).code == "10000"))
            verdicts.append(("order string", try Self.code(
                try await Self.orderString(client, charset: .gbk, outTradeNo: "R-4"), "alipay.trade.app.pay", charset: .gbk).code == "10000"))
            return verdicts
        }
        #expect(verdicts.map(\.1) == [true, true, false, false, false, true, false, true, true])
        let reader = try CaptureReader(path: record)
        var configuration = CheckConfiguration(rules: try APIRuleSet.bundled())
        configuration.appPublicKey = GatewayTests.appPublic
        configuration.alipayPublicKey = GatewayTests.alipayPublic
        let checker = Checker(configuration: configuration)
        var reports: [ExchangeReport] = []
        while let exchange = try reader.next() { reports.append(checker.check(exchange)) }
        try #require(reports.count == verdicts.count)
        for (report, (what, accepted)) in zip(reports, verdicts) {
            let errors = report.findings.filter { $0.severity == .error }
            #expect(errors.isEmpty == accepted, "\(what): \(errors.map { "\($0.id): \($0.message)" })")
        }
    }
}
