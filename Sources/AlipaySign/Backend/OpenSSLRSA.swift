import COpenSSL

/// A fetched `EVP_MD`, fetched once per process (BACKEND.md §1: implicit fetches per call cost time).
struct Digest: @unchecked Sendable {
    let md: OpaquePointer
    let size: Int

    private init(_ name: String) {
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            fatalError("OpenSSL has no \(name) digest: the default provider is not available")
        }
        self.md = md
        self.size = Int(EVP_MD_get_size(md))
    }

    static let sha256 = Digest("SHA256")
    static let sha1 = Digest("SHA1")
    /// MD5 for certificate SNs only; `nil` where the provider withholds it (a FIPS-only configuration).
    static let md5: Digest? = EVP_MD_fetch(nil, "MD5", nil).map { Digest(md: $0) }

    private init(md: OpaquePointer) {
        self.md = md
        self.size = Int(EVP_MD_get_size(md))
    }
}

/// A prepared RSASSA-PKCS1-v1_5 context for one key and one digest.
///
/// The template is set up once (padding, digest) and never used directly: each operation hashes the message,
/// duplicates the template and signs or verifies with the copy. That keeps the template immutable, so one
/// instance serves many threads (BACKEND.md §1, "hash first, then EVP_PKEY_CTX_dup": 96-97 % of `openssl speed`).
final class RSAPKCS1Context: @unchecked Sendable {
    private let template: OpaquePointer
    private let key: EVPKey
    private let digest: Digest
    let signatureSize: Int

    enum Purpose { case sign, verify }

    init(key: EVPKey, digest: Digest, purpose: Purpose) throws {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else {
            throw OpenSSL.failure("EVP_PKEY_CTX_new_from_pkey")
        }
        let initialised = purpose == .sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)
        guard initialised == 1,
            EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1,
            EVP_PKEY_CTX_set_signature_md(ctx, digest.md) == 1
        else {
            EVP_PKEY_CTX_free(ctx)
            throw OpenSSL.failure("RSA context set-up")
        }
        self.template = ctx
        self.key = key
        self.digest = digest
        self.signatureSize = Int(EVP_PKEY_get_size(key.pointer))
    }

    deinit { EVP_PKEY_CTX_free(template) }

    private func hash(_ message: UnsafeRawBufferPointer, into out: inout (UInt64, UInt64, UInt64, UInt64)) -> Int {
        var n: UInt32 = 0
        let ok = withUnsafeMutableBytes(of: &out) { o in
            EVP_Digest(message.baseAddress, message.count, o.baseAddress?.assumingMemoryBound(to: UInt8.self), &n,
                       digest.md, nil)
        }
        return ok == 1 ? Int(n) : 0
    }

    func sign(_ message: UnsafeRawBufferPointer) throws -> [UInt8] {
        var md: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let mdLength = hash(message, into: &md)
        guard mdLength > 0, let ctx = EVP_PKEY_CTX_dup(template) else { throw OpenSSL.failure("digest") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var signature = [UInt8](repeating: 0, count: signatureSize)
        var length = signatureSize
        let ok = withUnsafeBytes(of: &md) { m in
            EVP_PKEY_sign(ctx, &signature, &length, m.baseAddress?.assumingMemoryBound(to: UInt8.self), mdLength)
        }
        guard ok == 1 else { throw OpenSSL.failure("EVP_PKEY_sign") }
        if length != signatureSize { signature.removeSubrange(length...) }
        return signature
    }

    /// `true` only for a valid signature. Every failure, whatever its cause, is `false` (opaque by design).
    func verify(_ message: UnsafeRawBufferPointer, signature: [UInt8]) -> Bool {
        guard signature.count == signatureSize else { return false }
        var md: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let mdLength = hash(message, into: &md)
        guard mdLength > 0, let ctx = EVP_PKEY_CTX_dup(template) else {
            ERR_clear_error()
            return false
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        let ok = withUnsafeBytes(of: &md) { m in
            EVP_PKEY_verify(ctx, signature, signature.count, m.baseAddress?.assumingMemoryBound(to: UInt8.self),
                            mdLength)
        }
        if ok != 1 { ERR_clear_error() }
        return ok == 1
    }
}
