internal import COpenSSL
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fetched `EVP_MD`, fetched once per process (docs/BACKEND.md §1: implicit fetches per call cost time).
struct Digest: @unchecked Sendable {
    let md: OpaquePointer
    let size: Int
    /// The DER `DigestInfo` that precedes the digest in an RSASSA-PKCS1-v1_5 encoded message (RFC 8017 §9.2, note
    /// 1); empty for a digest no signature here uses.
    let digestInfo: [UInt8]

    private init(_ name: String, digestInfo: [UInt8]) {
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            fatalError("OpenSSL has no \(name) digest: the default provider is not available")
        }
        self.md = md
        self.size = Int(EVP_MD_get_size(md))
        self.digestInfo = digestInfo
    }

    static let sha256 = Digest(
        "SHA256",
        digestInfo: [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20])
    static let sha1 = Digest(
        "SHA1", digestInfo: [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00, 0x04, 0x14])
    /// MD5 for certificate SNs only; `nil` where the provider withholds it (a FIPS-only configuration).
    static let md5: Digest? = EVP_MD_fetch(nil, "MD5", nil).map { Digest(md: $0) }

    private init(md: OpaquePointer) {
        self.md = md
        self.size = Int(EVP_MD_get_size(md))
        self.digestInfo = []
    }
}

/// A prepared RSASSA-PKCS1-v1_5 context for one key and one digest.
///
/// The template is set up once (padding, digest). Operations run on pooled contexts, each with its own digest
/// context (a ``ClaimPool``): a call claims one, hashes, signs or verifies, and releases it. A pooled context is a
/// copy of the template, or on a thread other than the key's first a context over that thread's copy of the key
/// (docs/BACKEND.md §2). In the steady state nothing is allocated and no shared reference count is touched per
/// operation; when every context is busy, a call uses a fresh copy of the template (docs/BACKEND.md §1: "hash
/// first, then EVP_PKEY_CTX_dup").
///
/// A verification context for a key whose public exponent is 65537 (every Alipay key) opens signatures itself, on
/// libcrypto's Montgomery arithmetic (``RSAPublicModulus``, docs/BACKEND.md §5); other keys go through
/// `EVP_PKEY_verify`.
final class RSAPKCS1Context: @unchecked Sendable {
    private let template: OpaquePointer
    private let key: EVPKey
    private let digest: Digest
    /// A pooled context: a copy of the template, a digest context, and for the direct verification its scratch.
    private struct Contexts {
        let ctx: OpaquePointer
        let mdctx: OpaquePointer
        let scratch: RSAPublicModulus.Scratch?
    }
    private let pool: ClaimPool<Contexts>
    let signatureSize: Int
    /// For verification with exponent 65537: the modulus and the encoding a valid signature opens to (the owner),
    /// and what a verification reads of them (plain pointers, valid while the owner lives); `nil` otherwise.
    private let direct: RSAPublicModulus?
    private let directNumbers: RSAPublicModulus.Numbers?

    enum Purpose { case sign, verify }

