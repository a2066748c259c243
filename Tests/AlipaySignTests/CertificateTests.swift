@_spi(AlipaySignTools) import AlipaySign
import Foundation
import Testing
import VectorSupport

/// Certificate mode against vectors/certificates: issuer strings, serials and SNs from the JDK (or openssl for
/// the SM2 certificates the JDK cannot parse), root SNs, and chain verdicts from the Java SDK's isTrusted run
/// over the JDK. The real Alipay fixtures' SNs are also the ones the official SDKs' own tests assert.
@Suite struct CertificateTests {
    static let vectors = Vectors.certificates

    static func file(_ relative: String) throws -> CertificateFile {
        try CertificateFile(parsing: try Vectors.bytes("certificates/\(relative)"))
    }

    @Test(arguments: vectors.certificates)
    func issuerSerialAndSN(_ v: CertificateVectors.Certificate) throws {
        let entry = try Self.file(v.file).entries[v.index]
        let certificate = try #require(entry.certificate, "\(v.file)#\(v.index): \(entry.problem ?? "")")
        #expect(certificate.issuer.rfc2253 == v.issuer, "\(v.file)#\(v.index) \(v.note ?? "")")
        #expect(certificate.serialNumber == v.serial, "\(v.file)#\(v.index)")
        #expect(certificate.signatureAlgorithmOID == v.sig_alg_oid, "\(v.file)#\(v.index)")
        #expect(certificate.sn == v.sn, "\(v.file)#\(v.index) (\(v.source))")
    }

