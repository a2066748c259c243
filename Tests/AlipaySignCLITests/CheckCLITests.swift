import Foundation
import Testing
import VectorSupport

/// `alipay-sign check` and `diagnose` on the capture vectors.
@Suite(.serialized)
struct CheckCLITests {
    static let expected = Vectors.captures
    static let keys = ["--app-public-key", Vectors.path(expected.app_public_key),
                       "--alipay-public-key", Vectors.path(expected.alipay_public_key)]

    @Test func jsonLinesOutputMatchesTheExpectedFindings() throws {
        for file in ["captures/mitmproxy.har", "captures/chrome.har", "captures/capture.jsonl"] {
            let r = try CLI.run(["check"] + Self.keys + ["--format", "json", Vectors.path(file)])
            #expect(r.code == 1, "\(file): \(r.stderr)")
            let lines = r.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let exchanges = lines.compactMap { $0 }.filter { $0["summary"] == nil }
            #expect(exchanges.count == Self.expected.exchanges.count)
            for (line, expected) in zip(exchanges, Self.expected.exchanges) {
                let findings = (line["findings"] as? [[String: Any]]) ?? []
                let ids = Set(findings.filter { $0["severity"] as? String != "info" }.compactMap { $0["id"] as? String })
                #expect(ids == Set(expected.findings), "\(file) #\(line["exchange"] ?? "?")")
                #expect(line["kind"] as? String == expected.kind)
            }
            let summary = try #require(lines.last??["summary"] as? Bool)
            #expect(summary)
        }
    }

    @Test func textReportGroupsByCheckAndJUnitCounts() throws {
        let text = try CLI.run(["check"] + Self.keys + [Vectors.path("captures/chrome.har")])
        #expect(text.code == 1)
        #expect(text.stdout.hasPrefix("Checked 23 exchanges: 14 v2 gateway, 5 v3, 3 notifications, 1 skipped"))
        #expect(text.stdout.contains("ERROR v2.param.timestamp (1)"))
        #expect(text.stdout.contains("hint: it verifies with: the content encoded in GBK, not UTF-8"))
        let junit = try CLI.run(["check"] + Self.keys + ["--format", "junit", Vectors.path("captures/chrome.har")])
        #expect(junit.code == 1)
        // An exchange fails when one of its expected findings is an error (all but the two warnings).
        let failures = Self.expected.exchanges.filter { !Set($0.findings).subtracting(["v2.param.sign_type", "notify.ack"]).isEmpty }.count
        #expect(junit.stdout.contains(#"<testsuite name="alipay-sign check" tests="23" failures="\#(failures)" errors="0">"#),
                "\(junit.stdout.prefix(300))")
        #expect(junit.stdout.hasSuffix("</testsuites>\n"))
    }

    @Test func cleanCaptureExitsZeroAndWarningsDoNotFail() throws {
        // Only the clean exchanges and the one with a warning (sign_type RSA) of the JSON Lines capture.
        let all = try String(contentsOfFile: Vectors.path("captures/capture.jsonl"), encoding: .utf8).split(separator: "\n")
        let keep = Self.expected.exchanges.enumerated()
            .filter { $0.element.findings.isEmpty || $0.element.findings == ["v2.param.sign_type"] }.map(\.offset)
        let file = try CLI.temporaryFile(Data((keep.map { String(all[$0]) }.joined(separator: "\n") + "\n").utf8), name: "clean.jsonl")
        let r = try CLI.run(["check"] + Self.keys + [file])
        #expect(r.code == 0, "\(r.stdout)")
        #expect(r.stdout.contains("WARNING v2.param.sign_type (1)"))
    }

    @Test func workersGiveTheSameReportLineForLine() throws {
        // The capture vectors 40 times over (920 exchanges: several blocks for every worker count): the JSON
        // report with 1 worker and with 3 is the same, in capture order; the expected findings are checked above.
        let all = try String(contentsOfFile: Vectors.path("captures/capture.jsonl"), encoding: .utf8)
        let file = try CLI.temporaryFile(Data(String(repeating: all, count: 40).utf8), name: "repeated.jsonl")
        let one = try CLI.run(["check", "--format", "json", "--threads", "1"] + Self.keys + [file])
        let three = try CLI.run(["check", "--format", "json", "--threads", "3"] + Self.keys + [file])
        #expect(one.code == 1 && three.code == 1)
        #expect(one.stdout.split(separator: "\n").count == 921)
        #expect(one.stdout == three.stdout)
        // A line that is not JSON at exchange 800: the 799 before it are reported, then the input error.
        var lines = String(repeating: all, count: 40).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[799] = "{not json"
        let broken = try CLI.temporaryFile(Data(lines.joined(separator: "\n").utf8), name: "broken.jsonl")
        let r = try CLI.run(["check", "--format", "json", "--threads", "2"] + Self.keys + [broken])
        #expect(r.code == 2)
        #expect(r.stdout.split(separator: "\n").count == 799)
        #expect(r.stderr.contains("line 800"), "\(r.stderr)")
    }

    @Test func unreadableCaptureExitsTwo() throws {
        let cli = CLITests()
        try cli.expectInputError(["check", "/nonexistent.har"], mentions: "cannot read", hint: true)
        try cli.expectInputError(["check", try CLI.temporaryFile(Data(#"{"log":{"entries":[{"#.utf8))], mentions: "truncated", hint: true)
    }

    @Test func diagnoseOneNotificationAndOneRequest() throws {
        // A notification signed V2 (sign_type kept) by Alipay: diagnose names V2.
        let n = try #require(Vectors.notifications.first { $0.valid && $0.mode == "v2" && $0.public.hasPrefix("rsa2048") })
        let r = try CLI.run(["diagnose", "--alipay-public-key", Vectors.path("alipay/keys/\(n.public)"), "--kind", "notification", "-"],
                            stdin: Data(n.body.utf8))
        #expect(r.code == 0, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("verifies as: V2 (sign_type kept)"), "\(r.stdout)")
        // A request whose values were decoded once more than they should be.
        let body = "app_id=1&method=a.b&charset=utf-8&sign_type=RSA2&timestamp=2026-11-22+10%3A00%3A00&version=1.0&biz_content=%7B%22a%22%3A%22x%2520y%22%7D"
        let signature = try CLI.run(["sign", "--private-key", Vectors.path("alipay/keys/other2048-pkcs8.pem"), "-"],
                                    stdin: Data(body.utf8)).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        let sent = body.replacingOccurrences(of: "%2520", with: "%252520") + "&sign=" + (signature.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        let d = try CLI.run(["diagnose", "--app-public-key", Vectors.path("alipay/keys/other2048-spki.pem"), "--json", "-"],
                            stdin: Data(sent.utf8))
        #expect(d.code == 1)
        let j = try CLITests.json(d.stdout)
        #expect((j["variant"] as? String)?.contains("values decoded twice") == true, "\(d.stdout)")
    }
}
