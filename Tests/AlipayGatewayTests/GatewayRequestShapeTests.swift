@testable import AlipayGateway
import AlipayConformance
@_spi(AlipaySignTools) import AlipaySign
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import VectorSupport

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

/// `BeijingTime`'s day arithmetic against Foundation's `DateFormatter` in UTC+8 (an independent calendar).
@Suite struct BeijingTimeTests {
    static let formatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.calendar = Calendar(identifier: .gregorian)
        f.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f
    }()

    @Test func formatAndParseAgreeWithFoundation() {
        // Every 7,919,917 s (about 92 days, prime) from 1901 to 2099, and the edges of leap days and years.
        var instants = stride(from: -2_177_452_800.0, to: 4_102_444_800.0, by: 7_919_917).map { $0 }
        for text in ["2024-02-29 23:59:59", "2000-02-29 00:00:00", "1970-01-01 07:59:59", "2026-12-31 23:59:59", "2100-03-01 00:00:00"] {
            instants.append(Self.formatter.date(from: text)!.timeIntervalSince1970)
        }
        for t in instants {
            let date = Date(timeIntervalSince1970: t)
            let expected = Self.formatter.string(from: date)
            #expect(BeijingTime.format(date) == expected)
            #expect(BeijingTime.parse(expected) == date)
        }
        for bad in ["2026-02-29 00:00:00", "2026-13-01 00:00:00", "2026-04-31 00:00:00", "2026-01-01 24:00:00", "2026-01-01T00:00:00",
                    "2026-1-01 00:00:00", "20a6-01-01 00:00:00"] {
            #expect(BeijingTime.parse(bad) == nil, "\(bad)")
        }
    }
}

/// Slow clients on a live server: a request head sent a line at a time, a body sent a byte at a time, and a body
/// that stops are cut off by the timeouts (1 s here), and a good request on a new connection still succeeds.
@Suite struct GatewaySlowClientTests {
    /// A blocking TCP connection to the gateway, for sending bytes slowly.
    final class Connection {
        let fd: Int32

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
            var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        /// Sends `text`; false when the server has closed the connection.
        func send(_ text: String) -> Bool {
            if text.isEmpty { return true }
            return Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } > 0
        }

        /// What the server sent so far, and whether it closed the connection.
        func poll() -> (text: String, closed: Bool) {
            var buffer = [UInt8](repeating: 0, count: 4096)
            var text = ""
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 { text += String(decoding: buffer[..<n], as: UTF8.self); continue }
                return (text, n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            }
        }
    }

    /// Trickles `pieces` every 200 ms until the server answers or closes: what it sent, and whether it closed. No
    /// time is measured: the pieces outlast the 1 s timeouts many times over, so a server that cuts off at all
    /// does so before they run out; one that never does leaves the connection open and answers nothing.
    static func trickle(_ port: Int, _ pieces: [String]) async throws -> (text: String, closed: Bool) {
        let connection = try Connection(port: port)
        var received = ""
        for piece in pieces {
            let alive = connection.send(piece)
            let (text, closed) = connection.poll()
            received += text
            if !alive || closed || !text.isEmpty { return (received, closed || !alive) }
            try await Task.sleep(for: .milliseconds(200))
        }
        return (received, false)
    }

    @Test func slowHeadsAndBodiesAreCutOff() async throws {
        var configuration = GatewayConfiguration(appPublicKey: GatewayTests.appPublic, alipayPrivateKey: GatewayTests.alipayPrivate)
        configuration.idleTimeout = .seconds(1)
        configuration.bodyTimeout = .seconds(1)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let gateway = try Gateway(configuration: configuration, logger: logger)
        try await gateway.application(host: "127.0.0.1", port: 0).test(.live) { client in
            let port = try #require(client.port)
            // A head that never ends: one header line every 200 ms, for up to 10 s.
            let head = ["POST /gateway.do?charset=utf-8 HTTP/1.1\r\nHost: x\r\n"] + (0..<50).map { "X-Slow-\($0): 1\r\n" }
            let slowHead = try await Self.trickle(port, head)
            #expect(slowHead.closed, "\(slowHead)")
            // A body that never ends: one byte every 200 ms of a declared 1,000.
            let body = ["POST /gateway.do?charset=utf-8 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n"]
                + Array(repeating: "a", count: 50)
            let slowBody = try await Self.trickle(port, body)
            #expect(slowBody.closed || slowBody.text.hasPrefix("HTTP/1.1 408"), "\(slowBody)")
            // A body that stops: 3 of 1,000 bytes, then nothing.
            let stalled = try await Self.trickle(port, [body[0] + "abc"] + Array(repeating: "", count: 50))
            #expect(stalled.closed, "\(stalled)")
            // And the server still answers, on a new connection (the test client's own was idle for over 1 s). New
            // connections until one is answered, for up to 120 s: the 1 s timeouts set above also apply to this
            // request, which a loaded machine can delay past them before it is sent (three tries in a row failed so
            // in CI, under AddressSanitizer with the CLI's batch tests on both cores). A server that stopped serving
            // answers none of them.
            let signed = try GatewayTests.request("alipay.trade.query", #"{"out_trade_no":"S"}"#)
            var statuses: [Int?] = []
            let deadline = ContinuousClock.now + .seconds(120)
            while statuses.last != 200, ContinuousClock.now < deadline {
                if !statuses.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
                statuses.append(await GatewayHostileTests.once(port, TestClient.Request(
                    "/gateway.do?" + signed.query, method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded;charset=utf-8"], body: ByteBuffer(string: signed.formBody))))
            }
            #expect(statuses.last == 200, "\(statuses)")
        }
    }
}

/// The gateway in sign type SM2: requests signed SM3withSM2 verified, answers and the sign-string echo signed SM2
/// (the key of vectors/sm2 plays both the app and Alipay here).
@Suite struct GatewaySM2Tests {
    @Test func sm2RequestsAndAnswers() async throws {
        let key = try PrivateKey(parsing: Vectors.bytes("sm2/sm2-pkcs8.pem"))
        var configuration = GatewayConfiguration(appPublicKey: key.publicKey, alipayPrivateKey: key)
        configuration.signType = .sm2
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let app = Application(router: try Gateway(configuration: configuration, logger: logger).router())
        let responses = try ResponseVerifier(publicKey: key.publicKey, signType: .sm2)
        try await app.test(.router) { client in
            var p = try GatewayTests.request("alipay.trade.create", #"{"out_trade_no":"SM2-G","total_amount":"1.00","subject":"国密"}"#)
                .signedParameters
            p["sign_type"] = "SM2"
            let signed = try Signer(privateKey: key, signType: .sm2).signRequest(p)
            let answer = try await GatewayTests.post(client, signed)
            guard case .valid(let r) = try responses.verify(answer.body, method: "alipay.trade.create") else {
                Issue.record("not valid: \(String(decoding: answer.body, as: UTF8.self))")
                return
            }
            #expect(r.code == "10000")
            // An RSA2 request to an SM2 gateway: the sign type is refused before any signature.
            let rsa = try await GatewayTests.post(client, GatewayTests.request("alipay.trade.query", "{}"))
            #expect(String(decoding: rsa.body, as: UTF8.self).contains("isv.invalid-signature-type"))
        }
    }
}
