/// Whose key a signature is checked with: the two parties of the protocol.
public enum KeyRole: String, Sendable, Hashable, CaseIterable {
    /// Alipay's key: it signs responses and notifications.
    case alipay
    /// The app's (merchant's) key: it signs requests.
    case app
}

/// A public key a diagnosis may try besides the verifier's own, and whose it is.
public struct DiagnosticKey: Sendable {
    /// The key.
    public let publicKey: PublicKey
    /// Whose key it is.
    public let role: KeyRole
    /// The SN of the certificate the key came from, when it came from one.
    public let certificateSN: String?

    /// - Parameters:
    ///   - publicKey: the key.
    ///   - role: whose key it is.
    ///   - certificateSN: the SN of its certificate, in certificate mode.
    public init(_ publicKey: PublicKey, role: KeyRole, certificateSN: String? = nil) {
        self.publicKey = publicKey
        self.role = role
        self.certificateSN = certificateSN
    }
}

/// Why a signature does or does not verify: the variant of the content, sign type, charset and key that makes it
/// verify (docs/PROTOCOL.md §8). Every verifier's `diagnose(...)` returns one, or `nil` when no known variant
/// verifies; renderers (the conformance reports, the command line) only print it.
///
/// A diagnosis is structural, never cryptographic: it says which of a fixed set of well-known mistakes explains
/// the failure, by trying each one, and nothing about how the signature failed.
public struct Diagnosis: Sendable, Hashable {
    /// Which canonical content the signature covers.
    public enum ContentVariant: String, Sendable, Hashable {
        /// A request's content: every parameter but `sign`.
        case request
        /// A notification's V1 content: without `sign` and `sign_type`.
        case notificationV1
        /// A notification's V2 content: without `sign` only.
        case notificationV2
        /// A response's extracted node.
        case response
    }

    /// How whitespace in the values differed from what was signed.
    public enum WhitespaceChange: String, Sendable, Hashable {
        /// A space in a value was a `+` when signed: a `+` decoded as a space somewhere on the way.
        case spacesWerePlus
        /// Leading or trailing whitespace in a value was not there when signed.
        case trimmed
    }

    /// The content variant that verifies.
    public let contentVariant: ContentVariant
    /// The sign type that verifies.
    public let signType: SignType
    /// The charset whose bytes verify.
    public let charset: Charset
    /// Whose key verifies.
    public let keyRole: KeyRole
    /// The SN of the certificate whose key verifies, in certificate mode.
    public let keyCertificateSN: String?
    /// Whether every `\/` in the content had to be read as `/` (the Java SDK's second try on responses).
    public let slashesUnescaped: Bool
    /// Whether the values had to be percent-decoded once more: they were encoded twice on the way.
    public let valuesDecodedTwice: Bool
    /// Whether whitespace in the values was altered in transit.
    public let whitespace: WhitespaceChange?
    /// The exact content that verifies.
    public let content: String
    /// Whether this is what the verifier expects (its sign type, charset and key, an accepted content variant,
    /// nothing altered): then the signature verifies as given.
    public let verifiesAsExpected: Bool
    /// The sign type the verifier expected.
    public let expectedSignType: SignType
    /// The charset the verifier expected.
    public let expectedCharset: Charset
    /// Whether the key that verifies is not the verifier's own (another party's, or another certificate's).
    public let isOtherKey: Bool
}

/// The search behind every `diagnose(...)`: content variants × sign types × charsets × keys, the expected
/// combination first; the first that verifies is the diagnosis.
struct DiagnosisSearch {
    /// A content to try, with what was changed to make it.
    struct Candidate {
        var variant: Diagnosis.ContentVariant
        var content: String
        var slashesUnescaped = false
        var valuesDecodedTwice = false
        var whitespace: Diagnosis.WhitespaceChange?
        /// Whether the verifier accepts this variant as it is (V1 or V2 for a notification in auto mode).
        var accepted = false
    }

    /// The verifier's own key first.
    let keys: [DiagnosticKey]
    let signType: SignType
    let charset: Charset

