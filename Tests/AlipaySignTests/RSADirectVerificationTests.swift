import Dispatch
import Synchronization
import Testing
import VectorSupport

@testable import AlipaySign

/// A key with exponent 65537 verifies RSA signatures through ``RSAPublicModulus`` (sixteen Montgomery squarings and
/// an encode-and-compare check) instead of `EVP_PKEY_verify`. Both must accept exactly the same signatures: checked
/// against Wycheproof's verdicts (the expected values) on both paths, and against `EVP_PKEY_verify`'s own verdict
/// over signatures that open to chosen encoded messages, malformed ones included (made by OpenSSL's raw private
/// operation).
struct RSADirectVerificationTests {
    static func digest(_ type: SignType) -> Digest { type == .rsa2 ? .sha256 : .sha1 }

    @Test(arguments: WycheproofTests.verifyFiles + WycheproofTests.generateFiles)
    func bothPathsAgreeWithWycheproof(file: String) throws {
        let vectors = try Vectors.load(WycheproofTests.File.self, "wycheproof/\(file)")
        var direct = 0, throughEVP = 0
        for group in vectors.testGroups {
            guard let type = WycheproofTests.signType(group.sha), let spki = group.spkiHex else { continue }
            let key = try PublicKey(parsingAllowingWeakKey: [UInt8](hex: spki))
            let context = try RSAPKCS1Context(key: key.key, digest: Self.digest(type), purpose: .verify)
            for c in group.tests {
                let message = [UInt8](hex: c.msg)
                let signature = [UInt8](hex: c.sig)
                let expected = WycheproofTests.expectedValid(c)
                let viaDirect = context.verify(message, signature, direct: true)
                let viaEVP = context.verify(message, signature, direct: false)
                #expect(viaDirect == expected, "\(file) tcId \(c.tcId): \(c.comment) \(c.flags)")
                #expect(viaEVP == expected, "\(file) tcId \(c.tcId) through EVP_PKEY_verify")
                if context.verifiesDirectly { direct += 1 } else { throughEVP += 1 }
            }
        }
        // Every file has keys with exponent 65537; only the SmallPublicKey cases (e = 3) go through EVP.
        #expect(direct > 0, "\(file): no case took the direct path")
        print("\(file): \(direct) cases on the direct path, \(throughEVP) through EVP_PKEY_verify")
    }

    @Test func anExponentOtherThan65537GoesThroughEVP() throws {
        let vectors = try Vectors.load(WycheproofTests.File.self, "wycheproof/rsa_signature_2048_sha256_test.json")
        var seen = 0
        for group in vectors.testGroups where group.tests.contains(where: { $0.flags.contains("SmallPublicKey") }) {
            let key = try PublicKey(parsingAllowingWeakKey: [UInt8](hex: group.spkiHex ?? ""))
            #expect(RSAPublicModulus(key.key.pointer, digestInfo: Digest.sha256.digestInfo, digestSize: 32) == nil)
            #expect(try !RSAPKCS1Context(key: key.key, digest: .sha256, purpose: .verify).verifiesDirectly)
            seen += 1
        }
        #expect(seen > 0, "no group with a small public exponent")
        let alipay = try PublicKey(parsing: Vectors.bytes("alipay/keys/rsa2048-spki.pem"))
        #expect(try RSAPKCS1Context(key: alipay.key, digest: .sha256, purpose: .verify).verifiesDirectly)
        #expect(try RSAPKCS1Context(key: alipay.key, digest: .sha1, purpose: .verify).verifiesDirectly)
        // A signing context never opens signatures.
        let signing = try PrivateKey(parsing: Vectors.bytes("alipay/keys/rsa2048-pkcs8.pem"))
        #expect(try !RSAPKCS1Context(key: signing.key, digest: .sha256, purpose: .sign).verifiesDirectly)
    }

