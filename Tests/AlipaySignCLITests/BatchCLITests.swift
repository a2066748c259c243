import Foundation
import Testing
import VectorSupport

/// `sign --jsonl`, `verify-notify --jsonl` and `verify-response --jsonl`: order kept, one error line per bad line,
/// exit 2 at the end.
@Suite(.serialized)
struct BatchCLITests {
    @Test(arguments: [1, 2, 3])
    func signJSONLinesInOrder(threads: Int) throws {
        // The request vectors (UTF-8 and GBK, each declaring its charset), signed by Python cryptography.
        let cases = Vectors.signatures.filter { $0.parameters != nil && $0.sign_type == "RSA2" }
        #expect(cases.count >= 2)
        // Many lines, so that several blocks and every worker are used, with a bad line in the middle.
        var lines: [String] = []
        var expected: [String?] = []
        for i in 0..<1500 {
            let c = cases[i % cases.count]
            if i == 700 {
                lines.append("{\"a\":1}")
                expected.append(nil)
            }
            let data = try JSONSerialization.data(withJSONObject: try #require(c.parameters))
            lines.append(String(decoding: data, as: UTF8.self))
            expected.append(c.signature)
        }
        let r = try CLI.run(["sign", "--jsonl", "--threads", String(threads), "--private-key", Vectors.path("alipay/keys/\(cases[0].key)")],
                            stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(r.code == 2, "\(r.stderr)")
        let out = r.stdout.split(separator: "\n")
        #expect(out.count == lines.count)
        for (line, want) in zip(out, expected) {
            let j = try CLITests.json(String(line))
            if let want {
                #expect(j["signature"] as? String == want)
            } else {
                #expect((j["error"] as? String)?.contains("not a string") == true, "\(j)")
            }
        }
    }

    /// The notification vectors (signed by Python cryptography over the bytes the JDK encodes, tampered or not:
    /// vectors/alipay/generate.py), repeated over several blocks so that every worker, each with its own
    /// verifier, verifies some of each charset.
    @Test(arguments: [1, 3])
    func verifyNotifyJSONLines(threads: Int) throws {
        let vectors = Vectors.notifications.filter { $0.public == "rsa2048-spki.pem" && $0.sign_type == "RSA2" }
        #expect(Set(vectors.map(\.charset)).count >= 2)
        let cases = Array(repeating: vectors, count: 2_000 / vectors.count + 1).flatMap { $0 }
        let lines = try cases.map { String(decoding: try JSONSerialization.data(withJSONObject: ["body": $0.body]), as: UTF8.self) }
        let r = try CLI.run(["verify-notify", "--jsonl", "--threads", String(threads), "--public-key", Vectors.path("alipay/keys/rsa2048-spki.pem")],
                            stdin: Data((lines.joined(separator: "\n") + "\n{}\n").utf8))
        #expect(r.code == 2)
        let out = r.stdout.split(separator: "\n")
        #expect(out.count == cases.count + 1)
        for (line, c) in zip(out, cases) {
            let j = try CLITests.json(String(line))
            #expect(j["valid"] as? Bool == c.valid, "\(c.name)")
            #expect(j["mode"] as? String == c.mode, "\(c.name)")
        }
        #expect(out.last?.contains("\"error\"") == true)
    }
    @Test(arguments: [1, 2])
    func verifyResponseJSONLines(threads: Int) throws {
        // The UTF-8 JSON response vectors (signed by Python cryptography; the verdict is the Java SDK's policy),
        // many times over so that several blocks are used, with lines that are not requests in the middle.
        let vectors = Vectors.responses
        let cases = vectors.responses.filter { $0.format == "json" && $0.charset == "utf-8" && $0.expected != nil && $0.aes_key == nil }
        #expect(cases.count >= 20)
        var lines: [String] = []
        var expected: [String?] = []
        for i in 0..<1200 {
            let c = cases[i % cases.count]
            if i == 500 {
                lines.append(#"{"method":"alipay.trade.query"}"#)
                expected.append(nil)
            }
            let body = String(decoding: try #require(Data(base64Encoded: c.body_b64)), as: UTF8.self)
            // Half the lines name their method, the others take --method's (only for alipay.trade.query's cases).
            let named = i % 2 == 0 || c.method != "alipay.trade.query"
            let object: [String: String] = named ? ["body": body, "method": c.method] : ["body": body]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
            expected.append(c.expected)
        }
        let r = try CLI.run(["verify-response", "--jsonl", "--threads", String(threads), "--method", "alipay.trade.query",
                             "--public-key", Vectors.path(vectors.public_key)],
                            stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(r.code == 2, "\(r.stderr)")
        let out = r.stdout.split(separator: "\n")
        #expect(out.count == lines.count)
        for (line, want) in zip(out, expected) {
            let j = try CLITests.json(String(line))
            if let want {
                #expect(j["status"] as? String == want, "\(line)")
                #expect(j["valid"] as? Bool == (want == "valid" || want == "validAfterUnescapingSlashes"))
            } else {
                #expect((j["error"] as? String)?.contains("body") == true, "\(j)")
            }
        }
    }

    @Test func verifyResponseJSONLinesInGBK() throws {
        // A GBK response given as text: its bytes are the text encoded in --charset.
        let vectors = Vectors.responses
        let c = try #require(vectors.responses.first { $0.format == "json" && $0.charset == "GBK" && $0.expected == "valid" })
        let bytes = try #require(Data(base64Encoded: c.body_b64))
        // The text, decoded from GBK by iconv(1).
        let input = try CLI.temporaryFile(bytes, name: "gbk-response.json")
        let iconv = Process()
        iconv.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
        iconv.arguments = ["-f", "GBK", "-t", "UTF-8", input]
        let pipe = Pipe()
        iconv.standardOutput = pipe
        try iconv.run()
        let decoded = pipe.fileHandleForReading.readDataToEndOfFile()
        iconv.waitUntilExit()
        let text = String(decoding: decoded, as: UTF8.self)
        #expect(iconv.terminationStatus == 0 && text.unicodeScalars.contains { $0.value > 0x7F })
        let line = String(decoding: try JSONSerialization.data(withJSONObject: ["body": text, "method": c.method]), as: UTF8.self)
        let key = ["--public-key", Vectors.path(vectors.public_key)]
        let gbk = try CLI.run(["verify-response", "--jsonl", "--charset", "GBK"] + key, stdin: Data((line + "\n").utf8))
        #expect(gbk.code == 0 && gbk.stdout == #"{"valid":true,"status":"valid"}"# + "\n", "\(gbk.stdout)\(gbk.stderr)")
        let utf8 = try CLI.run(["verify-response", "--jsonl"] + key, stdin: Data((line + "\n").utf8))
        #expect(utf8.code == 0 && utf8.stdout == #"{"valid":false,"status":"invalid"}"# + "\n", "\(utf8.stdout)")
    }

    /// Standard input that fails part-way (here a line over the 32 MiB limit): every line before it still gets its
    /// result, in order, then the error and exit 2.
    @Test func readFailureAfterSomeLinesKeepsTheirResults() throws {
        let c = try #require(Vectors.notifications.first { $0.valid && $0.public == "rsa2048-spki.pem" && $0.sign_type == "RSA2" })
        let line = String(decoding: try JSONSerialization.data(withJSONObject: ["body": c.body]), as: UTF8.self)
        var input = Data((line + "\n" + line + "\n").utf8)
        input.append(Data(repeating: UInt8(ascii: "x"), count: (32 << 20) + 16))
        input.append(Data("\n".utf8))
        let r = try CLI.run(["verify-notify", "--jsonl", "--public-key", Vectors.path("alipay/keys/rsa2048-spki.pem")], stdin: input)
        #expect(r.code == 2)
        let out = r.stdout.split(separator: "\n")
        #expect(out.count == 2)
        for result in out { #expect(try CLITests.json(String(result))["valid"] as? Bool == true) }
        #expect(r.stderr.contains("larger than"))
    }
}
