import Synchronization

/// An RSA public key, parsed once, immutable, and safe to share across threads and tasks.
///
/// Accepts SubjectPublicKeyInfo and PKCS#1 `RSAPublicKey`, as PEM, bare base64 or DER; and, through
/// ``init(certificate:)``, the key inside an X.509 certificate (the first one of a chain, as Java's
/// `CertificateFactory.generateCertificate` reads it: docs/PROTOCOL.md §3.3).
public final class PublicKey: Sendable, CustomStringConvertible {
    let key: EVPKey
    /// The structure the key was found in.
    public let format: KeyFormat
    /// How the key's bytes were written.
    public let encoding: KeyEncoding
    /// The key size in bits (the modulus for RSA, 256 for SM2).
    public let bits: Int
    /// RSA or SM2.
    public var algorithm: KeyAlgorithm { key.isSM2 ? .sm2 : .rsa }
    /// The key as the DER of a SubjectPublicKeyInfo.
    public let publicKeyDER: [UInt8]

    /// Verification contexts of this key made for the diagnosis, one a sign type (see
    /// ``sharedVerificationContext(_:)``).
    private let diagnosisContexts = Mutex<[SignType: SignatureContext]>([:])

    /// A verification context for a sign type, made on the first call and then shared by every caller: the
    /// diagnosis tries a key under several sign types for each signature it explains, and making a context each
    /// time (the Montgomery constants, a pool of OpenSSL contexts) cost about 90,000 instructions, a third of a
    /// verification, besides the contexts' first use. Verifiers that callers hold keep contexts of their own (a
    /// context shared by every thread's hot path would put its reference count on one cache line for all of them).
    /// - Throws: ``AlipaySignError/Code/unsupportedKey`` when the sign type does not fit the key.
    func sharedVerificationContext(_ signType: SignType) throws -> SignatureContext {
        if let context = diagnosisContexts.withLock({ $0[signType] }) { return context }
        let made = try SignatureContext(key: key, signType: signType, purpose: .verify)
        // Two threads may make one at once: the first stored is the one every later caller gets.
        return diagnosisContexts.withLock { contexts in
            if let stored = contexts[signType] { return stored }
            contexts[signType] = made
            return made
        }
    }

    init(key: EVPKey, format: KeyFormat, encoding: KeyEncoding, bits: Int, publicKeyDER: [UInt8]) {
        self.key = key
        self.format = format
        self.encoding = encoding
        self.bits = bits
        self.publicKeyDER = publicKeyDER
    }

    /// Parses a public key of 2048 bits or more.
    /// - Parameter input: the key file's bytes: PEM, bare base64 or DER, SPKI or PKCS#1.
    /// - Throws: ``AlipaySignError`` with code `malformedKey`, `unsupportedKey` or `weakKey`; a certificate is
    ///   refused here with a hint to use ``init(certificate:)``.
    public convenience init(parsing input: [UInt8]) throws {
        try self.init(input, policy: .standard, certificate: false)
    }

    /// Parses a public key from text (PEM or bare base64).
    /// - Parameter text: the key as text.
    /// - Throws: ``AlipaySignError`` with code `malformedKey`, `unsupportedKey` or `weakKey`.
    public convenience init(parsing text: String) throws {
        try self.init(Array(text.utf8), policy: .standard, certificate: false)
    }

    /// Parses a public key, accepting legacy 1024-bit to 2047-bit keys as well.
    /// - Parameter input: the key file's bytes.
    /// - Throws: ``AlipaySignError`` with code `malformedKey`, `unsupportedKey`, or `weakKey` under 1024 bits.
    /// - Warning: keys under 2048 bits are weak. Use this only to verify legacy `sign_type=RSA` traffic.
    public convenience init(parsingAllowingWeakKey input: [UInt8]) throws {
        try self.init(input, policy: .allowWeak1024, certificate: false)
    }

