/// Verifies v2 gateway responses exactly as the Java SDK decides (`checkResponseSign`, docs/PROTOCOL.md §4.2), and
/// reports the outcome as a value: the verdict, the exact content, and, for an encrypted response that
/// verified, the plaintext.
///
/// Build it once with Alipay's public key, or with a registry of Alipay certificates (certificate mode: the
/// response's `alipay_cert_sn` picks the key); it is immutable and `Sendable`.
public struct ResponseVerifier: Sendable {
    /// Where the verifying key comes from.
    public enum Keys: Sendable {
        /// One key (public-key mode, or one certificate whose SN is known).
        case single(PublicKey, certificateSN: String?)
        /// Certificate mode: the key is chosen by the response's `alipay_cert_sn`.
        case registry(AlipayPublicKeyRegistry)
    }

    /// The key, or the registry of keys by SN.
    public let keys: Keys
    /// The sign type responses are verified with (the request's).
    public let signType: SignType
    /// The request's charset, which the body is in.
    public let charset: Charset
    private let verifiers: [String: SignatureVerifier]
    private let single: SignatureVerifier?

    /// - Parameters:
    ///   - publicKey: Alipay's public key.
    ///   - certificateSN: the SN of the certificate the key came from, when it came from one: a response naming
    ///     another `alipay_cert_sn` is then reported.
    ///   - signType: the request's sign type.
    ///   - charset: the request's charset, the one the body is in.
    /// - Throws: ``AlipaySignError/Code/backendFailure`` when OpenSSL cannot prepare a context for the key.
    public init(publicKey: PublicKey, certificateSN: String? = nil, signType: SignType = .rsa2, charset: Charset = .utf8)
        throws
    {
        keys = .single(publicKey, certificateSN: certificateSN)
        self.signType = signType
        self.charset = charset
        single = try SignatureVerifier(publicKey: publicKey, signType: signType, charset: charset)
        verifiers = [:]
    }

    /// Certificate mode: Alipay's keys by certificate SN.
    /// - Parameters:
    ///   - registry: Alipay's certificates; the response's `alipay_cert_sn` picks one.
    ///   - signType: the request's sign type.
    ///   - charset: the request's charset.
    /// - Throws: ``AlipaySignError/Code/backendFailure`` when OpenSSL cannot prepare a context for a key.
    public init(registry: AlipayPublicKeyRegistry, signType: SignType = .rsa2, charset: Charset = .utf8) throws {
        keys = .registry(registry)
        self.signType = signType
        self.charset = charset
        var verifiers: [String: SignatureVerifier] = [:]
        for entry in registry.entries {
            verifiers[entry.sn] = try SignatureVerifier(publicKey: entry.publicKey, signType: signType, charset: charset)
        }
        self.verifiers = verifiers
        single = nil
    }

    /// The verdict on a response.
    public enum Status: String, Sendable, CaseIterable {
        /// Signed, and the signature verifies over the exact content.
        case valid
        /// Signed, and the signature verifies only once every `\/` in the content is read as `/` (the Java SDK's
        /// second try, "针对JSON \/问题"). Accepted by the SDK; reported so.
        case validAfterUnescapingSlashes
        /// Signed, and the signature does not verify.
        case invalid
        /// An error response (a `sub_code`) without a sign. The Java SDK accepts it without verification;
        /// nothing vouches for it, so it is never reported as valid.
        case unsignedError
        /// A success without a sign: the Java SDK rejects it ("签名串不可为空").
        case unsignedSuccess
        /// Certificate mode: a success without `alipay_cert_sn` (Java: "ALIPAY_CERT_SN is Empty!").
        case missingCertificateSN
        /// Rejected whatever the signature: the root node twice, a `<sign>` that is not an element, ...
        case rejected

        /// Whether the response can be trusted.
        public var isValid: Bool { self == .valid || self == .validAfterUnescapingSlashes }
    }

