import Testing
import VectorSupport

@testable import AlipaySign

/// A diagnosis opens a signature once per RSA key and verifies only the candidates whose digest it carries. That is
/// sound only if "the opened block carries this content's digest under this sign type" holds exactly when
/// `EVP_PKEY_verify` accepts: checked here against Wycheproof's verdicts (the expected values), the same cases and
/// flag policy as `WycheproofTests`; under the other RSA sign type, against `EVP_PKEY_verify` itself.
struct DiagnosisShortcutTests {
    @Test(arguments: WycheproofTests.verifyFiles + WycheproofTests.generateFiles)
    func openedSignatureAgreesWithWycheproof(file: String) throws {
        let vectors = try Vectors.load(WycheproofTests.File.self, "wycheproof/\(file)")
        var checked = 0
        for group in vectors.testGroups {
            guard let type = WycheproofTests.signType(group.sha), let spki = group.spkiHex else { continue }
            let key = try PublicKey(parsingAllowingWeakKey: [UInt8](hex: spki))
            let other: SignType = type == .rsa2 ? .legacyRSA : .rsa2
            for c in group.tests {
                let message = [UInt8](hex: c.msg)
                let opened = DiagnosisSearch.OpenedSignature([UInt8](hex: c.sig), key: key)
                let carries: Bool
                switch opened.digest(for: type) {
                case .none: carries = false
                case .some(.none):
                    Issue.record("\(file) tcId \(c.tcId): an RSA key was not opened")
                    continue
                case .some(.some(let (md, digest))): carries = md.hash(message) == digest
                }
                #expect(carries == WycheproofTests.expectedValid(c), "\(file) tcId \(c.tcId): \(c.comment) \(c.flags)")
                // Under the other RSA sign type (some cases are signatures over the other hash): as OpenSSL says.
                var carriesOther = false
                if case .some(.some(let (md, digest))) = opened.digest(for: other) {
                    carriesOther = md.hash(message) == digest
                }
                let verifiesOther = try SignatureVerifier(publicKey: key, signType: other)
                    .isValidSignature([UInt8](hex: c.sig), for: message)
                #expect(carriesOther == verifiesOther, "\(file) tcId \(c.tcId) under \(other)")
                checked += 1
            }
        }
        #expect(checked > 0)
    }

    @Test func signaturesThatCannotOpen() throws {
        let key = try PublicKey(parsing: Vectors.bytes("alipay/keys/rsa2048-spki.pem"))
        let signer = try Signer(privateKey: PrivateKey(parsing: Vectors.bytes("alipay/keys/rsa2048-pkcs8.pem")))
        let good = try signer.signature(for: Array("a=1".utf8))
        guard case .digest(.rsa2, let digest) = DiagnosisSearch.OpenedSignature(good, key: key) else {
            Issue.record("a valid RSA2 signature did not open to a SHA-256 digest")
            return
        }
        #expect(digest == Digest.sha256.hash(Array("a=1".utf8)))
        // Too short, too long, and not made by this key (another key's signature, a byte changed).
        let otherKey = try PublicKey(parsing: Vectors.bytes("alipay/keys/other2048-spki.pem"))
        var changed = good
        changed[100] ^= 1
        for (signature, key) in [(Array(good.dropLast()), key), (good + [0], key), (good, otherKey), (changed, key)] {
            guard case .nothingVerifies = DiagnosisSearch.OpenedSignature(signature, key: key) else {
                Issue.record("a signature that cannot verify opened under the key")
                continue
            }
        }
        let sm2 = try PublicKey(parsing: Vectors.bytes("sm2/sm2-spki.pem"))
        guard case .notRSA = DiagnosisSearch.OpenedSignature(good, key: sm2) else {
            Issue.record("an SM2 key was opened as RSA")
            return
        }
    }
}
