@_spi(AlipaySignTools) import AlipaySign
import Foundation
import Testing
import VectorSupport

struct KeyAndSignerTests {
    static let privateKey: PrivateKey = {
        do { return try PrivateKey(parsing: try Vectors.bytes("alipay/keys/rsa2048-pkcs1.pem")) } catch {
            fatalError("\(error)")
        }
    }()

    @Test func keyPairsAreRecognised() throws {
        let own = try PublicKey(parsing: try Vectors.bytes("alipay/keys/rsa2048-spki.b64"))
        let other = try PublicKey(parsing: try Vectors.bytes("alipay/keys/other2048-spki.pem"))
        #expect(Self.privateKey.matches(own))
        #expect(!Self.privateKey.matches(other))
        #expect(Self.privateKey.publicKey.publicKeyDER == own.publicKeyDER)
    }

    @Test func certificateKeyOnlyThroughTheCertificateAPI() throws {
        let pem = try Vectors.bytes("alipay/keys/rsa2048-cert.pem")
        let key = try PublicKey(certificate: pem)
        #expect(key.format == .certificate)
        #expect(Self.privateKey.matches(key))
        #expect(throws: AlipaySignError(.unsupportedKey, "")) { try PublicKey(parsing: pem) }
        let spki = try Vectors.bytes("alipay/keys/rsa2048-spki.pem")
        #expect(throws: AlipaySignError(.malformedCertificate, "")) { try PublicKey(certificate: spki) }
    }

    @Test func truncatedDERIsMalformed() throws {
        let der = try Vectors.bytes("alipay/keys/rsa2048-pkcs8.der")
        for cut in [1, 10, der.count / 2, der.count - 1] {
            #expect(throws: AlipaySignError.self) { try PrivateKey(parsing: Array(der.prefix(cut))) }
        }
        #expect(throws: AlipaySignError(.malformedKey, "")) { try PrivateKey(parsing: der + [0]) }
    }

    @Test func emptyInputIsAnError() {
        #expect(throws: AlipaySignError(.malformedKey, "")) { try PrivateKey(parsing: [UInt8]()) }
        #expect(throws: AlipaySignError(.malformedKey, "")) { try PublicKey(parsing: " \n") }
    }

    @Test func malformedSignaturesAreSimplyInvalid() throws {
        let verifier = try SignatureVerifier(publicKey: Self.privateKey.publicKey)
        let good = try Signer(privateKey: Self.privateKey).sign(content: "a=1")
        #expect(try verifier.verify(content: "a=1", signature: good))
        #expect(try verifier.verify(content: "a=1", signature: "\n" + good.prefix(40) + "\r\n" + good.dropFirst(40)))
        for bad in ["", "!!!!", String(good.dropLast(4)), good + "AAAA", Base64.encode([UInt8](repeating: 0, count: 256))] {
            #expect(try !verifier.verify(content: "a=1", signature: bad))
        }
    }

    /// Any single-byte change to the content or the signature makes verification fail.
    @Test func singleByteChanges() throws {
        let signer = try Signer(privateKey: Self.privateKey)
        let verifier = try SignatureVerifier(publicKey: Self.privateKey.publicKey)
        let content = Array("app_id=2021&biz_content={\"a\":\"支付\"}&method=x".utf8)
        let signature = try signer.signature(for: content)
        #expect(verifier.isValidSignature(signature, for: content))
        for i in stride(from: 0, to: content.count, by: 3) {
            var changed = content
            changed[i] ^= 0x01
            #expect(!verifier.isValidSignature(signature, for: changed))
        }
        for i in stride(from: 0, to: signature.count, by: 17) {
            var changed = signature
            changed[i] ^= 0x80
            #expect(!verifier.isValidSignature(changed, for: content))
        }
    }

    /// One signer and one verifier shared by many threads at once.
    @Test func concurrentUse() async throws {
        let signer = try Signer(privateKey: Self.privateKey)
        let verifier = try SignatureVerifier(publicKey: Self.privateKey.publicKey)
        let expected = try signer.sign(content: "k=v")
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<16 {
                group.addTask {
                    let s = try signer.sign(content: "k=v")
                    let valid = try verifier.verify(content: "k=v", signature: s)
                    let other = try verifier.verify(content: "k=\(i)", signature: s)
                    return s == expected && valid && !other
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }

    @Test func signTypeNames() throws {
        #expect(try SignType(protocolName: "rsa2") == .rsa2)
        #expect(try SignType(protocolName: "RSA") == .legacyRSA)
        #expect(try SignType(protocolName: "SM2") == .sm2)
        #expect(throws: AlipaySignError(.unknownSignType, "")) { try SignType(protocolName: "RSA3") }
        #expect(throws: AlipaySignError(.unknownSignType, "")) { try SignType(protocolName: "SM3") }
    }
}
