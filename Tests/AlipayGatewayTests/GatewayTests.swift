@testable import AlipayGateway
import AlipayConformance
import AlipaySign
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import VectorSupport

/// The local gateway driven by the library's own client side: requests signed by `Signer` and sent as
/// `SignedRequest.query` and `.formBody`, answers checked by `ResponseVerifier` with Alipay's public key,
/// notifications by `NotificationVerifier`. The keys are the test keys of vectors/alipay (made with Python
/// `cryptography`): rsa2048 plays the app, other2048 plays Alipay.
@Suite struct GatewayTests {
    static func key(_ name: String) -> [UInt8] {
        do { return try Vectors.bytes("alipay/keys/\(name)") } catch { fatalError("\(error)") }
    }

    static let appPrivate = try! PrivateKey(parsing: key("rsa2048-pkcs8.pem"))
    static let appPublic = try! PublicKey(parsing: key("rsa2048-spki.pem"))
    static let alipayPrivate = try! PrivateKey(parsing: key("other2048-pkcs8.pem"))
    static let alipayPublic = try! PublicKey(parsing: key("other2048-spki.pem"))

    static func gateway(_ faults: Set<GatewayFault> = [], record: String? = nil, retry: [Double] = [0.2, 0.2])
        throws -> Gateway
    {
        var configuration = GatewayConfiguration(appPublicKey: appPublic, alipayPrivateKey: alipayPrivate)
        configuration.faults = faults
        configuration.recordPath = record
        configuration.notifyRetrySeconds = retry
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try Gateway(configuration: configuration, logger: logger)
    }

    /// A request signed by the app, in `charset`.
    static func request(_ method: String, _ biz: String, charset: Charset = .utf8, extra: [String: String] = [:],
                        signer: PrivateKey = appPrivate) throws -> SignedRequest
    {
        var p = [
            "app_id": "2021000000000001", "method": method, "charset": charset.canonicalName.lowercased(),
            "sign_type": "RSA2", "timestamp": BeijingTime.format(Date()), "version": "1.0", "format": "JSON",
            "biz_content": biz,
        ]
        p.merge(extra) { _, new in new }
        return try Signer(privateKey: signer, charset: charset).signRequest(p)
    }

    /// Posts a signed request and returns the answer's body and content type.
    static func post(_ client: some TestClientProtocol, _ signed: SignedRequest) async throws -> (body: [UInt8], type: String) {
        try await client.execute(
            uri: "/gateway.do?" + signed.query, method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded;charset=\(signed.charset.canonicalName.lowercased())"],
            body: ByteBuffer(bytes: Array(signed.formBody.utf8))
        ) { response in
            #expect(response.status == .ok)
            return (Array(response.body.readableBytesView), response.headers[.contentType] ?? "")
        }
    }

    static func verified(_ body: [UInt8], _ method: String, charset: Charset = .utf8) throws -> VerifiedResponse? {
        let verifier = try ResponseVerifier(publicKey: alipayPublic, charset: charset)
        if case .valid(let r) = try verifier.verify(body, method: method) { return r }
        return nil
    }

    static func member(_ name: String, of r: VerifiedResponse?) -> String? {
        guard let content = r?.content, let data = content.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object[name] as? String
    }

    /// The retry and auto-pay delays a configuration can hold never trap when waited for: NaN and negative ones are
    /// no delay, longer than a day (infinity too) a day (expected values from that rule).
    @Test func delaysNeverTrap() {
        #expect(Duration.gatewayDelay(seconds: .nan) == .zero)
        #expect(Duration.gatewayDelay(seconds: -1) == .zero)
        #expect(Duration.gatewayDelay(seconds: 0.25) == .milliseconds(250))
        #expect(Duration.gatewayDelay(seconds: .infinity) == .seconds(86_400))
        #expect(Duration.gatewayDelay(seconds: 1e300) == .seconds(86_400))
        // And a window in a message: whole seconds, or as it is where Int(_:) would trap.
        #expect(Duration.secondsText(900) == "900" && Duration.secondsText(.nan) == "nan" && Duration.secondsText(.infinity) == "inf")
    }

