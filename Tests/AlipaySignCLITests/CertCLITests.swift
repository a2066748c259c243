import Foundation
import Testing
import VectorSupport

/// `alipay-sign cert ...` and certificate mode in `sign`, `verify` and `verify-notify`, against
/// vectors/certificates (values from the JDK, chain verdicts from the Java SDK's isTrusted over the JDK).
@Suite(.serialized)
struct CertCLITests {
    static let vectors = Vectors.certificates
    static func path(_ relative: String) -> String { Vectors.path("certificates/\(relative)") }

    @Test func snOfEveryFile() throws {
        for v in Self.vectors.certificates where v.index == 0 {
            let r = try CLI.run(["cert", "sn", Self.path(v.file)])
            #expect(r.code == 0, "\(v.file): \(r.stderr)")
            #expect(r.stdout == v.sn + "\n", "\(v.file)")
        }
    }

    @Test func snJSONListsEveryCertificateOfAChain() throws {
        let r = try CLI.run(["cert", "sn", "--json", Self.path("alipay/dotnet/alipayCertPublicKey_RSA2.crt")])
        #expect(r.code == 0, "\(r.stderr)")
        let j = try CLITests.json(r.stdout)
        #expect(j["sn"] as? String == "4538e7d736df316c15435d5f9d3a8a1f")
        let certificates = try #require(j["certificates"] as? [[String: Any]])
        let expected = Self.vectors.certificates.filter { $0.file == "alipay/dotnet/alipayCertPublicKey_RSA2.crt" }
        #expect(certificates.count == expected.count)
        for (c, v) in zip(certificates, expected) {
            #expect(c["issuer"] as? String == v.issuer)
            #expect(c["serial"] as? String == v.serial)
            #expect(c["sn"] as? String == v.sn)
            #expect(c["signatureAlgorithmOID"] as? String == v.sig_alg_oid)
        }
    }

    @Test func rootSNOfEveryBundle() throws {
        for v in Self.vectors.root_sns {
            for (flags, expected) in [([String](), v.rsa), (["--sm2"], v.sm2)] {
                let r = try CLI.run(["cert", "root-sn"] + flags + [Self.path(v.file)])
                if expected.isEmpty {
                    #expect(r.code == 2, "\(v.file) \(flags)")
                    #expect(r.stderr.contains("no certificate signed with"), "\(r.stderr)")
                } else {
                    #expect(r.code == 0, "\(v.file) \(flags): \(r.stderr)")
                    #expect(r.stdout == expected + "\n", "\(v.file) \(flags)")
                }
            }
        }
    }

