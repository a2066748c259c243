import Foundation
import Testing
import VectorSupport

/// The CLI contract, checked by running the binary on files: stdout, stderr and exit codes
/// (0 valid/ok, 1 invalid, 2 input error, 64 usage). Expected values come from the vector files.
@Suite(.serialized)
struct CLITests {
    static let signatures = Vectors.signatures
    static let notifications = Vectors.notifications
    static let forms = Vectors.content.forms

    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func contentOfFormBodies() throws {
        for form in Self.forms {
            let file = try CLI.temporaryFile(Data(form.body.utf8))
            let r = try CLI.run(["content", file])
            #expect(r.code == 0, "\(form.name): \(r.stderr)")
            #expect(r.stdout == form.request_content + "\n", "\(form.name)")
            let j = try CLI.run(["content", "--json", file])
            #expect(try Self.json(j.stdout)["content"] as? String == form.request_content)
        }
    }

    /// The real V2 notification of examples/, as a web framework logs it (a JSON object of its parameters, decoded by
    /// Python's `parse_qsl`), and with the sign's `+` turned into spaces: verified, the repair said; inputs that are
    /// neither a form body nor such an object are input errors (exit 2), never verdicts.
    @Test func notificationsAsLoggedParameters() throws {
        let key = Vectors.path("../examples/keys/alipay-real-notify-public-key.pem")
        let logged = Vectors.path("../examples/notify-real-alipay.json")
        let r = try CLI.run(["verify-notify", "--public-key", key, logged])
        #expect(r.code == 0 && r.stdout.hasPrefix("valid: v2"), "\(r)")
        let object = try Self.json(String(decoding: try Data(contentsOf: URL(fileURLWithPath: logged)), as: UTF8.self))
        var spaced = object
        spaced["sign"] = (object["sign"] as? String)?.replacingOccurrences(of: "+", with: " ")
        #expect((spaced["sign"] as? String)?.contains(" ") == true)
        let file = try CLI.temporaryFile(try JSONSerialization.data(withJSONObject: spaced))
        let repaired = try CLI.run(["verify-notify", "--json", "--public-key", key, file])
        #expect(repaired.code == 0 && repaired.stderr.contains("were read as '+'"), "\(repaired)")
        #expect(try Self.json(repaired.stdout)["sign_repaired"] as? Bool == true)
        let diagnosed = try CLI.run(["diagnose", "--alipay-public-key", key, file])
        #expect(diagnosed.code == 0 && diagnosed.stdout.hasPrefix("notification: verifies as given"), "\(diagnosed)")
        let content = try CLI.run(["content", "--mode", "notify-v2", logged])
        let formContent = try CLI.run(["content", "--mode", "notify-v2", Vectors.path("../examples/notify-real-alipay.txt")])
        #expect(content.code == 0 && content.stdout == formContent.stdout)
        for bad in ["hello", "<xml>a=1</xml>", #"{"response":{"a":1}}"#, "a=1&b=2", "[1]", ""] {
            let r = try CLI.run(["verify-notify", "--public-key", key, "-"], stdin: Data(bad.utf8))
            #expect(r.code == 2 && r.stderr.contains("hint:"), "\(bad): \(r)")
        }
        #expect(try CLI.run(["content", "-"], stdin: Data("hello".utf8)).code == 2)
    }

    @Test func contentModesFromStandardInput() throws {
        let body = Data("b=2&sign=x&sign_type=RSA2&alipay_cert_sn=z&a=1".utf8)
        #expect(try CLI.run(["content", "-"], stdin: body).stdout == "a=1&alipay_cert_sn=z&b=2&sign_type=RSA2\n")
        #expect(try CLI.run(["content", "--mode", "notify-v1"], stdin: body).stdout == "a=1&b=2\n")
        #expect(try CLI.run(["content", "--mode", "notify-v2"], stdin: body).stdout == "a=1&b=2&sign_type=RSA2\n")
    }