    /// Verifies a response body as received.
    /// - Parameters:
    ///   - body: the body exactly as received, in the request's charset.
    ///   - method: the API method of the request (`alipay.trade.query`).
    ///   - format: JSON (the default) or XML.
    ///   - decryptionKey: the AES key, to decrypt an encrypted response once its signature has verified.
    /// - Returns: ``ResponseVerification/valid(_:)`` with the exact signed content, or the case that says why the
    ///   response cannot be trusted.
    /// - Throws: ``AlipaySignError`` for input that is not a response (`malformedJSON`, `malformedResponse`,
    ///   `invalidEncoding`), `unknownCertificateSN` in certificate mode, `decryptionFailed`.
    public func verify<Body: Collection<UInt8>>(
        _ body: Body, method: String, format: ResponseFormat = .json, decryptionKey: AESKey? = nil
    ) throws -> ResponseVerification {
        try verify(bytes: Array(body), method: method, format: format, decryptionKey: decryptionKey)
    }

    func verify(bytes body: [UInt8], method: String, format: ResponseFormat, decryptionKey: AESKey?) throws
        -> ResponseVerification
    {
        try verify(
            bytes: body, extraction: try ResponseExtractor.extract(body, method: method, format: format, charset: charset),
            decryptionKey: decryptionKey)
    }

    /// Verifies a body whose extraction the caller has made already (`check` reads the envelope from it too), with
    /// ``ResponseExtractor/extract(_:method:format:charset:)`` in this verifier's charset.
    package func verify(bytes body: [UInt8], extraction: ExtractedResponse, decryptionKey: AESKey? = nil) throws
        -> ResponseVerification
    {
        let slice = body[extraction.range]
        var notes = extraction.diagnostics

        func result(_ status: Status, sn: String? = nil, plaintext: String? = nil) -> ResponseVerification {
            let details = ResponseDetails(
                extraction: extraction, body: body, charset: charset, certificateSN: sn, notes: notes)
            switch status {
            case .valid, .validAfterUnescapingSlashes:
                return .valid(VerifiedResponse(
                    details: details, plaintext: plaintext, slashesUnescaped: status == .validAfterUnescapingSlashes))
            case .invalid: return .invalid(UnverifiedResponse(details: details))
            case .unsignedError: return .unsignedError(UnverifiedResponse(details: details))
            case .unsignedSuccess: return .unsignedSuccess(UnverifiedResponse(details: details))
            case .missingCertificateSN: return .missingCertificateSN(UnverifiedResponse(details: details))
            case .rejected: return .rejected(UnverifiedResponse(details: details))
            }
        }

        if let rejection = extraction.rejection {
            notes.insert(rejection, at: 0)
            return result(.rejected)
        }
        // Success or not decides the policy; an encrypted node says only once decrypted.
        var isSuccess = extraction.isSuccess
        var plaintextForPolicy: String?
        if isSuccess == nil, extraction.sign == nil, let decryptionKey, let range = extraction.ciphertextRange {
            // Only an unsigned encrypted node is decrypted before verification, to tell an error from a success;
            // it is unsigned either way, so a failure here decides nothing.
            plaintextForPolicy = try? charset.decode(try decryptionKey.decrypt(base64: body[range]))
            isSuccess = plaintextForPolicy.map(Self.plaintextIsSuccess)
        }
        let sign = extraction.sign.flatMap { SignContent.isJavaEmpty($0) ? nil : $0 }
        guard let sign else {
            if isSuccess == false {
                notes.append("an error response without a sign: the Java SDK accepts it unverified; nothing vouches for it")
                return result(.unsignedError)
            }
            notes.append(
                isSuccess == nil
                    ? "an encrypted response without a sign (give the AES key to see whether it is an error)"
                    : "a success response without a sign: the Java SDK rejects it")
            return result(.unsignedSuccess)
        }

        // The key: by SN in certificate mode.
        let verifier: SignatureVerifier
        var sn: String?
        switch keys {
        case .single(_, let certificateSN):
            guard let single else { throw AlipaySignError(.backendFailure, "no verifier was prepared") }
            verifier = single
            sn = certificateSN
            if let certificateSN, let named = extraction.alipayCertSN, named != certificateSN {
                notes.append(
                    "the response names alipay_cert_sn \(named), but the certificate given is \(certificateSN): "
                        + "Alipay may have rotated its certificate")
            }
        case .registry(let registry):
            guard let named = extraction.alipayCertSN, !SignContent.isJavaEmpty(named) else {
                if isSuccess != false {
                    notes.append("certificate mode: a success response without alipay_cert_sn (Java: \"ALIPAY_CERT_SN is Empty!\")")
                    return result(.missingCertificateSN)
                }
                guard let first = registry.entries.first, let v = verifiers[first.sn] else {
                    throw AlipaySignError(.unknownCertificateSN, "no certificate is loaded")
                }
                notes.append("an error response without alipay_cert_sn: verified with the first certificate, \(first.sn)")
                verifier = v
                sn = first.sn
                break
            }
            _ = try registry.publicKey(forSN: named)  // the clear error, naming the known SNs
            guard let v = verifiers[named] else { throw AlipaySignError(.unknownCertificateSN, "no key for \(named)") }
            verifier = v
            sn = named
        }

        var status: Status
        if verifier.isValidSignature(base64: sign, forSlice: slice) {
            status = .valid
        } else if let unescaped = Self.unescapingSlashes(slice), verifier.isValidSignature(base64: sign, for: unescaped) {
            status = .validAfterUnescapingSlashes
            notes.append("verified only with every \\/ read as / (the Java SDK's second try)")
        } else {
            status = .invalid
        }
        guard status.isValid else { return result(status, sn: sn) }
        var plaintext: String?
        if let decryptionKey, let range = extraction.ciphertextRange {
            plaintext = try charset.decode(try decryptionKey.decrypt(base64: body[range]))
        } else if extraction.isEncrypted {
            notes.append("the response is encrypted: give the AES key to decrypt it")
        }
        return result(status, sn: sn, plaintext: plaintext)
    }