    func first(signature: String, candidates: [Candidate]) -> Diagnosis? {
        // The sign itself may have been through the same mistake as the values: a `+` read as a space, or encoded
        // twice. Each form of it is tried in turn, the altered ones marking the diagnosis as the values' would.
        var forms: [(raw: [UInt8], mark: (inout Candidate) -> Void)] = []
        if signature.utf8.contains(0x20) {
            if let raw = Base64.decode(signature.replacingAll(" ", with: "+")) {
                forms.append((raw, { $0.whitespace = .spacesWerePlus; $0.accepted = false }))
            }
        } else if let raw = Base64.decode(signature) {
            forms.append((raw, { _ in }))
        }
        if let once = Self.decodingOnceMore(signature), once != signature, let raw = Base64.decode(once) {
            forms.append((raw, { $0.valuesDecodedTwice = true; $0.accepted = false }))
        }
        for form in forms {
            let marked = candidates.map { c -> Candidate in
                var c = c
                form.mark(&c)
                return c
            }
            if let d = first(raw: form.raw, candidates: marked) { return d }
        }
        return nil
    }

    private func first(raw: [UInt8], candidates: [Candidate]) -> Diagnosis? {
        let charsets = [charset] + [Charset.utf8, .gbk].filter { $0 != charset }
        let types = [signType] + SignType.allCases.filter { $0 != signType }
        for (k, key) in keys.enumerated() {
            // Under an RSA key one public operation tells which hash the signature carries, and whose digest: only
            // candidates with that digest are verified, instead of every candidate under every RSA sign type.
            let opened = OpenedSignature(raw, key: key.publicKey)
            for type in types {
                if case .none = opened.digest(for: type) { continue }
                guard let verifier = try? SignatureVerifier(sharingContextOf: key.publicKey, signType: type) else { continue }
                for cs in charsets {
                    for candidate in candidates {
                        guard let bytes = try? cs.encode(candidate.content), opened.mayVerify(bytes, as: type),
                            verifier.isValidSignature(raw, for: bytes)
                        else { continue }
                        let expected = k == 0 && type == signType && cs == charset && candidate.accepted
                        return Diagnosis(
                            contentVariant: candidate.variant, signType: type, charset: cs, keyRole: key.role,
                            keyCertificateSN: key.certificateSN, slashesUnescaped: candidate.slashesUnescaped,
                            valuesDecodedTwice: candidate.valuesDecodedTwice, whitespace: candidate.whitespace,
                            content: candidate.content, verifiesAsExpected: expected, expectedSignType: signType,
                            expectedCharset: charset, isOtherKey: k != 0)
                    }
                }
            }
        }
        return nil
    }

    /// What a signature opens to under an RSA public key (RFC 8017 §8.2.2: the public operation, then the
    /// EMSA-PKCS1-v1_5 encoding compared whole). `EVP_PKEY_verify` accepts exactly the block `0x00 0x01 FF… 0x00`
    /// followed by the `DigestInfo` of the sign type's hash (RFC 8017 §9.2, note 1) over the content, so the
    /// opened block decides which sign type can verify and which digest the content must have.
    enum OpenedSignature {
        /// Not an RSA key: every candidate is verified.
        case notRSA
        /// The padding does not check, or the block is no `DigestInfo` of SHA-1 or SHA-256: no RSA sign type
        /// verifies, whatever the content.
        case nothingVerifies
        /// The block carries this digest of this hash.
        case digest(SignType, [UInt8])

        init(_ signature: [UInt8], key: PublicKey) {
            guard key.key.isRSA else {
                self = .notRSA
                return
            }
            // A key with exponent 65537 opens the signature on the key's shared context (docs/BACKEND.md §5): the
            // whole block compared with each sign type's encoding, `00 01 FF… 00 DigestInfo`, and the digest after
            // it. That accepts what `init(throughEVP:)` does, OpenSSL's padding check and then the DigestInfo
            // comparison: the encoding's length fixes the run of FF bytes, at least eight.
            if case .rsa(let context)? = try? key.sharedVerificationContext(.rsa2), context.verifiesDirectly {
                guard let block = context.openedBlock(signature) else {
                    self = .nothingVerifies
                    return
                }
                for (type, md) in [(SignType.rsa2, Digest.sha256), (.legacyRSA, .sha1)] {
                    guard let prefix = RSAPublicModulus.encodedPrefix(size: block.count, digestInfo: md.digestInfo, digestSize: md.size),
                        block.starts(with: prefix)
                    else { continue }
                    self = .digest(type, Array(block[prefix.count...]))
                    return
                }
                self = .nothingVerifies
                return
            }
            self.init(throughEVP: signature, key: key)
        }