    /// One verifier on more threads than its pool has entries (so that some calls make a temporary entry, with
    /// its own numbers): every verdict as the vectors' (Python `cryptography` signatures) say, on every thread.
    /// Run under ThreadSanitizer by `make sanitize`.
    @Test func manyThreadsShareOneVerifier() throws {
        let cases = Vectors.signatures.filter { $0.key.hasPrefix("rsa2048") && $0.sign_type == "RSA2" }.prefix(4)
        #expect(cases.count > 0)
        for c in cases {
            let publicKey = try PublicKey(parsing: try Vectors.bytes("alipay/keys/\(c.public)"))
            let verifier = try SignatureVerifier(publicKey: publicKey, signType: .rsa2, charset: try Charset(name: c.charset))
            let wrong = Atomic<Int>(0)
            let (content, signature) = (c.content, c.signature)
            DispatchQueue.concurrentPerform(iterations: 3 * ClaimPool<Int>.slotCount) { _ in
                for k in 0..<40 {
                    let valid = (try? verifier.verify(content: content, signature: signature)) ?? false
                    let changed = (try? verifier.verify(content: content + String(k), signature: signature)) ?? true
                    if !valid || changed { wrong.add(1, ordering: .relaxed) }
                }
            }
            #expect(wrong.load(ordering: .relaxed) == 0, "\(c.key) \(c.charset): verdicts that changed under threads")
        }
    }

    /// The private keys: the Alipay test key, Wycheproof's signature-generation keys (1,024 to 4,096 bits) and
    /// keys of odd sizes (vectors/rsa-sizes: 1,025, 2,047 and 2,050 bits), all with exponent 65537.
    static func privateKeys() throws -> [(name: String, key: PrivateKey)] {
        var keys = [("alipay rsa2048", try PrivateKey(parsing: Vectors.bytes("alipay/keys/rsa2048-pkcs8.pem")))]
        for file in WycheproofTests.generateFiles {
            let vectors = try Vectors.load(WycheproofTests.File.self, "wycheproof/\(file)")
            if let der = vectors.testGroups.first(where: { $0.privateKeyPkcs8 != nil })?.privateKeyPkcs8 {
                keys.append((file, try PrivateKey(parsingAllowingWeakKey: [UInt8](hex: der))))
            }
        }
        for bits in [1025, 2047, 2050] {
            let key = try PrivateKey(parsingAllowingWeakKey: Vectors.bytes("rsa-sizes/rsa\(bits)-pkcs8.pem"))
            #expect(key.key.bits == bits)
            keys.append(("rsa\(bits)", key))
        }
        return keys
    }

    /// A key with exponent 3 takes `EVP_PKEY_verify`, which must still accept exactly the valid encoding.
    @Test func exponentThreeThroughEVP() throws {
        let key = try PrivateKey(parsing: Vectors.bytes("rsa-sizes/rsa2048-e3-pkcs8.pem"))
        guard let modulus = key.key.rsaModulus else {
            Issue.record("no modulus")
            return
        }
        let context = try RSAPKCS1Context(key: key.key, digest: .sha256, purpose: .verify)
        #expect(!context.verifiesDirectly)
        let message = Array("a=1&b=2".utf8)
        var checked = 0
        for (what, em, valid) in Self.encodedMessages(size: modulus.count, digest: .sha256, of: message, other: .sha1) {
            guard em.lexicographicallyPrecedes(modulus), let signature = key.key.rawRSAPrivateOperation(em) else { continue }
            let verdict = context.verify(message, signature, direct: true)
            #expect(verdict == valid, "e = 3, \(what): \(verdict)")
            checked += 1
        }
        #expect(checked > 50)
    }