    @Test func signedRequestsGetSignedAnswersThroughATradesLifeCycle() async throws {
        let app = Application(router: try Self.gateway().router())
        try await app.test(.router) { client in
            let created = try await Self.post(client, Self.request(
                "alipay.trade.precreate", #"{"out_trade_no":"LC-1","total_amount":"88.88","subject":"咖啡 a/b"}"#))
            let precreate = try Self.verified(created.body, "alipay.trade.precreate")
            #expect(precreate?.code == "10000")
            #expect(Self.member("qr_code", of: precreate)?.hasPrefix("https://qr.alipay.com/") == true)
            let query = #"{"out_trade_no":"LC-1"}"#
            #expect(Self.member("trade_status", of: try await Self.verified(
                Self.post(client, Self.request("alipay.trade.query", query)).body, "alipay.trade.query")) == "WAIT_BUYER_PAY")
            try await client.execute(uri: "/sandbox/pay?out_trade_no=LC-1", method: .post) { #expect($0.status == .ok) }
            #expect(Self.member("trade_status", of: try await Self.verified(
                Self.post(client, Self.request("alipay.trade.query", query)).body, "alipay.trade.query")) == "TRADE_SUCCESS")
            let refund = try await Self.verified(Self.post(client, Self.request(
                "alipay.trade.refund", #"{"out_trade_no":"LC-1","refund_amount":"8.88"}"#)).body, "alipay.trade.refund")
            #expect(Self.member("refund_fee", of: refund) == "8.88")
            let tooMuch = try await Self.verified(Self.post(client, Self.request(
                "alipay.trade.refund", #"{"out_trade_no":"LC-1","refund_amount":"80.01"}"#)).body, "alipay.trade.refund")
            #expect(tooMuch?.code == "40004" && tooMuch?.subCode == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL")
            let close = try await Self.verified(Self.post(client, Self.request("alipay.trade.close", query)).body, "alipay.trade.close")
            #expect(close?.subCode == "ACQ.REASON_TRADE_STATUS_INVALID")
            let missing = try await Self.verified(Self.post(client, Self.request(
                "alipay.trade.query", #"{"out_trade_no":"NOPE"}"#)).body, "alipay.trade.query")
            #expect(missing?.subCode == "ACQ.TRADE_NOT_EXIST")
        }
    }

    @Test func aWrongKeyIsAnsweredWithTheGatewaysSignStringEchoed() async throws {
        let app = Application(router: try Self.gateway().router())
        let other = try PrivateKey(parsing: Self.key("other2048-pkcs8.pem"))
        let signed = try Self.request("alipay.trade.query", #"{"out_trade_no":"X"}"#, signer: other)
        try await app.test(.router) { client in
            let answer = try await Self.post(client, signed)
            let r = try #require(try Self.verified(answer.body, "alipay.trade.query"))  // the error itself is signed
            #expect(r.code == "40002" && r.subCode == "isv.invalid-signature")
            let content = try #require(r.content.data(using: .utf8))
            let node = try #require(try JSONSerialization.jsonObject(with: content) as? [String: String])
            let echoed = try #require(node["sub_msg"]?.components(separatedBy: "验签字符串为：").last)
            #expect(echoed.replacingOccurrences(of: "&amp;", with: "&") == signed.content)
        }
    }

    @Test func gbkRequestsAreReadAndAnsweredInGBK() async throws {
        let app = Application(router: try Self.gateway().router())
        try await app.test(.router) { client in
            let signed = try Self.request(
                "alipay.trade.create", #"{"out_trade_no":"GBK-1","total_amount":"1.00","subject":"测试商品€"}"#, charset: .gbk)
            #expect(signed.formBody.contains("%A2%E3"))  // Java's GBK euro
            let answer = try await Self.post(client, signed)
            #expect(answer.type.lowercased().contains("charset=gbk"))
            #expect(try Self.verified(answer.body, "alipay.trade.create", charset: .gbk)?.code == "10000")
        }
    }

    @Test func errorsAnswerAsTheRealGatewayDoes() async throws {
        let app = Application(router: try Self.gateway().router())
        try await app.test(.router) { client in
            // No sign: an unsigned error_response, which the SDKs accept unverified.
            let unsigned = try await client.execute(
                uri: "/gateway.do?app_id=2021000000000001&method=alipay.trade.query&charset=utf-8", method: .get
            ) { Array($0.body.readableBytesView) }
            let verifier = try ResponseVerifier(publicKey: Self.alipayPublic)
            guard case .unsignedError(let e) = try verifier.verify(unsigned, method: "alipay.trade.query") else {
                Issue.record("not an unsigned error: \(String(decoding: unsigned, as: UTF8.self))")
                return
            }
            #expect(e.subCode == "isv.missing-signature")
            // An unknown method.
            let unknown = try await Self.post(client, Self.request("alipay.no.such.method", "{}"))
            #expect(String(decoding: unknown.body, as: UTF8.self).contains("isv.invalid-method"))
            // The seed API's rules: a broken rule is a business error (40004).
            let unbind = try await Self.post(client, Self.request("alipay.trade.royalty.relation.unbind", #"{"receiver_list":[]}"#))
            let r = try Self.verified(unbind.body, "alipay.trade.royalty.relation.unbind")
            #expect(r?.code == "40004")
            // charset only in the body, and the body not ASCII: the gateway cannot read it as signed.
            let signed = try Self.request("alipay.trade.create", #"{"out_trade_no":"C-1","total_amount":"1","subject":"中文"}"#)
            let query = signed.query.split(separator: "&").filter { !$0.hasPrefix("charset=") }.joined(separator: "&")
            let body = signed.formBody + "&charset=utf-8"
            let answer = try await client.execute(
                uri: "/gateway.do?" + query, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: body)
            ) { Array($0.body.readableBytesView) }
            #expect(try Self.verified(answer, "alipay.trade.create")?.subCode == "isv.invalid-signature")
            // A stale timestamp.
            var stale = try Self.request("alipay.trade.query", "{}", extra: ["timestamp": "2020-01-01 00:00:00"])
            stale = try Signer(privateKey: Self.appPrivate).signRequest(stale.signedParameters)
            #expect(String(decoding: try await Self.post(client, stale).body, as: UTF8.self).contains("isv.invalid-timestamp"))
        }
    }

    @Test func responseFaultsAreWhatTheirNamesSay() async throws {
        let signed = try Self.request("alipay.trade.precreate", #"{"out_trade_no":"F-1","total_amount":"1","subject":"a/b"}"#)
        for (fault, expected) in [
            (GatewayFault.responseBadSign, "invalid"), (.responseWrongKey, "invalid"),
            (.responseEscapedSlashes, "validAfterUnescapingSlashes"),
        ] {
            let app = Application(router: try Self.gateway([fault]).router())
            try await app.test(.router) { client in
                let answer = try await Self.post(client, signed)
                let status = try ResponseVerifier(publicKey: Self.alipayPublic).verify(answer.body, method: "alipay.trade.precreate").status
                #expect(status.rawValue == expected, "\(fault)")
            }
        }
    }

    @Test func notificationsAreDeliveredSignedAndRetriedUntilSuccess() async throws {
        let received = Received()
        let record = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: record) }
        // The merchant's endpoint: answers fail to the first notification, then success.
        let merchant = Router()
        merchant.post("/notify") { request, _ -> String in
            var request = request
            let body = Array(try await request.collectBody(upTo: 1 << 16).readableBytesView)
            return await received.add(body) == 1 ? "fail" : "success"
        }
        try await Application(router: merchant).test(.live) { merchantClient in
            let port = try #require(merchantClient.port)
            let gateway = try Self.gateway(record: record)
            try await Application(router: gateway.router()).test(.router) { client in
                let created = try Self.request(
                    "alipay.trade.create", #"{"out_trade_no":"N-1","total_amount":"9.99","subject":"通知"}"#,
                    extra: ["notify_url": "http://127.0.0.1:\(port)/notify"])
                _ = try await Self.post(client, created)
                try await client.execute(uri: "/sandbox/pay?out_trade_no=N-1", method: .post) { #expect($0.status == .ok) }
            }
            for _ in 0..<100 where await received.count < 2 { try await Task.sleep(for: .milliseconds(50)) }
        }
        let bodies = await received.bodies
        #expect(bodies.count == 2)
        let verifier = try NotificationVerifier(publicKey: Self.alipayPublic)
        guard let first = bodies.first, case .valid(let n) = try verifier.verify(formBody: first) else {
            Issue.record("the notification does not verify")
            return
        }
        #expect(n.version == .v1)
        #expect(n.parameters["trade_status"] == "TRADE_SUCCESS" && n.parameters["out_trade_no"] == "N-1")
        // The recording: the gateway exchange and the two notification attempts, read back by check's reader; the
        // first attempt's answer is reported as not success.
        let reader = try CaptureReader(path: record)
        var configuration = CheckConfiguration(rules: APIRuleSet())
        configuration.appPublicKey = Self.appPublic
        configuration.alipayPublicKey = Self.alipayPublic
        let checker = Checker(configuration: configuration)
        var reports: [ExchangeReport] = []
        while let exchange = try reader.next() { reports.append(checker.check(exchange)) }
        #expect(reports.count == 3)
        #expect(reports.filter { $0.kind == .notification }.count == 2)
        #expect(reports.flatMap(\.findings).filter { $0.severity == .error }.isEmpty, "\(reports.flatMap(\.findings))")
        #expect(reports.flatMap(\.findings).contains { $0.id == "notify.ack" })
    }
}

actor Received {
    var bodies: [[UInt8]] = []
    var count: Int { bodies.count }
    func add(_ body: [UInt8]) -> Int {
        bodies.append(body)
        return bodies.count
    }
}

/// v3 on the gateway: `V3Signer` as the client, `V3ResponseVerifier` checking the answers.
@Suite struct GatewayV3Tests {
    static func v3(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, body: String = "",
                   signer: PrivateKey = GatewayTests.appPrivate) async throws -> (status: Int, headers: HTTPFields, body: [UInt8])
    {
        let signed = try V3Signer(privateKey: signer, appID: "2021000000000001")
            .sign(method: method.rawValue, requestURI: uri, body: Array(body.utf8))
        return try await client.execute(
            uri: uri, method: method, headers: [.authorization: signed.header, .contentType: "application/json"],
            body: body.isEmpty ? nil : ByteBuffer(string: body)
        ) { (Int($0.status.code), $0.headers, Array($0.body.readableBytesView)) }
    }

    static func verify(_ answer: (status: Int, headers: HTTPFields, body: [UInt8])) throws -> V3ResponseVerification {
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { answer.headers[$0] } }
        return try V3ResponseVerifier(publicKey: GatewayTests.alipayPublic).verify(
            statusCode: answer.status,
            headers: .init(timestamp: header("alipay-timestamp"), nonce: header("alipay-nonce"), signature: header("alipay-signature")),
            body: answer.body)
    }

    @Test func publicAccountsAreSignedAndRulesApplied() async throws {
        let app = Application(router: try GatewayTests.gateway().router())
        try await app.test(.router) { client in
            let created = try await Self.v3(client, .post, "/v3/alipay/open/public/account/create", body: #"{"account_name":"测试"}"#)
            #expect(created.status == 200)
            #expect(try Self.verify(created).isValid)
            let listed = try await Self.v3(client, .get, "/v3/alipay/open/public/account/query?user_id=2088102000000001")
            #expect(try Self.verify(listed).isValid)
            #expect(String(decoding: listed.body, as: UTF8.self).contains("agreement_id"))
            // The rule: user_id must be a 2088 ID.
            let bad = try await Self.v3(client, .get, "/v3/alipay/open/public/account/query?user_id=12")
            #expect(bad.status == 400)
            #expect(try Self.verify(bad).status == .unsignedError)
            // Another key: 401 invalid-signature.
            let wrong = try await Self.v3(
                client, .get, "/v3/alipay/open/public/account/query?user_id=2088102000000001", signer: GatewayTests.alipayPrivate)
            #expect(wrong.status == 401)
            #expect(String(decoding: wrong.body, as: UTF8.self).contains("invalid-signature"))
        }
    }

    @Test func missingSignatureHeaderFault() async throws {
        let app = Application(router: try GatewayTests.gateway([.v3MissingSignatureHeader]).router())
        try await app.test(.router) { client in
            let created = try await Self.v3(client, .post, "/v3/alipay/open/public/account/create", body: "{}")
            #expect(try Self.verify(created).status == .missingHeaders)
        }
    }
}

/// Hostile requests on a live server: each gets an answer or a cut connection, and the next good request, on a new
/// connection to the same server, still succeeds.
@Suite struct GatewayHostileTests {
    /// One request on its own connection; `nil` when the server cut it.
    static func once(_ port: Int, _ request: TestClient.Request) async -> Int? {
        let client = TestClient(host: "127.0.0.1", port: port)
        client.connect()
        defer { Task { try? await client.shutdown() } }
        return try? await Int(client.execute(request).status.code)
    }

    @Test func badRequestsNeverStopTheServer() async throws {
        var configuration = GatewayConfiguration(appPublicKey: GatewayTests.appPublic, alipayPrivateKey: GatewayTests.alipayPrivate)
        configuration.maximumBodySize = 1 << 20
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let gateway = try Gateway(configuration: configuration, logger: logger)
        try await Application(router: gateway.router()).test(.live) { client in
            let port = try #require(client.port)
            let signed = try GatewayTests.request("alipay.trade.query", #"{"out_trade_no":"H"}"#)
            let good = TestClient.Request(
                "/gateway.do?" + signed.query, method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded;charset=utf-8"],
                body: ByteBuffer(string: signed.formBody))
            var flood = HTTPFields()
            for k in 0..<2_000 { flood[HTTPField.Name("x-flood-\(k)")!] = String(repeating: "a", count: 64) }
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let hostile: [(String, TestClient.Request)] = [
                ("truncated escape", .init("/gateway.do?method=alipay.trade.query&charset=utf-8", method: .post, headers: form,
                                           body: ByteBuffer(string: "biz_content=%7"))),
                ("unknown charset", .init("/gateway.do?charset=latin-9&method=x", method: .get)),
                ("bad escape in the query", .init("/gateway.do?a=%ZZ", method: .get)),
                ("100,000 parameters", .init("/gateway.do?charset=utf-8", method: .post, headers: form,
                                              body: ByteBuffer(string: (0..<100_000).map { "k\($0)=v" }.joined(separator: "&")))),
                ("a 10 MB body", .init("/gateway.do?charset=utf-8", method: .post, headers: form,
                                       body: ByteBuffer(repeating: 0x41, count: 10 << 20))),
                ("a header flood", .init("/gateway.do", method: .get, headers: flood)),
            ]
            for (what, request) in hostile {
                let status = await Self.once(port, request)
                // An answer (the gateway's 200 error JSON, 413 for a body over the limit, 400 from the HTTP parser)
                // or a cut connection; never a 5xx.
                #expect(status.map { (200..<500).contains($0) } ?? true, "\(what): \(status ?? 0)")
                #expect(await Self.once(port, good) == 200, "after \(what)")
            }
        }
    }
}

/// Certificate mode on the gateway. Here "Alipay" is vectors/alipay/keys/rsa2048, whose certificate is
/// vectors/certificates/generated/chain-leaf-only.pem, and the app is other2048; the SNs are whatever the
/// certificates give (the library's SN code is checked against the JDK elsewhere).
@Suite struct GatewayCertificateModeTests {
    static let alipayCertificate: [UInt8] = try! Vectors.bytes("certificates/generated/chain-leaf-only.pem")
    static let alipaySN = try! CertificateSN.sn(ofCertificateFile: alipayCertificate)
    static let rootSN = try! CertificateSN.rootSN(of: Vectors.bytes("certificates/alipay/node/alipayRootCert.crt"))
    static let appCertSN = "866efef280dec9137a87d047ac446315"

    static func gateway(_ faults: Set<GatewayFault> = []) throws -> Gateway {
        var configuration = GatewayConfiguration(
            appPublicKey: GatewayTests.alipayPublic, alipayPrivateKey: GatewayTests.appPrivate)
        configuration.appCertSN = appCertSN
        configuration.rootCertSN = rootSN
        configuration.alipayCertificate = (alipaySN, alipayCertificate)
        configuration.faults = faults
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try Gateway(configuration: configuration, logger: logger)
    }

    static func request(_ method: String, _ biz: String, appCertSN: String = appCertSN) throws -> SignedRequest {
        try GatewayTests.request(
            method, biz, extra: ["app_cert_sn": appCertSN, "alipay_root_cert_sn": rootSN], signer: GatewayTests.alipayPrivate)
    }

    static func registry() throws -> AlipayPublicKeyRegistry {
        var registry = AlipayPublicKeyRegistry()
        try registry.add(certificateFile: alipayCertificate)
        return registry
    }

    @Test func answersNameTheCertificateAndTheDownloadGivesIt() async throws {
        let app = Application(router: try Self.gateway().router())
        let responses = try ResponseVerifier(registry: Self.registry())
        try await app.test(.router) { client in
            let created = try await GatewayTests.post(client, Self.request(
                "alipay.trade.create", #"{"out_trade_no":"CM-1","total_amount":"1.00","subject":"x"}"#))
            guard case .valid(let r) = try responses.verify(created.body, method: "alipay.trade.create") else {
                Issue.record("not valid: \(String(decoding: created.body, as: UTF8.self))")
                return
            }
            #expect(r.certificateSN == Self.alipaySN && r.alipayCertSN == Self.alipaySN)
            // The download: the certificate of the SN asked for, as base64 of its PEM; its SN is that SN.
            let download = try await GatewayTests.post(client, Self.request(
                "alipay.open.app.alipaycert.download", #"{"alipay_cert_sn":"\#(Self.alipaySN)"}"#))
            guard case .valid(let d) = try responses.verify(download.body, method: "alipay.open.app.alipaycert.download"),
                let content = d.content.data(using: .utf8),
                let node = try JSONSerialization.jsonObject(with: content) as? [String: String],
                let pem = node["alipay_cert_content"].flatMap({ Data(base64Encoded: $0) })
            else {
                Issue.record("no certificate downloaded: \(String(decoding: download.body, as: UTF8.self))")
                return
            }
            #expect(try CertificateSN.sn(ofCertificateFile: Array(pem)) == Self.alipaySN)
            // Wrong SNs in the request: refused before the signature.
            let wrongApp = try await GatewayTests.post(client, Self.request(
                "alipay.trade.query", #"{"out_trade_no":"CM-1"}"#, appCertSN: "00000000000000000000000000000000"))
            #expect(String(decoding: wrongApp.body, as: UTF8.self).contains("isv.app-cert-not-exist"))
        }
    }

    @Test func certificateSNFaults() async throws {
        let responses = try ResponseVerifier(registry: Self.registry())
        let signed = try Self.request("alipay.trade.create", #"{"out_trade_no":"CM-2","total_amount":"1.00","subject":"x"}"#)
        try await Application(router: try Self.gateway([.responseNoCertSN]).router()).test(.router) { client in
            let answer = try await GatewayTests.post(client, signed)
            #expect(try responses.verify(answer.body, method: "alipay.trade.create").status == .missingCertificateSN)
        }
        try await Application(router: try Self.gateway([.responseUnknownCertSN]).router()).test(.router) { client in
            let answer = try await GatewayTests.post(client, signed)
            #expect(throws: AlipaySignError(.unknownCertificateSN, "")) {
                try responses.verify(answer.body, method: "alipay.trade.create")
            }
        }
    }
}
