/// Alipay's content encryption key (内容加密, `encrypt_type=AES`; docs/PROTOCOL.md §5): AES-CBC with an all-zero IV
/// and PKCS#7 padding, the key length (128, 192 or 256 bits) choosing the AES variant.
///
/// The key is given as Alipay shows it: base64, such as `aYA0GP8JEW+D7/UFaskCWA==`. Encrypt a request's
/// `biz_content` before signing (the signature covers the ciphertext); verify a response before decrypting it.
public struct AESKey: Sendable, CustomStringConvertible {
    let bytes: [UInt8]
    private static let zeroIV = [UInt8](repeating: 0, count: 16)

    /// A key as Alipay shows it.
    /// - Parameter text: the base64 of 16, 24 or 32 bytes.
    /// - Throws: ``AlipaySignError`` `malformedBase64` for text that is not base64, `unsupportedKey` for a key
    ///   that is not 16, 24 or 32 bytes.
    public init(base64 text: String) throws {
        guard let bytes = Base64.decode(Array(text.utf8)), !bytes.isEmpty else {
            throw AlipaySignError(
                .malformedBase64, "the AES key is not base64",
                hint: "give the key as Alipay shows it, such as aYA0GP8JEW+D7/UFaskCWA== (24 characters for AES-128)")
        }
        try self.init(bytes: bytes)
    }

    /// A key from its raw bytes.
    /// - Parameter bytes: 16, 24 or 32 bytes (AES-128, 192 or 256).
    /// - Throws: ``AlipaySignError/Code/unsupportedKey`` for a key that is not 16, 24 or 32 bytes.
    public init(bytes: [UInt8]) throws {
        guard [16, 24, 32].contains(bytes.count) else {
            throw AlipaySignError(
                .unsupportedKey, "the AES key is \(bytes.count) bytes; AES needs 16, 24 or 32",
                hint: "Alipay's keys are 16 bytes: 24 base64 characters ending in ==")
        }
        self.bytes = bytes
    }

    /// The AES variant's key size in bits.
    public var bits: Int { bytes.count * 8 }

    /// Never shows the key.
    public var description: String { "AES-\(bits) key" }

    /// Encrypts bytes.
    /// - Parameter plaintext: the bytes to encrypt.
    /// - Returns: the standard base64 of the ciphertext.
    /// - Throws: ``AlipaySignError/Code/backendFailure`` only if OpenSSL fails.
    public func encrypt(_ plaintext: [UInt8]) throws -> String {
        guard let out = OpenSSLAES.cbc(plaintext, key: bytes, iv: Self.zeroIV, encrypt: true) else {
            throw OpenSSL.failure("AES-CBC encryption")
        }
        return Base64.encode(out)
    }

    /// Encrypts text encoded in `charset` (Java `content.getBytes(charset)`).
    /// - Parameters:
    ///   - plaintext: the text, such as a `biz_content`.
    ///   - charset: the request's charset.
    /// - Returns: the standard base64 of the ciphertext.
    /// - Throws: ``AlipaySignError/Code/unencodableCharacter`` for text the charset cannot encode.
    public func encrypt(_ plaintext: String, charset: Charset = .utf8) throws -> String {
        try encrypt(try charset.encode(plaintext))
    }

    /// Decrypts the base64 of a ciphertext.
    /// - Parameter text: the base64 ciphertext, as bytes.
    /// - Returns: the plaintext bytes.
    /// - Throws: ``AlipaySignError`` `malformedBase64` for text that is not base64, `decryptionFailed` when the
    ///   ciphertext is not whole blocks or does not decrypt (one message for a wrong key and an altered
    ///   ciphertext: padding failures are not told apart, so the error is no padding oracle).
    public func decrypt(base64 text: some Collection<UInt8>) throws -> [UInt8] {
        guard let ciphertext = Base64.decode(text) else {
            throw AlipaySignError(.malformedBase64, "the ciphertext is not base64")
        }
        guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
            throw AlipaySignError(
                .decryptionFailed, "the ciphertext is \(ciphertext.count) bytes, not a whole number of 16-byte blocks",
                hint: "the ciphertext may be truncated, or not AES-CBC")
        }
        guard let plaintext = OpenSSLAES.cbc(ciphertext, key: bytes, iv: Self.zeroIV, encrypt: false) else {
            throw AlipaySignError(
                .decryptionFailed, "the ciphertext cannot be decrypted with this key",
                hint: "the key is not the one it was encrypted with, or the ciphertext was altered")
        }
        return plaintext
    }

    /// Decrypts the base64 of a ciphertext to text in `charset`.
    /// - Parameters:
    ///   - text: the base64 ciphertext.
    ///   - charset: the charset of the plaintext.
    /// - Returns: the plaintext.
    /// - Throws: as ``decrypt(base64:)``, and ``AlipaySignError/Code/invalidEncoding`` for a plaintext
    ///   not valid in the charset.
    public func decryptText(base64 text: String, charset: Charset = .utf8) throws -> String {
        try charset.decode(try decrypt(base64: Array(text.utf8)))
    }
}

extension AESKey {
    /// A request's parameters for `encrypt_type=AES` (docs/PROTOCOL.md §5): `biz_content` replaced by the base64 of
    /// its encryption (its bytes in `charset`), and `encrypt_type=AES` added. Sign the result: the signature
    /// covers the ciphertext.
    /// - Parameters:
    ///   - parameters: the request's parameters, with a `biz_content`.
    ///   - charset: the request's charset.
    /// - Returns: the parameters to sign and send.
    /// - Throws: ``AlipaySignError/Code/conflictingParameter`` when there is no `biz_content` to encrypt, or
    ///   `encrypt_type` is already set to something else.
    public func encryptingBizContent(of parameters: [String: String], charset: Charset = .utf8) throws -> [String: String] {
        guard let biz = parameters["biz_content"], !SignContent.isJavaEmpty(biz) else {
            throw AlipaySignError(
                .conflictingParameter, "an encrypted request needs a biz_content to encrypt",
                hint: "the Java SDK refuses too (当前API不支持加密请求)")
        }
        if let type = parameters["encrypt_type"], type != "AES" {
            throw AlipaySignError(.conflictingParameter, "the parameters have encrypt_type=\(type), not AES")
        }
        var out = parameters
        out["biz_content"] = try encrypt(biz, charset: charset)
        out["encrypt_type"] = "AES"
        return out
    }
}