    /// Encoded messages a signature can open to: the valid one, and ways of getting each part of
    /// `00 01 FF… 00 DigestInfo H` wrong. Each is below the modulus (it starts with a zero byte, or is dropped).
    static func encodedMessages(size k: Int, digest: Digest, of message: [UInt8], other: Digest) -> [(String, [UInt8], Bool)] {
        let h = digest.hash(message)
        func em(_ info: [UInt8], _ hash: [UInt8], trailer: [UInt8] = [], first: UInt8 = 0x00, type: UInt8 = 0x01,
                fill: UInt8 = 0xFF, separator: UInt8 = 0x00) -> [UInt8] {
            let padding = k - 3 - info.count - hash.count - trailer.count
            return [first, type] + [UInt8](repeating: fill, count: padding) + [separator] + info + hash + trailer
        }
        let info = digest.digestInfo
        let otherHash = Array(other.hash(message).prefix(h.count)) + [UInt8](repeating: 0, count: max(0, h.count - other.size))
        // The DigestInfo without the NULL parameter: SEQUENCE and AlgorithmIdentifier two bytes shorter.
        var missingNull = info
        missingNull.removeSubrange((missingNull.count - 4)..<(missingNull.count - 2))
        missingNull[1] -= 2
        missingNull[3] -= 2
        var cases: [(String, [UInt8], Bool)] = [
            ("valid", em(info, h), true),
            ("block type 02", em(info, h, type: 0x02), false),
            ("block type 00", em(info, h, type: 0x00), false),
            ("padding FE", em(info, h, fill: 0xFE), false),
            ("separator 01", em(info, h, separator: 0x01), false),
            ("separator FF", em(info, h, separator: 0xFF), false),
            ("DigestInfo without NULL", em(missingNull, h), false),
            ("the other digest's DigestInfo and hash", em(other.digestInfo, other.hash(message)), false),
            ("this DigestInfo, the other digest's hash cut or padded to length", em(info, otherHash), false),
            ("another message's hash", em(info, digest.hash(message + [0x20])), false),
            ("a trailing byte", em(info, h, trailer: [0x00]), false),
            ("DigestInfo and hash, then the hash again", em(info, h, trailer: h), false),
            ("the hash without DigestInfo", em([], h), false),
        ]
        // The direct path compares numbers: the block less the encoding of a zero digest must be the digest. Blocks
        // at that distance on the wrong side (the zero-digest encoding less the digest, its last DigestInfo byte
        // borrowed from), or a unit past it in the byte before the digest, must not pass for it.
        var belowByDigest = em(info, [UInt8](repeating: 0, count: h.count))
        var borrow = 0
        for i in stride(from: belowByDigest.count - 1, through: 0, by: -1) {
            let subtrahend = i >= belowByDigest.count - h.count ? Int(h[i - (belowByDigest.count - h.count)]) : 0
            let d = Int(belowByDigest[i]) - subtrahend - borrow
            belowByDigest[i] = UInt8((d + 256) % 256)
            borrow = d < 0 ? 1 : 0
        }
        var pastByOne = info
        pastByOne[pastByOne.count - 1] += 1
        cases += [
            ("the zero-digest encoding less the digest", belowByDigest, false),
            ("the encoding plus one in the byte before the digest", em(pastByOne, h), false),
        ]
        // A zero byte inside the padding ends it early: what follows is longer than DigestInfo and hash.
        for at in [2, 3, 9, 10, k / 2] {
            var m = em(info, h)
            m[at] = 0x00
            cases.append(("a zero at \(at)", m, false))
        }
        // Every byte changed, one at a time (spaced out on large keys).
        let valid = em(info, h)
        let step = max(1, k / 96)
        for at in stride(from: 0, to: k, by: step) {
            var m = valid
            m[at] ^= at == 0 ? 0x00 : 0x40
            if at == 0 { m[0] = 0x01 }
            cases.append(("byte \(at) changed", m, false))
        }
        return cases
    }

    @Test func chosenEncodedMessagesAgreeWithEVP() throws {
        var checked = 0
        for (name, key) in try Self.privateKeys() {
            guard let modulus = key.key.rsaModulus else {
                Issue.record("\(name): no modulus")
                continue
            }
            let k = modulus.count
            for (type, other) in [(SignType.rsa2, SignType.legacyRSA), (.legacyRSA, .rsa2)] {
                let context = try RSAPKCS1Context(key: key.key, digest: Self.digest(type), purpose: .verify)
                #expect(context.verifiesDirectly, "\(name): not on the direct path")
                let message = Array("app_id=2021000000000001&method=alipay.trade.query&sign_type=\(type.rawValue)".utf8)
                for (what, em, valid) in Self.encodedMessages(size: k, digest: Self.digest(type), of: message, other: Self.digest(other)) {
                    #expect(em.count == k, "\(name) \(what): \(em.count) bytes")
                    // Only blocks below the modulus have a signature (byte 0 set to 01 can exceed a small one).
                    guard em.lexicographicallyPrecedes(modulus) else { continue }
                    guard let signature = key.key.rawRSAPrivateOperation(em) else {
                        Issue.record("\(name) \(what): OpenSSL made no signature")
                        continue
                    }
                    let direct = context.verify(message, signature, direct: true)
                    let evp = context.verify(message, signature, direct: false)
                    #expect(evp == valid, "\(name) \(type) \(what): EVP_PKEY_verify says \(evp)")
                    #expect(direct == evp, "\(name) \(type) \(what): direct \(direct), EVP_PKEY_verify \(evp)")
                    checked += 1
                }
            }
        }
        #expect(checked > 500)
    }

