internal import COpenSSL

/// SM3withSM2 with the distinguishing ID `1234567812345678`, the only one the SDKs use (docs/PROTOCOL.md §10).
/// The ID is set on the signature context after `EVP_DigestSignInit_ex` and before the data (OpenSSL 3.0 ignores a
/// `distid` given at init, and without one it uses an empty ID). Signatures are DER `SEQUENCE{r, s}`, randomised.
final class SM2Context: @unchecked Sendable {
    private let key: EVPKey
    static let id: [UInt8] = Array("1234567812345678".utf8)
    /// The largest DER signature: two 33-byte INTEGERs and their headers.
    static let maximumSignatureSize = 72

    init(key: EVPKey) { self.key = key }

    /// A digest-sign or digest-verify context with the ID set; `nil` on any failure.
    private func context(sign: Bool) -> OpaquePointer? {
        guard let md = EVP_MD_CTX_new() else { return nil }
        var pctx: OpaquePointer? = nil
        let initialised = sign
            ? EVP_DigestSignInit_ex(md, &pctx, "SM3", nil, nil, key.pointer, nil)
            : EVP_DigestVerifyInit_ex(md, &pctx, "SM3", nil, nil, key.pointer, nil)
        guard initialised == 1, let pctx,
            Self.id.withUnsafeBytes({ EVP_PKEY_CTX_set1_id(pctx, $0.baseAddress, Int32($0.count)) }) == 1
        else {
            EVP_MD_CTX_free(md)
            return nil
        }
        return md
    }

    func sign(_ message: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard let md = context(sign: true) else { throw OpenSSL.failure("SM2 sign set-up") }
        defer { EVP_MD_CTX_free(md) }
        var signature = [UInt8](zeros: Self.maximumSignatureSize)
        var length = signature.count
        guard EVP_DigestSign(md, &signature, &length, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
        else { throw OpenSSL.failure("EVP_DigestSign (SM2)") }
        signature.removeSubrange(length...)
        return signature
    }

    /// `true` only for a valid signature; every failure is `false` (opaque by design).
    func verify(_ message: UnsafeRawBufferPointer, signature: UnsafeRawBufferPointer) -> Bool {
        guard !signature.isEmpty, signature.count <= Self.maximumSignatureSize, let sig = signature.baseAddress,
            let md = context(sign: false)
        else { return false }
        defer { EVP_MD_CTX_free(md) }
        let ok = EVP_DigestVerify(
            md, sig.assumingMemoryBound(to: UInt8.self), signature.count,
            message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
        if !ok { ERR_clear_error() }
        return ok
    }
}

/// The signature primitive of a sign type: RSASSA-PKCS1-v1_5 with a pooled context, or SM3withSM2.
enum SignatureContext: Sendable {
    case rsa(RSAPKCS1Context)
    case sm2(SM2Context)

    /// The context for a key and a sign type; the key must be of the sign type's algorithm.
    init(key: EVPKey, signType: SignType, purpose: RSAPKCS1Context.Purpose) throws {
        switch signType {
        case .rsa2, .legacyRSA:
            guard key.isRSA else {
                throw AlipaySignError(
                    .unsupportedKey, "sign_type \(signType.rawValue) needs an RSA key, and this is an \(key.isSM2 ? "SM2" : key.typeName) key",
                    hint: key.isSM2 ? "an SM2 key signs and verifies with sign type SM2" : nil)
            }
            self = .rsa(try RSAPKCS1Context(key: key, digest: signType == .rsa2 ? .sha256 : .sha1, purpose: purpose))
        case .sm2:
            guard key.isSM2 else {
                throw AlipaySignError(
                    .unsupportedKey, "sign_type SM2 needs a key on the SM2 curve, and this is an \(key.typeName) key",
                    hint: key.isRSA ? "an RSA key signs and verifies with sign type RSA2 (or the legacy RSA)" : nil)
            }
            self = .sm2(SM2Context(key: key))
        }
    }

    func sign(_ message: UnsafeRawBufferPointer) throws -> [UInt8] {
        switch self {
        case .rsa(let c): try c.sign(message)
        case .sm2(let c): try c.sign(message)
        }
    }

    func verify(_ message: UnsafeRawBufferPointer, signature: UnsafeRawBufferPointer) -> Bool {
        switch self {
        case .rsa(let c): c.verify(message, signature: signature)
        case .sm2(let c): c.verify(message, signature: signature)
        }
    }

    func verify(_ message: UnsafeRawBufferPointer, signature: [UInt8]) -> Bool {
        signature.withUnsafeBytes { verify(message, signature: $0) }
    }
}
