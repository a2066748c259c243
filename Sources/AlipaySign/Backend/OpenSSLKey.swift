internal import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An owned `EVP_PKEY`. Immutable after creation; OpenSSL documents concurrent read-only use of a key as safe,
/// which is what makes the `@unchecked Sendable` sound (docs/BACKEND.md §2).
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer
    /// The first thread that asked for ``forCallingThread()``, and the copies made for the others; guarded by
    /// `lock`, a pthread mutex (ThreadSanitizer sees it; it does not see `Synchronization.Mutex`, whose atomics are
    /// in the uninstrumented standard library, and reported its guarded accesses as a race).
    private var owner: UInt?
    private var copies: [UInt: OpaquePointer] = [:]
    private let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
        return lock
    }()

    init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit {
        for copy in copies.values { EVP_PKEY_free(copy) }
        EVP_PKEY_free(pointer)
        pthread_mutex_destroy(lock)
        lock.deinitialize(count: 1)
        lock.deallocate()
    }

    /// The key for the contexts a thread makes to use itself: this key for the first thread that asks, a copy
    /// made once (`EVP_PKEY_dup`; with a context over it, about 130,000 instructions) for each other thread; this
    /// key again when OpenSSL cannot copy it. Contexts over one key share its RSA object, whose lock OpenSSL takes
    /// on every operation (the cached Montgomery form of the modulus; the blinding, to sign): threads that each
    /// verify or sign with their own copy do not write to the same cache line on every operation. Valid while this
    /// key lives.
    ///
    /// A thread identifier that the system reuses after its thread has ended finds that thread's copy: sharing
    /// it is safe (OpenSSL locks), only slower.
    func forCallingThread() -> OpaquePointer {
        let me = UInt(bitPattern: Int(bitPattern: pthread_self()))
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard let first = owner else {
            owner = me
            return pointer
        }
        if first == me { return pointer }
        if let copy = copies[me] { return copy }
        guard let copy = EVP_PKEY_dup(pointer) else {
            ERR_clear_error()
            return pointer
        }
        copies[me] = copy
        return copy
    }

    var isRSA: Bool { EVP_PKEY_get_base_id(pointer) == EVP_PKEY_RSA }
    var bits: Int { Int(EVP_PKEY_get_bits(pointer)) }
    var typeName: String {
        guard let name = EVP_PKEY_get0_type_name(pointer) else { return "unknown" }
        return String(cString: name)
    }

    /// The SubjectPublicKeyInfo DER of the key (its public half, for a private key).
    ///
    /// An RSA key's is written here from its modulus and exponent (DER gives them one encoding, the one
    /// `i2d_PUBKEY` writes): OpenSSL 3's encoder costs about 3.8 M instructions the first time a process uses it and
    /// 0.9 M after, against 0.13 M to read the two numbers (docs/BACKEND.md §1). Other keys (SM2) go through
    /// `i2d_PUBKEY`.
    func subjectPublicKeyInfo() throws -> [UInt8] {
        if isRSA, let der = rsaSubjectPublicKeyInfo() { return der }
        var out: UnsafeMutablePointer<UInt8>? = nil
        let n = i2d_PUBKEY(pointer, &out)
        guard n > 0, let out else { throw OpenSSL.failure("i2d_PUBKEY") }
        defer { shim_OPENSSL_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(n)))
    }

    /// `SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { SEQUENCE { INTEGER n, INTEGER e } } }`
    /// (RFC 8017 A.1.1, RFC 5280 4.1.2.7); `nil` when OpenSSL does not give the numbers.
    private func rsaSubjectPublicKeyInfo() -> [UInt8]? {
        func number(_ name: String) -> [UInt8]? {
            var bn: OpaquePointer? = nil
            guard EVP_PKEY_get_bn_param(pointer, name, &bn) == 1, let bn else {
                ERR_clear_error()
                return nil
            }
            defer { BN_free(bn) }
            guard BN_is_negative(bn) == 0 else { return nil }
            // INTEGER: big-endian, minimal, a leading zero when the high bit is set (and one zero byte for 0).
            let count = (Int(BN_num_bits(bn)) + 7) / 8
            var content = [UInt8](repeating: 0, count: count + 1)
            if count > 0 {
                _ = content.withUnsafeMutableBufferPointer { BN_bn2bin(bn, $0.baseAddress! + 1) }
            }
            if count > 0, content[1] & 0x80 == 0 { content.removeFirst() }
            return Self.tlv(0x02, content)
        }
        guard let n = number("n"), let e = number("e") else { return nil }
        let rsaPublicKey = Self.tlv(0x30, n + e)
        return Self.tlv(0x30, Self.rsaEncryption + Self.tlv(0x03, [0x00] + rsaPublicKey))
    }

    /// `SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }`.
    private static let rsaEncryption: [UInt8] = [
        0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00,
    ]

    /// A DER element: tag, definite length (short form below 128, else the fewest length bytes), content.
    private static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [tag]
        let n = content.count
        if n < 0x80 {
            out.append(UInt8(n))
        } else {
            var length: [UInt8] = []
            var m = n
            while m > 0 {
                length.insert(UInt8(m & 0xFF), at: 0)
                m >>= 8
            }
            out.append(0x80 | UInt8(length.count))
            out += length
        }
        return out + content
    }
}

