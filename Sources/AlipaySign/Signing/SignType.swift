/// The `sign_type` of a v2 request or notification (docs/PROTOCOL.md §2.1, §10): RSASSA-PKCS1-v1_5 with SHA-256 or
/// SHA-1, or SM3withSM2.
public enum SignType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `RSA2`: SHA256withRSA. The default, and what Alipay recommends.
    case rsa2 = "RSA2"
    /// `RSA`: SHA1withRSA.
    /// - Warning: legacy. SHA-1 is broken for collision resistance; use it only to talk to set-ups that still
    ///   send `sign_type=RSA`.
    case legacyRSA = "RSA"
    /// `SM2`: SM3withSM2 with the ID `1234567812345678`, DER signatures; keys on the SM2 curve.
    case sm2 = "SM2"

    /// Parses a `sign_type` value (`RSA2`, `RSA` or `SM2`, any case).
    /// - Parameter protocolName: the parameter's value.
    /// - Throws: ``AlipaySignError/Code/unknownSignType``.
    public init(protocolName: String) throws {
        switch protocolName.uppercased() {
        case "RSA2": self = .rsa2
        case "RSA": self = .legacyRSA
        case "SM2": self = .sm2
        default:
            throw AlipaySignError(
                .unknownSignType, "unsupported sign_type '\(protocolName)'",
                hint: "use RSA2 (SHA256withRSA), SM2 (SM3withSM2) or, for legacy set-ups, RSA (SHA1withRSA)")
        }
    }

    /// The Java algorithm name: `SHA256WithRSA`, `SHA1WithRSA` (Java `AlipayConstants`) or `SM3withSM2`.
    public var algorithmName: String {
        switch self {
        case .rsa2: "SHA256withRSA"
        case .legacyRSA: "SHA1withRSA"
        case .sm2: "SM3withSM2"
        }
    }

    /// The protocol name: `RSA2`, `RSA` or `SM2`.
    public var description: String { rawValue }

}
