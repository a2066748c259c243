/// The `sign_type` of a v2 request or notification (docs/PROTOCOL.md §2.1). Both are RSASSA-PKCS1-v1_5.
public enum SignType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `RSA2`: SHA256withRSA. The default, and what Alipay recommends.
    case rsa2 = "RSA2"
    /// `RSA`: SHA1withRSA.
    /// - Warning: legacy. SHA-1 is broken for collision resistance; use it only to talk to set-ups that still
    ///   send `sign_type=RSA`.
    case legacyRSA = "RSA"

    /// Parses a `sign_type` value (`RSA2` or `RSA`, any case).
    /// - Parameter protocolName: the parameter's value.
    /// - Throws: ``AlipaySignError/Code/unknownSignType``.
    public init(protocolName: String) throws {
        switch protocolName.uppercased() {
        case "RSA2": self = .rsa2
        case "RSA": self = .legacyRSA
        default:
            throw AlipaySignError(
                .unknownSignType, "unsupported sign_type '\(protocolName)'",
                hint: protocolName.uppercased() == "SM2"
                    ? "SM2 (SM3withSM2) is not supported yet; RSA2 and RSA are"
                    : "use RSA2 (SHA256withRSA) or, for legacy set-ups, RSA (SHA1withRSA)")
        }
    }

    /// The Java algorithm name: `SHA256WithRSA` or `SHA1WithRSA` (Java `AlipayConstants`).
    public var algorithmName: String {
        switch self {
        case .rsa2: "SHA256withRSA"
        case .legacyRSA: "SHA1withRSA"
        }
    }

    /// The protocol name: `RSA2` or `RSA`.
    public var description: String { rawValue }

    var digest: Digest {
        switch self {
        case .rsa2: .sha256
        case .legacyRSA: .sha1
        }
    }
}