/// Parsing DER into `EVP_PKEY`s. Which parser runs is decided by the caller from the DER's shape, so that the
/// format reported is the format found; every parser must consume the whole input.
enum OpenSSL {
    static func failure(_ what: String) -> AlipaySignError {
        ERR_clear_error()
        return AlipaySignError(.backendFailure, "OpenSSL \(what) failed")
    }

    enum DERKind {
        case pkcs1Private, pkcs8Private, spki, pkcs1Public
    }

    /// A new RSA key (`EVP_PKEY_keygen` with the RSA default public exponent, 65537).
    static func generateRSA(bits: Int) throws -> EVPKey {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else { throw failure("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var pkey: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, Int32(bits)) == 1,
            EVP_PKEY_generate(ctx, &pkey) == 1, let pkey
        else { throw failure("RSA key generation") }
        return EVPKey(owning: pkey)
    }

    /// A new SM2 key.
    static func generateSM2() throws -> EVPKey {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "SM2", nil) else { throw failure("EVP_PKEY_CTX_new_from_name(SM2)") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var pkey: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_generate(ctx, &pkey) == 1, let pkey else {
            throw failure("SM2 key generation")
        }
        return EVPKey(owning: pkey)
    }

    /// Parses a key of the given kind; `nil` when OpenSSL rejects it (the caller words the error).
    static func parseKey(_ der: [UInt8], as kind: DERKind) -> EVPKey? {
        defer { ERR_clear_error() }
        return der.withUnsafeBufferPointer { buf -> EVPKey? in
            guard let base = buf.baseAddress else { return nil }
            var p: UnsafePointer<UInt8>? = base
            let length = buf.count
            let pkey: OpaquePointer?
            switch kind {
            case .pkcs1Private: pkey = d2i_PrivateKey(EVP_PKEY_RSA, nil, &p, length)
            case .pkcs8Private: pkey = d2i_AutoPrivateKey(nil, &p, length)
            case .spki: pkey = d2i_PUBKEY(nil, &p, length)
            case .pkcs1Public: pkey = d2i_PublicKey(EVP_PKEY_RSA, nil, &p, length)
            }
            guard let pkey else { return nil }
            let key = EVPKey(owning: pkey)
            // Trailing bytes after the structure mean the input is not what it claims to be.
            guard let p, p == base + length else { return nil }
            return key
        }
    }

    /// The public key of a DER certificate; `nil` if OpenSSL cannot parse the certificate.
    static func certificatePublicKey(_ der: [UInt8]) -> EVPKey? {
        defer { ERR_clear_error() }
        return der.withUnsafeBufferPointer { buf -> EVPKey? in
            guard let base = buf.baseAddress else { return nil }
            var p: UnsafePointer<UInt8>? = base
            guard let x509 = d2i_X509(nil, &p, buf.count) else { return nil }
            defer { X509_free(x509) }
            guard let pkey = X509_get_pubkey(x509) else { return nil }
            return EVPKey(owning: pkey)
        }
    }

    /// SHA-256 of bytes.
    static func sha256(_ bytes: [UInt8]) -> [UInt8] { Digest.sha256.hash(bytes) }
}

extension OpenSSL {
    /// Cryptographically random bytes (`RAND_bytes`), for nonces.
    static func randomBytes(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&out, Int32(count)) == 1 else { throw failure("RAND_bytes") }
        return out
    }
}

extension EVPKey {
    /// A key on the SM2 curve (OpenSSL 3 decodes id-ecPublicKey with curve 1.2.156.10197.1.301 as an SM2 key).
    var isSM2: Bool { EVP_PKEY_is_a(pointer, "SM2") == 1 }
}