    /// Says why a response does not verify: which variant of content (`\/` read as `/`), sign type, charset or
    /// key does.
    /// - Parameters:
    ///   - body: the body as received.
    ///   - method: the API method of the request.
    ///   - format: JSON or XML.
    ///   - otherKeys: more keys to try after Alipay's (the app's own public key, the commonest mix-up).
    /// - Returns: the variant that verifies, or `nil` when the response has no sign or no known variant verifies.
    /// - Throws: ``AlipaySignError`` for a body that is not a response, or an SN no certificate has.
    public func diagnose(
        _ body: [UInt8], method: String, format: ResponseFormat = .json, otherKeys: [DiagnosticKey] = []
    ) throws -> Diagnosis? {
        let extraction = try ResponseExtractor.extract(body, method: method, format: format, charset: charset)
        guard let sign = extraction.sign, !SignContent.isJavaEmpty(sign) else { return nil }
        var keys: [DiagnosticKey] = []
        switch self.keys {
        case .single(let key, let sn): keys.append(DiagnosticKey(key, role: .alipay, certificateSN: sn))
        case .registry(let registry):
            // The named certificate first, then the others (a rotation).
            let named = extraction.alipayCertSN
            for entry in registry.entries where entry.sn == named {
                keys.append(DiagnosticKey(entry.publicKey, role: .alipay, certificateSN: entry.sn))
            }
            for entry in registry.entries where entry.sn != named {
                keys.append(DiagnosticKey(entry.publicKey, role: .alipay, certificateSN: entry.sn))
            }
        }
        let content = try charset.decode(body[extraction.range])
        var candidates = [DiagnosisSearch.Candidate(variant: .response, content: content, accepted: true)]
        let unescaped = content.replacingAll("\\/", with: "/")
        if unescaped != content {
            candidates.append(DiagnosisSearch.Candidate(variant: .response, content: unescaped, slashesUnescaped: true))
        }
        return DiagnosisSearch(keys: keys + otherKeys, signType: signType, charset: charset)
            .first(signature: sign, candidates: candidates)
    }

    /// The slice with every `\/` replaced by `/`, or `nil` when it has none.
    static func unescapingSlashes(_ slice: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var found = false
        var i = slice.startIndex
        out.reserveCapacity(slice.count)
        while i < slice.endIndex {
            if slice[i] == UInt8(ascii: "\\"), i + 1 < slice.endIndex, slice[i + 1] == UInt8(ascii: "/") {
                out.append(UInt8(ascii: "/"))
                i += 2
                found = true
            } else {
                out.append(slice[i])
                i += 1
            }
        }
        return found ? out : nil
    }

    /// Java `isSuccess()` on a decrypted node: no non-empty `sub_code`.
    static func plaintextIsSuccess(_ plaintext: String) -> Bool {
        guard case .object(let members)? = try? JSONReader.parse(Array(plaintext.utf8)) else { return true }
        for member in members where member.name == "sub_code" {
            if case .string(let code) = member.value { return SignContent.isJavaEmpty(code) }
        }
        return true
    }
}
