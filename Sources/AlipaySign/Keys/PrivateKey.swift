/// An RSA or SM2 private key, parsed once, immutable, and safe to share across threads and tasks.
///
/// Accepts PKCS#1 and PKCS#8, as PEM, as the bare base64 Alipay's tools give (any whitespace, any line length),
/// or as DER (docs/PROTOCOL.md §2.4). ``format`` and ``encoding`` say what was found.
///
/// Nothing about the key's secret parts ever appears in an error or a description.
public final class PrivateKey: Sendable, CustomStringConvertible {
    let key: EVPKey
    /// The structure the key was found in.
    public let format: KeyFormat
    /// How the key's bytes were written.
    public let encoding: KeyEncoding
    /// The key size in bits (the modulus for RSA, 256 for SM2).
    public let bits: Int
    /// RSA or SM2.
    public var algorithm: KeyAlgorithm { key.isSM2 ? .sm2 : .rsa }
    /// The public half, as the DER of a SubjectPublicKeyInfo.
    public let publicKeyDER: [UInt8]

    /// Parses a private key of 2048 bits or more.
    /// - Parameter input: the key file's bytes: PEM, bare base64 or DER, PKCS#1 or PKCS#8.
    /// - Throws: ``AlipaySignError`` with code `malformedKey`, `unsupportedKey` or `weakKey`.
    public convenience init(parsing input: [UInt8]) throws {
        try self.init(input, policy: .standard)
    }

    /// Parses a private key from text (PEM or bare base64).
    /// - Parameter text: the key as text.
    /// - Throws: ``AlipaySignError`` with code `malformedKey`, `unsupportedKey` or `weakKey`.
    public convenience init(parsing text: String) throws {
        try self.init(Array(text.utf8), policy: .standard)
    }

    /// Parses a private key, accepting legacy 1024-bit to 2047-bit keys as well.
    /// - Parameter input: the key file's bytes: PEM, bare base64 or DER, PKCS#1 or PKCS#8.
    /// - Throws: ``AlipaySignError`` with code `malformedKey`, `unsupportedKey`, or `weakKey` under 1024 bits.
    /// - Warning: keys under 2048 bits are weak. Use this only to work with legacy `sign_type=RSA` set-ups.
    public convenience init(parsingAllowingWeakKey input: [UInt8]) throws {
        try self.init(input, policy: .allowWeak1024)
    }

    /// A new RSA key, for tests and for the local gateway's "wrong key" fault; never for production keys,
    /// which Alipay's tools make and the app keeps.
    /// - Parameter bits: the modulus size.
    /// - Throws: ``AlipaySignError/Code/backendFailure`` when OpenSSL cannot generate the key.
    package static func generatedRSA(bits: Int = 2048) throws -> PrivateKey {
        let key = try OpenSSL.generateRSA(bits: bits)
        return PrivateKey(key: key, format: .pkcs8, encoding: .der, publicKeyDER: try key.subjectPublicKeyInfo())
    }

    /// A new SM2 key, for tests and the gateway's "wrong key" fault in SM2; never for production keys.
    /// - Throws: ``AlipaySignError/Code/backendFailure`` when OpenSSL cannot generate the key.
    package static func generatedSM2() throws -> PrivateKey {
        let key = try OpenSSL.generateSM2()
        return PrivateKey(key: key, format: .pkcs8, encoding: .der, publicKeyDER: try key.subjectPublicKeyInfo())
    }

    private init(key: EVPKey, format: KeyFormat, encoding: KeyEncoding, publicKeyDER: [UInt8]) {
        self.key = key
        self.format = format
        self.encoding = encoding
        self.bits = key.bits
        self.publicKeyDER = publicKeyDER
    }

    init(_ input: [UInt8], policy: KeySizePolicy) throws {
        let what = "private key"
        let found = try LocatedDER.locate(input, what: what)
        if found.encrypted || found.structure == .encryptedPKCS8 {
            throw AlipaySignError(
                .unsupportedKey, "the private key is encrypted",
                hint: "decrypt it first: openssl pkey -in KEY -out plain.pem")
        }
        let kind: OpenSSL.DERKind
        switch found.structure {
        case .pkcs1PrivateKey:
            kind = .pkcs1Private
            format = .pkcs1Private
        case .pkcs8PrivateKey:
            kind = .pkcs8Private
            format = .pkcs8
        case .subjectPublicKeyInfo, .pkcs1PublicKey:
            throw AlipaySignError(
                .unsupportedKey, "a public key was given where a private key was expected",
                hint: "signing needs the app's private key; public keys verify")
        case .certificate:
            throw AlipaySignError(
                .unsupportedKey, "a certificate was given where a private key was expected",
                hint: "in certificate mode the app still signs with its private key; the certificate only gives app_cert_sn")
        case .sec1ECPrivateKey:
            throw AlipaySignError(
                .unsupportedKey, "the private key is an EC key in SEC1 form; the SDKs read keys as PKCS#8",
                hint: "an SM2 key is given as PKCS#8: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.p8.pem")
        case .truncated(let declared, let present):
            throw AlipaySignError(
                .malformedKey, "the private key is truncated: its DER declares \(declared) bytes, \(present) are present",
                hint: "copy the whole key; the file may have been cut short")
        case .encryptedPKCS8, .unknown:
            throw AlipaySignError(
                .malformedKey, "the private key's DER is not a PKCS#1 or PKCS#8 private key",
                hint: "the key may be truncated; a private key starts with MII and is about 1,600 base64 characters for 2048 bits")
        }
        guard let key = OpenSSL.parseKey(found.der, as: kind) else {
            throw AlipaySignError(
                .malformedKey, "the private key looks like \(found.structure.humanName) but does not parse",
                hint: "the key may be truncated or altered")
        }
        guard key.isRSA || key.isSM2 else {
            throw AlipaySignError(
                .unsupportedKey,
                "the private key is a \(key.typeName) key; Alipay's sign types need an RSA key (RSA2, RSA) or an SM2 key (SM2)")
        }
        if key.isRSA { try policy.check(bits: key.bits, what: what) }
        self.key = key
        self.encoding = found.encoding
        self.bits = key.bits
        self.publicKeyDER = try key.subjectPublicKeyInfo()
    }

    /// The matching public key.
    public var publicKey: PublicKey {
        PublicKey(key: key, format: .spki, encoding: .der, bits: bits, publicKeyDER: publicKeyDER)
    }

    /// `sha256:` and the lowercase hex SHA-256 of the public half's SubjectPublicKeyInfo DER (the same value as
    /// `openssl pkey -pubout -outform DER | sha256sum`).
    public var fingerprint: String { KeyFingerprint.of(publicKeyDER) }

    /// Whether `publicKey` is this key's public half.
    /// - Parameter publicKey: a public key, such as the one configured as Alipay's.
    /// - Returns: `true` when the two keys pair (the app's own public key configured as Alipay's, say).
    public func matches(_ publicKey: PublicKey) -> Bool { publicKey.publicKeyDER == publicKeyDER }

    /// The key's size, format and encoding; never its material.
    public var description: String {
        "\(algorithm == .sm2 ? "SM2" : "RSA-\(bits)") private key, \(format.rawValue) in \(encoding)"
    }
}

enum KeyFingerprint {
    static func of(_ spki: [UInt8]) -> String {
        "sha256:" + Hex.lower(OpenSSL.sha256(spki))
    }
}