    @Test(arguments: vectors.root_sns)
    func rootSNs(_ v: CertificateVectors.Bundle) throws {
        let bundle = try Self.file(v.file)
        #expect(bundle.entries.count == v.certificates)
        for (variant, expected) in [(CertificateSN.RootVariant.rsa, v.rsa), (.sm2, v.sm2)] {
            if expected.isEmpty {
                #expect(throws: AlipaySignError(.malformedCertificate, "")) {
                    try CertificateSN.rootSN(of: bundle, variant: variant)
                }
            } else {
                #expect(try CertificateSN.rootSN(of: bundle, variant: variant).value == expected, "\(v.file) \(variant)")
            }
        }
    }

    @Test func officialSDKKnownAnswers() throws {
        // Asserted by the Node and .NET SDKs' own tests (vectors/certificates/alipay/README.md).
        let root = "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"
        #expect(try CertificateSN.rootSN(of: Vectors.bytes("certificates/alipay/node/alipayRootCert.crt")) == root)
        #expect(try CertificateSN.rootSN(of: Vectors.bytes("certificates/alipay/dotnet/alipayRootCert.crt")) == root)
        #expect(try CertificateSN.sn(ofCertificateFile: Vectors.bytes(
            "certificates/alipay/node/appCertPublicKey_2021001161683774.crt")) == "866efef280dec9137a87d047ac446315")
        #expect(try CertificateSN.sn(ofCertificateFile: Vectors.bytes(
            "certificates/alipay/node/alipayCertPublicKey_RSA2.crt")) == "7513daaaa48aa3ba2e4018d84402479c")
        #expect(try CertificateSN.sn(ofCertificateFile: Vectors.bytes(
            "certificates/alipay/dotnet/appCertPublicKey_2021003102616019.crt")) == "47a27aac8ae3b5c589576f371da36dc2")
    }

    @Test(arguments: vectors.trust)
    func chainTrust(_ v: CertificateVectors.Trust) throws {
        let at = try #require(instant(v.at))
        let result = try CertificateChain.verify(
            certificateFile: Vectors.bytes("certificates/\(v.candidate)"), rootFile: Vectors.bytes("certificates/\(v.roots)"),
            at: at)
        let verdict: String
        switch result {
        case .trusted: verdict = "trusted"
        case .untrusted(let failure): verdict = "untrusted: \(failure.check.rawValue)"
        }
        #expect(verdict == v.expected, "\(v): \(result)")
    }

    @Test func bundleReadingSkipsWhatItCannotParse() throws {
        let good = try String(contentsOfFile: Vectors.path("certificates/generated/chain-root.pem"), encoding: .utf8)
        let truncated = String(good.prefix(good.count / 2))
        // A broken block in the middle, a key block, CRLF line ends, and no blank lines.
        let text = (good + "-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n"
            + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" + good + truncated)
            .replacingOccurrences(of: "\n", with: "\r\n")
        let file = try CertificateFile(parsing: Array(text.utf8))
        #expect(file.entries.count == 5)
        #expect(file.certificates.count == 2)
        #expect(file.entries[1].problem?.contains("base64") == true)
        #expect(file.entries[2].problem?.contains("a key") == true)
        #expect(file.entries[4].problem?.contains("truncated") == true)
        let root = try CertificateSN.rootSN(of: file)
        #expect(root.value == "484585ccad5e77a72f6304a92d2fa57d_484585ccad5e77a72f6304a92d2fa57d")
        #expect(root.items.filter(\.included).map(\.index) == [0, 3])
    }

    @Test func base64OfPEMAsTheDownloadAPIReturnsIt() throws {
        let pem = try Vectors.bytes("certificates/alipay/node/alipayCertPublicKey_RSA2.crt")
        let wrapped = Array(Base64.encode(pem).utf8)
        #expect(try CertificateSN.sn(ofCertificateFile: wrapped) == "7513daaaa48aa3ba2e4018d84402479c")
        // And DER, and bare base64 of DER.
        let der = try CertificateFile(parsing: pem).firstCertificate().der
        #expect(try CertificateSN.sn(ofCertificateFile: der) == "7513daaaa48aa3ba2e4018d84402479c")
        #expect(try CertificateSN.sn(ofCertificateFile: Array(Base64.encode(der).utf8)) == "7513daaaa48aa3ba2e4018d84402479c")
    }

    @Test func badInputIsATypedError() throws {
        let key = try Vectors.bytes("alipay/keys/rsa2048-pkcs8.pem")
        let spki = try Vectors.bytes("alipay/keys/rsa2048-spki.der")
        let pem = try Vectors.bytes("certificates/generated/chain-root.pem")
        let der = try CertificateFile(parsing: pem).firstCertificate().der
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "empty"),
            ("not base64", Array("hello, world".utf8), "not PEM"),
            ("a private key", key, "a key"),
            ("an SPKI key as DER", spki, "SPKI"),
            ("truncated DER", Array(der.prefix(300)), "truncated"),
            ("truncated PEM", Array(pem.prefix(pem.count / 2)), "truncated"),
            ("trailing bytes", der + [0], "after"),
        ]
        for (name, input, mention) in cases {
            do {
                _ = try CertificateFile(parsing: input)
                Issue.record("\(name): accepted")
            } catch let error as AlipaySignError {
                #expect(error.code == .malformedCertificate, "\(name)")
                #expect(error.description.contains(mention), "\(name): \(error)")
            }
        }
    }

    @Test func publicKeyFromTheFirstCertificateOfAChain() throws {
        let file = try Self.file("alipay/dotnet/alipayCertPublicKey_RSA2.crt")
        let key = try file.firstCertificate().publicKey()
        // The key in the leaf, as openssl x509 -pubkey would print it: the same as PublicKey(certificate:).
        let viaKeyAPI = try PublicKey(certificate: Vectors.bytes("certificates/alipay/dotnet/alipayCertPublicKey_RSA2.crt"))
        #expect(key.publicKeyDER == viaKeyAPI.publicKeyDER)
        #expect(key.publicKeyDER != (try file.certificates[1].publicKey().publicKeyDER))
        // An SM2 or ECDSA certificate has no RSA key.
        let sm2 = try Self.file("alipay/node/alipayRootCert.crt").certificates[0]
        #expect(throws: AlipaySignError(.unsupportedKey, "")) { try sm2.publicKey() }
    }

    @Test func registryPicksTheKeyBySN() throws {
        var registry = AlipayPublicKeyRegistry()
        let roots = try Self.file("alipay/dotnet/alipayRootCert.crt")
        let chain = try Vectors.bytes("certificates/alipay/dotnet/alipayCertPublicKey_RSA2.crt")
        let valid = try #require(instant("2022-06-01"))
        // Trust is required and holds while the certificate was valid; it fails once it has expired.
        #expect(try registry.add(certificateFile: chain, trustedUnder: roots, at: valid) == "4538e7d736df316c15435d5f9d3a8a1f")
        let expiredAt = try #require(instant("2026-01-01"))
        #expect(throws: AlipaySignError(.untrustedCertificate, "")) {
            try registry.add(certificateFile: chain, trustedUnder: roots, at: expiredAt)
        }
        try registry.add(certificateFile: Vectors.bytes("certificates/alipay/node/alipayCertPublicKey_RSA2.crt"))
        #expect(registry.knownSNs == ["4538e7d736df316c15435d5f9d3a8a1f", "7513daaaa48aa3ba2e4018d84402479c"])
        let node = try registry.publicKey(forSN: "7513daaaa48aa3ba2e4018d84402479c")
        let dotnet = try registry.publicKey(forSN: "4538e7d736df316c15435d5f9d3a8a1f")
        #expect(node.publicKeyDER != dotnet.publicKeyDER)
        #expect(try registry.publicKey(forAlipaySNHeader: nil).publicKeyDER == dotnet.publicKeyDER)
        do {
            _ = try registry.publicKey(forSN: "00000000000000000000000000000000")
            Issue.record("an unknown SN was accepted")
        } catch let error as AlipaySignError {
            #expect(error.code == .unknownCertificateSN)
            #expect(error.reason.contains("00000000000000000000000000000000"))
            #expect(error.reason.contains("7513daaaa48aa3ba2e4018d84402479c"))
        }
    }

    @Test func certificateModeSigningAddsBothSNs() throws {
        let identity = try CertificateModeIdentity(
            appCertificate: Vectors.bytes("certificates/alipay/node/appCertPublicKey_2021001161683774.crt"),
            rootCertificates: Vectors.bytes("certificates/alipay/node/alipayRootCert.crt"))
        #expect(identity.appCertSN == "866efef280dec9137a87d047ac446315")
        #expect(identity.alipayRootCertSN == "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6")
        let signer = try Signer(privateKey: PrivateKey(parsing: Vectors.bytes("alipay/keys/rsa2048-pkcs8.pem")))
        let signed = try signer.signRequest(["app_id": "2021001161683774", "method": "alipay.trade.query"],
                                            certificateMode: identity)
        #expect(signed.parameters["app_cert_sn"] == identity.appCertSN)
        #expect(signed.content == "alipay_root_cert_sn=\(identity.alipayRootCertSN)&app_cert_sn=\(identity.appCertSN)"
            + "&app_id=2021001161683774&method=alipay.trade.query")
        // The signature is over that content, so it verifies with the plain verifier.
        let verifier = try SignatureVerifier(publicKey: PublicKey(parsing: Vectors.bytes("alipay/keys/rsa2048-spki.pem")))
        #expect(try verifier.verify(content: signed.content, signature: signed.signature))
        #expect(throws: AlipaySignError(.conflictingParameter, "")) {
            try signer.signRequest(["app_cert_sn": "something-else"], certificateMode: identity)
        }
    }

    @Test(arguments: vectors.requests)
    func certificateModeRequestsMatchCryptography(_ v: CertificateVectors.Request) throws {
        let identity = try CertificateModeIdentity(
            appCertificate: Vectors.bytes("certificates/\(v.app_cert)"), rootCertificates: Vectors.bytes("certificates/\(v.root_cert)"))
        let signer = try Signer(privateKey: PrivateKey(parsing: Vectors.bytes("alipay/keys/\(v.key)")))
        let signed = try signer.signRequest(v.parameters, certificateMode: identity)
        #expect(signed.parameters["app_cert_sn"] == v.app_cert_sn)
        #expect(signed.parameters["alipay_root_cert_sn"] == v.alipay_root_cert_sn)
        #expect(signed.content == v.content && signed.signature == v.signature)
    }

    @Test func javaDistinguishedNameEquality() throws {
        // The issuer and subject of the intermediate and the root are equal as names; others are not.
        let chain = try Self.file("generated/chain-leaf-intermediate-root.pem").certificates
        #expect(chain[0].issuer == chain[1].subject)
        #expect(chain[1].issuer == chain[2].subject)
        #expect(chain[0].issuer != chain[2].subject)
        #expect(chain[2].isSelfIssued && !chain[0].isSelfIssued)
    }
}

