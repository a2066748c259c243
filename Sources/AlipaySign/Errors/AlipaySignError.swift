/// The one error type of the library: an extensible ``Code`` that tests compare, a human ``reason``
/// and, where it helps, a ``hint`` that says what to do.
///
/// Cryptographic failure is deliberately not an error: a signature that does not verify is reported as
/// `false` (or an invalid result value), with no detail that could serve as an oracle.
///
/// Messages never contain private-key material: key parsing errors name the format that was expected,
/// the PEM label or the DER structure found, never the bytes.
public struct AlipaySignError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. Equality of ``AlipaySignError`` compares only the code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable, machine-readable name, such as `malformedKey`.
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A key that cannot be parsed: bad PEM, bad base64, bad DER, truncated.
        public static let malformedKey = Code("malformedKey")
        /// A key that parses but is not usable: not RSA, encrypted, of the wrong role.
        public static let unsupportedKey = Code("unsupportedKey")
        /// An RSA key below the size the API accepts.
        public static let weakKey = Code("weakKey")
        /// A certificate that cannot be parsed.
        public static let malformedCertificate = Code("malformedCertificate")
        /// A certificate SN that no loaded certificate has.
        public static let unknownCertificateSN = Code("unknownCertificateSN")
        /// A certificate that had to be trusted under a root bundle and is not.
        public static let untrustedCertificate = Code("untrustedCertificate")
        /// A parameter whose value contradicts the one the library must set (a different `app_cert_sn`, say).
        public static let conflictingParameter = Code("conflictingParameter")
        /// A ciphertext that does not decrypt under the key (deliberately without saying why).
        public static let decryptionFailed = Code("decryptionFailed")
        /// A gateway response that is not of the expected shape: no node for the method, a sign that is not a
        /// string, XML that is not well-formed.
        public static let malformedResponse = Code("malformedResponse")
        /// A v3 `Authorization` header that cannot be read: another scheme, a field without `=`, a missing
        /// `app_id`, `nonce` or `timestamp`, a timestamp that is not milliseconds.
        public static let malformedAuthorization = Code("malformedAuthorization")
        /// A charset name that is not UTF-8, GBK (cp936, GB2312) or GB18030.
        public static let unknownCharset = Code("unknownCharset")
        /// Text with a character that the charset cannot encode.
        public static let unencodableCharacter = Code("unencodableCharacter")
        /// Bytes that are not valid in the charset they claim to be in.
        public static let invalidEncoding = Code("invalidEncoding")
        /// An `application/x-www-form-urlencoded` body or query string that cannot be decoded.
        public static let malformedForm = Code("malformedForm")
        /// A parameter that appears more than once.
        public static let duplicateParameter = Code("duplicateParameter")
        /// JSON that cannot be parsed, or of an unexpected shape.
        public static let malformedJSON = Code("malformedJSON")
        /// Base64 that cannot be decoded where it must be.
        public static let malformedBase64 = Code("malformedBase64")
        /// A `sign_type` other than `RSA2` or `RSA`.
        public static let unknownSignType = Code("unknownSignType")
        /// An input over its size limit.
        public static let inputTooLarge = Code("inputTooLarge")
        /// A file or stream that cannot be read.
        public static let unreadableInput = Code("unreadableInput")
        /// The crypto backend failed for a reason that is not the caller's input (out of memory, say).
        public static let backendFailure = Code("backendFailure")
    }

    public let code: Code
    /// What was wrong, in one sentence.
    public let reason: String
    /// What to do about it, when there is something useful to say.
    public let hint: String?

    public init(_ code: Code, _ reason: String, hint: String? = nil) {
        self.code = code
        self.reason = reason
        self.hint = hint
    }

    public var description: String {
        hint.map { "\(reason) (hint: \($0))" } ?? reason
    }

    public static func == (lhs: AlipaySignError, rhs: AlipaySignError) -> Bool { lhs.code == rhs.code }
}