        /// The same through `EVP_PKEY_verify_recover` (PKCS#1 v1.5 padding checked), for any RSA key.
        init(throughEVP signature: [UInt8], key: PublicKey) {
            guard key.key.isRSA else {
                self = .notRSA
                return
            }
            guard let block = key.key.openPKCS1Signature(signature) else {
                self = .nothingVerifies
                return
            }
            for (type, md) in [(SignType.rsa2, Digest.sha256), (.legacyRSA, .sha1)]
            where block.count == md.digestInfo.count + md.size && block.starts(with: md.digestInfo) {
                self = .digest(type, Array(block[md.digestInfo.count...]))
                return
            }
            self = .nothingVerifies
        }

        /// For a sign type: `nil` when no content can verify under it; `.some(nil)` when every candidate must be
        /// verified; otherwise the hash and the digest a candidate's bytes must have to be worth verifying.
        func digest(for type: SignType) -> (Digest, [UInt8])?? {
            switch (self, type) {
            case (.notRSA, _), (_, .sm2): return .some(nil)
            case (.nothingVerifies, _): return nil
            case (.digest(let carried, let digest), _):
                guard carried == type else { return nil }
                return .some((type == .rsa2 ? Digest.sha256 : Digest.sha1, digest))
            }
        }

        /// Whether `bytes` may verify under `type`: `false` only when they cannot, so that only they need a
        /// verification.
        func mayVerify(_ bytes: [UInt8], as type: SignType) -> Bool {
            switch digest(for: type) {
            case .none: false
            case .some(.none): true
            case .some(.some(let (md, digest))): md.hash(bytes) == digest
            }
        }
    }

    /// The content variants of a parameter set: as given, values decoded once more, spaces that were `+`,
    /// values that were not padded, each in every content mode (docs/PROTOCOL.md §8).
    static func parameterCandidates(
        _ parameters: [String: String], modes: [(Diagnosis.ContentVariant, SignContent.Mode, accepted: Bool)]
    ) -> [Candidate] {
        var out: [Candidate] = []
        for (variant, mode, accepted) in modes {
            out.append(Candidate(variant: variant, content: SignContent.build(parameters, mode: mode), accepted: accepted))
        }
        let twice = parameters.mapValues { decodingOnceMore($0) ?? $0 }
        if twice != parameters {
            for (variant, mode, _) in modes {
                out.append(Candidate(variant: variant, content: SignContent.build(twice, mode: mode), valuesDecodedTwice: true))
            }
        }
        let plus = parameters.mapValues { $0.replacingAll(" ", with: "+") }
        if plus != parameters {
            for (variant, mode, _) in modes {
                out.append(Candidate(variant: variant, content: SignContent.build(plus, mode: mode), whitespace: .spacesWerePlus))
            }
        }
        let trimmed = parameters.mapValues { $0.trimmingASCIIWhitespace() }
        if trimmed != parameters {
            for (variant, mode, _) in modes {
                out.append(Candidate(variant: variant, content: SignContent.build(trimmed, mode: mode), whitespace: .trimmed))
            }
        }
        return out
    }

    /// One more round of form decoding with the library's one decoder; `nil` when the value has nothing to decode
    /// or does not decode.
    static func decodingOnceMore(_ value: String) -> String? {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return nil }
        // The value alone, as the name of a one-pair form: its `=` and `&` are escaped so as not to split it.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count)
        for b in value.utf8 {
            switch b {
            case UInt8(ascii: "="): bytes.append(contentsOf: "%3D".utf8)
            case UInt8(ascii: "&"): bytes.append(contentsOf: "%26".utf8)
            default: bytes.append(b)
            }
        }
        guard let form = try? DecodedForm(decoding: bytes, charset: .utf8), form.pairs.count == 1 else { return nil }
        return form.string(form.pairs[0].name)
    }
}
