import AlipayConformance
@_spi(AlipaySignTools) import AlipaySign
import Foundation
import Testing
import VectorSupport

/// Conformance checks over the capture vectors (mitmproxy-style HAR, Chrome-style HAR, JSON Lines), each exchange
/// broken in one known way (vectors/captures/generate.py), and the readers' handling of bad captures.
@Suite struct CaptureTests {
    static let expected = Vectors.captures

    /// The bundled rules and the vectors' two keys.
    static func configuration() throws -> CheckConfiguration {
        var c = CheckConfiguration(rules: try APIRuleSet.bundled())
        c.appPublicKey = try PublicKey(parsing: Vectors.bytes(expected.app_public_key))
        c.alipayPublicKey = try PublicKey(parsing: Vectors.bytes(expected.alipay_public_key))
        return c
    }

    static func checker() throws -> Checker { Checker(configuration: try configuration()) }

    static func reports(_ path: String, checker: Checker) throws -> [ExchangeReport] {
        try reports(CaptureReader(path: path), checker: checker)
    }

    /// One checker's reports, one exchange after the other: what the parallel runs are compared with.
    static func reports(_ reader: CaptureReader, checker: Checker) throws -> [ExchangeReport] {
        var out: [ExchangeReport] = []
        while let exchange = try reader.next() { out.append(checker.check(exchange)) }
        return out
    }

    @Test(arguments: ["captures/mitmproxy.har", "captures/chrome.har", "captures/capture.jsonl"])
    func everyExpectedFindingAndNoOther(_ file: String) throws {
        let reports = try Self.reports(Vectors.path(file), checker: Self.checker())
        #expect(reports.count == Self.expected.exchanges.count)
        for (report, expected) in zip(reports, Self.expected.exchanges) {
            #expect(report.kind.rawValue == expected.kind, "\(file) #\(report.index)")
            let ids = Set(report.findings.filter { $0.severity != .info }.map(\.id))
            #expect(ids == Set(expected.findings), "\(file) #\(report.index) \(report.api ?? ""): \(report.findings.map(\.message))")
        }
    }

    @Test func diagnosesNameTheVariant() throws {
        let reports = try Self.reports(Vectors.path("captures/mitmproxy.har"), checker: Self.checker())
        func hint(_ id: String) -> [String] { reports.flatMap(\.findings).filter { $0.id == id }.compactMap(\.hint) }
        #expect(hint("v2.request.signature").contains { $0.contains("encoded in GBK") })
        #expect(hint("notify.signature").contains { $0.contains("signed by the app's public key") })
        #expect(hint("v3.request.signature").contains { $0.hasPrefix("line 2 (the method)") })
        let echo = reports.flatMap(\.findings).first { $0.id == "v2.response.invalid-signature" }
        #expect(echo?.message.contains("'timestamp'") == true)
        // The GBK response captured as text is re-encoded, and then verifies.
        #expect(reports.flatMap(\.findings).contains { $0.id == "capture.reencoded" && $0.severity == .info })
    }

    /// The real gateway writes every `&` of the sign string it echoes in `isv.invalid-signature`'s sub_msg as
    /// `&amp;` (docs/PROTOCOL.md §15; the local gateway does the same). The echo is compared with our content after
    /// reading the entity back: the same content says the keys differ, a different one names the first parameter
    /// that differs. The expected content is written out here by the §1.1 rules (sorted, `sign` left out).
    @Test func invalidSignatureEchoWithEscapedAmpersands() throws {
        let ours = #"app_id=2021000000000001&biz_content={"out_trade_no":"T1"}&charset=utf-8&format=JSON"#
            + "&method=alipay.trade.query&sign_type=RSA2&timestamp=2026-11-22 10:00:00&version=1.0"
        func finding(echo: String, tradeNo: String = "T1") throws -> Finding {
            let url = "https://openapi.alipay.com/gateway.do?app_id=2021000000000001&method=alipay.trade.query&format=JSON"
                + "&charset=utf-8&sign_type=RSA2&timestamp=2026-11-22+10%3A00%3A00&version=1.0&sign=AAAA"
            let node: [String: Any] = [
                "code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature",
                "sub_msg": "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：" + echo,
            ]
            let body = try JSONSerialization.data(withJSONObject: ["alipay_trade_query_response": node])
            let findings = try Self.queryFindings(
                url: url, charset: "utf-8", tradeNo: tradeNo, responseHeaders: [], responseBody: [UInt8](body))
            return try #require(findings.first { $0.id == "v2.response.invalid-signature" })
        }
        let escaped = ours.replacingOccurrences(of: "&", with: "&amp;")
        #expect(try finding(echo: escaped).message.contains("built the same content as ours"))
        #expect(try finding(echo: ours).message.contains("built the same content as ours"))
        let later = escaped.replacingOccurrences(of: "10:00:00", with: "10:00:01")
        let differs = try finding(echo: later)
        #expect(differs.message.contains("first at parameter 'timestamp'"), "\(differs.message)")
        // A value holding the text "&amp;" (sent as %26amp%3B) is echoed "&amp;amp;" by an escaping gateway, and
        // read back once: the same content.
        let entity = escaped.replacingOccurrences(of: "T1", with: "T&amp;amp;1")
        #expect(try finding(echo: entity, tradeNo: "T%26amp%3B1").message.contains("built the same content as ours"))
        // An echo with bare ampersands was not escaped: taken as it is, its "&amp;" text kept.
        let plain = ours.replacingOccurrences(of: "T1", with: "T&amp;1")
        #expect(try finding(echo: plain, tradeNo: "T%26amp%3B1").message.contains("built the same content as ours"))
    }

