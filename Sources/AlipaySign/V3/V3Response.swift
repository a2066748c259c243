/// Verifies v3 responses (docs/PROTOCOL.md §6.2): `alipay-timestamp\nalipay-nonce\nbody\n` against `alipay-signature`,
/// with the key chosen by `alipay-sn` in certificate mode.
///
/// The SDKs' policy: a 2xx response must be signed (a missing header is a failure); an error response is verified
/// only when it carries a signature that is not the literal `null`, and is otherwise accepted unverified, which
/// is reported here as unsigned, never valid. An encrypted body (`alipay-encrypt-type: AES`) is verified as
/// received, then decrypted.
public struct V3ResponseVerifier: Sendable {
    private enum Keys: Sendable {
        case single(SignatureVerifier, certificateSN: String?)
        case registry(AlipayPublicKeyRegistry, [String: SignatureVerifier])
    }

    private let keys: Keys

    /// - Parameters:
    ///   - publicKey: Alipay's public key.
    ///   - certificateSN: the SN of the certificate the key came from, when it came from one: a response whose
    ///     `alipay-sn` names another is reported (the Node SDK's `response-alipay-sn-verify-error`).
    /// - Throws: ``AlipaySignError/Code/backendFailure`` when OpenSSL cannot prepare a context for the key.
    public init(publicKey: PublicKey, certificateSN: String? = nil) throws {
        keys = .single(try SignatureVerifier(publicKey: publicKey), certificateSN: certificateSN)
    }

    /// Certificate mode: `alipay-sn` picks the key; without the header, the first certificate loaded (as the v3
    /// SDKs do).
    /// - Parameter registry: Alipay's certificates by SN.
    /// - Throws: ``AlipaySignError/Code/backendFailure`` when OpenSSL cannot prepare a context for a key.
    public init(registry: AlipayPublicKeyRegistry) throws {
        var verifiers: [String: SignatureVerifier] = [:]
        for entry in registry.entries { verifiers[entry.sn] = try SignatureVerifier(publicKey: entry.publicKey) }
        keys = .registry(registry, verifiers)
    }

    /// The response headers that matter.
    public struct Headers: Sendable {
        /// `alipay-timestamp`.
        public var timestamp: String?
        /// `alipay-nonce`.
        public var nonce: String?
        /// `alipay-signature`.
        public var signature: String?
        /// `alipay-sn`: the SN of the Alipay certificate that signed (certificate mode).
        public var sn: String?
        /// `alipay-encrypt-type: AES`: the body is base64 ciphertext.
        public var encrypted: Bool

        /// - Parameters:
        ///   - timestamp: `alipay-timestamp`.
        ///   - nonce: `alipay-nonce`.
        ///   - signature: `alipay-signature`.
        ///   - sn: `alipay-sn`.
        ///   - encrypted: whether `alipay-encrypt-type` is `AES`.
        public init(timestamp: String?, nonce: String?, signature: String?, sn: String? = nil, encrypted: Bool = false) {
            self.timestamp = timestamp
            self.nonce = nonce
            self.signature = signature
            self.sn = sn
            self.encrypted = encrypted
        }
    }

    /// The verdict's name.
    public enum Status: String, Sendable {
        /// The signature verifies.
        case valid
        /// The signature does not verify.
        case invalid
        /// An error status without a signature (or with the literal `null`): accepted unverified by the SDKs.
        case unsignedError
        /// A 2xx response without `alipay-signature`, `alipay-timestamp` or `alipay-nonce`.
        case missingHeaders
    }

    /// A v3 error body: `{"code":…,"message":…,"links":[{"link":…,"desc":…}]}` (docs/PROTOCOL.md §6.3).
    public struct ErrorBody: Sendable, Equatable {
        /// The error code, such as `invalid-auth-token`.
        public let code: String
        /// The message, when there is one.
        public let message: String?
        /// Links to help pages.
        public let links: [Link]

        /// A help link.
        public struct Link: Sendable, Equatable {
            /// The address.
            public let link: String
            /// What it is, such as `解决方案`.
            public let desc: String?

            /// - Parameters:
            ///   - link: the address.
            ///   - desc: what it is.
            public init(link: String, desc: String?) {
                self.link = link
                self.desc = desc
            }
        }