    @Test func rootSNJSONSaysWhatWasIncludedAndWhy() throws {
        let r = try CLI.run(["cert", "root-sn", "--json", Self.path("alipay/node/alipayRootCert.crt")])
        let j = try CLITests.json(r.stdout)
        #expect(j["rootSN"] as? String == "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6")
        let items = try #require(j["certificates"] as? [[String: Any]])
        #expect(items.map { $0["included"] as? Bool } == [false, true, false, true])
        #expect(items.map { $0["signatureAlgorithm"] as? String }
            == ["SM2-with-SM3", "sha256WithRSAEncryption", "ecdsa-with-SHA384", "sha1WithRSAEncryption"])
        #expect((items[0]["reason"] as? String)?.contains("SM2-with-SM3") == true)
    }

    @Test func unreadableBlocksAreSkippedAndReported() throws {
        let good = try String(contentsOfFile: Self.path("alipay/node/alipayRootCert.crt"), encoding: .utf8)
        let bundle = try CLI.temporaryFile(Data((good + "-----BEGIN CERTIFICATE-----\nMIIB\n").utf8))
        let r = try CLI.run(["cert", "root-sn", bundle])
        #expect(r.code == 0)
        #expect(r.stdout == "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6\n")
        #expect(r.stderr.contains("skipped block 5"), "\(r.stderr)")
        let j = try CLITests.json(try CLI.run(["cert", "root-sn", "--json", bundle]).stdout)
        let items = try #require(j["certificates"] as? [[String: Any]])
        #expect((items.last?["reason"] as? String)?.contains("truncated") == true)
    }

    @Test func verifyChainsExitZeroOrOne() throws {
        for v in Self.vectors.trust {
            let r = try CLI.run(["cert", "verify", "--root", Self.path(v.roots), "--at", v.at, "--json", Self.path(v.candidate)])
            let trusted = v.expected == "trusted"
            #expect(r.code == (trusted ? 0 : 1), "\(v): \(r.stderr)")
            let j = try CLITests.json(r.stdout)
            #expect(j["trusted"] as? Bool == trusted, "\(v)")
            if !trusted { #expect("untrusted: \(j["check"] as? String ?? "")" == v.expected, "\(v)") }
        }
        let text = try CLI.run(["cert", "verify", "--root", Self.path("generated/chain-root.pem"), "--at", "2025-01-01",
                                Self.path("generated/chain-leaf-expired.pem")])
        #expect(text.stdout.hasPrefix("not trusted (expired): "))
        #expect(text.stdout.contains("2022-01-01T00:00:00Z"))
    }

    @Test func badCertificateInputExitsTwo() throws {
        let cli = CLITests()
        try cli.expectInputError(["cert", "sn", "-"], mentions: "empty")
        try cli.expectInputError(["cert", "sn", Vectors.path("alipay/keys/rsa2048-pkcs8.pem")], mentions: "PRIVATE KEY",
                                 hint: true)
        try cli.expectInputError(["cert", "sn", Vectors.path("alipay/keys/rsa2048-spki.der")], mentions: "SPKI", hint: true)
        let pem = try Data(contentsOf: URL(fileURLWithPath: Self.path("generated/chain-root.pem")))
        try cli.expectInputError(["cert", "sn", "-"], stdin: pem.prefix(pem.count / 2), mentions: "truncated", hint: true)
        try cli.expectInputError(["cert", "verify", "--root", Vectors.path("alipay/keys/rsa2048-spki.pem"),
                                  Self.path("generated/chain-leaf-intermediate.pem")], mentions: "PUBLIC KEY")
        try cli.expectInputError(["verify", "--cert", Vectors.path("alipay/keys/rsa2048-spki.pem"), "--signature", "AA==", "-"],
                                 stdin: Data("a".utf8), mentions: "PUBLIC KEY")
        let usage = try CLI.run(["cert", "verify", "--root", Self.path("generated/chain-root.pem"), "--at", "soon",
                                 Self.path("generated/chain-leaf-intermediate.pem")])
        #expect(usage.code == 64)
    }

    @Test func signInCertificateMode() throws {
        for v in Self.vectors.requests {
            let input = try CLI.temporaryFile(try JSONSerialization.data(withJSONObject: v.parameters))
            let r = try CLI.run(["sign", "--private-key", Vectors.path("alipay/keys/\(v.key)"), "--app-cert",
                                 Self.path(v.app_cert), "--root-cert", Self.path(v.root_cert), "--json", input])
            #expect(r.code == 0, "\(r.stderr)")
            let j = try CLITests.json(r.stdout)
            #expect(j["signature"] as? String == v.signature)
            #expect(j["content"] as? String == v.content)
            #expect(j["app_cert_sn"] as? String == v.app_cert_sn)
            #expect(j["alipay_root_cert_sn"] as? String == v.alipay_root_cert_sn)
        }
        let half = try CLI.run(["sign", "--private-key", Vectors.path("alipay/keys/rsa2048-pkcs8.pem"), "--app-cert",
                                Self.path("alipay/node/appCertPublicKey_2021001161683774.crt"), "-"], stdin: Data("a=1".utf8))
        #expect(half.code == 64)
    }

    @Test func verifyNotifyWithACertificateNamesTheSNMismatch() throws {
        // The generated leaf certificate holds the rsa2048 test key, which signed these notifications.
        let n = try #require(Vectors.notifications.first { $0.valid && $0.public.hasPrefix("rsa2048") && $0.sign_type == "RSA2" })
        let body = try CLI.temporaryFile(Data(n.body.utf8))
        let ok = try CLI.run(["verify-notify", "--cert", Self.path("generated/chain-leaf-only.pem"), body])
        #expect(ok.code == 0, "\(ok.stderr)")
        // With another certificate, and an alipay_cert_sn (not part of the content) naming the leaf.
        let leafSN = try #require(Self.vectors.certificates.first { $0.file == "generated/chain-leaf-only.pem" }?.sn)
        let named = try CLI.temporaryFile(Data((n.body + "&alipay_cert_sn=\(leafSN)").utf8))
        let r = try CLI.run(["verify-notify", "--cert", Self.path("alipay/node/alipayCertPublicKey_RSA2.crt"), named])
        #expect(r.code == 1)
        #expect(r.stderr.contains("names alipay_cert_sn \(leafSN)"), "\(r.stderr)")
        #expect(r.stderr.contains("7513daaaa48aa3ba2e4018d84402479c"), "\(r.stderr)")
    }
}

