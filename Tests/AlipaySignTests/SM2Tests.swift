import AlipaySign
import Foundation
import Testing
import VectorSupport

/// SM3withSM2 (sign type SM2) against vectors/sm2/sm2.json: signatures made by BouncyCastle (the Java SDK's
/// provider) and gmssl with the key of vectors/sm2 (openssl genpkey), which the library must verify; and its own
/// signatures, which must verify under its own verifier and fail under changed content. That BouncyCastle, gmssl
/// and OpenSSL's command accept the library's signatures is checked by `make test-sm2-peers`.
@Suite struct SM2Tests {
    static let file = Vectors.sm2

    @Test(arguments: file.cases.map(\.name))
    func peersSignaturesVerify(name: String) throws {
        let c = try #require(Self.file.cases.first { $0.name == name })
        let charset = try Charset(name: c.charset)
        for key in ["sm2/sm2-spki.pem", "sm2/sm2-spki.der", "sm2/sm2-spki.b64"] {
            let verifier = try SignatureVerifier(publicKey: PublicKey(parsing: Vectors.bytes(key)), signType: .sm2, charset: charset)
            #expect(try verifier.verify(content: c.content, signature: c.bouncycastle), "\(key) BouncyCastle")
            #expect(try verifier.verify(content: c.content, signature: c.gmssl), "\(key) gmssl")
            #expect(try !verifier.verify(content: c.content + " ", signature: c.bouncycastle))
        }
    }

    /// SM2-signed certificate chains (the .NET SDK's test certificates): every link's signature verified by
    /// BouncyCastle, so trusted inside the leaf's validity and expired after it. The links are verified with the
    /// ID 1234567812345678, as BouncyCastle does; OpenSSL 3.0 would use an empty one.
    @Test func sm2CertificateChains() throws {
        for chain in Self.file.chains {
            let at = try #require(ISO8601DateFormatter().date(from: chain.at))
            let result = try CertificateChain.verify(
                certificateFile: Vectors.bytes(chain.candidate), rootFile: Vectors.bytes(chain.roots), at: at)
            switch (chain.expected, result) {
            case ("trusted", .trusted): break
            case ("expired", .untrusted(let failure)): #expect(failure.check == .expired, "\(failure.message)")
            default: Issue.record("\(chain.at): expected \(chain.expected), got \(result)")
            }
        }
    }

    @Test func ownSignaturesVerifyAndKeysSayWhatTheyAre() throws {
        for keyFile in ["sm2/sm2-pkcs8.pem", "sm2/sm2-pkcs8.der", "sm2/sm2-pkcs8.b64"] {
            let key = try PrivateKey(parsing: Vectors.bytes(keyFile))
            #expect(key.algorithm == .sm2 && key.bits == 256)
            let signer = try Signer(privateKey: key, signType: .sm2, charset: .gbk)
            let one = try signer.sign(content: "国密 SM2"), two = try signer.sign(content: "国密 SM2")
            #expect(one != two)  // randomised
            let verifier = try SignatureVerifier(publicKey: key.publicKey, signType: .sm2, charset: .gbk)
            #expect(try verifier.verify(content: "国密 SM2", signature: one) && verifier.verify(content: "国密 SM2", signature: two))
            #expect(try !verifier.verify(content: "国密 SM3", signature: one))
        }
        let publicKey = try PublicKey(parsing: Vectors.bytes(Self.file.public_key))
        #expect(publicKey.algorithm == .sm2)
        // The hash and algorithm come from the configured sign type: an SM2 key never verifies RSA2, and the reverse.
        #expect(throws: AlipaySignError(.unsupportedKey, "")) { try SignatureVerifier(publicKey: publicKey, signType: .rsa2) }
        let rsa = try PublicKey(parsing: Vectors.bytes("alipay/keys/rsa2048-spki.pem"))
        #expect(throws: AlipaySignError(.unsupportedKey, "")) { try SignatureVerifier(publicKey: rsa, signType: .sm2) }
        #expect(try SignType(protocolName: "sm2") == .sm2)
    }
}
