/// Verifies signatures over text or bytes with one public key, one sign type and one charset.
///
/// The hash comes from the configured ``signType``, never from the signature or the message. Create it once and
/// reuse it: the RSA context is prepared at creation; a verifier is immutable and `Sendable`.
public struct SignatureVerifier: Sendable {
    /// The key signatures are checked with.
    public let publicKey: PublicKey
    /// The sign type, which decides the hash.
    public let signType: SignType
    /// The charset text content is encoded in before it is verified.
    public let charset: Charset
    private let context: SignatureContext

    /// - Parameters:
    ///   - publicKey: the signer's public key.
    ///   - signType: the sign type, which decides the hash.
    ///   - charset: the charset text content is encoded in.
    /// - Throws: ``AlipaySignError/Code/backendFailure`` when OpenSSL cannot prepare a context for the key.
    public init(publicKey: PublicKey, signType: SignType = .rsa2, charset: Charset = .utf8) throws {
        self.publicKey = publicKey
        self.signType = signType
        self.charset = charset
        self.context = try SignatureContext(key: publicKey.key, signType: signType, purpose: .verify)
    }

    /// A verifier on the key's shared verification context (``PublicKey/sharedVerificationContext(_:)``), for the
    /// diagnosis, which tries keys under several sign types on every signature it explains.
    init(sharingContextOf publicKey: PublicKey, signType: SignType) throws {
        self.publicKey = publicKey
        self.signType = signType
        self.charset = .utf8
        self.context = try publicKey.sharedVerificationContext(signType)
    }

    /// Whether `signature` is valid for `bytes`. The lowest-level primitive: a plain `Bool`, opaque on failure.
    /// - Parameters:
    ///   - signature: the raw signature.
    ///   - bytes: the signed bytes.
    /// - Returns: whether the signature verifies.
    public func isValidSignature(_ signature: [UInt8], for bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { context.verify($0, signature: signature) }
    }

    /// Whether the base64 `signature` is valid for `bytes`. Whitespace in the base64 is ignored; base64 that does
    /// not decode, or a signature of the wrong length, is simply invalid.
    /// - Parameters:
    ///   - signature: the base64 signature.
    ///   - bytes: the signed bytes.
    /// - Returns: whether the signature verifies.
    public func isValidSignature(base64 signature: String, for bytes: [UInt8]) -> Bool {
        guard let raw = Base64.decode(signature) else { return false }
        return isValidSignature(raw, for: bytes)
    }

    /// The same, over a slice of a larger buffer (a response body), without copying it; the signature is decoded
    /// into a stack buffer.
    func isValidSignature(base64 signature: String, forSlice bytes: ArraySlice<UInt8>) -> Bool {
        var text = signature
        return text.withUTF8 { utf8 in
            Base64.withDecoded(utf8) { raw in
                guard let raw else { return false }
                return bytes.withUnsafeBytes { context.verify($0, signature: raw) }
            }
        }
    }

    /// Raw signature bytes over raw message bytes (notification verification shares one decoded signature).
    func isValidSignature(raw signature: UnsafeRawBufferPointer, for bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { context.verify($0, signature: signature) }
    }

    /// Whether the base64 `signature` is valid for `content` encoded in ``charset``.
    /// - Parameters:
    ///   - content: the signed text.
    ///   - signature: the base64 signature.
    /// - Returns: whether the signature verifies.
    /// - Throws: only when `content` cannot be encoded in the charset (an input error, not a verdict).
    public func verify(content: String, signature: String) throws -> Bool {
        isValidSignature(base64: signature, for: try charset.encode(content))
    }
}