    /// A GBK response's node is read in GBK, and its envelope checked as a UTF-8 one is. Read as UTF-8, the node
    /// of an error whose sub_msg is Chinese did not parse, and the envelope's checks were skipped without a word.
    /// The sub_msg is 交易不存在 in GBK (`iconv -t GBK` and Python's `encode("gbk")` agree: BD BB D2 D7 B2 BB B4 E6
    /// D4 DA).
    @Test func gbkResponseEnvelopeIsChecked() throws {
        let gbk: [UInt8] = [0xBD, 0xBB, 0xD2, 0xD7, 0xB2, 0xBB, 0xB4, 0xE6, 0xD4, 0xDA]
        func findings(_ members: String, subMsg: [UInt8] = gbk, charset: String = "GBK") throws -> [Finding] {
            let url = "https://openapi.alipay.com/gateway.do?app_id=2021000000000001&method=alipay.trade.query"
                + "&format=JSON&charset=\(charset)&sign_type=RSA2&timestamp=2026-11-22+10%3A00%3A00&version=1.0&sign=AAAA"
            let body = Array(#"{"alipay_trade_query_response":{"#.utf8) + Array(members.utf8) + Array(#","sub_msg":""#.utf8)
                + subMsg + Array(#""}}"#.utf8)
            return try Self.queryFindings(
                url: url, charset: charset, tradeNo: "T1",
                responseHeaders: [("Content-Type", "application/json;charset=\(charset)")], responseBody: body)
        }
        let answered = try findings(#""code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST""#)
        let code = try #require(answered.first { $0.id == "v2.response.code" }, "\(answered.map(\.id))")
        #expect(code.message == "the gateway answered code 40004, sub_code ACQ.TRADE_NOT_EXIST: 交易不存在")
        #expect(!answered.contains { $0.id == "v2.response.envelope" })
        let noMsg = try findings(#""code":"40004","sub_code":"ACQ.TRADE_NOT_EXIST""#)
        #expect(noMsg.contains { $0.id == "v2.response.envelope" && $0.message.hasSuffix("has no msg") }, "\(noMsg.map(\.message))")
        // FE 39 FE 39 has the shape of a four-byte GB18030 sequence but lies past U+10FFFF (iconv refuses it):
        // the node cannot be read, and says so.
        let unreadable = try findings(
            #""code":"40004","msg":"Business Failed""#, subMsg: [0xFE, 0x39, 0xFE, 0x39], charset: "GB18030")
        #expect(unreadable.contains { $0.id == "v2.response.envelope" && $0.message.hasSuffix("is not valid GB18030") },
                "\(unreadable.map(\.message))")
    }

    /// The findings of one `alipay.trade.query` exchange whose request (query in `url`, a one-member biz_content in
    /// the body, in `charset`) was answered with this response.
    static func queryFindings(
        url: String, charset: String, tradeNo: String, responseHeaders: [(name: String, value: String)], responseBody: [UInt8]
    ) throws -> [Finding] {
        let exchange = Exchange(
            index: 1, startedAt: nil, method: "POST", url: url,
            request: Exchange.Message(
                headers: [("Content-Type", "application/x-www-form-urlencoded;charset=\(charset)")],
                body: Array("biz_content=%7B%22out_trade_no%22%3A%22\(tradeNo)%22%7D".utf8), bodyFromText: false),
            status: 200,
            response: Exchange.Message(headers: responseHeaders, body: responseBody, bodyFromText: false))
        return Checker(configuration: CheckConfiguration(rules: try APIRuleSet.bundled())).check(exchange).findings
    }

    /// An exchange's request URI, path and query as Foundation's `URLComponents` reads them from the URL (its
    /// percent-encoded path and query, never decoded): random absolute URLs (user, port, fragment, `?` and `://`
    /// inside the query) and URLs captured without their scheme and host, whose `://` is in the query.
    @Test func urlPartsAsURLComponentsReadsThem() throws {
        var rng = SeededRandom(state: 0x5EED_0A11)
        // Tokens, not characters: an escape is whole (a lone `%` Foundation would encode as `%25`).
        func pick(_ tokens: [String], _ count: Int) -> String {
            (0..<count).map { _ in tokens[Int(rng.next() % UInt64(tokens.count))] }.joined()
        }
        let pchar = "abcXYZ019-._~!$'()*,;=:@".map(String.init) + ["%2B", "%E8%AF%AD"]
        for n in 0..<2_000 {
            // Segments are never empty: a relative URL starting `//` would be a host (RFC 3986 §4.2).
            let path = (0..<Int(rng.next() % 4)).map { _ in "/" + pick(pchar, 1 + Int(rng.next() % 5)) }.joined()
            let query = rng.next() % 4 == 0 ? nil : pick(pchar + ["/", "?", "&", "+"], Int(rng.next() % 30))
                + (rng.next() % 3 == 0 ? "&return_url=https://merchant.example/r?x=1" : "")
            let fragment = rng.next() % 5 == 0 ? "#" + pick(pchar + ["/", "?"], 5) : ""
            let authority = ["https://openapi.alipay.com", "http://user:pw@127.0.0.1:8080", "HTTPS://Example.com"][n % 3]
            let uri = (path.isEmpty ? "/" : path) + (query.map { "?" + $0 } ?? "")
            let url = (n % 4 == 3 ? "" : authority) + uri + fragment
            let components = try #require(URLComponents(string: url), "\(url)")
            let exchange = Exchange(
                index: n, startedAt: nil, method: "POST", url: url,
                request: Exchange.Message(headers: [], body: [], bodyFromText: false), status: 0, response: nil)
            let expectedPath = components.percentEncodedPath
            #expect(exchange.path == expectedPath, "\(url)")
            #expect(exchange.query == (components.percentEncodedQuery ?? ""), "\(url)")
            #expect(exchange.requestURI == expectedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? ""), "\(url)")
            #expect(exchange.queryRange.map { String(url.utf8.dropFirst($0.lowerBound).prefix($0.count))! } == components.percentEncodedQuery, "\(url)")
        }
        // A host and nothing after it: the request line's `/`.
        let bare = Exchange(
            index: 1, startedAt: nil, method: "GET", url: "https://openapi.alipay.com",
            request: Exchange.Message(headers: [], body: [], bodyFromText: false), status: 0, response: nil)
        #expect((bare.requestURI, bare.path, bare.query) == ("/", "/", ""))
    }

    @Test func workersReportWhatOneCheckerReports() throws {
        // The JSON Lines vectors 70 times over (1,610 exchanges: three blocks of 3 workers, each checked while the
        // next is read), checked by 3 workers: the same reports in the same order as one checker gives (and under
        // ThreadSanitizer, `make sanitize-thread-suites`, no race).
        let text = try String(contentsOfFile: Vectors.path("captures/capture.jsonl"), encoding: .utf8)
        let bytes = Array(String(repeating: text, count: 70).utf8)
        let expected = try Self.reports(CaptureReader(contents: bytes), checker: Self.checker()).map(Self.line)
        var got: [String] = []
        try ParallelCheck(configuration: Self.configuration(), threads: 3).run(try CaptureReader(contents: bytes), render: nil) { block in
            got += block.map { Self.line($0.report) }
        }
        #expect(got.count == 1610)
        #expect(got == expected)
    }

    /// `check --format json` and `text` ask for ``ParallelCheck/Reports/findingsOnly``: a report with findings comes
    /// whole, a clean one with its position and kind only, and its line, rendered on the worker from the whole
    /// report, is the same; so is the summary counted from the reports. Expected: one sequential checker's reports.
    @Test func findingsOnlyKeepsWhatTheSummaryAndTheLinesRead() throws {
        let text = try String(contentsOfFile: Vectors.path("captures/capture.jsonl"), encoding: .utf8)
        let bytes = Array(String(repeating: text, count: 30).utf8)
        let expected = try Self.reports(CaptureReader(contents: bytes), checker: Self.checker())
        var engine = ParallelCheck(configuration: try Self.configuration(), threads: 2)
        engine.reports = .findingsOnly
        var got: [ParallelCheck.Checked] = []
        try engine.run(try CaptureReader(contents: bytes), render: { report, out in JSONReport.exchange(report, into: &out) }) {
            got += $0
        }
        #expect(got.count == expected.count)
        var summaries = (CheckSummary(), CheckSummary())
        for (checked, whole) in zip(got, expected) {
            #expect(String(decoding: checked.rendered, as: UTF8.self) == Self.line(whole))
            #expect((checked.report.index, checked.report.kind) == (whole.index, whole.kind))
            if whole.findings.isEmpty {
                #expect(checked.report.url.isEmpty && checked.report.api == nil && checked.report.findings.isEmpty)
            } else {
                #expect(Self.line(checked.report) == Self.line(whole))
            }
            summaries.0.add(checked.report)
            summaries.1.add(whole)
        }
        #expect(expected.contains { $0.findings.isEmpty } && expected.contains { !$0.findings.isEmpty })
        #expect(JSONReport.summary(summaries.0) == JSONReport.summary(summaries.1))
        #expect(TextReport.render(summaries.0) == TextReport.render(summaries.1))
    }

    /// The workers check one block while the next is read and the previous delivered: a line that is not an
    /// exchange, in the first block, a later one or the last, still ends the run with its error after exactly the
    /// exchanges before it were delivered, in order.
    @Test(arguments: [1, 300, 1000, 1537]) func aBrokenLineEndsTheRunAfterTheExchangesBeforeIt(broken: Int) throws {
        let good = #"{"request":{"method":"GET","url":"https://openapi.alipay.com/gateway.do?method=x"}}"#
        var lines = Array(repeating: good, count: 1537)
        lines[broken - 1] = "{broken"
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        for threads in [1, 2, 3] {
            var delivered: [Int] = []
            let error = #expect(throws: CaptureError.self) {
                try ParallelCheck(configuration: CheckConfiguration(rules: APIRuleSet()), threads: threads)
                    .run(try CaptureReader(contents: bytes), render: nil) { block in delivered += block.map(\.report.index) }
            }
            #expect(error?.message.contains("line \(broken) ") == true, "\(String(describing: error))")
            #expect(delivered == Array(1..<broken), "threads \(threads)")
        }
    }

    /// Blocks: two of 256 entries a worker, then each twice the one before, up to eight times the first; and a block
    /// ends at 8 MiB of entries a worker and 64 MiB in all whatever their count, so that large entries and many
    /// workers keep the memory in flight bounded. Seen from the blocks delivered.
    @Test func blocksGrowThenStayBoundedByCountAndBytes() throws {
        func blocks(_ lines: [String], threads: Int) throws -> [Int] {
            var sizes: [Int] = []
            try ParallelCheck(configuration: CheckConfiguration(rules: APIRuleSet()), threads: threads)
                .run(try CaptureReader(contents: Array(lines.joined(separator: "\n").utf8)), render: nil) { block in
                    sizes.append(block.count)
                }
            return sizes
        }
        let good = #"{"request":{"method":"GET","url":"https://openapi.alipay.com/gateway.do?method=x"}}"#
        #expect(try blocks(Array(repeating: good, count: 6_500), threads: 1) == [256, 256, 512, 1024, 2048, 2048, 356])
        // Entries of 1 MiB and a little more, the bulk in a member the reader skips (cheap to check, even under
        // AddressSanitizer): eight fill a worker's 8 MiB, so a block of one worker holds eight.
        let padding = String(repeating: "a", count: 1 << 20)
        let large = #"{"request":{"method":"GET","url":"https://openapi.alipay.com/gateway.do?method=x"},"pad":"\#(padding)"}"#
        #expect(try blocks(Array(repeating: large, count: 20), threads: 1) == [8, 8, 4])
        // And 64 MiB in all, however many workers: nine workers' 72 MiB would hold 72 of them; a block holds 64.
        #expect(try blocks(Array(repeating: large, count: 66), threads: 9) == [64, 2])
    }

    @Test func anErrorFromDeliverEndsTheRun() throws {
        let good = #"{"request":{"method":"GET","url":"https://openapi.alipay.com/gateway.do?method=x"}}"#
        let bytes = Array(String(repeating: good + "\n", count: 2000).utf8)
        struct Stop: Error {}
        for threads in [1, 2, 3] {
            var blocks = 0
            #expect(throws: Stop.self) {
                try ParallelCheck(configuration: CheckConfiguration(rules: APIRuleSet()), threads: threads)
                    .run(try CaptureReader(contents: bytes), render: nil) { _ in
                        blocks += 1
                        if blocks == 2 { throw Stop() }
                    }
            }
            #expect(blocks == 2)
        }
    }

    @Test func withoutKeysOnlyTheParameterChecksRun() throws {
        let checker = Checker(configuration: CheckConfiguration(rules: try APIRuleSet.bundled()))
        let reports = try Self.reports(Vectors.path("captures/chrome.har"), checker: checker)
        let ids = Set(reports.flatMap(\.findings).map(\.id))
        #expect(!ids.contains("v2.request.signature") && !ids.contains("notify.signature") && !ids.contains("v3.response.headers"))
        #expect(ids.contains("v2.param.timestamp"))
    }

    /// A parameter sent with an empty or white-space-only value is not signed (Java's `StringUtils.isEmpty`): reported,
    /// and `sign` itself is not.
    @Test func emptyValuesAreReportedAsUnsigned() throws {
        let url = "https://openapi.alipay.com/gateway.do?app_id=2021000000000001&method=alipay.trade.query&charset=utf-8"
            + "&sign_type=RSA2&timestamp=2026-11-22+10%3A00%3A00&version=1.0&sign=AAAA&return_url=&notify_url=+%09"
        let line = #"{"time":"2026-11-22T02:00:00Z","request":{"method":"POST","url":"\#(url)","headers":[],"body":"biz_content=%7B%7D","encoding":"utf8"}}"#
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).jsonl").path
        try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reports = try Self.reports(path, checker: Checker(configuration: CheckConfiguration(rules: APIRuleSet())))
        let empty = reports.first?.findings.filter { $0.id == "v2.param.empty" } ?? []
        #expect(empty.count == 1 && empty.first?.severity == .warning)
        #expect(empty.first?.value == "notify_url,return_url", "\(empty)")
    }

    /// The URL query's and the body's parameters are one request: a name in both takes the body's value (reported
    /// when the two differ), a name repeated within the query or within the body is an error, and the content the
    /// request signature is checked over is built from the merged parameters (Java `getSignContent`: sorted, `sign`
    /// and blank values left out). Past 16 parameters names are found through a hash: the same answers.
    @Test(arguments: [0, 20])
    func queryAndBodyParametersMerge(padding: Int) throws {
        var configuration = CheckConfiguration(rules: APIRuleSet())
        configuration.appPublicKey = try PublicKey(parsing: Vectors.bytes("alipay/keys/other2048-spki.pem"))
        let checker = Checker(configuration: configuration)
        let pad = (0..<padding).map { "&p\(String(format: "%02d", $0))=v" }.joined()
        let padContent = (0..<padding).map { "&p\(String(format: "%02d", $0))=v" }.joined()
        func findings(query: String, body: String) -> [Finding] {
            let request = Exchange.Message(
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8), bodyFromText: true)
            let exchange = Exchange(
                index: 1, startedAt: nil, method: "POST", url: "https://openapi.alipay.com/gateway.do?" + query + pad,
                request: request, status: 0, response: nil)
            return checker.check(exchange).findings
        }
        let query = "app_id=1&charset=utf-8&method=m&sign=AAAA&sign_type=RSA2"
        // In both, different values: reported; the body's value is the one signed.
        var f = findings(query: query, body: "app_id=2&biz_content=%7B%7D")
        #expect(f.filter { $0.id == "v2.param.duplicate" }.map(\.value) == ["app_id"])
        #expect(f.first { $0.id == "v2.request.signature" }?.value
            == "app_id=2&biz_content={}&charset=utf-8&method=m" + padContent + "&sign_type=RSA2")
        // In both with the same value: nothing to report.
        f = findings(query: query, body: "app_id=1")
        #expect(!f.contains { $0.id == "v2.param.duplicate" })
        #expect(f.first { $0.id == "v2.request.signature" }?.value == "app_id=1&charset=utf-8&method=m" + padContent + "&sign_type=RSA2")
        // Twice in the query: the first name that repeats is named, and nothing else is checked.
        f = findings(query: "x=1&" + query + "&y=1&y=2&x=3", body: "")
        #expect(f.map(\.id) == ["v2.request.form"])
        #expect(f.first?.message == "the URL query cannot be decoded: parameter 'y' appears more than once")
        // Twice in the body: the body is refused, the query's parameters are still checked.
        f = findings(query: query, body: "a=1&b=2&a=1")
        #expect(f.first { $0.id == "v2.request.form" }?.message == "the request body cannot be decoded: parameter 'a' appears more than once")
        #expect(f.first { $0.id == "v2.request.signature" }?.value == "app_id=1&charset=utf-8&method=m" + padContent + "&sign_type=RSA2")
    }

    /// A v2 exchange's findings come in one order whatever order the checks run in (the two signature verifications
    /// run last, one after the other): the request's parameters, its signature, the per-API rules, then the
    /// response's envelope and its signature.
    @Test func v2FindingsKeepTheirOrder() throws {
        var configuration = CheckConfiguration(rules: try APIRuleSet.bundled())
        configuration.appPublicKey = try PublicKey(parsing: Vectors.bytes("alipay/keys/other2048-spki.pem"))
        configuration.alipayPublicKey = try PublicKey(parsing: Vectors.bytes("alipay/keys/rsa2048-spki.pem"))
        let checker = Checker(configuration: configuration)
        let method = "alipay.trade.royalty.relation.unbind"
        // A wrong request sign, a biz_content the method's rule refuses (no receiver_list, no out_request_no), a
        // response node without msg and a wrong response sign.
        let query = "app_id=1&charset=utf-8&format=JSON&method=\(method)&sign=AAAA&sign_type=RSA2&version=1.0"
        let request = Exchange.Message(
            headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("biz_content=%7B%7D".utf8), bodyFromText: true)
        let body = #"{"alipay_trade_royalty_relation_unbind_response":{"code":"10000"},"sign":"AAAA"}"#
        let response = Exchange.Message(
            headers: [("Content-Type", "application/json;charset=utf-8")], body: Array(body.utf8), bodyFromText: true)
        let exchange = Exchange(
            index: 1, startedAt: nil, method: "POST", url: "https://openapi.alipay.com/gateway.do?" + query,
            request: request, status: 200, response: response)
        let ids = checker.check(exchange).findings.map(\.id)
        let order = ["v2.param.timestamp", "v2.request.signature", "api.\(method)", "v2.response.envelope", "v2.response.signature"]
        // Each of these ids is reported, and they come in that order (the rule reports one finding per field).
        #expect(Set(ids).isSuperset(of: order), "\(ids)")
        let ranks = ids.compactMap { order.firstIndex(of: $0) }
        #expect(ranks == ranks.sorted(), "\(ids)")
    }

    /// A response naming an `alipay_cert_sn` none of the given certificates has is reported as a rotation, with how to
    /// import the new certificate (vectors/rotation: signed by the openssl command with the new key).
    @Test func anUnknownCertificateSNIsARotation() throws {
        let after = Vectors.rotation.after_rotation
        let url = "https://openapi.alipay.com/gateway.do?method=\(after.method)&charset=utf-8"
        var line = #"{"request":{"method":"POST","url":"\#(url)","headers":[],"body":""},"response":{"status":200,"headers":[],"body":"#
        line += String(decoding: try JSONSerialization.data(withJSONObject: [after.body], options: [.withoutEscapingSlashes]), as: UTF8.self).dropFirst().dropLast()
        line += "}}"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rotation-\(UUID().uuidString).jsonl").path
        try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = CheckConfiguration(rules: APIRuleSet())
        var registry = AlipayPublicKeyRegistry()
        try registry.add(certificateFile: Vectors.bytes("certificates/alipay/node/alipayCertPublicKey_RSA2.crt"))
        configuration.alipayCertificates = registry
        let findings = try Self.reports(path, checker: Checker(configuration: configuration)).flatMap(\.findings)
        let rotation = findings.first { $0.id == "v2.response.signature" }
        #expect(rotation?.message.contains("rotation") == true, "\(findings)")
        #expect(rotation?.hint?.contains("alipay-sign cert import") == true)
    }

    /// An SM2 request (vectors/sm2: signed by BouncyCastle) checked with the SM2 key: clean with the sign type
    /// configured or taken from the request; with RSA2 configured, the sign type is a finding and nothing verifies.
    @Test func sm2RequestsAreCheckedWithTheConfiguredSignType() throws {
        let request = Vectors.sm2.artefacts.request
        var components = URLComponents(string: "https://openapi.alipay.com/gateway.do")!
        components.queryItems = request.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        let url = components.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B")
        let line = #"{"time":"2026-11-30T02:00:00Z","request":{"method":"POST","url":"https://openapi.alipay.com/gateway.do?\#(url)","headers":[],"body":""}}"#
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sm2-\(UUID().uuidString).jsonl").path
        try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        for configured in [SignType?.none, .sm2, .rsa2] {
            var configuration = CheckConfiguration(rules: APIRuleSet())
            configuration.appPublicKey = try PublicKey(parsing: Vectors.bytes("sm2/sm2-spki.pem"))
            configuration.signType = configured
            let errors = try Self.reports(path, checker: Checker(configuration: configuration)).flatMap(\.findings)
                .filter { $0.severity == .error }.map(\.id)
            if configured == .rsa2 {
                #expect(errors.contains("v2.param.sign_type"), "\(errors)")
            } else {
                #expect(errors.isEmpty, "\(String(describing: configured)): \(errors)")
            }
        }
    }

    /// The JSON Lines reader walks a line once, taking the schema's members as bytes: every field it gives equals
    /// what Foundation's JSONSerialization reads from the same line (members in any order, escaped names and
    /// values, unknown members holding any JSON, headers as an array or an object, base64 bodies), and the first
    /// member of a repeated name is the one read.
    @Test func jsonLinesFieldsAsFoundationReadsThem() throws {
        let lines = [
            #"{"time":"2026-11-22T02:00:00Z","request":{"method":"post","url":"https://h/gateway.do?a=1","headers":{"Content-Type":"text/plain"},"body":"x=\"1\"&y=\u4e2d\n","encoding":"utf8"},"response":{"status":200,"headers":[{"name":"A","value":"b"}],"body":"{\"k\":\"\\/\"}"}}"#,
            #"{"x":[1,{"y":null},"z"],"response":{"extra":{"a":[true,false]},"body":"aGk=","encoding":"base64","status":"302"},"request":{"url":"https://h/p","method":"GET"},"t\u0069me":"2026-11-22T02:00:01.000+08:00"}"#,
            #" {"request":{"m\u0065thod":"PUT","url":"http://h/v3/x","body":"","encoding":"UTF-8"}} "#,
        ]
        for line in lines {
            let reader = try CaptureReader(contents: Array(line.utf8))
            let exchange = try #require(try reader.next())
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let request = try #require(object["request"] as? [String: Any])
            #expect(exchange.method == (request["method"] as? String)?.uppercased())
            #expect(exchange.url == request["url"] as? String)
            func body(_ part: [String: Any]) -> [UInt8] {
                let text = part["body"] as? String ?? ""
                return part["encoding"] as? String == "base64" ? [UInt8](Data(base64Encoded: text)!) : Array(text.utf8)
            }
            #expect(exchange.request.body == body(request))
            if let response = object["response"] as? [String: Any] {
                let status = response["status"].flatMap { ($0 as? Int) ?? Int($0 as? String ?? "") }
                #expect(exchange.status == status)
                #expect(exchange.response?.body == body(response))
                if let headers = response["headers"] as? [[String: String]] {
                    #expect(exchange.response?.headers.map { [$0.name, $0.value] } == headers.map { [$0["name"]!, $0["value"]!] })
                }
            } else {
                #expect(exchange.response == nil)
            }
            if let headers = request["headers"] as? [String: String] {
                #expect(exchange.request.headers.map { [$0.name, $0.value] } == headers.map { [$0.key, $0.value] })
            }
            #expect((exchange.startedAt == nil) == (object["time"] == nil))
        }
        let repeated = #"{"request":{"method":"GET","url":"https://h/first","url":"https://h/second"},"request":{"method":"POST"}}"#
        let exchange = try #require(try CaptureReader(contents: Array(repeated.utf8)).next())
        #expect(exchange.url == "https://h/first" && exchange.method == "GET")
        let notObject = #"{"request":["method","GET"]}"#
        #expect(throws: CaptureError.self) { try CaptureReader(contents: Array(notObject.utf8)).next() }
    }

    /// Headers, as an array of `{"name", "value"}` objects or as an object, read by the JSON Lines walk (without a
    /// tree) as the HAR reader reads them from a built tree, and as written out by hand from the rule: a pseudo-header
    /// (`:authority`), an element that is not an object or has no string name left out, a value that is not a string
    /// read as empty, escaped member names, the first member of a repeated name; in the object form, members that
    /// are not strings left out; anything else, no headers.
    @Test func jsonLinesHeadersAsTheHARReaderReadsThem() throws {
        let array = #"[{"name":"A","value":"1"},{"name":":authority","value":"h"},{"value":"no name"},{"name":2,"value":"x"},"#
            + #""text",{"name":"B"},{"name":"C","value":3},{"n\u0061me":"D","v\u0061lue":"4","name":"ignored"},"#
            + #"{"name":"E","value":"5","value":"6"}]"#
        let object = #"{"Content-Type":"text/plain","X-N":1,"X-Null":null,"X-\u0041":"a\nb"}"#
        let cases: [(String, [[String]])] = [
            (array, [["A", "1"], ["B", ""], ["C", ""], ["D", "4"], ["E", "5"]]),
            (object, [["Content-Type", "text/plain"], ["X-A", "a\nb"]]),
            ("null", []), ("3", []), (#""text""#, []), ("[]", []), ("{}", []), (#"[[{"name":"X","value":"y"}]]"#, []),
        ]
        for (headers, expected) in cases {
            let line = #"{"request":{"method":"GET","url":"https://h/p","headers":\#(headers)}}"#
            let jsonl = try #require(try CaptureReader(contents: Array(line.utf8)).next())
            let har = #"{"log":{"entries":[{"request":{"method":"GET","url":"https://h/p","headers":\#(headers)}}]}}"#
            let fromHAR = try #require(try CaptureReader(contents: Array(har.utf8)).next())
            #expect(jsonl.request.headers.map { [$0.name, $0.value] } == expected, "\(headers)")
            #expect(fromHAR.request.headers.map { [$0.name, $0.value] } == expected, "HAR: \(headers)")
        }
    }

    /// One report's JSON line as `check --format json` writes it.
    static func line(_ report: ExchangeReport) -> String {
        var bytes: [UInt8] = []
        JSONReport.exchange(report, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Each report line, read by Foundation's JSONSerialization, holds exactly the report's fields, over every
    /// report of the capture vectors and a URL holding every character the writer escapes.
    @Test func reportLineHoldsTheReportAsFoundationReadsIt() throws {
        var reports: [ExchangeReport] = []
        for path in ["captures/mitmproxy.har", "captures/chrome.har", "captures/capture.jsonl"] {
            reports += try Self.reports(Vectors.path(path), checker: try Self.checker())
        }
        let url = "https://h/x\u{2028}\u{2029}\u{7F}\u{01}\"\\\n\t中\u{E2}"
        var escaped: [UInt8] = []
        JSONBytes.appendString(url, to: &escaped)
        let tricky = #"{"request":{"method":"GET","url":"# + String(decoding: escaped, as: UTF8.self) + "}}"
        let exchange = try #require(try CaptureReader(contents: Array(tricky.utf8)).next())
        #expect(exchange.url == url)
        reports.append(try Self.checker().check(exchange))
        #expect(reports.contains { !$0.findings.isEmpty && $0.findings.contains { $0.hint != nil } })
        for report in reports {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(Self.line(report).utf8)) as? [String: Any], "exchange \(report.index)")
            #expect(object["exchange"] as? Int == report.index)
            #expect(object["kind"] as? String == report.kind.rawValue)
            #expect((object["api"] as? String) == report.api && (report.api != nil || object["api"] is NSNull))
            #expect(object["url"] as? String == report.url)
            #expect(object["ok"] as? Bool == !report.hasError)
            let findings = try #require(object["findings"] as? [[String: Any]])
            #expect(findings.count == report.findings.count)
            for (f, finding) in zip(findings, report.findings) {
                #expect(f["id"] as? String == finding.id && f["severity"] as? String == finding.severity.rawValue)
                #expect(f["message"] as? String == finding.message)
                #expect(f["value"] as? String == finding.value && (finding.value != nil || f["value"] is NSNull))
                #expect(f["hint"] as? String == finding.hint && (finding.hint != nil || f["hint"] is NSNull))
                #expect(f.count == 5)
            }
            #expect(object.count == 6)
        }
    }

    @Test func badCapturesAreInputErrors() throws {
        let cases: [(String, String)] = [
            ("", "empty"),
            ("hello", "neither HAR"),
            (#"{"log":{"version":"1.2","entries":[{"request":"#, "truncated"),
            (#"{"log":{"version":"1.2","pages":[]}}"#, "no log.entries"),
            (#"{"log":{"entries":[{"request":{"url":"x"}}]}}"#, "no request method"),
            (#"{"log":{"entries":[{"request":{"method":"GET","url":"https://a/b","postData":{"text":"%%","encoding":"base64"}}}]}}"#, "not base64"),
            ("{\"request\":{\"method\":\"GET\",\"url\":\"https://a\"}}\n{broken\n", "not valid JSON"),
            // A status beyond Int's range trapped the reader (found by the jsonl fuzz target); not an integer either.
            (#"{"request":{"method":"GET","url":"https://a"},"response":{"status":1e300}}"#, "not an integer"),
            (#"{"request":{"method":"GET","url":"https://a"},"response":{"status":"200 OK"}}"#, "not an integer"),
            (#"{"log":{"entries":[{"request":{"method":"GET","url":"https://a/b"},"response":{"status":288888888888888888888888}}]}}"#,
             "not an integer"),
        ]
        for (text, mention) in cases {
            let path = NSTemporaryDirectory() + "capture-\(UUID().uuidString)"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                let reader = try CaptureReader(path: path)
                while try reader.next() != nil {}
                Issue.record("\(text): accepted")
            } catch let error as CaptureError {
                #expect(error.message.contains(mention), "\(text): \(error)")
            }
        }
    }

    @Test func harEntryNested100000DeepIsAnErrorNotACrash() throws {
        let depth = 100_000
        let har = "{\"log\":{\"entries\":[{\"request\":{\"method\":\"GET\",\"url\":\"https://a/b\",\"x\":"
            + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}}]}}"
        #expect(throws: CaptureError.self) {
            let reader = try CaptureReader(contents: Array(har.utf8))
            while try reader.next() != nil {}
        }
    }

    @Test func harLargerThanAChunkReadsAsFoundationDoes() throws {
        // Entries whose strings (escaped quotes and backslashes, \u escapes, member names that look like "log")
        // cross the reader's 1 MiB chunk boundaries; each exchange read from the file must equal what Foundation's
        // JSON parser finds in the same document.
        var entries: [[String: Any]] = []
        for i in 0..<40 {
            let text = String(repeating: "a\"b\\c\u{00e9}{[\"log\"]}", count: 3_000 + i * 37) + "#\(i)"
            entries.append([
                "request": ["method": "GET", "url": "https://merchant.example/p\(i)?q=\"x\"", "headers": [] as [Any]],
                "response": ["status": 200, "headers": [] as [Any], "content": ["size": text.utf8.count, "text": text]],
            ])
        }
        let document = try JSONSerialization.data(withJSONObject: ["log": ["version": "1.2", "entries": entries]])
        #expect(document.count > 2 << 20)  // two chunk boundaries at least
        let path = NSTemporaryDirectory() + "capture-\(UUID().uuidString).har"
        try document.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let parsed = try #require(JSONSerialization.jsonObject(with: document) as? [String: Any])
        let expected = try #require((parsed["log"] as? [String: Any])?["entries"] as? [[String: Any]])
        let reader = try CaptureReader(path: path)
        for entry in expected {
            let exchange = try #require(try reader.next())
            let request = try #require(entry["request"] as? [String: Any])
            let content = try #require((entry["response"] as? [String: Any])?["content"] as? [String: Any])
            #expect(exchange.url == request["url"] as? String)
            #expect(String(decoding: exchange.response?.body ?? [], as: UTF8.self) == content["text"] as? String)
        }
        #expect(try reader.next() == nil)
    }

    @Test func harDetailsVendorFieldsParamsOnlyAndBOM() throws {
        // A BOM, a vendor field before log, postData with params only (rebuilt as a form), HTTP/2 pseudo-headers.
        let text = "\u{FEFF}" + #"{"_meta":{"x":"}{"},"log":{"version":"1.2","entries":[{"_priority":"High","startedDateTime":"2026-11-22T02:00:00.000Z","request":{"method":"post","url":"https://merchant.example/notify","headers":[{"name":":authority","value":"x"},{"name":"Content-Type","value":"application/x-www-form-urlencoded"}],"postData":{"mimeType":"application/x-www-form-urlencoded","params":[{"name":"notify_id","value":"1"},{"name":"notify_type","value":"a b"}]}},"response":{"status":200,"headers":[],"content":{"size":7,"text":"c3VjY2Vzcw==","encoding":"base64"}}}]}}"#
        let path = NSTemporaryDirectory() + "capture-\(UUID().uuidString).har"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CaptureReader(path: path)
        #expect(reader.format == .har)
        let exchange = try #require(try reader.next())
        #expect(exchange.method == "POST")
        #expect(String(decoding: exchange.request.body, as: UTF8.self) == "notify_id=1&notify_type=a+b")
        #expect(exchange.request.headers.count == 1)
        #expect(String(decoding: exchange.response?.body ?? [], as: UTF8.self) == "success")
        #expect(exchange.startedAt == ISO8601Instant.parse("2026-11-22T02:00:00Z"))
        #expect(try reader.next() == nil)
    }

    @Test func rulesAreDataFiles() throws {
        let bundled = try APIRuleSet.bundled()
        #expect(Set(bundled.rules.keys).isSuperset(of: [
            "alipay.trade.royalty.relation.unbind", "POST /v3/alipay/open/public/account/create",
            "DELETE /v3/alipay/open/public/account/delete", "GET /v3/alipay/open/public/account/query",
            "POST /v3/alipay/open/public/account/reset",
        ]))
        let dir = NSTemporaryDirectory() + "rules-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var set = APIRuleSet()
        try Data(#"{"api":"alipay.trade.query","request":{"fields":[{"name":"out_trade_no","required":true,"maxLength":64}]}}"#.utf8)
            .write(to: URL(fileURLWithPath: dir + "/q.json"))
        try set.load(directory: dir)
        #expect(set.rules["alipay.trade.query"] != nil)
        try Data(#"{"api":"x","request":{"fields":[{"name":"a","pattern":"("}]}}"#.utf8).write(to: URL(fileURLWithPath: dir + "/bad.json"))
        #expect(throws: CaptureError.self) { try set.load(directory: dir) }
    }
}

