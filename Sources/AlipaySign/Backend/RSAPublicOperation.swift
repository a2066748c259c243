internal import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RSASSA-PKCS1-v1_5 verification for the public exponent every Alipay key has, 65537, on libcrypto's Montgomery
/// arithmetic directly (docs/BACKEND.md §5).
///
/// The check is the one RFC 8017 §8.2.2 prescribes: the signature opens to `m = s^65537 mod n`, which must equal
/// the encoding a valid signature of this digest has, `P + H` (`P` the block `00 01 FF… 00 DigestInfo` followed
/// by a zero digest, `H` the digest), which accepts exactly what OpenSSL's padding check and DigestInfo comparison
/// accept (the Wycheproof vectors and the differential tests check both). It is made without leaving the
/// Montgomery domain: sixteen Montgomery squarings of `s` as it is (not converted into Montgomery form) and one
/// Montgomery multiplication by `s` give `y = m·c mod n`, with `c = R^-65536` (R the Montgomery radix), and
/// `m = P + H` exactly when `y - P·c ≡ H·c (mod n)`, `c` being invertible and both `m` and `P + H` below `n`.
/// `P·c` is made once per key; `H·c` is a product of the digest's few words and a reduction, where converting `s`
/// into Montgomery form was a whole multiplication (the two together: 3–5 % more verifications a second).
/// `EVP_PKEY_verify` reaches `m` through the general `BN_mod_exp_mont` (a conversion in and one back), under the
/// RSA object's read lock and with about sixteen allocations, about a fifth more time in all.
///
/// Nothing here is secret: the key is public, so no operation needs to be constant-time.
final class RSAPublicModulus: @unchecked Sendable {
    /// What a verification reads, as plain pointers and sizes: copied into the context that owns this object, so
    /// that a verification touches no reference count (docs/BACKEND.md §2). Valid while this object lives.
    struct Numbers: @unchecked Sendable {
        /// `n` and its Montgomery context: made once, read-only after (libcrypto takes both as `const`).
        fileprivate let n: OpaquePointer
        fileprivate let mont: OpaquePointer
        /// `c = R^-65536 mod n` and `P·c mod n`, `P` the encoded message a valid signature opens to with a digest
        /// of zeros (``RSAPublicModulus/encodedPrefix(size:digestInfo:digestSize:)``; see the type's documentation).
        fileprivate let scale: OpaquePointer
        fileprivate let scaledPrefix: OpaquePointer
        /// The modulus's length in bytes: a signature's length.
        let size: Int
        fileprivate let digestSize: Int
    }

    let numbers: Numbers

    /// The modulus of an RSA key whose public exponent is 65537, for signatures over a digest of `digestSize`
    /// bytes after the DER `digestInfo`; `nil` for any other key or exponent (then `EVP_PKEY_verify` is used), or
    /// when the modulus is too short for the digest.
    init?(_ pkey: OpaquePointer, digestInfo: [UInt8], digestSize: Int) {
        guard EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA else { return nil }
        var n: OpaquePointer? = nil
        var e: OpaquePointer? = nil
        defer {
            if let e { BN_free(e) }
            ERR_clear_error()
        }
        guard EVP_PKEY_get_bn_param(pkey, "n", &n) == 1, let n else { return nil }
        guard EVP_PKEY_get_bn_param(pkey, "e", &e) == 1, let e, BN_is_word(e, 65537) == 1,
            // What libcrypto's public operation accepts (rsa_ossl_public_decrypt: at most 16,384 bits; the
            // Montgomery form needs an odd modulus).
            BN_is_odd(n) == 1, BN_num_bits(n) <= 16384, BN_num_bits(n) > 64,
            let mont = BN_MONT_CTX_new()
        else {
            BN_free(n)
            return nil
        }
        guard let ctx = BN_CTX_new() else {
            BN_MONT_CTX_free(mont)
            BN_free(n)
            return nil
        }
        defer { BN_CTX_free(ctx) }
        let size = (Int(BN_num_bits(n)) + 7) / 8
        guard let head = Self.encodedPrefix(size: size, digestInfo: digestInfo, digestSize: digestSize),
            BN_MONT_CTX_set(mont, n, ctx) == 1,
            let (scale, scaledPrefix) = Self.scale(n: n, prefix: head + [UInt8](zeros: digestSize), ctx: ctx)
        else {
            BN_MONT_CTX_free(mont)
            BN_free(n)
            return nil
        }
        numbers = Numbers(n: n, mont: mont, scale: scale, scaledPrefix: scaledPrefix, size: size, digestSize: digestSize)
    }

