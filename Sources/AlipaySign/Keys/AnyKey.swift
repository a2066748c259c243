/// A key of either kind, for tools that inspect what a user pasted without knowing what it is.
@_spi(AlipaySignTools) public enum AnyKey: Sendable {
    case privateKey(PrivateKey)
    case publicKey(PublicKey)

    /// Parses a private key, a public key or a certificate's public key, whichever `input` holds.
    ///
    /// Keys of 1024 to 2047 bits are accepted here so that they can be reported (see ``isWeak``); signing and
    /// verifying with them still needs the APIs that say they are weak.
    public static func parse(_ input: [UInt8]) throws -> AnyKey {
        let found = try LocatedDER.locate(input, what: "key")
        switch found.structure {
        case .pkcs1PrivateKey, .pkcs8PrivateKey, .encryptedPKCS8, .sec1ECPrivateKey:
            return .privateKey(try PrivateKey(input, policy: .allowWeak1024))
        case .certificate:
            return .publicKey(try PublicKey(input, policy: .allowWeak1024, certificate: true))
        case .truncated:
            // Only the PEM label can still say which kind a truncated key was meant to be.
            if case .pem(let label) = found.encoding, label.contains("PRIVATE") {
                return .privateKey(try PrivateKey(input, policy: .allowWeak1024))
            }
            return .publicKey(try PublicKey(input, policy: .allowWeak1024, certificate: false))
        case .subjectPublicKeyInfo, .pkcs1PublicKey, .unknown:
            return .publicKey(try PublicKey(input, policy: .allowWeak1024, certificate: false))
        }
    }

    public var bits: Int {
        switch self {
        case .privateKey(let k): k.bits
        case .publicKey(let k): k.bits
        }
    }

    public var format: KeyFormat {
        switch self {
        case .privateKey(let k): k.format
        case .publicKey(let k): k.format
        }
    }

    public var encoding: KeyEncoding {
        switch self {
        case .privateKey(let k): k.encoding
        case .publicKey(let k): k.encoding
        }
    }

    public var fingerprint: String {
        switch self {
        case .privateKey(let k): k.fingerprint
        case .publicKey(let k): k.fingerprint
        }
    }

    /// RSA or SM2.
    public var algorithm: KeyAlgorithm {
        switch self {
        case .privateKey(let k): k.algorithm
        case .publicKey(let k): k.algorithm
        }
    }

    /// An RSA key under 2048 bits (an SM2 key's 256 bits are its full strength).
    public var isWeak: Bool { algorithm == .rsa && bits < 2048 }
}
