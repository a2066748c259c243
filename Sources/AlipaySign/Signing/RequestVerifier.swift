/// Verifies v2 requests with the app's public key, as Alipay's gateway does (docs/PROTOCOL.md §1.1): the
/// canonical content of every parameter but `sign`, in the request's charset.
///
/// Build it once and share it: it is immutable and `Sendable`.
public struct RequestVerifier: Sendable {
    /// The app's public key.
    public let publicKey: PublicKey
    /// The sign type requests are verified with (never read from the request).
    public let signType: SignType
    /// The charset to verify in; `nil` means the request's own `charset` parameter, else UTF-8.
    public let charset: Charset?
    private let verifier: SignatureVerifier

    /// - Parameters:
    ///   - publicKey: the app's public key (not Alipay's).
    ///   - signType: the sign type the app is set up with.
    ///   - charset: the charset to verify in; `nil` takes the request's own `charset` parameter.
    /// - Throws: ``AlipaySignError`` when OpenSSL cannot prepare a context for the key.
    public init(publicKey: PublicKey, signType: SignType = .rsa2, charset: Charset? = nil) throws {
        self.publicKey = publicKey
        self.signType = signType
        self.charset = charset
        verifier = try SignatureVerifier(publicKey: publicKey, signType: signType)
    }

    /// Verifies a request's decoded parameters (the URL query's and the form body's together).
    /// - Parameters:
    ///   - parameters: the parameters, decoded once.
    ///   - charset: the charset the request was sent in; `nil`: ``charset``, else the `charset` parameter, else
    ///     UTF-8.
    /// - Returns: ``RequestVerification/valid(_:)`` with the parameters that verified, or
    ///   ``RequestVerification/invalid(_:)``.
    /// - Throws: ``AlipaySignError`` for an unknown charset name, or a content the charset cannot encode.
    public func verify(parameters: [String: String], charset: Charset? = nil) throws -> RequestVerification {
        let cs = try resolved(charset, parameters)
        let content = SignContent.utf8Bytes(parameters, mode: .request)
        let sign = parameters["sign"].flatMap { SignContent.isJavaEmpty($0) ? nil : $0 }
        if let sign {
            let signed = cs == .utf8 ? content : try cs.encode(String(decoding: content, as: UTF8.self))
            if verifier.isValidSignature(base64: sign, for: signed) {
                return .valid(VerifiedRequest(parameters: parameters, charset: cs, signedContent: content))
            }
        }
        return .invalid(RequestFailure(content: content, charset: cs, hadSignature: sign != nil))
    }

    /// Says why a request does not verify: which variant of content, sign type, charset or key does.
    /// - Parameters:
    ///   - parameters: the decoded parameters.
    ///   - charset: the charset expected; `nil`: ``charset``, else the `charset` parameter, else UTF-8.
    ///   - otherKeys: more keys to try after the app's (Alipay's key, the commonest mix-up).
    /// - Returns: the variant that verifies, or `nil` when there is no sign or no known variant verifies.
    /// - Throws: ``AlipaySignError`` for an unknown charset name.
    public func diagnose(parameters: [String: String], charset: Charset? = nil, otherKeys: [DiagnosticKey] = [])
        throws -> Diagnosis?
    {
        let cs = try resolved(charset, parameters)
        guard let sign = parameters["sign"], !SignContent.isJavaEmpty(sign) else { return nil }
        return DiagnosisSearch(keys: [DiagnosticKey(publicKey, role: .app)] + otherKeys, signType: signType, charset: cs)
            .first(
                signature: sign,
                candidates: DiagnosisSearch.parameterCandidates(parameters, modes: [(.request, .request, true)]))
    }

    /// The verification of ``verify(parameters:charset:)`` over decoded parameters held as ranges of one buffer
    /// (the conformance check's path: no dictionary, no String per parameter). The names must be distinct.
    /// - Parameters:
    ///   - text: the names and values, in UTF-8.
    ///   - pairs: each parameter's name and value ranges in `text`.
    ///   - charset: the charset the request was sent in.
    /// - Returns: whether the signature verified, the content built (as ``SignContent/utf8Bytes(_:mode:)`` builds
    ///   it from the same parameters), and whether there was a non-blank `sign`.
    /// - Throws: ``AlipaySignError`` for a content the charset cannot encode.
    package func verify(text: [UInt8], pairs: [DecodedForm.Pair], charset: Charset) throws
        -> (valid: Bool, content: [UInt8], hadSignature: Bool)
    {
        try text.withUnsafeBufferPointer { d in
            let signRange = pairs.first { DecodedForm.bytes(d, $0.name, equal: "sign") }?.value
            let content = SignContent.content(d, pairs.sorted { DecodedForm.javaLess(d, $0.name, $1.name) }, mode: .request)
            guard let signRange, !DecodedForm.isJavaEmpty(d, signRange) else { return (false, content, false) }
            let signed = charset == .utf8 ? content : try charset.encode(String(decoding: content, as: UTF8.self))
            let valid = Base64.withDecoded(UnsafeBufferPointer(rebasing: d[signRange])) { raw in
                raw.map { verifier.isValidSignature(raw: $0, for: signed) } ?? false
            }
            return (valid, content, true)
        }
    }

    private func resolved(_ charset: Charset?, _ parameters: [String: String]) throws -> Charset {
        try charset ?? self.charset ?? Charset.declared(parameters["charset"]) ?? .utf8
    }
}

/// The outcome of verifying a request: only the valid case carries the parameters.
public enum RequestVerification: Sendable {
    /// The signature verified.
    case valid(VerifiedRequest)
    /// The signature did not verify, or there was none.
    case invalid(RequestFailure)

    /// Whether the signature verified.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}

/// A request whose signature verified.
public struct VerifiedRequest: Sendable {
    /// The parameters that verified.
    public let parameters: [String: String]
    /// The charset the content was verified in.
    public let charset: Charset
    /// The exact content whose signature verified, in UTF-8.
    public let signedContent: [UInt8]
    /// The same as text.
    public var content: String { String(decoding: signedContent, as: UTF8.self) }
}

/// A request whose signature did not verify.
public struct RequestFailure: Sendable {
    /// The content built as the protocol expects it, in UTF-8.
    public let content: [UInt8]
    /// The charset it was verified in.
    public let charset: Charset
    /// Whether the request had a non-blank `sign`.
    public let hadSignature: Bool
}
