import AlipaySign

/// Test-side views of the verification enums, so that one assertion can cover both cases.
extension NotificationVerification {
    var version: NotificationVerifier.Version? {
        if case .valid(let n) = self { return n.version }
        return nil
    }

    var charset: Charset {
        switch self {
        case .valid(let n): n.charset
        case .invalid(let f): f.charset
        }
    }

    /// The content that verified, or the last one tried.
    var content: String {
        switch self {
        case .valid(let n): n.content
        case .invalid(let f): String(decoding: f.content, as: UTF8.self)
        }
    }

    var hadSignature: Bool {
        switch self {
        case .valid: true
        case .invalid(let f): f.hadSignature
        }
    }

    /// Everything a verification says, for comparing two of them.
    var summary: String { "\(isValid) \(version?.rawValue ?? "-") \(charset) \(hadSignature) \(content)" }
}

extension ResponseVerification {
    var content: String {
        switch self {
        case .valid(let r): r.content
        case .invalid(let u), .unsignedError(let u), .unsignedSuccess(let u), .missingCertificateSN(let u), .rejected(let u):
            u.unverifiedContent
        }
    }

    var node: String {
        switch self {
        case .valid(let r): r.node
        case .invalid(let u), .unsignedError(let u), .unsignedSuccess(let u), .missingCertificateSN(let u), .rejected(let u):
            u.node
        }
    }

    var sign: String? {
        switch self {
        case .valid(let r): r.sign
        case .invalid(let u), .unsignedError(let u), .unsignedSuccess(let u), .missingCertificateSN(let u), .rejected(let u):
            u.sign
        }
    }

    var certificateSN: String? {
        switch self {
        case .valid(let r): r.certificateSN
        case .invalid(let u), .unsignedError(let u), .unsignedSuccess(let u), .missingCertificateSN(let u), .rejected(let u):
            u.certificateSN
        }
    }

    var plaintext: String? {
        if case .valid(let r) = self { return r.plaintext }
        return nil
    }
}