    @Test func signParametersAsJSONAndForm() throws {
        let c = try #require(Self.signatures.first { $0.parameters != nil })
        let parameters = try #require(c.parameters)
        let jsonFile = try CLI.temporaryFile(try JSONSerialization.data(withJSONObject: parameters))
        let key = Vectors.path("alipay/keys/\(c.key)")
        let r = try CLI.run(["sign", "--private-key", key, "--charset", c.charset, jsonFile])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout == c.signature + "\n")
        let j = try Self.json(try CLI.run(["sign", "--private-key", key, "--json", jsonFile]).stdout)
        #expect(j["signature"] as? String == c.signature)
        #expect(j["content"] as? String == c.content)
        // The same parameters as a form body.
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        let body = parameters.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
        let f = try CLI.run(["sign", "--private-key", key, "-"], stdin: Data(body.utf8))
        #expect(f.stdout == c.signature + "\n", "\(f.stderr)")
    }

    @Test func signRawAndVerifyEveryCharset() throws {
        for c in Self.signatures where c.key.hasPrefix("rsa2048") {
            let content = try CLI.temporaryFile(Data(c.content.utf8))
            let weak = c.sign_type == "RSA" ? ["--sign-type", "RSA"] : []
            let s = try CLI.run(["sign", "--raw", "--private-key", Vectors.path("alipay/keys/\(c.key)"),
                                 "--charset", c.charset] + weak + [content])
            #expect(s.stdout == c.signature + "\n", "\(c.charset) \(c.sign_type): \(s.stderr)")
            if c.sign_type == "RSA" { #expect(s.stderr.contains("warning: sign_type RSA")) }
            let v = try CLI.run(["verify", "--public-key", Vectors.path("alipay/keys/\(c.public)"), "--signature",
                                 c.signature, "--charset", c.charset] + weak + [content])
            #expect(v.code == 0 && v.stdout == "valid\n", "\(c.charset): \(v.stderr)")
        }
    }

    @Test func verifyInvalidExitsOne() throws {
        let c = try #require(Self.signatures.first { $0.key.hasPrefix("rsa2048") })
        let content = try CLI.temporaryFile(Data((c.content + "\n").utf8))
        let r = try CLI.run(["verify", "--public-key", Vectors.path("alipay/keys/\(c.public)"), "--signature",
                             c.signature, "--json", content])
        #expect(r.code == 1)
        #expect(try Self.json(r.stdout)["valid"] as? Bool == false)
        #expect(r.stderr.contains("ends with a line break"))
        let garbage = try CLI.run(["verify", "--public-key", Vectors.path("alipay/keys/\(c.public)"), "--signature",
                                   "not base64!", content])
        #expect(garbage.code == 1 && garbage.stdout == "invalid\n")
    }

    @Test func verifyWithCertificate() throws {
        let c = try #require(Self.signatures.first { $0.public == "rsa2048-spki.pem" && $0.sign_type == "RSA2" })
        let content = try CLI.temporaryFile(Data(c.content.utf8))
        let r = try CLI.run(["verify", "--cert", Vectors.path("alipay/keys/rsa2048-cert.pem"), "--signature",
                             c.signature, "--charset", c.charset, content])
        #expect(r.code == 0, "\(r.stderr)")
    }

    @Test func verifyNotifications() throws {
        for n in Self.notifications {
            let body = try CLI.temporaryFile(Data(n.body.utf8))
            let r = try CLI.run(["verify-notify", "--public-key", Vectors.path("alipay/keys/\(n.public)"),
                                 "--sign-type", n.sign_type, "--json", body])
            #expect(r.code == (n.valid ? 0 : 1), "\(n.name): \(r.stderr)")
            let j = try Self.json(r.stdout)
            #expect(j["valid"] as? Bool == n.valid, "\(n.name)")
            #expect(j["mode"] as? String == n.mode, "\(n.name)")
            if n.valid { #expect(j["content"] as? String == n.signed_content) }
        }
    }

    @Test func verifyRealAlipayNotification() throws {
        for c in Vectors.nodeSDKNotifications {
            let r = try CLI.run(["verify-notify", "--public-key", Vectors.path("alipay-sdk/\(c.public)"), "-"],
                                stdin: Data((c.body + "\n").utf8))
            #expect(r.code == (c.valid ? 0 : 1), "\(r.stderr)")
            if let mode = c.mode { #expect(r.stdout.hasPrefix("valid: \(mode)")) }
        }
    }

    @Test func keysInspect() throws {
        let r = try CLI.run(["keys", "inspect", "--json", Vectors.path("alipay/keys/rsa2048-pkcs1.b64"),
                             Vectors.path("alipay/keys/rsa2048-spki.der"), Vectors.path("alipay/keys/other2048-spki.pem")])
        #expect(r.code == 0, "\(r.stderr)")
        let j = try Self.json(r.stdout)
        let keys = try #require(j["keys"] as? [[String: Any]])
        #expect(keys.map { $0["format"] as? String } == ["PKCS#1", "SPKI", "SPKI"])
        #expect(keys.map { $0["encoding"] as? String } == ["bare base64", "DER", "PEM (PUBLIC KEY)"])
        let pairs = try #require(j["pairs"] as? [[String: Any]])
        #expect(pairs.map { $0["pair"] as? Bool } == [true, false])
        let text = try CLI.run(["keys", "inspect", Vectors.path("alipay/keys/rsa2048-pkcs8.pem"),
                                Vectors.path("alipay/keys/rsa2048-spki.pem")])
        #expect(text.stdout.contains("are a pair"))
        #expect(text.stdout.contains("app's own public key"))
    }

    // MARK: bad input: exit 2, one error line, a hint where it helps

    func expectInputError(_ arguments: [String], stdin: Data = Data(), mentions: String,
                          hint: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLI.run(arguments, stdin: stdin)
        #expect(r.code == 2, "\(arguments): \(r.stdout) \(r.stderr)", sourceLocation: sourceLocation)
        // Warnings (a key file readable by others, a legacy sign type) may come first; then the error line.
        let lines = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("warning: ") }
        #expect(lines.first?.hasPrefix("error: ") == true, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(mentions), "\(r.stderr)", sourceLocation: sourceLocation)
        if hint { #expect(lines.contains { $0.hasPrefix("hint: ") }, "\(r.stderr)", sourceLocation: sourceLocation) }
        #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func badKeys() throws {
        let body = Data("a=1".utf8)
        try expectInputError(["sign", "--private-key", Vectors.path("alipay/keys/bad-truncated-pkcs8.pem")],
                             stdin: body, mentions: "truncated", hint: true)
        try expectInputError(["sign", "--private-key", Vectors.path("alipay/keys/bad-no-end-line.pem")],
                             stdin: body, mentions: "-----END PRIVATE KEY-----", hint: true)
        try expectInputError(["sign", "--private-key", Vectors.path("alipay/keys/rsa2048-cert.pem")],
                             stdin: body, mentions: "certificate was given where a private key", hint: true)
        try expectInputError(["sign", "--private-key", Vectors.path("alipay/keys/bad-escaped-newlines.b64")],
                             stdin: body, mentions: "not PEM, DER or base64", hint: true)
        try expectInputError(["sign", "--private-key", Vectors.path("alipay/keys/rsa1024-pkcs8.pem")],
                             stdin: body, mentions: "1024 bits", hint: true)
        try expectInputError(["verify", "--public-key", Vectors.path("alipay/keys/rsa2048-cert.pem"),
                              "--signature", "AA=="], stdin: body, mentions: "--cert", hint: true)
        try expectInputError(["sign", "--private-key", "/nonexistent/key.pem"], stdin: body,
                             mentions: "No such file")
    }

    @Test func badBodiesAndCharsets() throws {
        let key = Vectors.path("alipay/keys/rsa2048-pkcs8.pem")
        try expectInputError(["sign", "--private-key", key, "--charset", "latin1"], stdin: Data("a=1".utf8),
                             mentions: "unknown charset 'latin1'", hint: true)
        try expectInputError(["content"], stdin: Data("a=100%&b=2".utf8), mentions: "percent-escape", hint: true)
        try expectInputError(["content"], stdin: Data("a=%E4%BD".utf8), mentions: "not valid UTF-8", hint: true)
        try expectInputError(["content"], stdin: Data(#"{"biz_content":{"a":1}}"#.utf8), mentions: "not a string",
                             hint: true)
        try expectInputError(["sign", "--raw", "--private-key", key, "--charset", "GBK"], stdin: Data("😀".utf8),
                             mentions: "cannot be encoded in GBK", hint: true)
        try expectInputError(["verify", "--public-key", Vectors.path("alipay/keys/rsa2048-spki.pem"), "--signature",
                              "AA=="], stdin: Data([0x61, 0xFF, 0x62]), mentions: "not valid UTF-8", hint: true)
    }

    @Test func hugeInputIsRefused() throws {
        let path = try CLI.temporaryFile(Data(count: 100 << 20), name: "100mb")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try expectInputError(["content", path], mentions: "larger than", hint: true)
    }

    @Test func usageErrorsExit64() throws {
        #expect(try CLI.run(["sign"]).code == 64)
        #expect(try CLI.run(["verify", "--signature", "x"]).code == 64)
        #expect(try CLI.run(["sign", "--private-key", "k", "--sign-type", "SM3"]).code == 64)
        #expect(try CLI.run(["no-such-command"]).code == 64)
        #expect(try CLI.run(["--help"]).code == 0)
    }

    /// A timestamp window that is not a number of seconds, 0 or more, is a usage error: NaN would turn the check off
    /// without a word, a negative one flag every exchange.
    @Test(arguments: ["nan", "-5", "-inf"])
    func timestampWindowMustBeSeconds(window: String) throws {
        let r = try CLI.run(["check", "--timestamp-window=\(window)", "--alipay-public-key", Vectors.path("alipay/keys/rsa2048-spki.pem"),
                             Vectors.path("captures/capture.jsonl")])
        #expect(r.code == 64, "\(window): \(r.stderr)")
        #expect(r.stderr.contains("--timestamp-window must be a number of seconds, 0 or more"), "\(window): \(r.stderr)")
    }

    /// `v3 verify-request --max-age` likewise: NaN would have said nothing (the library now fails closed as well).
    @Test(arguments: ["nan", "-1"])
    func maxAgeMustBeSeconds(age: String) throws {
        let r = try CLI.run(["v3", "verify-request", "--public-key", Vectors.path("alipay/keys/rsa2048-spki.pem"), "--method", "GET",
                             "--uri", "/v3/x", "--authorization", "ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=1,sign=AA==",
                             "--max-age=\(age)"])
        #expect(r.code == 64, "\(age): \(r.stderr)")
        #expect(r.stderr.contains("--max-age must be a number of seconds, 0 or more"), "\(age): \(r.stderr)")
    }

    /// `--threads` outside 1...1024 is a usage error for every command that takes it, before any work: a count far
    /// past any machine's cores made an array of that many workers (Int.max: a crash; 100,000: a hang).
    @Test(arguments: ["0", "1025", "100000", "9223372036854775807"])
    func threadCountsOutOfRangeAreUsageErrors(threads: String) throws {
        let key = Vectors.path("alipay/keys/rsa2048-spki.pem")
        let commands: [[String]] = [
            ["check", "--threads", threads, "--alipay-public-key", key, Vectors.path("captures/capture.jsonl")],
            ["verify-notify", "--jsonl", "--threads", threads, "--public-key", key],
            ["verify-response", "--jsonl", "--threads", threads, "--public-key", key],
            ["sign", "--jsonl", "--threads", threads, "--private-key", Vectors.path("alipay/keys/rsa2048-pkcs8.pem")],
        ]
        for command in commands {
            let r = try CLI.run(command, stdin: Data())
            #expect(r.code == 64, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("--threads must be between 1 and 1024"), "\(command): \(r.stderr)")
        }
    }
}

@Suite(.serialized)
struct KeySafetyCLITests {
    /// A private key file readable by group or others draws a warning; mode 600 does not.
    @Test func keyFilePermissionsWarn() throws {
        let key = try Data(contentsOf: URL(fileURLWithPath: Vectors.path("alipay/keys/rsa2048-pkcs8.pem")))
        let path = try CLI.temporaryFile(key, name: "perm-key.pem")
        for (mode, warns) in [(0o644, true), (0o600, false)] {
            chmod(path, mode_t(mode))
            let r = try CLI.run(["sign", "--private-key", path, "-"], stdin: Data("a=1".utf8))
            #expect(r.code == 0)
            #expect(r.stderr.contains("readable by group or others") == warns, "mode \(String(mode, radix: 8)): \(r.stderr)")
        }
    }

    /// No error, warning or report ever carries key material: every bad key's message is checked against every
    /// 12-character run of the key file's base64.
    @Test func errorsNeverShowKeyMaterial() throws {
        let pem = try String(contentsOfFile: Vectors.path("alipay/keys/rsa2048-pkcs8.pem"), encoding: .utf8)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let variants: [String] = [
            String(pem.prefix(pem.count / 2)),                                  // truncated
            pem.replacingOccurrences(of: "M", with: "*"),                        // not base64
            body.replacingOccurrences(of: "A", with: "\\n"),                     // literal \n
            String(body.dropLast(40)),                                           // bare base64, truncated
            pem.replacingOccurrences(of: "PRIVATE KEY-----\n", with: "PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"),
        ]
        for variant in variants {
            let file = try CLI.temporaryFile(Data(variant.utf8), name: "bad-key.pem")
            for arguments in [["sign", "--private-key", file, "-"], ["keys", "inspect", file],
                              ["verify", "--public-key", file, "--signature", "AA==", "-"]] {
                let r = try CLI.run(arguments, stdin: Data("a=1".utf8))
                let output = r.stdout + r.stderr
                var i = body.startIndex
                while body.distance(from: i, to: body.endIndex) >= 12 {
                    let run = body[i..<body.index(i, offsetBy: 12)]
                    #expect(!output.contains(run), "\(arguments[0]): key material '\(run)' in: \(output)")
                    i = body.index(i, offsetBy: 6)
                }
            }
        }
    }
}
