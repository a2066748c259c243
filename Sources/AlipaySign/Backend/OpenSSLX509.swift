internal import COpenSSL

/// An owned `X509`, parsed once from DER. Immutable after creation; OpenSSL documents concurrent read-only use
/// of a certificate as safe, which is what makes the `@unchecked Sendable` sound (docs/BACKEND.md §2).
final class X509Handle: @unchecked Sendable {
    private let pointer: OpaquePointer

    private init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_free(pointer) }

    /// Parses one DER certificate that must fill `der` exactly; `nil` when OpenSSL rejects it.
    static func parse(_ der: [UInt8]) -> X509Handle? {
        defer { ERR_clear_error() }
        return der.withUnsafeBufferPointer { buf -> X509Handle? in
            guard let base = buf.baseAddress else { return nil }
            var p: UnsafePointer<UInt8>? = base
            guard let x509 = d2i_X509(nil, &p, buf.count) else { return nil }
            let handle = X509Handle(owning: x509)
            guard let p, p == base + buf.count else { return nil }
            // An SM2-signed certificate is verified with the ID 1234567812345678, as BouncyCastle (the Java SDK's
            // provider) verifies it; OpenSSL 3.0 uses an empty ID otherwise (docs/PROTOCOL.md §10). Set once,
            // before the handle is shared.
            if X509_get_signature_nid(x509) == NID_SM2_with_SM3, let id = ASN1_OCTET_STRING_new() {
                guard SM2Context.id.withUnsafeBufferPointer({ ASN1_OCTET_STRING_set(id, $0.baseAddress, Int32($0.count)) }) == 1
                else {
                    ASN1_OCTET_STRING_free(id)
                    return nil
                }
                X509_set0_distinguishing_id(x509, id)
            }
            return handle
        }
    }

    /// The certificate's public key (a new reference each call).
    func publicKey() -> EVPKey? {
        defer { ERR_clear_error() }
        return X509_get_pubkey(pointer).map { EVPKey(owning: $0) }
    }

    /// Whether the certificate's signature verifies under `key`. OpenSSL also requires the TBS signature
    /// algorithm to equal the outer one, as the JDK's `X509Certificate.verify` does.
    func isSigned(by key: EVPKey) -> Bool {
        defer { ERR_clear_error() }
        return X509_verify(pointer, key.pointer) == 1
    }
}

extension OpenSSL {
    /// MD5 of bytes: only for certificate SNs, which the protocol defines with MD5 (docs/PROTOCOL.md §3.1).
    static func md5(_ bytes: [UInt8]) throws -> [UInt8] {
        guard let md5 = Digest.md5 else {
            throw AlipaySignError(
                .backendFailure, "OpenSSL offers no MD5, which certificate SNs need",
                hint: "the OpenSSL configuration allows only FIPS algorithms; certificate SNs are MD5 by protocol")
        }
        var out = [UInt8](repeating: 0, count: 16)
        var n: UInt32 = 0
        guard EVP_Digest(bytes, bytes.count, &out, &n, md5.md, nil) == 1, n == 16 else { throw failure("EVP_Digest(MD5)") }
        return out
    }
}