    /// The public key of a certificate (PEM, bare base64 or DER); with several, the first.
    /// - Parameter input: the certificate file's bytes.
    /// - Throws: ``AlipaySignError`` with code `malformedCertificate`, `unsupportedKey` or `weakKey`.
    public convenience init(certificate input: [UInt8]) throws {
        try self.init(input, policy: .standard, certificate: true)
    }

    /// The public key of a certificate, accepting legacy 1024-bit to 2047-bit keys as well.
    /// - Parameter input: the certificate file's bytes.
    /// - Throws: ``AlipaySignError`` with code `malformedCertificate`, `unsupportedKey`, or `weakKey` under 1024 bits.
    /// - Warning: keys under 2048 bits are weak.
    public convenience init(certificateAllowingWeakKey input: [UInt8]) throws {
        try self.init(input, policy: .allowWeak1024, certificate: true)
    }

    init(_ input: [UInt8], policy: KeySizePolicy, certificate: Bool) throws {
        let what = certificate ? "certificate" : "public key"
        let found = try LocatedDER.locate(input, what: what)
        let parsed: EVPKey?
        switch (found.structure, certificate) {
        case (.certificate, true):
            parsed = OpenSSL.certificatePublicKey(found.der)
            format = .certificate
        case (.subjectPublicKeyInfo, false):
            parsed = OpenSSL.parseKey(found.der, as: .spki)
            format = .spki
        case (.pkcs1PublicKey, false):
            parsed = OpenSSL.parseKey(found.der, as: .pkcs1Public)
            format = .pkcs1Public
        case (.certificate, false):
            throw AlipaySignError(
                .unsupportedKey, "a certificate was given where a public key was expected",
                hint: "take the key from the certificate with PublicKey(certificate:)")
        case (.subjectPublicKeyInfo, true), (.pkcs1PublicKey, true):
            throw AlipaySignError(
                .malformedCertificate, "a public key was given where a certificate was expected",
                hint: "a bare public key is read with PublicKey(parsing:)")
        case (.pkcs1PrivateKey, _), (.pkcs8PrivateKey, _), (.encryptedPKCS8, _), (.sec1ECPrivateKey, _):
            throw AlipaySignError(
                .unsupportedKey, "a private key was given where a \(what) was expected",
                hint: "verification needs Alipay's public key (or the app's, for requests); never share a private key")
        case (.truncated(let declared, let present), _):
            throw AlipaySignError(
                certificate ? .malformedCertificate : .malformedKey,
                "the \(what) is truncated: its DER declares \(declared) bytes, \(present) are present",
                hint: "copy the whole \(what); the file may have been cut short")
        case (.unknown, _):
            throw AlipaySignError(
                certificate ? .malformedCertificate : .malformedKey,
                "the \(what)'s DER is not \(certificate ? "an X.509 certificate" : "an SPKI or PKCS#1 public key")",
                hint: "the input may be truncated or altered")
        }
        guard let parsed else {
            throw AlipaySignError(
                certificate ? .malformedCertificate : .malformedKey,
                "the \(what) looks like \(found.structure.humanName) but does not parse",
                hint: "the input may be truncated or altered")
        }
        guard parsed.isRSA || parsed.isSM2 else {
            throw AlipaySignError(
                .unsupportedKey,
                "the \(what) holds a \(parsed.typeName) key; Alipay's sign types need an RSA key (RSA2, RSA) or an SM2 key (SM2)")
        }
        if parsed.isRSA { try policy.check(bits: parsed.bits, what: what == "certificate" ? "certificate's public key" : what) }
        self.key = parsed
        self.encoding = found.encoding
        self.bits = parsed.bits
        self.publicKeyDER = try parsed.subjectPublicKeyInfo()
    }

    /// `sha256:` and the lowercase hex SHA-256 of the SubjectPublicKeyInfo DER.
    public var fingerprint: String { KeyFingerprint.of(publicKeyDER) }

    /// The key's size, format and encoding.
    public var description: String {
        "\(algorithm == .sm2 ? "SM2" : "RSA-\(bits)") public key, \(format.rawValue) in \(encoding)"
    }
}
