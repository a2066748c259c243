import Foundation
import Testing
import VectorSupport

/// `alipay-sign v3 ...` against vectors/v3.
@Suite(.serialized)
struct V3CLITests {
    static let vectors = Vectors.v3

    @Test func signPrintsTheVectorHeader() throws {
        for v in Self.vectors.requests where v.expected == "valid" && !v.name.contains("Postman") {
            var arguments = ["v3", "sign", "--private-key", Vectors.path("alipay/keys/other2048-pkcs8.pem"), "--app-id",
                             "2021004100000001", "--method", v.method, "--uri", v.uri, "--nonce", v.nonce, "--timestamp", v.timestamp]
            if !v.body.isEmpty { arguments += ["--body", try CLI.temporaryFile(Data(v.body.utf8))] }
            if let token = v.app_auth_token { arguments += ["--app-auth-token", token] }
            if v.app_cert_sn != nil {
                arguments += ["--app-cert", Vectors.path("certificates/alipay/node/appCertPublicKey_2021001161683774.crt")]
            }
            let r = try CLI.run(arguments)
            #expect(r.code == 0, "\(v): \(r.stderr)")
            #expect(r.stdout == v.authorization + "\n", "\(v)")
            let j = try CLITests.json(try CLI.run(arguments + ["--json"]).stdout)
            #expect(j["content"] as? String == v.content, "\(v)")
        }
    }

    @Test func verifyRequestExitCodesAndDiagnosis() throws {
        for v in Self.vectors.requests {
            var arguments = ["v3", "verify-request", "--public-key", Vectors.path(Self.vectors.app_public_key), "--method",
                             v.method, "--uri", v.uri, "--authorization", v.authorization]
            if !v.body.isEmpty { arguments += ["--body", try CLI.temporaryFile(Data(v.body.utf8))] }
            if let token = v.app_auth_token { arguments += ["--app-auth-token", token] }
            let r = try CLI.run(arguments)
            #expect(r.code == (v.expected == "valid" ? 0 : 1), "\(v): \(r.stderr)")
            #expect(r.stdout == v.expected + "\n", "\(v)")
            if let line = v.diagnosis_line { #expect(r.stderr.contains("hint: line \(line) "), "\(v): \(r.stderr)") }
        }
        let v = try #require(Self.vectors.requests.first)
        let stale = try CLI.run(["v3", "verify-request", "--public-key", Vectors.path(Self.vectors.app_public_key), "--method",
                                 v.method, "--uri", v.uri, "--authorization", v.authorization, "--body",
                                 try CLI.temporaryFile(Data(v.body.utf8)), "--max-age", "300", "--json"])
        #expect(stale.code == 1)
        #expect(try CLITests.json(stale.stdout)["status"] as? String == "stale")
    }

    @Test func verifyResponseWithKeyAndCertificates() throws {
        for v in Self.vectors.responses {
            var arguments = ["v3", "verify-response", "--timestamp", v.timestamp, "--nonce", v.nonce, "--status",
                             String(v.status), "--json"]
            if let s = v.signature { arguments += ["--signature", s] }
            if v.encrypted { arguments += ["--decrypt-key", Self.vectors.aes_key] }
            let body = try CLI.temporaryFile(Data(v.body.utf8))
            let r = try CLI.run(["v3", "verify-response", "--public-key", Vectors.path(Self.vectors.alipay_public_key)]
                                + arguments.dropFirst(2) + [body])
            #expect(r.code == (v.expected == "valid" ? 0 : 1), "\(v): \(r.stderr)")
            let j = try CLITests.json(r.stdout)
            #expect(j["status"] as? String == v.expected, "\(v)")
            if let plaintext = v.plaintext { #expect(j["plaintext"] as? String == plaintext) }
            if v.status >= 400 { #expect((j["error"] as? [String: Any])?["code"] as? String == "invalid-auth-token") }
            if let sn = v.sn {
                let c = try CLI.run(["v3", "verify-response", "--cert", Vectors.path("certificates/alipay/node/alipayCertPublicKey_RSA2.crt"),
                                     "--cert", Vectors.path(Self.vectors.alipay_certificate), "--sn", sn]
                                    + arguments.dropFirst(2) + [body])
                #expect(c.code == 0, "\(c.stderr)")
            }
        }
    }

    @Test func badV3InputExitsTwo() throws {
        let cli = CLITests()
        let key = Vectors.path(Self.vectors.app_public_key)
        try cli.expectInputError(["v3", "verify-request", "--public-key", key, "--method", "GET", "--uri", "/v3/x",
                                  "--authorization", "Bearer abc"], mentions: "scheme 'Bearer'", hint: true)
        try cli.expectInputError(["v3", "verify-request", "--public-key", key, "--method", "GET", "--uri", "/v3/x",
                                  "--authorization", "ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=noon,sign=AA=="],
                                 mentions: "milliseconds", hint: true)
        try cli.expectInputError(["v3", "verify-response", "--public-key", key, "--timestamp", "1", "--nonce", "n",
                                  "--signature", "AA==", "--decrypt-key", "short", "-"], mentions: "AES key", hint: true)
        let usage = try CLI.run(["v3", "sign", "--private-key", Vectors.path("alipay/keys/other2048-pkcs8.pem"), "--app-id", "1",
                                 "--method", "GET", "--uri", "/v3/x", "--auth-field", "novalue"])
        #expect(usage.code == 64)
    }
}
