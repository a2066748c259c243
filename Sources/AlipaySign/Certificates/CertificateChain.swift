#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Chain trust exactly as the Java SDK's `AntCertificationUtil.isTrusted` decides it (docs/PROTOCOL.md §3.4), the
/// check the SDK runs before it accepts a downloaded Alipay public-key certificate.
///
/// 1. The candidate's certificates are ordered by name linking (`sortByDn`): up from the first certificate by
///    issuer, down by subject. A set that does not form one chain, or that holds two self-issued
///    certificates, fails as `incompleteChain`.
/// 2. The top of the chain must be within its validity period at the instant, and be signed by the key of a
///    root whose subject is its issuer.
/// 3. Every certificate below must be within its validity period and signed by the one above.
///
/// Like the SDK, it does not check basicConstraints, key usage, revocation, or the roots' own validity.
public enum CertificateChain {
    /// What failed.
    public enum Check: String, Sendable {
        /// The certificates do not form one chain by name linking (or hold two self-issued certificates).
        case incompleteChain
        /// A certificate's notAfter is before the instant.
        case expired
        /// A certificate's notBefore is after the instant.
        case notYetValid
        /// No root has the top certificate's issuer as its subject.
        case issuerNotInRoots
        /// A signature does not verify under its issuer's key (or cannot be checked).
        case badSignature
    }

    /// What the checks found (wrapped in ``ChainVerification``).
    struct Result: Sendable {
        let chain: [AlipayCertificate]
        let anchor: AlipayCertificate?
        let failedCheck: Check?
        let failedCertificate: AlipayCertificate?
        let message: String
    }

    /// Checks `candidate` (a certificate and its chain, in any order) against `roots` at `instant`.
    /// - Parameters:
    ///   - candidate: the certificates of the file to trust, in any order.
    ///   - roots: the root bundle's certificates.
    ///   - instant: when the chain must be valid; now by default.
    /// - Returns: ``ChainVerification/trusted(_:)`` with the ordered chain and its root, or
    ///   ``ChainVerification/untrusted(_:)`` with the check that failed.
    public static func verify(_ candidate: [AlipayCertificate], roots: [AlipayCertificate], at instant: Date = Date())
        -> ChainVerification
    {
        let r = evaluate(candidate, roots: roots, at: instant)
        if let check = r.failedCheck {
            return .untrusted(ChainFailure(
                check: check, certificate: r.failedCertificate, chain: r.chain, message: r.message))
        }
        guard let anchor = r.anchor else {
            return .untrusted(ChainFailure(check: .issuerNotInRoots, certificate: nil, chain: r.chain, message: r.message))
        }
        return .trusted(TrustedChain(chain: r.chain, anchor: anchor, message: r.message))
    }

    static func evaluate(_ candidate: [AlipayCertificate], roots: [AlipayCertificate], at instant: Date) -> Result {
        func fail(_ check: Check, _ certificate: AlipayCertificate?, _ chain: [AlipayCertificate], anchor: AlipayCertificate? = nil, _ message: String)
            -> Result
        {
            Result(chain: chain, anchor: anchor, failedCheck: check, failedCertificate: certificate, message: message)
        }
        guard let first = candidate.first else {
            return fail(.incompleteChain, nil, [], "the candidate holds no certificate")
        }
        // sortByDn
        var bySubject: [X500PrincipalName: AlipayCertificate] = [:]
        var byIssuer: [X500PrincipalName: AlipayCertificate] = [:]
        var selfIssued: AlipayCertificate?
        for certificate in candidate {
            if certificate.isSelfIssued {
                if let selfIssued {
                    return fail(
                        .incompleteChain, certificate, candidate,
                        "the candidate holds two self-issued certificates (\(selfIssued.subject) and \(certificate.subject))")
                }
                selfIssued = certificate
            }
            bySubject[certificate.subject] = certificate
            byIssuer[certificate.issuer] = certificate
        }
        var chain: [AlipayCertificate] = []
        var current = first
        while true {
            chain.insert(current, at: 0)
            if current.isSelfIssued || chain.count > candidate.count { break }
            guard let up = bySubject[current.issuer] else { break }
            current = up
        }
        current = first
        while let down = byIssuer[current.subject], !down.isSelfIssued, chain.count <= candidate.count {
            chain.append(down)
            current = down
        }
        guard chain.count == candidate.count else {
            return fail(
                .incompleteChain, nil, candidate,
                "the \(candidate.count) certificates do not form one chain by issuer and subject names (\(chain.count) link up)")
        }
        // verifyCert(chain[0], roots)
        let top = chain[0]
        if let failure = validity(top, instant, chain) { return failure }
        guard let root = roots.last(where: { $0.subject == top.issuer }) else {
            return fail(
                .issuerNotInRoots, top, chain,
                "no root certificate has the subject \(top.issuer), the issuer of \(top.subject)")
        }
        if let failure = signature(of: top, by: root, chain) { return failure }
        // The rest of the chain.
        for i in chain.indices.dropFirst() {
            if let failure = validity(chain[i], instant, chain) { return failure }
            if let failure = signature(of: chain[i], by: chain[i - 1], chain) { return failure }
        }
        return Result(
            chain: chain, anchor: root, failedCheck: nil, failedCertificate: nil,
            message: "trusted: \(chain.count) certificate\(chain.count == 1 ? "" : "s") under the root \(root.subject)")
    }

