/// The one error type of the library: a closed set of ``Code-swift.struct`` values that callers and tests
/// compare, a human ``reason``, where it helps a ``hint`` that says what to do, and the place it was thrown.
///
/// Cryptographic failure is deliberately not an error: a signature that does not verify is an invalid result
/// value (or `false` at the lowest level), with no detail that could serve as an oracle.
///
/// Messages never contain private-key material: key parsing errors name the format that was expected, the PEM
/// label or the DER structure found, never the bytes. Hints speak of the library's own concepts; a command line
/// built on it maps them to its flags.
public struct AlipaySignError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is: one of a closed set. Equality of ``AlipaySignError`` compares only the code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Backing: String, Sendable, Hashable, CaseIterable {
            case malformedKey
            case unsupportedKey
            case weakKey
            case malformedCertificate
            case unknownCertificateSN
            case untrustedCertificate
            case conflictingParameter
            case decryptionFailed
            case malformedResponse
            case malformedAuthorization
            case unknownCharset
            case unencodableCharacter
            case invalidEncoding
            case malformedForm
            case duplicateParameter
            case malformedJSON
            case malformedBase64
            case unknownSignType
            case inputTooLarge
            case unreadableInput
            case backendFailure
        }

        let backing: Backing

        private init(_ backing: Backing) { self.backing = backing }

        /// A stable, machine-readable name, such as `malformedKey`.
        public var name: String { backing.rawValue }

        /// The same as ``name``.
        public var description: String { name }

        /// Every code, in a stable order (for documentation and exhaustive tests).
        public static var allCases: [Code] { Backing.allCases.map(Code.init) }

        /// A key that cannot be parsed: bad PEM, bad base64, bad DER, truncated.
        public static let malformedKey = Code(.malformedKey)
        /// A key that parses but is not usable: not RSA, encrypted, of the wrong role.
        public static let unsupportedKey = Code(.unsupportedKey)
        /// An RSA key below the size the API accepts.
        public static let weakKey = Code(.weakKey)
        /// A certificate that cannot be parsed.
        public static let malformedCertificate = Code(.malformedCertificate)
        /// A certificate SN that no loaded certificate has.
        public static let unknownCertificateSN = Code(.unknownCertificateSN)
        /// A certificate that had to be trusted under a root bundle and is not.
        public static let untrustedCertificate = Code(.untrustedCertificate)
        /// A parameter whose value contradicts the one the library must set (a different `app_cert_sn`, say).
        public static let conflictingParameter = Code(.conflictingParameter)
        /// A ciphertext that does not decrypt under the key (deliberately without saying why).
        public static let decryptionFailed = Code(.decryptionFailed)
        /// A gateway response that is not of the expected shape: no node for the method, a sign that is not a
        /// string, XML that is not well-formed.
        public static let malformedResponse = Code(.malformedResponse)
        /// A v3 `Authorization` header that cannot be read: another scheme, a field without `=`, a missing
        /// `app_id`, `nonce` or `timestamp`, a timestamp that is not milliseconds.
        public static let malformedAuthorization = Code(.malformedAuthorization)
        /// A charset name that is not UTF-8, GBK (cp936, GB2312) or GB18030.
        public static let unknownCharset = Code(.unknownCharset)
        /// Text with a character that the charset cannot encode.
        public static let unencodableCharacter = Code(.unencodableCharacter)
        /// Bytes that are not valid in the charset they claim to be in.
        public static let invalidEncoding = Code(.invalidEncoding)
        /// An `application/x-www-form-urlencoded` body or query string that cannot be decoded.
        public static let malformedForm = Code(.malformedForm)
        /// A parameter that appears more than once.
        public static let duplicateParameter = Code(.duplicateParameter)
        /// JSON that cannot be parsed, or of an unexpected shape.
        public static let malformedJSON = Code(.malformedJSON)
        /// Base64 that cannot be decoded where it must be.
        public static let malformedBase64 = Code(.malformedBase64)
        /// A `sign_type` other than `RSA2` or `RSA`.
        public static let unknownSignType = Code(.unknownSignType)
        /// An input over its size limit.
        public static let inputTooLarge = Code(.inputTooLarge)
        /// A file or stream that cannot be read.
        public static let unreadableInput = Code(.unreadableInput)
        /// The crypto backend failed for a reason that is not the caller's input (out of memory, say).
        public static let backendFailure = Code(.backendFailure)
    }

    /// What kind of failure this is.
    public let code: Code
    /// What was wrong, in one sentence.
    public let reason: String
    /// What to do about it, when there is something useful to say.
    public let hint: String?
    /// The source file (`#fileID`) where the error was thrown: for reports of bugs, never for branching.
    public let file: String
    /// The line in ``file``.
    public let line: UInt

    package init(_ code: Code, _ reason: String, hint: String? = nil, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.reason = reason
        self.hint = hint
        self.file = file
        self.line = line
    }

    /// The reason, and the hint in parentheses when there is one.
    public var description: String {
        hint.map { "\(reason) (hint: \($0))" } ?? reason
    }

    /// Errors are equal when their codes are: the reason's wording may change, the code does not.
    public static func == (lhs: AlipaySignError, rhs: AlipaySignError) -> Bool { lhs.code == rhs.code }

    /// Hashes the code, consistently with ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