    /// `c = R^-65536 mod n` and `P·c mod n` for the encoded message `prefix` (`P`), where R is libcrypto's
    /// Montgomery radix for n: 2 to the bits of n rounded up to whole words (`BN_MONT_CTX_set`).
    private static func scale(n: OpaquePointer, prefix: [UInt8], ctx: OpaquePointer) -> (OpaquePointer, OpaquePointer)? {
        guard let scale = BN_new() else { return nil }
        guard let scaled = BN_new() else {
            BN_free(scale)
            return nil
        }
        guard let radix = BN_new() else {
            BN_free(scale)
            BN_free(scaled)
            return nil
        }
        var inverse: OpaquePointer? = nil
        var p: OpaquePointer? = nil
        defer {
            BN_free(radix)
            if let inverse { BN_free(inverse) }
            if let p { BN_free(p) }
        }
        let wordBits = Int32(MemoryLayout<UInt>.size * 8)
        let radixBits = (BN_num_bits(n) + wordBits - 1) / wordBits * wordBits
        if BN_set_bit(radix, radixBits) == 1, BN_nnmod(radix, radix, n, ctx) == 1 {
            inverse = BN_mod_inverse(nil, radix, n, ctx)
            p = BN_bin2bn(prefix, Int32(prefix.count), nil)
        }
        // c = (R^-1)^65536; R's number, no longer needed once inverted, holds the exponent.
        guard let inverse, let p, BN_set_word(radix, 65536) == 1, BN_mod_exp(scale, inverse, radix, n, ctx) == 1,
            BN_mod_mul(scaled, p, scale, n, ctx) == 1
        else {
            BN_free(scale)
            BN_free(scaled)
            return nil
        }
        return (scale, scaled)
    }

    deinit {
        BN_MONT_CTX_free(numbers.mont)
        BN_free(numbers.n)
        BN_free(numbers.scale)
        BN_free(numbers.scaledPrefix)
    }

    /// The encoded message a valid signature over a digest opens to, without the digest: `00 01`, `FF` bytes,
    /// `00`, the DER `DigestInfo` prefix (RFC 8017 §9.2); `nil` when the modulus is too short for the digest
    /// (fewer than eight `FF` bytes: no signature of it can be valid).
    static func encodedPrefix(size: Int, digestInfo: [UInt8], digestSize: Int) -> [UInt8]? {
        let padding = size - 3 - digestInfo.count - digestSize
        guard padding >= 8 else { return nil }
        return [0x00, 0x01] + [UInt8](repeating: 0xFF, count: padding) + [0x00] + digestInfo
    }

    /// A pool entry's working state for ``Numbers/verify(_:digest:with:)``: a `BN_CTX` and five numbers, made by
    /// the thread that claims the entry and reused by every verification there; plain pointers, freed by
    /// ``free()`` when the pool destroys the entry.
    struct Scratch {
        fileprivate let ctx: OpaquePointer
        fileprivate let s: OpaquePointer
        fileprivate let a: OpaquePointer
        fileprivate let r: OpaquePointer
        fileprivate let h: OpaquePointer
        fileprivate let z: OpaquePointer
        fileprivate let size: Int

        /// `nil` when libcrypto cannot allocate.
        static func make(size: Int) -> Scratch? {
            let ctx = BN_CTX_new()
            let numbers = (0..<5).map { _ in BN_new() }
            guard let ctx, case let made = numbers.compactMap({ $0 }), made.count == numbers.count else {
                BN_CTX_free(ctx)
                for case let number? in numbers { BN_free(number) }
                return nil
            }
            return Scratch(ctx: ctx, s: made[0], a: made[1], r: made[2], h: made[3], z: made[4], size: size)
        }

        func free() {
            for number in [s, a, r, h, z] { BN_free(number) }
            BN_CTX_free(ctx)
        }
    }
}