/// Certificate rotation (vectors/rotation/downloads.json: download responses around the generated chain, SNs from
/// the JDK; a response signed by the openssl command with the new certificate's key).
@Suite struct RotationCLITests {
    static let file = Vectors.rotation

    @Test(arguments: file.cases.map(\.name))
    func importChecksTheChainAndRecomputesTheSN(name: String) throws {
        let c = try #require(Self.file.cases.first { $0.name == name })
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rotated-\(UUID().uuidString).crt").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(
            ["cert", "import", "--root", Vectors.path("certificates/\(c.roots)"), "--at", c.at, "--out", out, "--json", "-"],
            stdin: Data(c.response.utf8))
        #expect(r.code == ["imported": 0, "untrusted": 1, "input-error": 2][c.expected], "\(r)")
        if let sn = c.sn {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            #expect(json["sn"] as? String == sn)
            // The PEM written is the one the response carried.
            let node = try #require((try JSONSerialization.jsonObject(with: Data(c.response.utf8)) as? [String: Any])?[
                "alipay_open_app_alipaycert_download_response"] as? [String: String])
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(base64Encoded: node["alipay_cert_content"] ?? ""))
        } else {
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    /// Before the import, a response naming the new SN is a rotation (with the way to import it); after, it verifies.
    @Test func aRotationIsNamedThenImportedThenVerified() throws {
        let imported = try #require(Self.file.cases.first { $0.expected == "imported" })
        let after = Self.file.after_rotation
        let old = Vectors.path("certificates/alipay/node/alipayCertPublicKey_RSA2.crt")
        // With one certificate: its key is used, the response is invalid, and the SN it names is said to be a rotation.
        let before = try CLI.run(["verify-response", "--cert", old, "--method", after.method, "-"], stdin: Data(after.body.utf8))
        #expect(before.code == 1 && before.stderr.contains("rotation") && before.stderr.contains("alipay-sign cert import"), "\(before)")
        // With several, the SN picks the key: none has it, an input error that says the same.
        let other = Vectors.path("certificates/alipay/dotnet/alipayCertPublicKey_RSA2.crt")
        let several = try CLI.run(["verify-response", "--cert", old, "--cert", other, "--method", after.method, "-"], stdin: Data(after.body.utf8))
        #expect(several.code == 2 && several.stderr.contains("rotation") && several.stderr.contains("alipay-sign cert import"), "\(several)")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rotated-\(UUID().uuidString).crt").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(
            ["cert", "import", "--root", Vectors.path("certificates/\(imported.roots)"), "--at", imported.at, "--out", out, "-"],
            stdin: Data(imported.response.utf8))
        #expect(r.code == 0)
        let verified = try CLI.run(["verify-response", "--cert", old, "--cert", out, "--method", after.method, "-"], stdin: Data(after.body.utf8))
        #expect(verified.code == 0 && verified.stdout.hasPrefix("valid"), "\(verified)")
    }
}