    /// Signatures that are not below the modulus, or open to nothing: refused on both paths, without a crash.
    @Test func numbersOutsideTheModulus() throws {
        for (name, key) in try Self.privateKeys() {
            guard let n = key.key.rsaModulus else { continue }
            let k = n.count
            let context = try RSAPKCS1Context(key: key.key, digest: .sha256, purpose: .verify)
            func minus(_ a: [UInt8], _ v: UInt8) -> [UInt8] {
                var r = a
                var borrow = Int(v)
                for i in stride(from: r.count - 1, through: 0, by: -1) where borrow > 0 {
                    let d = Int(r[i]) - borrow
                    r[i] = UInt8((d + 256) % 256)
                    borrow = d < 0 ? 1 : 0
                }
                return r
            }
            var plusOne = n
            if let i = plusOne.lastIndex(where: { $0 != 0xFF }) { plusOne[i] += 1 }
            let cases: [(String, [UInt8])] = [
                ("n", n), ("n + 1", plusOne), ("all FF", [UInt8](repeating: 0xFF, count: k)),
                ("zero", [UInt8](repeating: 0, count: k)), ("one", [UInt8](repeating: 0, count: k - 1) + [1]),
                ("n - 1", minus(n, 1)), ("one byte short", [UInt8](repeating: 0x11, count: k - 1)),
                ("one byte long", [UInt8](repeating: 0x11, count: k + 1)), ("empty", []),
            ]
            let message = Array("a=1".utf8)
            for (what, signature) in cases {
                let direct = context.verify(message, signature, direct: true)
                let evp = context.verify(message, signature, direct: false)
                #expect(!direct && !evp, "\(name) \(what): direct \(direct), EVP_PKEY_verify \(evp)")
            }
            // A valid signature plus n opens to the same block modulo n, but is not below n: refused by both
            // (RFC 8017 §5.2.2). Some message's signature leaves room for n in k bytes.
            var found = false
            let signing = try RSAPKCS1Context(key: key.key, digest: .sha256, purpose: .sign)
            for i in 0..<200 where !found {
                let text = Array("a=\(i)".utf8)
                let sigma = try text.withUnsafeBytes { try signing.sign($0) }
                var sum = [UInt8](repeating: 0, count: k)
                var carry = 0
                for j in stride(from: k - 1, through: 0, by: -1) {
                    let v = Int(sigma[j]) + Int(n[j]) + carry
                    sum[j] = UInt8(v & 0xFF)
                    carry = v >> 8
                }
                guard carry == 0 else { continue }
                found = true
                let valid = context.verify(text, sigma, direct: true)
                let direct = context.verify(text, sum, direct: true)
                let evp = context.verify(text, sum, direct: false)
                #expect(valid, "\(name): the signature itself")
                #expect(!direct && !evp, "\(name) signature + n: direct \(direct), EVP_PKEY_verify \(evp)")
            }
            #expect(found, "\(name): no signature left room for n")
            // Random numbers below the modulus open to random blocks: refused by both.
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<20 {
                var signature = (0..<k).map { _ in UInt8.random(in: 0...255, using: &generator) }
                signature[0] = n[0] > 0 ? UInt8.random(in: 0..<n[0], using: &generator) : 0
                let direct = context.verify(message, signature, direct: true)
                let evp = context.verify(message, signature, direct: false)
                #expect(direct == evp && !direct, "\(name): a random number")
            }
        }
    }
}

extension RSAPKCS1Context {
    /// The verdict over arrays: on the direct path, or (`direct: false`) through `EVP_PKEY_verify`.
    func verify(_ message: [UInt8], _ signature: [UInt8], direct: Bool) -> Bool {
        message.withUnsafeBytes { m in signature.withUnsafeBytes { verify(m, signature: $0, direct: direct) } }
    }
}
