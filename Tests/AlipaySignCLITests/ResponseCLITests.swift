import Foundation
import Testing
import VectorSupport

/// `extract`, `verify-response`, `aes` and `sign --encrypt-key`, against vectors/responses.
@Suite(.serialized)
struct ResponseCLITests {
    static let vectors = Vectors.responses
    static let publicKey = Vectors.path(vectors.public_key)

    static func bodyFile(_ v: ResponseVectors.Response) throws -> String {
        try CLI.temporaryFile(Data(base64Encoded: v.body_b64) ?? Data())
    }

    @Test func verifyResponseExitCodesAndJSON() throws {
        for v in Self.vectors.responses {
            var arguments = ["verify-response", "--public-key", Self.publicKey, "--method", v.method, "--format", v.format,
                             "--charset", v.charset, "--json", try Self.bodyFile(v)]
            if let key = v.aes_key { arguments += ["--decrypt-key", key] }
            let r = try CLI.run(arguments)
            if v.error != nil {
                #expect(r.code == 2, "\(v): \(r.stdout) \(r.stderr)")
                #expect(r.stderr.hasPrefix("error: "), "\(v)")
                continue
            }
            let valid = v.expected == "valid" || v.expected == "validAfterUnescapingSlashes"
            #expect(r.code == (valid ? 0 : 1), "\(v): \(r.stderr)")
            let j = try CLITests.json(r.stdout)
            #expect(j["status"] as? String == v.expected, "\(v)")
            #expect(j["valid"] as? Bool == valid, "\(v)")
            if let content = v.content, v.expected != "rejected" { #expect(j["content"] as? String == content, "\(v)") }
            if let plaintext = v.plaintext { #expect(j["plaintext"] as? String == plaintext, "\(v)") }
        }
    }

    @Test func extractPrintsTheSignedContentAndOffsets() throws {
        for v in Self.vectors.responses where v.error == nil && v.expected != "rejected" {
            let file = try Self.bodyFile(v)
            let text = try CLI.run(["extract", "--method", v.method, "--format", v.format, "--charset", v.charset, file])
            #expect(text.code == 0, "\(v): \(text.stderr)")
            #expect(text.stdout == (v.content ?? "") + "\n", "\(v)")
            let j = try CLITests.json(try CLI.run(["extract", "--method", v.method, "--format", v.format, "--charset",
                                                   v.charset, "--json", file]).stdout)
            let body = try #require(Data(base64Encoded: v.body_b64))
            let start = try #require(j["start"] as? Int), end = try #require(j["end"] as? Int)
            // The offsets are the signed bytes (the library tests check the other charsets through the decoder).
            if v.charset == "UTF-8" { #expect(String(decoding: body[start..<end], as: UTF8.self) == v.content, "\(v)") }
            #expect(j["sign"] as? String == v.sign, "\(v)")
            #expect(j["node"] as? String == v.node, "\(v)")
        }
        let injected = try #require(Self.vectors.responses.first { $0.name.contains("root node twice") })
        let r = try CLI.run(["extract", "--method", injected.method, try Self.bodyFile(injected)])
        #expect(r.code == 1)
        #expect(r.stderr.contains("rejected: "))
    }

    @Test func realResponseAndCertificateMode() throws {
        let r = try CLI.run(["verify-response", "--public-key", Vectors.path("alipay-sdk/node-response-public-key.pem"),
                             "--method", "alipay.open.file.upload", Vectors.path("alipay-sdk/node-response-file-upload.json")])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("valid\n"))
        // Two certificates: the response's alipay_cert_sn picks the generated leaf (the rsa2048 test key).
        let basic = try #require(Self.vectors.responses.first { $0.name == "basic" })
        let leafSN = try #require(Vectors.certificates.certificates.first { $0.file == "generated/chain-leaf-only.pem" }?.sn)
        let text = String(decoding: Data(base64Encoded: basic.body_b64) ?? Data(), as: UTF8.self)
            .replacingOccurrences(of: #","sign":"#, with: #","alipay_cert_sn":"\#(leafSN)","sign":"#)
        let file = try CLI.temporaryFile(Data(text.utf8))
        let certs = ["--cert", Vectors.path("certificates/alipay/node/alipayCertPublicKey_RSA2.crt"),
                     "--cert", Vectors.path("certificates/generated/chain-leaf-only.pem")]
        let ok = try CLI.run(["verify-response"] + certs + ["--method", basic.method, file])
        #expect(ok.code == 0, "\(ok.stderr)")
        // One certificate of another SN: invalid, and the mismatch is named.
        let one = try CLI.run(["verify-response", "--cert", Vectors.path("certificates/alipay/node/alipayCertPublicKey_RSA2.crt"),
                               "--method", basic.method, file])
        #expect(one.code == 1)
        #expect(one.stderr.contains("names alipay_cert_sn \(leafSN)"), "\(one.stderr)")
        // An SN no certificate has: an input error naming the known SNs.
        let unknown = try CLI.temporaryFile(Data(text.replacingOccurrences(of: leafSN, with: String(repeating: "0", count: 32)).utf8))
        let u = try CLI.run(["verify-response"] + certs + ["--method", basic.method, unknown])
        #expect(u.code == 2)
        #expect(u.stderr.contains("7513daaaa48aa3ba2e4018d84402479c"), "\(u.stderr)")
    }

    @Test func aesCommands() throws {
        for v in Self.vectors.aes where v.charset == "UTF-8" {
            let e = try CLI.run(["aes", "encrypt", "--key", v.key, "-"], stdin: Data(v.plaintext.utf8))
            #expect(e.code == 0, "\(e.stderr)")
            #expect(e.stdout == v.ciphertext + "\n")
            let d = try CLI.run(["aes", "decrypt", "--key", v.key, "-"], stdin: Data((v.ciphertext + "\n").utf8))
            #expect(d.stdout == v.plaintext + "\n")
        }
        let cli = CLITests()
        try cli.expectInputError(["aes", "encrypt", "--key", "abc", "-"], stdin: Data("x".utf8), mentions: "AES key", hint: true)
        try cli.expectInputError(["aes", "decrypt", "--key", "aYA0GP8JEW+D7/UFaskCWA==", "-"], stdin: Data("AAAA".utf8),
                                 mentions: "16-byte blocks", hint: true)
        try cli.expectInputError(["aes", "decrypt", "--key", "aYA0GP8JEW+D7/UFaskCWA==", "-"], stdin: Data("!!".utf8),
                                 mentions: "not base64")
    }

    @Test func signWithEncryptedBizContent() throws {
        for v in Self.vectors.encrypted_requests where v.charset == "utf-8" {
            let input = try CLI.temporaryFile(try JSONSerialization.data(withJSONObject: v.parameters))
            let r = try CLI.run(["sign", "--private-key", Vectors.path("alipay/keys/rsa2048-pkcs8.pem"), "--encrypt-key",
                                 v.aes_key, "--json", input])
            #expect(r.code == 0, "\(r.stderr)")
            let j = try CLITests.json(r.stdout)
            #expect(j["signature"] as? String == v.signature)
            #expect(j["content"] as? String == v.content)
        }
    }
}