        /// Parses an error body; `nil` when the body is not one.
        /// - Parameter body: the response body.
        public init?(_ body: some Collection<UInt8>) {
            guard case .object(let members)? = try? JSONReader.parse(Array(body)) else { return nil }
            func string(_ name: String, in members: [JSONValue.Member]) -> String? {
                guard let m = members.first(where: { $0.name == name }), case .string(let s) = m.value else { return nil }
                return s
            }
            guard let code = string("code", in: members) else { return nil }
            self.code = code
            message = string("message", in: members)
            var links: [Link] = []
            if let m = members.first(where: { $0.name == "links" }), case .array(let items) = m.value {
                for case .object(let linkMembers) in items {
                    if let link = string("link", in: linkMembers) {
                        links.append(Link(link: link, desc: string("desc", in: linkMembers)))
                    }
                }
            }
            self.links = links
        }
    }

    /// What a verification found, whatever the verdict (wrapped in ``V3ResponseVerification``).
    struct Result: Sendable {
        let status: Status
        let content: [UInt8]?
        let certificateSN: String?
        let plaintext: String?
        let error: ErrorBody?
        let notes: [String]
        var snRemark: CertificateSNRemark? = nil
    }

    /// Something about the `alipay-sn` header worth a warning, whatever the verdict.
    public enum CertificateSNRemark: Sendable, Hashable {
        /// The response names another certificate than the one given (Alipay may have rotated it).
        case differsFromGiven(named: String, given: String)
        /// Certificate mode, and no `alipay-sn`: the first certificate loaded was used, as the v3 SDKs do.
        case absentFirstUsed(String)
    }

    /// Verifies a response as received.
    /// - Parameters:
    ///   - statusCode: the HTTP status; 2xx responses must be signed.
    ///   - headers: the signature headers.
    ///   - body: the body exactly as received.
    ///   - decryptionKey: to decrypt an encrypted body once it has verified.
    /// - Throws: ``AlipaySignError/Code/unknownCertificateSN`` in certificate mode; `decryptionFailed`.
    /// - Returns: ``V3ResponseVerification/valid(_:)`` with what verified, or the reason it cannot be trusted.
    public func verify(statusCode: Int = 200, headers: Headers, body: [UInt8], decryptionKey: AESKey? = nil) throws
        -> V3ResponseVerification
    {
        let r = try outcome(statusCode: statusCode, headers: headers, body: body, decryptionKey: decryptionKey)
        switch r.status {
        case .valid: return .valid(VerifiedV3Response(result: r))
        case .invalid: return .invalid(UnverifiedV3Response(result: r))
        case .unsignedError: return .unsignedError(UnverifiedV3Response(result: r))
        case .missingHeaders: return .missingHeaders(UnverifiedV3Response(result: r))
        }
    }

    func outcome(statusCode: Int, headers: Headers, body: [UInt8], decryptionKey: AESKey?) throws -> Result {
        let success = (200..<300).contains(statusCode)
        let error = success ? nil : ErrorBody(body)
        var notes: [String] = []
        let signature = headers.signature.flatMap { $0.isEmpty || $0 == "null" ? nil : $0 }
        guard let signature, let timestamp = headers.timestamp, let nonce = headers.nonce else {
            if success {
                let missing = [("alipay-signature", signature), ("alipay-timestamp", headers.timestamp), ("alipay-nonce", headers.nonce)]
                    .filter { $0.1 == nil }.map(\.0)
                notes.append("a \(statusCode) response without \(missing.joined(separator: ", ")): the SDKs reject it")
                return Result(status: .missingHeaders, content: nil, certificateSN: nil, plaintext: nil, error: error, notes: notes)
            }
            notes.append("an error response (\(statusCode)) without a signature: the SDKs accept it unverified")
            return Result(status: .unsignedError, content: nil, certificateSN: nil, plaintext: nil, error: error, notes: notes)
        }
        let verifier: SignatureVerifier
        var sn = headers.sn
        var remark: CertificateSNRemark?
        switch keys {
        case .single(let v, let certificateSN):
            verifier = v
            if let certificateSN, let named = headers.sn, named != certificateSN {
                notes.append("the response's alipay-sn is \(named), but the certificate given is \(certificateSN)")
                remark = .differsFromGiven(named: named, given: certificateSN)
            }
            sn = sn ?? certificateSN
        case .registry(let registry, let verifiers):
            let key = try registry.publicKey(forAlipaySNHeader: headers.sn)
            let chosen = headers.sn ?? registry.entries.first { $0.publicKey === key }?.sn
            guard let chosen, let v = verifiers[chosen] else {
                throw AlipaySignError(.unknownCertificateSN, "no key for the response's certificate")
            }
            if headers.sn == nil {
                notes.append("no alipay-sn header: verified with the first certificate, \(chosen)")
                remark = .absentFirstUsed(chosen)
            }
            verifier = v
            sn = chosen
        }
        let content = V3Content.response(timestamp: timestamp, nonce: nonce, body: body)
        guard verifier.isValidSignature(base64: signature, for: content) else {
            return Result(
                status: .invalid, content: content, certificateSN: sn, plaintext: nil, error: error, notes: notes,
                snRemark: remark)
        }
        var plaintext: String?
        if headers.encrypted {
            if let decryptionKey {
                plaintext = try Charset.utf8.decode(try decryptionKey.decrypt(base64: body))
            } else {
                notes.append("the body is encrypted: give the AES key to decrypt it")
            }
        }
        return Result(
            status: .valid, content: content, certificateSN: sn, plaintext: plaintext,
            error: error ?? (plaintext.flatMap { success ? nil : ErrorBody(Array($0.utf8)) }), notes: notes,
            snRemark: remark)
    }
}

