import AlipaySign
import Testing
import VectorSupport

/// Wycheproof RSASSA-PKCS1-v1_5 vectors (vectors/wycheproof, Apache 2.0), read by one generic loader.
///
/// Only the digests Alipay uses are in scope: SHA-256 (RSA2) and SHA-1 (legacy RSA). Groups with other digests
/// are counted and skipped.
///
/// Flag policy for `acceptable` results, decided per flag:
///
/// | flag | decision |
/// |---|---|
/// | MissingNull | rejected: the DigestInfo must be DER with the NULL parameter (OpenSSL compares the encoding) |
/// | SmallModulus | the key is refused by the default API (`weakKey`) and accepted by the weak-key API, where the signature then verifies |
/// | SmallPublicKey | accepted (e = 3 is a valid RSA exponent; OpenSSL verifies it) |
/// | WeakHash | accepted through the `legacyRSA` (SHA1withRSA) sign type, which names its weakness |
struct WycheproofTests {
    struct File: Decodable {
        let algorithm: String
        let testGroups: [Group]
    }

    struct Group: Decodable {
        let type: String
        let sha: String
        let keySize: Int?
        let keysize: Int?
        let publicKeyDer: String?
        let keyDer: String?
        let privateKeyPkcs8: String?
        let tests: [Case]
        var bits: Int { keySize ?? keysize ?? 0 }
        var spkiHex: String? { publicKeyDer ?? keyDer }
    }

    struct Case: Decodable {
        let tcId: Int
        let comment: String
        let msg: String
        let sig: String
        let result: String
        let flags: [String]
    }

    static let verifyFiles = [
        "rsa_signature_2048_sha256_test.json", "rsa_signature_3072_sha256_test.json",
        "rsa_signature_4096_sha256_test.json", "legacy_rsa_signature_test.json",
    ]
    static let generateFiles = [
        "rsa_pkcs1_1024_sig_gen_test.json", "rsa_pkcs1_2048_sig_gen_test.json", "rsa_pkcs1_4096_sig_gen_test.json",
    ]

    static func signType(_ sha: String) -> SignType? {
        switch sha {
        case "SHA-256": .rsa2
        case "SHA-1": .legacyRSA
        default: nil
        }
    }

    /// What we expect for a case, from its result and the flag policy above.
    static func expectedValid(_ c: Case) -> Bool {
        switch c.result {
        case "valid": return true
        case "invalid": return false
        default:
            precondition(c.result == "acceptable")
            let known: Set = ["MissingNull", "SmallModulus", "SmallPublicKey", "WeakHash"]
            let unknown = Set(c.flags).subtracting(known)
            precondition(unknown.isEmpty, "tcId \(c.tcId): no policy for flags \(unknown)")
            return !c.flags.contains("MissingNull")
        }
    }

    @Test(arguments: verifyFiles + generateFiles)
    func verification(file: String) throws {
        let vectors = try Vectors.load(File.self, "wycheproof/\(file)")
        var checked = 0, skipped = 0
        for group in vectors.testGroups {
            guard let type = Self.signType(group.sha), let spki = group.spkiHex else {
                skipped += group.tests.count
                continue
            }
            let der = [UInt8](hex: spki)
            if group.bits < 2048 {
                // SmallModulus policy: refused by default, accepted by the API that says it is weak.
                #expect(throws: AlipaySignError(.weakKey, "")) { try PublicKey(parsing: der) }
            }
            let key = try PublicKey(parsingAllowingWeakKey: der)
            #expect(key.bits == group.bits)
            let verifier = try SignatureVerifier(publicKey: key, signType: type)
            for c in group.tests {
                let valid = verifier.isValidSignature([UInt8](hex: c.sig), for: [UInt8](hex: c.msg))
                #expect(valid == Self.expectedValid(c), "\(file) tcId \(c.tcId): \(c.comment) \(c.flags)")
                checked += 1
            }
        }
        #expect(checked > 0, "\(file): no case in scope")
        print("\(file): \(checked) cases checked, \(skipped) with other digests skipped")
    }

    /// PKCS#1 v1.5 is deterministic: signing `msg` with the group's key must give `sig` byte for byte.
    @Test(arguments: generateFiles)
    func signingKnownAnswers(file: String) throws {
        let vectors = try Vectors.load(File.self, "wycheproof/\(file)")
        var checked = 0
        for group in vectors.testGroups {
            guard let type = Self.signType(group.sha), let pkcs8 = group.privateKeyPkcs8 else { continue }
            let der = [UInt8](hex: pkcs8)
            let key = try PrivateKey(parsingAllowingWeakKey: der)
            #expect(key.format == .pkcs8 && key.encoding == .der)
            let signer = try Signer(privateKey: key, signType: type)
            for c in group.tests {
                let signature = try signer.signature(for: [UInt8](hex: c.msg))
                #expect(signature == [UInt8](hex: c.sig), "\(file) tcId \(c.tcId): \(c.comment)")
                checked += 1
            }
        }
        #expect(checked > 0)
    }
}