@Suite struct BundledRuleTests {
    /// BundledRules.swift must carry exactly the text of Rules/*.json: run `make rules` after editing a rule file.
    @Test func embeddedRulesMatchTheDataFiles() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/AlipayConformance/Rules")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        var fromFiles = APIRuleSet()
        try fromFiles.load(directory: dir.path)
        let bundled = try APIRuleSet.bundled()
        #expect(Set(bundled.rules.keys) == Set(fromFiles.rules.keys), "run make rules")
        #expect(files.count == bundled.rules.count, "run make rules")
        // Same text: the generated file embeds each file verbatim.
        let generated = try String(contentsOf: dir.deletingLastPathComponent().appendingPathComponent("Checks/BundledRules.swift"), encoding: .utf8)
        for file in files {
            var text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            while text.hasSuffix("\n") { text.removeLast() }
            #expect(generated.contains("(\"\(file)\", #\"\"\"\n\(text)\n\"\"\"#)"), "\(file) differs: run make rules")
        }
    }
}

/// Instants as captures and `cert verify --at` write them, through Foundation's ISO 8601 styles; the expected
/// seconds are worked out by hand from the dates.
@Suite struct ISO8601InstantTests {
    @Test func forms() {
        let cases: [(String, Double?)] = [
            ("2022-06-01", 1_654_041_600), ("2022-06-01T12:30:00Z", 1_654_086_600), ("2022-06-01T12:30:00", 1_654_086_600),
            ("2022-06-01T20:30:00+08:00", 1_654_086_600), ("2022-06-01T12:30:00.500Z", 1_654_086_600.5),
            ("2024-02-29", 1_709_164_800), ("2022-13-01", nil), ("yesterday", nil), ("2022-06-01T", nil),
        ]
        for (text, expected) in cases {
            #expect(ISO8601Instant.parse(text)?.timeIntervalSince1970 == expected, "\(text)")
        }
        #expect(ISO8601Instant.format(Date(timeIntervalSince1970: 1_654_086_600)) == "2022-06-01T12:30:00Z")
    }