extension RSAPublicModulus.Numbers {
    /// Whether `signature` (exactly ``size`` bytes) is a valid RSASSA-PKCS1-v1_5 signature over `digest`.
    func verify(_ signature: UnsafeRawBufferPointer, digest: UnsafeRawBufferPointer, with scratch: RSAPublicModulus.Scratch) -> Bool {
        guard digest.count == digestSize, let md = digest.baseAddress?.assumingMemoryBound(to: UInt8.self),
            open(signature, scaled: true, with: scratch)
        else { return false }
        let (a, r, h, z, ctx) = (scratch.a, scratch.r, scratch.h, scratch.z, scratch.ctx)
        // r = m·c; a = m·c - P·c mod n (in [0, n)); z = H·c mod n; m = P + H exactly when they are equal.
        guard BN_sub(a, r, scaledPrefix) == 1, BN_is_negative(a) == 0 || BN_add(a, a, n) == 1,
            BN_bin2bn(md, Int32(digestSize), h) != nil, BN_mod_mul(z, h, scale, n, ctx) == 1
        else {
            ERR_clear_error()
            return false
        }
        return BN_cmp(a, z) == 0
    }

    /// The block `signature` opens to, `s^65537 mod n` in the modulus's length (RSAVP1): what
    /// `EVP_PKEY_verify_recover` computes before its padding check, for the diagnosis. `nil` when the signature is
    /// not the modulus's length or not below it.
    func openedBlock(_ signature: UnsafeRawBufferPointer, with scratch: RSAPublicModulus.Scratch) -> [UInt8]? {
        guard open(signature, scaled: false, with: scratch) else { return nil }
        var block = [UInt8](zeros: size)
        guard BN_bn2binpad(scratch.r, &block, Int32(size)) == Int32(size) else {
            ERR_clear_error()
            return nil
        }
        return block
    }

    /// Opens the signature `s` into `scratch.r`: `m = s^65537 mod n` itself, or, `scaled`, `m·c` with
    /// `c = R^-65536` (what ``verify(_:digest:with:)`` compares, a whole multiplication cheaper). `false` when the
    /// signature is not ``size`` bytes, not below n (RSAVP1, RFC 8017 §8.2.2), or libcrypto fails.
    private func open(_ signature: UnsafeRawBufferPointer, scaled: Bool, with scratch: RSAPublicModulus.Scratch) -> Bool {
        guard signature.count == size, scratch.size == size,
            let sig = signature.baseAddress?.assumingMemoryBound(to: UInt8.self)
        else { return false }
        let (s, a, r, ctx) = (scratch.s, scratch.a, scratch.r, scratch.ctx)
        // Every Montgomery operation divides by R. From a = s·R (Montgomery form) sixteen squarings make s^65536·R,
        // and the multiplication by s itself divides the R out: m. From a = s as it is they make s^65536·R^-65535,
        // and the multiplication by s gives m·R^-65536 = m·c.
        guard BN_bin2bn(sig, Int32(size), s) != nil, BN_ucmp(s, n) < 0,
            scaled ? BN_copy(a, s) != nil : BN_to_montgomery(a, s, mont, ctx) == 1
        else {
            ERR_clear_error()
            return false
        }
        for _ in 0..<16 {
            guard BN_mod_mul_montgomery(a, a, a, mont, ctx) == 1 else {
                ERR_clear_error()
                return false
            }
        }
        guard BN_mod_mul_montgomery(r, a, s, mont, ctx) == 1 else {
            ERR_clear_error()
            return false
        }
        return true
    }
}

extension EVPKey {
    /// The RSA modulus, big-endian without leading zeros; `nil` for a key that is not RSA.
    var rsaModulus: [UInt8]? {
        var n: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(pointer, "n", &n) == 1, let n else {
            ERR_clear_error()
            return nil
        }
        defer { BN_free(n) }
        var out = [UInt8](repeating: 0, count: (Int(BN_num_bits(n)) + 7) / 8)
        _ = out.withUnsafeMutableBufferPointer { BN_bn2bin(n, $0.baseAddress!) }
        return out
    }

    /// The RSA private operation, without padding, on a block of the modulus's length that is below the modulus:
    /// the signature that opens to exactly `block`. For the tests, which make signatures over any encoded message,
    /// malformed ones included, to compare ``RSAPublicModulus`` with `EVP_PKEY_verify`; `nil` when OpenSSL refuses.
    func rawRSAPrivateOperation(_ block: [UInt8]) -> [UInt8]? {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { return nil }
        defer { EVP_PKEY_CTX_free(ctx); ERR_clear_error() }
        guard EVP_PKEY_sign_init(ctx) == 1, EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(EVP_PKEY_get_size(pointer)))
        var length = out.count
        guard EVP_PKEY_sign(ctx, &out, &length, block, block.count) == 1, length == out.count else { return nil }
        return out
    }
}
