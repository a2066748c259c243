internal import COpenSSL

/// AES-CBC with PKCS#7 padding through OpenSSL's EVP, the ciphers fetched once (docs/BACKEND.md §1).
enum OpenSSLAES {
    private struct Cipher: @unchecked Sendable {
        let pointer: OpaquePointer?
    }
    private static let aes128 = Cipher(pointer: EVP_CIPHER_fetch(nil, "AES-128-CBC", nil))
    private static let aes192 = Cipher(pointer: EVP_CIPHER_fetch(nil, "AES-192-CBC", nil))
    private static let aes256 = Cipher(pointer: EVP_CIPHER_fetch(nil, "AES-256-CBC", nil))

    /// Encrypts or decrypts `input` with `key` (16, 24 or 32 bytes) and `iv` (16 bytes); `nil` when OpenSSL
    /// refuses (for decryption: a length that is not whole blocks, or bad padding).
    static func cbc(_ input: [UInt8], key: [UInt8], iv: [UInt8], encrypt: Bool) -> [UInt8]? {
        defer { ERR_clear_error() }
        let cipher: Cipher
        switch key.count {
        case 16: cipher = aes128
        case 24: cipher = aes192
        case 32: cipher = aes256
        default: return nil
        }
        guard let evp = cipher.pointer, iv.count == 16, let ctx = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_CipherInit_ex2(ctx, evp, key, iv, encrypt ? 1 : 0, nil) == 1 else { return nil }
        var out = [UInt8](zeros: input.count + 16)
        var written: Int32 = 0
        var final: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { buf -> Bool in
            guard let base = buf.baseAddress else { return false }
            guard input.count <= Int(Int32.max) - 16,
                EVP_CipherUpdate(ctx, base, &written, input, Int32(input.count)) == 1
            else { return false }
            return EVP_CipherFinal_ex(ctx, base + Int(written), &final) == 1
        }
        guard ok else { return nil }
        out.removeSubrange(Int(written + final)...)
        return out
    }
}
