/// Verifies Alipay's asynchronous notifications and `return_url` parameters (PROTOCOL.md §1.2).
///
/// A notification is a form body signed by Alipay. Which parameters are signed depends on the message: payment
/// notifications (`trade_status_sync`) leave `sign_type` out (V1), others such as `servicemarket_order_notify`
/// keep it (V2). ``Mode/auto`` tries V1, then V2, like the official Node SDK's `checkNotifySign`, and reports
/// which one verified.
public struct NotificationVerifier: Sendable {
    /// Which canonical content to verify.
    public enum Mode: String, Sendable, CaseIterable {
        case auto, v1, v2
    }

    /// Which content verified.
    public enum Version: String, Sendable {
        case v1, v2

        var contentMode: SignContent.Mode { self == .v1 ? .notifyV1 : .notifyV2 }
    }

    /// The outcome of a verification.
    public struct Result: Sendable, Equatable {
        /// Whether the signature verified.
        public let isValid: Bool
        /// Which content verified; `nil` when none did.
        public let version: Version?
        /// The content that verified; when none did, the content of the last variant tried.
        public let content: String
        /// The charset the content was verified in.
        public let charset: Charset
        /// Whether the notification had a `sign` parameter at all.
        public let hadSignature: Bool
    }

    public let publicKey: PublicKey
    public let signType: SignType
    /// The charset to verify in; `nil` means the notification's own `charset` parameter, else UTF-8.
    public let charset: Charset?
    private let verifier: SignatureVerifier

    public init(publicKey: PublicKey, signType: SignType = .rsa2, charset: Charset? = nil) throws {
        self.publicKey = publicKey
        self.signType = signType
        self.charset = charset
        // The charset is applied here per notification; the verifier only checks bytes.
        self.verifier = try SignatureVerifier(publicKey: publicKey, signType: signType)
    }

    /// Verifies a notification's form body as received: decoded once, in ``charset`` or the body's own
    /// `charset` parameter.
    /// - Throws: only for a body that cannot be decoded (malformed form, bad charset bytes, unknown charset).
    public func verify<C: Collection>(formBody: C, mode: Mode = .auto) throws -> Result where C.Element == UInt8 {
        let (parameters, cs) = try FormBody.decode(formBody, charset: charset)
        return try verify(parameters: parameters, charset: cs, mode: mode)
    }

    /// Verifies already-decoded parameters.
    public func verify(parameters: [String: String], charset: Charset? = nil, mode: Mode = .auto) throws -> Result {
        let cs = try charset ?? self.charset ?? parameters["charset"].flatMap { $0.isEmpty ? nil : try Charset(name: $0) }
            ?? .utf8
        let versions: [Version] = switch mode {
        case .auto: [.v1, .v2]
        case .v1: [.v1]
        case .v2: [.v2]
        }
        let signature = parameters["sign"].flatMap { SignContent.isJavaEmpty($0) ? nil : $0 }
        let rawSignature = signature.flatMap { Base64.decode($0) }
        var content: [UInt8] = []
        for version in versions {
            // UTF-8 content is built as bytes directly; other charsets encode the content string once.
            content = SignContent.utf8Bytes(parameters, mode: version.contentMode)
            guard let rawSignature else { continue }
            let signed = cs == .utf8 ? content : try cs.encode(String(decoding: content, as: UTF8.self))
            if verifier.isValidSignature(rawSignature, for: signed) {
                return Result(isValid: true, version: version, content: String(decoding: content, as: UTF8.self),
                              charset: cs, hadSignature: true)
            }
        }
        return Result(isValid: false, version: nil, content: String(decoding: content, as: UTF8.self), charset: cs,
                      hadSignature: signature != nil)
    }
}
