/// Verifies signatures over text or bytes with one public key, one sign type and one charset.
///
/// The hash comes from the configured ``signType``, never from the signature or the message. Create it once and
/// reuse it: the RSA context is prepared at creation; a verifier is immutable and `Sendable`.
public struct SignatureVerifier: Sendable {
    public let publicKey: PublicKey
    public let signType: SignType
    public let charset: Charset
    private let context: RSAPKCS1Context

    public init(publicKey: PublicKey, signType: SignType = .rsa2, charset: Charset = .utf8) throws {
        self.publicKey = publicKey
        self.signType = signType
        self.charset = charset
        self.context = try RSAPKCS1Context(key: publicKey.key, digest: signType.digest, purpose: .verify)
    }

    /// Whether `signature` is valid for `bytes`. The lowest-level primitive: a plain `Bool`, opaque on failure.
    public func isValidSignature(_ signature: [UInt8], for bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { context.verify($0, signature: signature) }
    }

    /// Whether the base64 `signature` is valid for `bytes`. Whitespace in the base64 is ignored; base64 that does
    /// not decode, or a signature of the wrong length, is simply invalid.
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

    /// Raw signature bytes over raw message bytes (the notification fast path).
    func isValidSignature(raw signature: UnsafeRawBufferPointer, for bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { context.verify($0, signature: signature) }
    }

    /// Whether the base64 `signature` is valid for `content` encoded in ``charset``.
    /// - Throws: only when `content` cannot be encoded in the charset (an input error, not a verdict).
    public func verify(content: String, signature: String) throws -> Bool {
        isValidSignature(base64: signature, for: try charset.encode(content))
    }

    /// A verifier for the same key with another sign type or charset (diagnostics try the variants).
    public func with(signType: SignType? = nil, charset: Charset? = nil) throws -> SignatureVerifier {
        try SignatureVerifier(publicKey: publicKey, signType: signType ?? self.signType, charset: charset ?? self.charset)
    }
}