/// The outcome of verifying a v3 response (docs/PROTOCOL.md §6.2): only the valid case carries what was verified.
public enum V3ResponseVerification: Sendable {
    /// The signature verifies over `timestamp\nnonce\nbody\n`.
    case valid(VerifiedV3Response)
    /// The signature does not verify.
    case invalid(UnverifiedV3Response)
    /// An error status without a signature (or with the literal `null`): accepted unverified by the SDKs.
    case unsignedError(UnverifiedV3Response)
    /// A 2xx response without `alipay-signature`, `alipay-timestamp` or `alipay-nonce`.
    case missingHeaders(UnverifiedV3Response)

    /// Whether the response can be trusted.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }

    /// The verdict's name, for reports.
    public var status: V3ResponseVerifier.Status {
        switch self {
        case .valid: .valid
        case .invalid: .invalid
        case .unsignedError: .unsignedError
        case .missingHeaders: .missingHeaders
        }
    }

    /// Why the verdict is what it is, and anything else worth knowing.
    public var notes: [String] {
        switch self {
        case .valid(let r): r.notes
        case .invalid(let r), .unsignedError(let r), .missingHeaders(let r): r.notes
        }
    }

    /// A remark on the `alipay-sn` header, when there is one.
    public var certificateSNRemark: V3ResponseVerifier.CertificateSNRemark? {
        switch self {
        case .valid(let r): r.certificateSNRemark
        case .invalid(let r), .unsignedError(let r), .missingHeaders(let r): r.certificateSNRemark
        }
    }
}

/// A v3 response whose signature verified.
public struct VerifiedV3Response: Sendable {
    let result: V3ResponseVerifier.Result
    /// The content that verified (UTF-8 bytes).
    public var content: [UInt8] { result.content ?? [] }
    /// The SN whose key verified, in certificate mode (or the one given with the key).
    public var certificateSN: String? { result.certificateSN }
    /// The decrypted body of an encrypted response, when the AES key was given.
    public var plaintext: String? { result.plaintext }
    /// The error body of a signed error response.
    public var error: V3ResponseVerifier.ErrorBody? { result.error }
    /// Anything worth knowing that did not change the verdict.
    public var notes: [String] { result.notes }
    /// A remark on the `alipay-sn` header, when there is one.
    public var certificateSNRemark: V3ResponseVerifier.CertificateSNRemark? { result.snRemark }
}

/// A v3 response that cannot be trusted: what was found, for reports.
public struct UnverifiedV3Response: Sendable {
    let result: V3ResponseVerifier.Result
    /// The content that was tried, when there was a signature to try.
    public var unverifiedContent: [UInt8]? { result.content }
    /// The SN whose key was tried.
    public var certificateSN: String? { result.certificateSN }
    /// The error body, unverified (the SDKs show it for unsigned error responses).
    public var error: V3ResponseVerifier.ErrorBody? { result.error }
    /// Why it is not valid, and anything else worth knowing.
    public var notes: [String] { result.notes }
    /// A remark on the `alipay-sn` header, when there is one.
    public var certificateSNRemark: V3ResponseVerifier.CertificateSNRemark? { result.snRemark }
}