/// An ISO 8601 date (`2022-06-01`, midnight UTC) or date and time, read with Foundation.
private func instant(_ text: String) -> Date? {
    text.count == 10 ? try? Date.ISO8601FormatStyle().year().month().day().dateSeparator(.dash).parse(text)
        : try? Date.ISO8601FormatStyle().parse(text)
}

/// Rotation in the library: the registry takes a download response (vectors/rotation), checks the chain, and then
/// verifies a response signed with the new certificate's key (signed by the openssl command).
@Suite struct RotationTests {
    @Test func aDownloadedCertificateVerifiesWhatItSigned() throws {
        let file = Vectors.rotation
        let at = try #require(ISO8601DateFormatter().date(from: "2025-01-01T00:00:00Z"))
        var registry = AlipayPublicKeyRegistry()
        try registry.add(certificateFile: Vectors.bytes("certificates/alipay/node/alipayCertPublicKey_RSA2.crt"))
        let body = Array(file.after_rotation.body.utf8)
        #expect(throws: AlipaySignError(.unknownCertificateSN, "")) {
            try ResponseVerifier(registry: registry).verify(body, method: file.after_rotation.method)
        }
        for c in file.cases {
            let roots = try Vectors.bytes("certificates/\(c.roots)")
            if let sn = c.sn {
                #expect(try registry.add(downloadResponse: Array(c.response.utf8), roots: roots, expectedSN: sn, at: at) == sn)
                // Asked for another SN: refused.
                #expect(throws: AlipaySignError(.unknownCertificateSN, "")) {
                    try AlipayCertificateDownload(response: Array(c.response.utf8), roots: roots, expectedSN: "0", at: at)
                }
            } else {
                #expect(throws: AlipaySignError.self) {
                    try AlipayCertificateDownload(response: Array(c.response.utf8), roots: roots, at: at)
                }
            }
        }
        #expect(try ResponseVerifier(registry: registry).verify(body, method: file.after_rotation.method).isValid)
    }
}