    /// Checks the certificate file `candidate` against the root bundle `roots` at `instant`. Unreadable
    /// blocks of the root bundle are skipped (as the SM2 roots are by strict parsers); the candidate must be
    /// readable throughout.
    /// - Parameters:
    ///   - candidate: the certificate file (PEM, DER or base64): a certificate and its chain.
    ///   - roots: the root bundle file (`alipayRootCert.crt`).
    ///   - instant: when the chain must be valid; now by default.
    /// - Returns: the verdict, as ``verify(_:roots:at:)``.
    /// - Throws: ``AlipaySignError`` with ``AlipaySignError/Code/malformedCertificate`` for unreadable
    ///   input.
    public static func verify(certificateFile candidate: [UInt8], rootFile roots: [UInt8], at instant: Date = Date())
        throws -> ChainVerification
    {
        let file = try CertificateFile(parsing: candidate)
        if let broken = file.entries.first(where: { $0.certificate == nil }) {
            throw AlipaySignError(
                .malformedCertificate, "the certificate chain has an unreadable block: \(broken.problem ?? "")")
        }
        return verify(file.certificates, roots: try CertificateFile(parsing: roots).certificates, at: instant)
    }

    private static func validity(_ certificate: AlipayCertificate, _ instant: Date, _ chain: [AlipayCertificate]) -> Result? {
        switch certificate.validity(at: instant) {
        case .valid: return nil
        case .expired:
            return Result(
                chain: chain, anchor: nil, failedCheck: .expired, failedCertificate: certificate,
                message: "\(certificate.subject) expired at \(certificate.notAfter.formatted(Date.ISO8601FormatStyle()))")
        case .notYetValid:
            return Result(
                chain: chain, anchor: nil, failedCheck: .notYetValid, failedCertificate: certificate,
                message: "\(certificate.subject) is not valid before \(certificate.notBefore.formatted(Date.ISO8601FormatStyle()))")
        }
    }

    private static func signature(of certificate: AlipayCertificate, by issuer: AlipayCertificate, _ chain: [AlipayCertificate]) -> Result? {
        guard let handle = certificate.handle, let key = issuer.handle?.publicKey() else {
            return Result(
                chain: chain, anchor: nil, failedCheck: .badSignature, failedCertificate: certificate,
                message: "the signature of \(certificate.subject) cannot be checked: OpenSSL cannot read "
                    + (certificate.handle == nil ? "the certificate" : "the key of \(issuer.subject)"))
        }
        guard handle.isSigned(by: key) else {
            return Result(
                chain: chain, anchor: nil, failedCheck: .badSignature, failedCertificate: certificate,
                message: "the signature of \(certificate.subject) does not verify under the key of \(issuer.subject)")
        }
        return nil
    }
}

/// The Java SDK's verdict on a certificate chain: only the trusted case carries the ordered chain and its root.
public enum ChainVerification: Sendable, CustomStringConvertible {
    /// Every check passed.
    case trusted(TrustedChain)
    /// A check failed.
    case untrusted(ChainFailure)

    /// Whether the chain is trusted.
    public var isTrusted: Bool {
        if case .trusted = self { return true }
        return false
    }

    /// One sentence on what was found.
    public var description: String {
        switch self {
        case .trusted(let t): t.message
        case .untrusted(let f): f.message
        }
    }
}

/// A chain that is trusted under a root.
public struct TrustedChain: Sendable {
    /// The chain in the order it was checked: root-most first (as the Java SDK's `sortByDn` leaves it).
    public let chain: [AlipayCertificate]
    /// The root that signed the top of the chain.
    public let anchor: AlipayCertificate
    /// One sentence on what was found.
    public let message: String
}

/// Why a chain is not trusted.
public struct ChainFailure: Sendable {
    /// The check that failed.
    public let check: CertificateChain.Check
    /// The certificate the failed check is about, when it is about one.
    public let certificate: AlipayCertificate?
    /// The chain as far as it was ordered.
    public let chain: [AlipayCertificate]
    /// One sentence on what was found.
    public let message: String
}