    /// The hand-written reader of the common forms against Foundation's styles, over instants from 1900 to 2100
    /// with offsets and leap days; a fraction other than zero, and out-of-range fields, are left to Foundation.
    @Test func commonFormsReadAsFoundationReadsThem() throws {
        var generator = SystemRandomNumberGenerator()
        let utc = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for k in 0..<20_000 {
            let seconds = Double(Int64.random(in: -2_208_988_800...4_102_444_800, using: &generator))
            let millis = k % 3 == 0 ? 0 : Double(Int.random(in: 1...999, using: &generator)) / 1000
            var text = utc.format(Date(timeIntervalSince1970: seconds + millis))  // ...T..:..:...fffZ
            switch k % 5 {
            case 0: text = String(text.dropLast(5)) + "Z"
            case 1: text = String(text.dropLast(5)) + (k % 10 == 1 ? "+08:00" : "-05:30")
            case 2: text = String(text.dropLast(5))  // no zone: Foundation reads no fraction there
            case 3: text = String(text.dropLast()) + "+08:00"  // a fraction and an offset
            default: break  // a fraction and Z
            }
            // Whole seconds: no fraction, or one of zeros (as Foundation wrote it).
            let wholeSeconds = !text.contains(".") || text.contains(".000")
            let foundation = ISO8601Instant.foundation(text)
            #expect(foundation != nil, "\(text)")
            #expect(ISO8601Instant.parse(text) == foundation, "\(text)")
            if wholeSeconds {
                #expect(ISO8601Instant.fast(text) == foundation, "\(text)")
            } else {
                #expect(ISO8601Instant.fast(text) == nil, "\(text)")
            }
        }
        for text in ["2022-02-29T00:00:00Z", "2022-06-31T00:00:00Z", "2022-06-01T24:00:00Z", "2022-06-01T12:60:00Z",
                     "2022-06-01T12:00:60Z", "2022-06-01T12:00:00.1234Z", "2022-06-01T12:00:00+0800", "2022-06-01 12:00:00Z", "2022-06-01T12:00:00.5"] {
            #expect(ISO8601Instant.fast(text) == nil, "\(text)")
        }
    }
}
