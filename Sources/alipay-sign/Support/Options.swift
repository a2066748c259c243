import AlipaySign
import ArgumentParser

extension SignType: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = try? SignType(protocolName: argument) else { return nil }
        self = value
    }

    public static var allValueStrings: [String] { ["RSA2", "RSA", "SM2"] }
}

extension SignContent.Mode: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument) }
}

extension NotificationVerifier.Mode: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// `--charset`, `--json` and the INPUT argument, shared by every subcommand.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The charset whose bytes are signed or verified: UTF-8 (default), GBK, GB18030.")
    var charset: String?

    @Flag(name: .long, help: "Print one JSON object on standard output.")
    var json = false

    @Argument(help: "The input file; standard input when '-' or absent.")
    var input: String?

    /// The `--charset` given, parsed; an unknown name is an input error (exit 2).
    func parsedCharset() throws -> AlipaySign.Charset? {
        try charset.map { try AlipaySign.Charset(name: $0) }
    }
}

/// `--sign-type`, with a warning on standard error for the legacy SHA-1 type.
struct SignTypeOption: ParsableArguments {
    @Option(name: .long, help: "RSA2 (SHA256withRSA, the default), SM2 (SM3withSM2) or RSA (legacy SHA1withRSA).")
    var signType: SignType = .rsa2

    func resolved() -> SignType {
        if signType == .legacyRSA {
            Terminal.warn("sign_type RSA is SHA1withRSA, a legacy algorithm; Alipay recommends RSA2")
        }
        return signType
    }
}

/// `--public-key FILE | --cert FILE`: the key that verifies.
struct VerificationKeyOptions: ParsableArguments {
    @Option(name: .long, help: "A public key file: SPKI or PKCS#1, PEM, bare base64 or DER.")
    var publicKey: String?

    @Option(name: .long, help: "A certificate file whose (first) certificate's public key verifies.")
    var cert: String?

    @Flag(name: .long, help: "Accept RSA keys of 1024 to 2047 bits (weak; legacy set-ups only).")
    var allowWeakKey = false

    func validate() throws {
        switch (publicKey, cert) {
        case (nil, nil): throw ValidationError("give --public-key FILE or --cert FILE")
        case (.some, .some): throw ValidationError("give --public-key or --cert, not both")
        default: break
        }
    }

    func load() throws -> PublicKey { try loadWithSN().key }

    /// The key, and with --cert the SN of the certificate it came from (the `alipay_cert_sn` it verifies).
    func loadWithSN() throws -> (key: PublicKey, sn: String?) {
        if let cert {
            let certificate = try CertificateFile(parsing: try Input.bytes(cert, what: "certificate")).firstCertificate()
            return (allowWeakKey ? try certificate.publicKeyAllowingWeakKey() : try certificate.publicKey(), certificate.sn)
        }
        let bytes = try Input.bytes(publicKey, what: "public key")
        return (allowWeakKey ? try PublicKey(parsingAllowingWeakKey: bytes) : try PublicKey(parsing: bytes), nil)
    }
}

/// `--public-key FILE | --cert FILE...`: Alipay's key for responses, or its certificates (the response's SN picks).
struct AlipayKeyOptions: ParsableArguments {
    @Option(name: .long, help: "Alipay's public key file: SPKI or PKCS#1, PEM, bare base64 or DER.")
    var publicKey: String?

    @Option(name: .long, help: "An Alipay public-key certificate (repeat for several: the response's SN picks one).")
    var cert: [String] = []

    @Flag(name: .long, help: "Accept RSA keys of 1024 to 2047 bits (weak; legacy set-ups only).")
    var allowWeakKey = false

    func validate() throws {
        if publicKey == nil && cert.isEmpty { throw ValidationError("give --public-key FILE or --cert FILE") }
        if publicKey != nil && !cert.isEmpty { throw ValidationError("give --public-key or --cert, not both") }
    }

    /// What was given: one key (with the SN of its certificate, when it came from one), or a registry.
    enum Keys {
        case single(PublicKey, certificateSN: String?)
        case registry(AlipayPublicKeyRegistry)
    }

    func load() throws -> Keys {
        if let publicKey {
            let bytes = try Input.bytes(publicKey, what: "public key")
            return .single(allowWeakKey ? try PublicKey(parsingAllowingWeakKey: bytes) : try PublicKey(parsing: bytes), certificateSN: nil)
        }
        if cert.count == 1 {
            let certificate = try CertificateFile(parsing: try Input.bytes(cert[0], what: "certificate")).firstCertificate()
            let key = allowWeakKey ? try certificate.publicKeyAllowingWeakKey() : try certificate.publicKey()
            return .single(key, certificateSN: certificate.sn)
        }
        var registry = AlipayPublicKeyRegistry()
        for file in cert {
            try registry.add(certificateFile: try Input.bytes(file, what: "certificate"), allowWeakKey: allowWeakKey)
        }
        return .registry(registry)
    }
}

/// Prints either the text lines or the JSON object.
func emit(json: Bool, _ object: @autoclosure () -> JSONOutput, text: @autoclosure () -> String) {
    print(json ? object().rendered() : text())
}

/// Refuses a time window that is not a number of seconds, 0 or more (a usage error): NaN compares false with
/// everything, so it would silently turn a check off, and a negative window would flag everything.
/// - Parameters:
///   - seconds: the option's value, `nil` when not given.
///   - option: the option's name, for the message (`--max-age`).
func validateSeconds(_ seconds: Double?, option: String) throws {
    if let seconds, !(seconds >= 0) { throw ValidationError("\(option) must be a number of seconds, 0 or more") }
}