    init(key: EVPKey, digest: Digest, purpose: Purpose) throws {
        guard let ctx = Self.context(key.pointer, digest: digest, purpose: purpose) else {
            throw OpenSSL.failure("RSA context set-up")
        }
        self.template = ctx
        self.key = key
        self.digest = digest
        self.signatureSize = Int(EVP_PKEY_get_size(key.pointer))
        var direct: RSAPublicModulus? = nil
        if purpose == .verify, !digest.digestInfo.isEmpty,
            let modulus = RSAPublicModulus(key.pointer, digestInfo: digest.digestInfo, digestSize: digest.size),
            modulus.numbers.size == signatureSize
        {
            direct = modulus
        }
        self.direct = direct
        self.directNumbers = direct?.numbers
        let scratchSize = direct?.numbers.size
        // `make` runs only while this context (and so the template and the key) lives: the pool is this context's.
        // A slot's context is made by the thread that first claims it, over that thread's copy of the key
        // (``EVPKey/forCallingThread()``), not copied from the template: copies of one context share the key's
        // RSA object, whose lock OpenSSL takes on every operation, and two threads verifying wrote to the same
        // cache line each time (`pthread_rwlock_rdlock` went from 0.03 % to 0.3 % of a `verify-response
        // --threads 2` run's samples). On the thread that has the key itself, and for a temporary context (every
        // slot busy), it is a copy of the template.
        self.pool = ClaimPool(
            make: { making in
                var copy: OpaquePointer?
                if making == .slot, case let own = key.forCallingThread(), own != key.pointer {
                    copy = Self.context(own, digest: digest, purpose: purpose)
                    if copy == nil { ERR_clear_error() }
                }
                // Over the key itself, a copy of the template costs less than a new context.
                guard let copy = copy ?? EVP_PKEY_CTX_dup(ctx) else { return nil }
                guard let mdctx = EVP_MD_CTX_new() else {
                    EVP_PKEY_CTX_free(copy)
                    return nil
                }
                return Contexts(ctx: copy, mdctx: mdctx, scratch: scratchSize.flatMap { RSAPublicModulus.Scratch.make(size: $0) })
            },
            destroy: {
                EVP_PKEY_CTX_free($0.ctx)
                EVP_MD_CTX_free($0.mdctx)
                $0.scratch?.free()
            })
    }

    deinit { EVP_PKEY_CTX_free(template) }

    /// A context over `pkey` set up for PKCS#1 v1.5 with `digest`; `nil` when OpenSSL refuses.
    private static func context(_ pkey: OpaquePointer, digest: Digest, purpose: Purpose) -> OpaquePointer? {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { return nil }
        let initialised = purpose == .sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)
        guard initialised == 1,
            EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1,
            EVP_PKEY_CTX_set_signature_md(ctx, digest.md) == 1
        else {
            EVP_PKEY_CTX_free(ctx)
            return nil
        }
        return ctx
    }

    /// Runs `body` with a claimed context and a digest context; `nil` when none can be made.
    private func withContexts<R>(_ body: (OpaquePointer, OpaquePointer) -> R?) -> R? {
        pool.with { body($0.ctx, $0.mdctx) } ?? nil
    }

    /// The same with the whole pooled entry.
    private func withEntry<R>(_ body: (Contexts) -> R?) -> R? {
        pool.with { body($0) } ?? nil
    }

    private func hash(_ message: UnsafeRawBufferPointer, with mdctx: OpaquePointer, into out: inout (UInt64, UInt64, UInt64, UInt64)) -> Int {
        var n: UInt32 = 0
        guard EVP_DigestInit_ex2(mdctx, digest.md, nil) == 1,
            EVP_DigestUpdate(mdctx, message.baseAddress, message.count) == 1
        else { return 0 }
        let ok = withUnsafeMutableBytes(of: &out) { o in
            EVP_DigestFinal_ex(mdctx, o.baseAddress?.assumingMemoryBound(to: UInt8.self), &n)
        }
        return ok == 1 ? Int(n) : 0
    }

    func sign(_ message: UnsafeRawBufferPointer) throws -> [UInt8] {
        var signature = [UInt8](zeros: signatureSize)
        let length: Int? = withContexts { ctx, mdctx in
            var md: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            let mdLength = hash(message, with: mdctx, into: &md)
            guard mdLength > 0 else { return nil }
            var length = signatureSize
            let ok = withUnsafeBytes(of: &md) { m in
                EVP_PKEY_sign(ctx, &signature, &length, m.baseAddress?.assumingMemoryBound(to: UInt8.self), mdLength)
            }
            return ok == 1 ? length : nil
        }
        guard let length else { throw OpenSSL.failure("EVP_PKEY_sign") }
        if length != signatureSize { signature.removeSubrange(length...) }
        return signature
    }

    /// `true` only for a valid signature. Every failure, whatever its cause, is `false` (opaque by design).
    func verify(_ message: UnsafeRawBufferPointer, signature: [UInt8]) -> Bool {
        signature.withUnsafeBytes { verify(message, signature: $0) }
    }

    /// The same with the signature in any buffer (a stack buffer on the hot paths).
    func verify(_ message: UnsafeRawBufferPointer, signature: UnsafeRawBufferPointer) -> Bool {
        verify(message, signature: signature, direct: true)
    }

    /// The same; `direct: false` always takes `EVP_PKEY_verify` (the tests compare the two paths).
    func verify(_ message: UnsafeRawBufferPointer, signature: UnsafeRawBufferPointer, direct useDirect: Bool) -> Bool {
        guard signature.count == signatureSize, let sig = signature.baseAddress else { return false }
        let ok: Bool = withEntry { entry -> Bool? in
            var md: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            let mdLength = hash(message, with: entry.mdctx, into: &md)
            guard mdLength > 0 else { return false }
            return withUnsafeBytes(of: &md) { m in
                if useDirect, let numbers = directNumbers, let scratch = entry.scratch {
                    return numbers.verify(signature, digest: UnsafeRawBufferPointer(rebasing: m[..<mdLength]), with: scratch)
                }
                return EVP_PKEY_verify(
                    entry.ctx, sig.assumingMemoryBound(to: UInt8.self), signature.count,
                    m.baseAddress?.assumingMemoryBound(to: UInt8.self), mdLength) == 1
            }
        } ?? false
        if !ok { ERR_clear_error() }
        return ok
    }

    /// Whether verification opens signatures itself (``RSAPublicModulus``) rather than through `EVP_PKEY_verify`.
    var verifiesDirectly: Bool { direct != nil }

    /// For the diagnosis, on a context that ``verifiesDirectly``: the block a signature opens to (RSAVP1, the
    /// modulus's length in bytes, no padding checked), on a pooled entry's numbers instead of a new
    /// `EVP_PKEY_verify_recover` context. `nil` when the signature cannot be opened (not the modulus's length, not
    /// below it) or the context does not verify directly.
    func openedBlock(_ signature: [UInt8]) -> [UInt8]? {
        guard let numbers = directNumbers else { return nil }
        return signature.withUnsafeBytes { raw in
            withEntry { entry in entry.scratch.flatMap { numbers.openedBlock(raw, with: $0) } }
        }
    }
}

