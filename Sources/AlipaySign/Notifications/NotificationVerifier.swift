/// Verifies Alipay's asynchronous notifications and `return_url` parameters (docs/PROTOCOL.md §1.2).
///
/// A notification is a form body signed by Alipay. Which parameters are signed depends on the message: payment
/// notifications (`trade_status_sync`) leave `sign_type` out (V1), others such as `servicemarket_order_notify`
/// keep it (V2). ``Mode/auto`` tries both, like the official Node SDK's `checkNotifySign`, and reports which one
/// verified; it tries the likely one first (V1 for `trade_status_sync`, else V2), so that a valid notification
/// costs one RSA verification.
///
/// Build it once with Alipay's public key (or certificate) and share it: it is immutable and `Sendable`.
///
/// ```swift
/// let verifier = try NotificationVerifier(publicKey: alipayKey)
/// switch try verifier.verify(formBody: bytes) {
/// case .valid(let n): fulfil(n.parameters["out_trade_no"])
/// case .invalid: reject()
/// }
/// ```
public struct NotificationVerifier: Sendable {
    /// Which canonical content to verify.
    public enum Mode: String, Sendable, CaseIterable {
        /// V1 or V2, the likely one first.
        case auto
        /// Only V1: `sign` and `sign_type` left out.
        case v1
        /// Only V2: `sign` left out.
        case v2
    }

    /// Which content verified.
    public enum Version: String, Sendable {
        /// `sign` and `sign_type` left out (payment notifications).
        case v1
        /// `sign` left out (other notifications).
        case v2
    }

    /// Alipay's public key.
    public let publicKey: PublicKey
    /// The sign type notifications are verified with (never read from the notification).
    public let signType: SignType
    /// The charset to verify in; `nil` means the notification's own `charset` parameter, else UTF-8.
    public let charset: Charset?
    /// The SN of the certificate the key came from, in certificate mode.
    public let certificateSN: String?
    private let verifier: SignatureVerifier

    /// A verifier for notifications signed with Alipay's key.
    /// - Parameters:
    ///   - publicKey: Alipay's public key (not the app's).
    ///   - signType: ``SignType/rsa2`` unless the app is still set up for legacy ``SignType/legacyRSA``.
    ///   - charset: the charset to verify in; `nil` (the default) takes the notification's own `charset`.
    /// - Throws: ``AlipaySignError`` when OpenSSL cannot prepare a context for the key.
    public init(publicKey: PublicKey, signType: SignType = .rsa2, charset: Charset? = nil) throws {
        try self.init(publicKey: publicKey, certificateSN: nil, signType: signType, charset: charset)
    }

    /// A verifier for notifications signed with the key of Alipay's public-key certificate (certificate mode).
    /// - Parameters:
    ///   - certificate: Alipay's certificate (`alipayCertPublicKey_RSA2.crt`).
    ///   - signType: the sign type.
    ///   - charset: the charset to verify in; `nil` takes the notification's own.
    /// - Throws: ``AlipaySignError`` when the certificate's key is not usable.
    public init(certificate: AlipayCertificate, signType: SignType = .rsa2, charset: Charset? = nil) throws {
        try self.init(
            publicKey: try certificate.publicKey(), certificateSN: certificate.sn, signType: signType,
            charset: charset)
    }

    /// A verifier for Alipay's public-key certificate file (PEM, DER or base64; its first certificate, as the
    /// SDKs read it).
    /// - Parameters:
    ///   - certificateFile: `alipayCertPublicKey_RSA2.crt`, possibly with its chain.
    ///   - signType: the sign type.
    ///   - charset: the charset to verify in; `nil` takes the notification's own.
    /// - Throws: ``AlipaySignError`` when the file cannot be read or its key is not usable.
    public init(certificate certificateFile: [UInt8], signType: SignType = .rsa2, charset: Charset? = nil) throws {
        try self.init(
            certificate: try CertificateFile(parsing: certificateFile).firstCertificate(), signType: signType,
            charset: charset)
    }

