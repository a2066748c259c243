import Dispatch
import Synchronization
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

    /// A key with exponent 65537 opens signatures for the diagnosis on its own numbers (the direct path); others
    /// through `EVP_PKEY_verify_recover`. On blocks made to open to chosen encodings, valid and malformed (OpenSSL's
    /// raw private operation makes the signatures), the direct path must say what the EVP path says: the same
    /// digest, or that nothing verifies.
    @Test func directOpeningAgreesWithEVP() throws {
        var checked = 0
        for (name, privateKey) in try RSADirectVerificationTests.privateKeys() {
            guard let modulus = privateKey.key.rsaModulus else { continue }
            let key = privateKey.publicKey
            guard case .rsa(let context) = try key.sharedVerificationContext(.rsa2), context.verifiesDirectly else {
                Issue.record("\(name): not on the direct path")
                continue
            }
            for type in [SignType.rsa2, .legacyRSA] {
                let message = Array("a=1&sign_type=\(type.rawValue)".utf8)
                let other = type == .rsa2 ? Digest.sha1 : Digest.sha256
                for (what, em, _) in RSADirectVerificationTests.encodedMessages(
                    size: modulus.count, digest: RSADirectVerificationTests.digest(type), of: message, other: other)
                where em.lexicographicallyPrecedes(modulus) {
                    guard let signature = privateKey.key.rawRSAPrivateOperation(em) else { continue }
                    let direct = DiagnosisSearch.OpenedSignature(signature, key: key)
                    let evp = DiagnosisSearch.OpenedSignature(throughEVP: signature, key: key)
                    #expect("\(direct)" == "\(evp)", "\(name) \(type) \(what)")
                    checked += 1
                }
            }
        }
        #expect(checked > 500)
    }

    /// The diagnosis verifies on one context a key and sign type, made on first use and shared: the same context
    /// for every caller and thread, the right verdicts (message i is checked against the signer's signature of
    /// message 7i mod 64: valid exactly for i = 0 and 32, by construction), and a sign type the key does not fit
    /// refused each time rather than remembered as a context.
    @Test func sharedVerificationContext() throws {
        let key = try PublicKey(parsing: Vectors.bytes("alipay/keys/rsa2048-spki.pem"))
        let signer = try Signer(privateKey: PrivateKey(parsing: Vectors.bytes("alipay/keys/rsa2048-pkcs8.pem")))
        let messages = (0..<64).map { Array("a=\($0)".utf8) }
        let signatures = try messages.map { try signer.signature(for: $0) }
        let expected = messages.indices.map { ($0 * 7) % 64 == $0 }
        guard case .rsa(let first) = try key.sharedVerificationContext(.rsa2),
            case .rsa(let again) = try key.sharedVerificationContext(.rsa2),
            case .rsa(let legacy) = try key.sharedVerificationContext(.legacyRSA)
        else {
            Issue.record("an RSA key gave a context that is not RSA")
            return
        }
        #expect(first === again)
        #expect(first !== legacy)
        #expect(throws: AlipaySignError.self) { try key.sharedVerificationContext(.sm2) }
        #expect(throws: AlipaySignError.self) { try key.sharedVerificationContext(.sm2) }
        // Many threads on a key none has used yet: one context for all, every verdict as expected.
        let fresh = try PublicKey(parsing: Vectors.bytes("alipay/keys/rsa2048-spki.pem"))
        let results = Mutex<[(Swift.ObjectIdentifier, [Bool])]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            guard let verifier = try? SignatureVerifier(sharingContextOf: fresh, signType: .rsa2),
                case .rsa(let context) = try? fresh.sharedVerificationContext(.rsa2)
            else { return }
            let verdicts = messages.indices.map { verifier.isValidSignature(signatures[($0 * 7) % 64], for: messages[$0]) }
            results.withLock { $0.append((Swift.ObjectIdentifier(context), verdicts)) }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 16)
        #expect(Set(all.map(\.0)).count == 1)
        for (_, verdicts) in all { #expect(verdicts == expected) }
    }
}
