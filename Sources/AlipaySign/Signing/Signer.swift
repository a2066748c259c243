/// Signs v2 content: the canonical content of a request, or any text, in a charset, with one private key.
///
/// Create it once and reuse it: the key is parsed and the RSA context prepared at creation; each signature then
/// costs a hash, a context copy and OpenSSL's private-key operation. A signer is immutable and `Sendable`: one
/// instance may sign from many threads at once.
public struct Signer: Sendable {
    /// The app's private key.
    public let privateKey: PrivateKey
    /// The sign type, which decides the hash.
    public let signType: SignType
    /// The charset content is signed in.
    public let charset: Charset
    private let context: SignatureContext

    /// - Parameters:
    ///   - privateKey: the app's private key.
    ///   - signType: ``SignType/rsa2`` unless a legacy set-up needs ``SignType/legacyRSA``.
    ///   - charset: the charset the content is signed in; it must be the `charset` parameter sent.
    /// - Throws: ``AlipaySignError/Code/backendFailure`` when OpenSSL cannot prepare a context for the key.
    public init(privateKey: PrivateKey, signType: SignType = .rsa2, charset: Charset = .utf8) throws {
        self.privateKey = privateKey
        self.signType = signType
        self.charset = charset
        self.context = try SignatureContext(key: privateKey.key, signType: signType, purpose: .sign)
    }

    /// The raw signature of bytes (PKCS#1 v1.5 over the sign type's hash).
    /// - Parameter bytes: the bytes to sign.
    /// - Returns: the raw signature.
    /// - Throws: ``AlipaySignError/Code/backendFailure`` only if OpenSSL fails.
    public func signature(for bytes: [UInt8]) throws -> [UInt8] {
        try bytes.withUnsafeBytes { try context.sign($0) }
    }

    /// Signs text: encodes it in ``charset`` and returns the standard base64 signature without line breaks.
    /// - Parameter content: the exact text to sign.
    /// - Returns: the base64 signature.
    /// - Throws: ``AlipaySignError/Code/unencodableCharacter`` when the text has a character the charset lacks.
    public func sign(content: String) throws -> String {
        Base64.encode(try signature(for: try charset.encode(content)))
    }

    /// Signs a request: builds the canonical content of `parameters` (everything except `sign`; empty values
    /// dropped; docs/PROTOCOL.md §1.1) and signs it.
    /// - Parameter parameters: the request's parameters, `charset` and `sign_type` included (they are signed).
    /// - Returns: the content that was signed, its base64 signature, and the wire encoding.
    /// - Throws: ``AlipaySignError`` with ``AlipaySignError/Code/unencodableCharacter`` when a value
    ///   has a character the charset lacks.
    public func signRequest(_ parameters: [String: String]) throws -> SignedRequest {
        var unsigned = parameters
        unsigned["sign"] = nil
        if charset == .utf8 {
            let bytes = SignContent.utf8Bytes(parameters, mode: .request)
            return SignedRequest(
                signedParameters: unsigned, content: String(decoding: bytes, as: UTF8.self),
                signature: Base64.encode(try signature(for: bytes)), charset: charset)
        }
        let content = SignContent.build(parameters, mode: .request)
        return SignedRequest(
            signedParameters: unsigned, content: content, signature: try sign(content: content), charset: charset)
    }
}