    /// A verifier for the first certificate of a registry (a notification carries no SN that verification may
    /// rely on: `alipay_cert_sn` is not signed).
    /// - Parameters:
    ///   - registry: Alipay's certificates; the first one's key verifies.
    ///   - signType: the sign type.
    ///   - charset: the charset to verify in; `nil` takes the notification's own.
    /// - Throws: ``AlipaySignError`` with ``AlipaySignError/Code/unknownCertificateSN`` for an empty
    ///   registry.
    public init(registry: AlipayPublicKeyRegistry, signType: SignType = .rsa2, charset: Charset? = nil) throws {
        guard let first = registry.entries.first else {
            throw AlipaySignError(.unknownCertificateSN, "the registry holds no certificate")
        }
        try self.init(publicKey: first.publicKey, certificateSN: first.sn, signType: signType, charset: charset)
    }

    init(publicKey: PublicKey, certificateSN: String?, signType: SignType, charset: Charset?) throws {
        self.publicKey = publicKey
        self.signType = signType
        self.charset = charset
        self.certificateSN = certificateSN
        // The charset is applied here per notification; the verifier only checks bytes.
        self.verifier = try SignatureVerifier(publicKey: publicKey, signType: signType)
    }

    /// Verifies a notification's form body as received: decoded once, in ``charset`` or the body's own
    /// `charset` parameter.
    /// - Parameters:
    ///   - formBody: the raw body bytes of the POST (never a framework's re-encoding of its parameters).
    ///   - mode: which content to verify; ``Mode/auto`` by default.
    /// - Returns: ``NotificationVerification/valid(_:)`` with the parameters that verified, or
    ///   ``NotificationVerification/invalid(_:)``.
    /// - Throws: ``AlipaySignError`` only for a body that cannot be decoded: a malformed escape, a duplicate
    ///   parameter, bytes not valid in the charset, an unknown charset, or a
    ///   character the notification's charset cannot encode (so that it cannot have been signed in it).
    public func verify<C: Collection>(formBody: C, mode: Mode = .auto) throws -> NotificationVerification
    where C.Element == UInt8 {
        try verify(DecodedForm(decoding: formBody, charset: charset), mode: mode)
    }

    /// Verifies parameters that were already decoded (a framework's parameter map, a logged JSON object).
    ///
    /// Prefer ``verify(formBody:mode:)``: a framework may decode a GBK body in another charset than the one
    /// signed.
    /// - Parameters:
    ///   - parameters: the decoded parameters.
    ///   - charset: the charset the content is verified in; `nil`: ``charset``, else the `charset` parameter,
    ///     else UTF-8.
    ///   - mode: which content to verify.
    /// - Returns: the verification, as for a body.
    /// - Throws: ``AlipaySignError`` for an unknown charset name, or a value the charset cannot encode.
    public func verify(parameters: [String: String], charset: Charset? = nil, mode: Mode = .auto) throws
        -> NotificationVerification
    {
        let cs = try charset ?? self.charset ?? Charset.declared(parameters["charset"])
            ?? .utf8
        return try verify(DecodedForm(parameters: parameters, charset: cs), mode: mode)
    }

    /// What the variants gave: the content that verified and its version, or the content to show for a failure.
    private enum Outcome {
        case valid(Version, [UInt8])
        case invalid(content: [UInt8], hadSignature: Bool)
    }

