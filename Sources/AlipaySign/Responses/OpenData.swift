/// Mini-program sensitive data (`my.getPhoneNumber`, docs/PROTOCOL.md §15): what the mini program receives,
/// `{"response":"<base64>","sign":"…","sign_type":"RSA2","encrypt_type":"AES","charset":"UTF-8"}`, verified with
/// Alipay's public key over exactly what the Java SDK's sample checks (an encrypted `response` in double quotes,
/// a plain one as it is), then decrypted with the app's AES key. Verify first, decrypt second.
public struct OpenDataVerifier: Sendable {
    /// Alipay's public key.
    public let publicKey: PublicKey
    /// The sign type (never read from the message).
    public let signType: SignType
    private let verifier: SignatureVerifier

    /// - Parameters:
    ///   - publicKey: Alipay's public key (not the app's).
    ///   - signType: the sign type the app is set up with.
    /// - Throws: ``AlipaySignError`` when OpenSSL cannot prepare a context for the key.
    public init(publicKey: PublicKey, signType: SignType = .rsa2) throws {
        self.publicKey = publicKey
        self.signType = signType
        verifier = try SignatureVerifier(publicKey: publicKey, signType: signType)
    }

    /// Verifies, then decrypts, what the mini program received.
    /// - Parameters:
    ///   - input: the JSON object, or the same object given as a JSON string (`res.response` as the client logs it).
    ///   - decryptionKey: the app's AES key; without it an encrypted `response` is verified but not decrypted.
    ///   - charset: the charset of the signed bytes; `nil` takes the message's `charset`, else UTF-8.
    /// - Returns: ``OpenDataVerification/valid(_:)`` with the plaintext, or why not.
    /// - Throws: ``AlipaySignError`` `malformedJSON` (not such an object), `decryptionFailed` (a verified
    ///   ciphertext that the key does not decrypt: the wrong key), `unknownCharset`.
    public func verify(_ input: [UInt8], decryptionKey: AESKey? = nil, charset: Charset? = nil) throws -> OpenDataVerification {
        var wrapper = try JSONReader.parse(input)
        if case .string(let text) = wrapper { wrapper = try JSONReader.parse(Array(text.utf8)) }
        guard case .object(let members) = wrapper else {
            throw AlipaySignError(
                .malformedJSON, "the open data is not a JSON object",
                hint: "give what the mini program received: {\"response\":\"…\",\"sign\":\"…\",\"sign_type\":\"RSA2\",…}")
        }
        func string(_ name: String) -> String? {
            if case .string(let s)? = members.first(where: { $0.name == name })?.value { return s }
            return nil
        }
        guard let responseValue = members.first(where: { $0.name == "response" })?.value else {
            throw AlipaySignError(.malformedJSON, "the open data has no \"response\" member", hint: "give the whole object the mini program received")
        }
        let cs = try charset ?? Charset.declared(string("charset")) ?? .utf8
        // The response: a string (ciphertext, or plain JSON text), or an object (an unencrypted answer, as text).
        let response: String
        switch responseValue {
        case .string(let s): response = s
        case .object: response = responseValue.compactText
        default: throw AlipaySignError(.malformedJSON, "\"response\" is \(responseValue.kindName), not a string")
        }
        let encrypted = !response.hasPrefix("{")
        let content = encrypted ? "\"" + response + "\"" : response
        guard let sign = string("sign"), !sign.isEmpty else {
            let failure = OpenDataFailure(content: content, isEncrypted: encrypted, errorCode: encrypted ? nil : Self.code(response))
            return failure.errorCode.map { $0 != "10000" } == true ? .unsignedError(failure) : .unsigned(failure)
        }
        guard verifier.isValidSignature(base64: sign, for: try cs.encode(content)) else {
            return .invalid(OpenDataFailure(content: content, isEncrypted: encrypted, errorCode: nil))
        }
        var plaintext: String?
        if encrypted, let decryptionKey {
            do {
                plaintext = try decryptionKey.decryptText(base64: response, charset: cs)
            } catch {
                throw AlipaySignError(
                    .decryptionFailed, "the verified response does not decrypt with this AES key",
                    hint: "use the app's AES key (the one set in the open platform for this mini program)")
            }
        } else if !encrypted {
            plaintext = response
        }
        return .valid(VerifiedOpenData(content: content, isEncrypted: encrypted, plaintext: plaintext, charset: cs))
    }

    /// The `code` of a plain JSON answer.
    static func code(_ json: String) -> String? {
        guard case .object(let members)? = try? JSONReader.parse(Array(json.utf8)) else { return nil }
        if case .string(let s)? = members.first(where: { $0.name == "code" })?.value { return s }
        return nil
    }
}

/// The outcome of verifying mini-program open data: only the valid case carries the plaintext.
public enum OpenDataVerification: Sendable {
    /// The signature verified; the plaintext is there when the response was plain or a key decrypted it.
    case valid(VerifiedOpenData)
    /// The signature did not verify.
    case invalid(OpenDataFailure)
    /// There was no `sign` (Alipay signs only when the app's keys and gateway are all configured).
    case unsigned(OpenDataFailure)
    /// An unsigned, unencrypted error answer (`isv.missing-encrypt-key` when no AES key is configured).
    case unsignedError(OpenDataFailure)

    /// Whether the signature verified.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }

    /// `valid`, `invalid`, `unsigned` or `unsignedError`.
    public var status: String {
        switch self {
        case .valid: "valid"
        case .invalid: "invalid"
        case .unsigned: "unsigned"
        case .unsignedError: "unsignedError"
        }
    }
}

/// Open data whose signature verified.
public struct VerifiedOpenData: Sendable {
    /// The exact content that verified (an encrypted response in its double quotes).
    public let content: String
    /// Whether the response was encrypted.
    public let isEncrypted: Bool
    /// The plaintext JSON: the decrypted response, or the plain one; `nil` for a ciphertext without a key.
    public let plaintext: String?
    /// The charset the content was verified and decrypted in.
    public let charset: Charset
}

/// Open data that did not verify.
public struct OpenDataFailure: Sendable {
    /// The content built as the protocol expects it (not verified).
    public let unverifiedContent: String
    /// Whether the response was encrypted.
    public let isEncrypted: Bool
    /// The `code` of an unencrypted answer.
    public let errorCode: String?

    init(content: String, isEncrypted: Bool, errorCode: String?) {
        self.unverifiedContent = content
        self.isEncrypted = isEncrypted
        self.errorCode = errorCode
    }
}