extension EVPKey {
    /// The block an RSA signature opens to under this public key with PKCS#1 v1.5 padding (RSA public operation,
    /// type-1 padding checked and removed): the DER `DigestInfo` a valid signature carries. `nil` when the key is
    /// not RSA, the signature is not the key's size, or the padding does not check — then no content verifies
    /// under this key with any RSA sign type, since `EVP_PKEY_verify` runs the same operation and check first.
    ///
    /// For diagnosis only, where one public operation replaces one verification per candidate content: what the
    /// signature covers is matched by hash, and a match is still verified by `EVP_PKEY_verify`.
    func openPKCS1Signature(_ signature: [UInt8]) -> [UInt8]? {
        guard isRSA, signature.count == Int(EVP_PKEY_get_size(pointer)),
            let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil)
        else { return nil }
        defer { EVP_PKEY_CTX_free(ctx); ERR_clear_error() }
        guard EVP_PKEY_verify_recover_init(ctx) == 1, EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 else {
            return nil
        }
        var out = [UInt8](zeros: signature.count)
        var length = out.count
        guard EVP_PKEY_verify_recover(ctx, &out, &length, signature, signature.count) == 1, length <= out.count else {
            return nil
        }
        out.removeSubrange(length...)
        return out
    }
}

extension Digest {
    /// The digest of `bytes`.
    func hash(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](zeros: size)
        var n: UInt32 = 0
        let ok = EVP_Digest(bytes, bytes.count, &out, &n, md, nil)
        precondition(ok == 1 && Int(n) == size, "EVP_Digest cannot fail on valid arguments")
        return out
    }
}