    /// The one verification: over the decoded pairs, sorted in Java order, each variant's content built once.
    ///
    /// The closures below capture nothing of `self`: the signature verifier is read before them and the result,
    /// which holds `self` when it fails, is made after them. Capturing `self` copied the whole verifier on every
    /// call (callgrind: one copy a notification, three retains and two string retains), writing the reference
    /// counts of its key and contexts, which every thread sharing the verifier writes (docs/BACKEND.md §2).
    func verify(_ decoded: consuming DecodedForm, mode: Mode) throws -> NotificationVerification {
        try decoded.sortInJavaOrder()  // in place: the form is owned here, so its pairs are not copied
        let form = decoded
        let pairs = form.pairs
        let cs = form.charset
        let verifier = self.verifier  // borrowed, not copied
        let outcome = try form.text.withUnsafeBufferPointer { d throws -> Outcome in
            func equals(_ r: Range<Int>, _ literal: StaticString) -> Bool { DecodedForm.bytes(d, r, equal: literal) }
            var signRange: Range<Int>?
            var signTypeSigned = false
            var isTradeStatusSync = false
            for pair in pairs {
                if equals(pair.name, "sign") {
                    signRange = pair.value
                } else if equals(pair.name, "sign_type") {
                    signTypeSigned = !DecodedForm.isJavaEmpty(d, pair.value)
                } else if equals(pair.name, "notify_type") {
                    isTradeStatusSync = equals(pair.value, "trade_status_sync")
                }
            }
            // Present and not blank, even if it is not base64: "had a sign".
            let hasSign = signRange.map { !DecodedForm.isJavaEmpty(d, $0) } ?? false
            let versions = Self.order(mode, signTypeSigned: signTypeSigned, tradeStatusSync: isTradeStatusSync)
            /// Builds each variant's content and verifies it with the decoded signature.
            func tryVariants(_ signature: UnsafeRawBufferPointer?) throws -> Outcome {
                var content = [UInt8]()
                var v2Content: [UInt8]?
                for version in versions {
                    content = Self.content(d, pairs, version)
                    if version == .v2 { v2Content = content }
                    guard let signature else { continue }
                    // The signed bytes: the content itself in UTF-8 or when it is ASCII, else encoded in the
                    // charset (a character the charset cannot encode, such as a GB18030-only one in a GBK
                    // notification, is an input error: it cannot have been signed in that charset).
                    var signed = content
                    if cs != .utf8, form.hasNonASCII {
                        signed = try cs.encode(String(decoding: content, as: UTF8.self))
                    }
                    if verifier.isValidSignature(raw: signature, for: signed) { return .valid(version, content) }
                }
                return .invalid(content: v2Content ?? content, hadSignature: hasSign)
            }
            // The signature is decoded into a stack buffer for the variants to share; `nil` when there is none or
            // it is not base64 (then every variant is simply not valid).
            guard let signRange, hasSign else { return try tryVariants(nil) }
            return try Base64.withDecoded(UnsafeBufferPointer(rebasing: d[signRange])) { try tryVariants($0) }
        }
        switch outcome {
        case .valid(let version, let content):
            return .valid(VerifiedNotification(form: form, version: version, signedContent: content))
        case .invalid(let content, let hadSignature):
            return .invalid(NotificationFailure(content: content, charset: cs, hadSignature: hadSignature, form: form, verifier: self))
        }
    }

    /// The version's content of pairs sorted in Java order (docs/PROTOCOL.md §1.1–§1.2).
    static func content(_ d: UnsafeBufferPointer<UInt8>, _ pairs: [DecodedForm.Pair], _ version: Version) -> [UInt8] {
        SignContent.content(d, pairs, mode: version == .v1 ? .notifyV1 : .notifyV2)
    }

    /// The variants to try, in order. In auto mode the likely one goes first, so a notification costs one RSA
    /// verification, not two: V1 for payment notifications (`notify_type=trade_status_sync`, docs/PROTOCOL.md
    /// §1.2), V2 for the others; and when `sign_type` is absent or blank the two contents are the same bytes, so
    /// V1 alone decides. The verdict cannot depend on the order (the two contents differ, and at most one can
    /// carry the signature); a failure reports V2's content either way.
    static func order(_ mode: Mode, signTypeSigned: Bool, tradeStatusSync: Bool) -> VersionOrder {
        switch mode {
        case .v1: VersionOrder(.v1)
        case .v2: VersionOrder(.v2)
        case .auto: !signTypeSigned ? VersionOrder(.v1) : tradeStatusSync ? VersionOrder(.v1, .v2) : VersionOrder(.v2, .v1)
        }
    }

    /// One or two versions, in the order to try them: a value, not an array (a static array was retained and
    /// released on every notification, from every thread verifying: its reference count's cache line went from
    /// core to core; a literal would be an allocation).
    struct VersionOrder: Sequence, IteratorProtocol {
        private var first: Version?
        private var second: Version?
        init(_ first: Version, _ second: Version? = nil) { (self.first, self.second) = (first, second) }
        mutating func next() -> Version? {
            defer { (first, second) = (second, nil) }
            return first
        }
    }

