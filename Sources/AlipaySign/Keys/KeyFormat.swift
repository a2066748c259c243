/// The structure a key was found in (docs/PROTOCOL.md §2.4: which SDK expects which).
public enum KeyFormat: String, Sendable, CaseIterable {
    /// PKCS#1 `RSAPrivateKey` (the .NET and Python SDKs' private key; PEM `RSA PRIVATE KEY`).
    case pkcs1Private = "PKCS#1"
    /// PKCS#8 `PrivateKeyInfo` (the Java SDK's private key, "JAVA适用"; PEM `PRIVATE KEY`).
    case pkcs8 = "PKCS#8"
    /// X.509 `SubjectPublicKeyInfo` (every SDK's public key; PEM `PUBLIC KEY`).
    case spki = "SPKI"
    /// PKCS#1 `RSAPublicKey` (PEM `RSA PUBLIC KEY`).
    case pkcs1Public = "PKCS#1 public"
    /// The public key inside an X.509 certificate.
    case certificate = "X.509 certificate"
}

/// How the key's bytes were written.
public enum KeyEncoding: Sendable, Equatable, CustomStringConvertible {
    /// PEM, with the label of the block the key came from.
    case pem(label: String)
    /// The bare base64 of the DER (the form Alipay's key tool and console give), any whitespace.
    case base64
    /// Binary DER.
    case der

    public var description: String {
        switch self {
        case .pem(let label): "PEM (\(label))"
        case .base64: "bare base64"
        case .der: "DER"
        }
    }
}

/// RSA key-size policy (docs/PROTOCOL.md §2.4): 2048 bits and up by default; 1024-bit keys only through APIs whose
/// names say they are weak; under 1024 bits never.
/// The algorithm of a key: RSA (sign types RSA2 and RSA) or SM2 (sign type SM2).
public enum KeyAlgorithm: String, Sendable, Hashable {
    /// An RSA key.
    case rsa = "RSA"
    /// An EC key on the SM2 curve (1.2.156.10197.1.301).
    case sm2 = "SM2"

    /// The sign types a key of this algorithm works with.
    public var signTypes: [SignType] {
        switch self {
        case .rsa: [.rsa2, .legacyRSA]
        case .sm2: [.sm2]
        }
    }
}

enum KeySizePolicy {
    case standard
    case allowWeak1024

    var minimumBits: Int {
        switch self {
        case .standard: 2048
        case .allowWeak1024: 1024
        }
    }

    func check(bits: Int, what: String) throws {
        if bits < 1024 {
            throw AlipaySignError(
                .weakKey, "the \(what) has \(bits) bits; RSA keys under 1024 bits are never accepted",
                hint: "generate a 2048-bit key (Alipay's RSA2 keys are 2048 bits)")
        }
        if bits < minimumBits {
            throw AlipaySignError(
                .weakKey, "the \(what) has \(bits) bits; 2048 bits is the minimum by default",
                hint: "a legacy 1024-bit key is accepted only where weak keys are allowed explicitly (parsingAllowingWeakKey:)")
        }
    }
}

/// What the parse of key text found: the DER and where it came from.
struct LocatedDER {
    let der: [UInt8]
    let structure: DERStructure
    let encoding: KeyEncoding
    let encrypted: Bool

    /// Finds the first key or certificate in `input`.
    static func locate(_ input: [UInt8], what: String) throws -> LocatedDER {
        switch try KeyText.read(input, what: what) {
        case .pem(let blocks):
            // The first block decides: a file holding a certificate first is a certificate file.
            let block = blocks[0]
            return LocatedDER(
                der: block.der, structure: DERStructure.classify(block.der), encoding: .pem(label: block.label),
                encrypted: block.hasEncryptionHeaders || block.label == "ENCRYPTED PRIVATE KEY")
        case .der(let der):
            return LocatedDER(der: der, structure: DERStructure.classify(der), encoding: .der, encrypted: false)
        case .base64(let der):
            return LocatedDER(der: der, structure: DERStructure.classify(der), encoding: .base64, encrypted: false)
        }
    }
}