    /// Says why a notification does not verify: which variant of content, sign type, charset or key does.
    /// - Parameters:
    ///   - formBody: the body as received.
    ///   - otherKeys: more keys to try after Alipay's (the app's own public key, the commonest mix-up).
    /// - Returns: the variant that verifies, or `nil` when none of the known ones does.
    /// - Throws: ``AlipaySignError`` for a body that cannot be decoded.
    public func diagnose<C: Collection>(formBody: C, otherKeys: [DiagnosticKey] = []) throws -> Diagnosis?
    where C.Element == UInt8 {
        let form = try DecodedForm(decoding: formBody, charset: charset)
        return try diagnose(form, otherKeys: otherKeys)
    }

    /// Says why decoded parameters do not verify, as ``diagnose(formBody:otherKeys:)``.
    /// - Parameters:
    ///   - parameters: the decoded parameters.
    ///   - charset: the charset expected; `nil`: ``charset``, else the `charset` parameter, else UTF-8.
    ///   - otherKeys: more keys to try after Alipay's.
    /// - Returns: the variant that verifies, or `nil`.
    /// - Throws: ``AlipaySignError`` for an unknown charset name.
    public func diagnose(parameters: [String: String], charset: Charset? = nil, otherKeys: [DiagnosticKey] = [])
        throws -> Diagnosis?
    {
        let cs = try charset ?? self.charset ?? Charset.declared(parameters["charset"])
            ?? .utf8
        return try diagnose(DecodedForm(parameters: parameters, charset: cs), otherKeys: otherKeys)
    }

    func diagnose(_ form: DecodedForm, otherKeys: [DiagnosticKey]) throws -> Diagnosis? {
        let parameters = try form.dictionary()
        guard let sign = parameters["sign"], !SignContent.isJavaEmpty(sign) else { return nil }
        let search = DiagnosisSearch(
            keys: [DiagnosticKey(publicKey, role: .alipay, certificateSN: certificateSN)] + otherKeys,
            signType: signType, charset: form.charset)
        return search.first(
            signature: sign,
            candidates: DiagnosisSearch.parameterCandidates(
                parameters, modes: [(.notificationV1, .notifyV1, true), (.notificationV2, .notifyV2, true)]))
    }
}

/// The outcome of verifying a notification: only the valid case carries the parameters.
public enum NotificationVerification: Sendable {
    /// The signature verified; the parameters are exactly those that were signed.
    case valid(VerifiedNotification)
    /// The signature did not verify (or there was none): nothing in the notification can be trusted.
    case invalid(NotificationFailure)

    /// Whether the signature verified.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}

/// A notification whose signature verified: what was verified, decoded once.
public struct VerifiedNotification: Sendable {
    let form: DecodedForm
    /// Which content verified.
    public let version: NotificationVerifier.Version
    /// The exact content whose signature verified, in UTF-8 (the bytes signed, when the charset is UTF-8).
    public let signedContent: [UInt8]

    /// The charset the notification was decoded and verified in.
    public var charset: Charset { form.charset }

    /// The parameters, decoded once in ``charset``: exactly the values that verified (made when first asked).
    public var parameters: [String: String] {
        // A duplicate was refused before verification, so every name is unique here.
        var out: [String: String] = [:]
        out.reserveCapacity(form.pairs.count)
        for pair in form.pairs { out[form.string(pair.name)] = form.string(pair.value) }
        return out
    }

    /// The signed content as text.
    public var content: String { String(decoding: signedContent, as: UTF8.self) }
}

/// A notification whose signature did not verify.
public struct NotificationFailure: Sendable {
    /// The content of the last variant tried (V2's when both were), in UTF-8.
    public let content: [UInt8]
    /// The charset it was verified in.
    public let charset: Charset
    /// Whether the notification had a non-blank `sign` at all.
    public let hadSignature: Bool
    let form: DecodedForm
    let verifier: NotificationVerifier

    /// Why it failed: the variant of content, sign type or charset that verifies with Alipay's key, or `nil` when
    /// none does (forged, altered, or signed with another key). Computed when asked: it tries many variants.
    public var diagnosis: Diagnosis? { try? verifier.diagnose(form, otherKeys: []) }
}
