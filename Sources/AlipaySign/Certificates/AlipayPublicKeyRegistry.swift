#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Alipay public keys by certificate SN, for verification in certificate mode (docs/PROTOCOL.md §3.3).
///
/// v2 responses name the certificate that signed them in `alipay_cert_sn`; v3 responses in the `alipay-sn`
/// header. Alipay rotates its certificate, so a verifier holds one key per SN and picks by the SN the
/// response names. Load each certificate once; lookups are a dictionary read.
public struct AlipayPublicKeyRegistry: Sendable {
    /// One loaded key.
    public struct Entry: Sendable {
        /// The certificate SN the key is looked up by.
        public let sn: String
        /// The key.
        public let publicKey: PublicKey
        /// The certificate it came from, when it came from one.
        public let certificate: AlipayCertificate?
    }

    /// The loaded keys, in the order they were added.
    public private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]

    /// An empty registry.
    public init() {}

    /// The SNs loaded, in the order they were added.
    public var knownSNs: [String] { entries.map(\.sn) }

    /// Adds the key of a certificate file's first certificate under that certificate's SN.
    /// - Parameters:
    ///   - certificateFile: an Alipay public-key certificate (`alipayCertPublicKey_RSA2.crt`), possibly with
    ///     its chain.
    ///   - roots: when given, the file must be trusted under this root bundle at `instant` (the check the Java
    ///     SDK runs on a downloaded certificate, ``CertificateChain``).
    ///   - instant: when the chain must be valid; now by default.
    ///   - allowWeakKey: accept 1024-bit to 2047-bit keys.
    /// - Returns: the SN the key was added under.
    /// - Throws: ``AlipaySignError`` `malformedCertificate`, `unsupportedKey`, `weakKey`, or
    ///   `untrustedCertificate` naming the failed check.
    @discardableResult
    public mutating func add(
        certificateFile: [UInt8], trustedUnder roots: CertificateFile? = nil, at instant: Date = Date(),
        allowWeakKey: Bool = false
    ) throws -> String {
        let file = try CertificateFile(parsing: certificateFile)
        let certificate = try file.firstCertificate()
        if let roots {
            if case .untrusted(let failure) = CertificateChain.verify(file.certificates, roots: roots.certificates, at: instant) {
                throw AlipaySignError(
                    .untrustedCertificate,
                    "certificate \(certificate.sn) is not trusted (\(failure.check.rawValue)): \(failure.message)",
                    hint: "check that the root bundle is Alipay's alipayRootCert.crt and that the certificate is current")
            }
        }
        let key = allowWeakKey ? try certificate.publicKeyAllowingWeakKey() : try certificate.publicKey()
        add(Entry(sn: certificate.sn, publicKey: key, certificate: certificate))
        return certificate.sn
    }

    /// Adds a key under an SN given by the caller (a key kept outside its certificate).
    /// - Parameters:
    ///   - publicKey: the key.
    ///   - sn: the SN of the certificate it belongs to; a key already under that SN is replaced.
    public mutating func add(publicKey: PublicKey, sn: String) {
        add(Entry(sn: sn, publicKey: publicKey, certificate: nil))
    }

    mutating func add(_ entry: Entry) {
        if let at = index[entry.sn] {
            entries[at] = entry
        } else {
            index[entry.sn] = entries.count
            entries.append(entry)
        }
    }

    /// The key of the certificate with this SN (a v2 response's `alipay_cert_sn`).
    /// - Parameter sn: the SN the response names.
    /// - Returns: the key loaded under it.
    /// - Throws: ``AlipaySignError/Code/unknownCertificateSN`` naming the SN and the SNs loaded.
    public func publicKey(forSN sn: String) throws -> PublicKey {
        guard let at = index[sn] else {
            throw AlipaySignError(
                .unknownCertificateSN,
                "no loaded certificate has the SN \(sn); known: \(knownSNs.isEmpty ? "none" : knownSNs.joined(separator: ", "))",
                hint: "a rotation: Alipay signs with a new certificate; download it (alipay.open.app.alipaycert.download "
                    + "with biz_content {\"alipay_cert_sn\":\"\(sn)\"}) and load it with add(downloadResponse:roots:)")
        }
        return entries[at].publicKey
    }

    /// The key for a v3 response's `alipay-sn` header: the one with that SN, or, when the header is absent,
    /// the first key loaded (as the v3 SDKs do).
    /// - Parameter sn: the header's value, or `nil` when the response has none.
    /// - Returns: the key.
    /// - Throws: ``AlipaySignError/Code/unknownCertificateSN`` for an SN no certificate has, or an empty registry.
    public func publicKey(forAlipaySNHeader sn: String?) throws -> PublicKey {
        if let sn { return try publicKey(forSN: sn) }
        guard let first = entries.first else {
            throw AlipaySignError(.unknownCertificateSN, "no certificate is loaded", hint: "load the Alipay public-key certificate")
        }
        return first.publicKey
    }
}

/// The two SN parameters a request carries in certificate mode (docs/PROTOCOL.md §3.3): `app_cert_sn` of the app's
/// certificate and `alipay_root_cert_sn` of Alipay's root bundle. Compute once at start-up.
public struct CertificateModeIdentity: Sendable, Equatable {
    /// The app certificate's SN: the value of `app_cert_sn`.
    public let appCertSN: String
    /// The root bundle's SN: the value of `alipay_root_cert_sn`.
    public let alipayRootCertSN: String

    /// The two SNs, computed elsewhere.
    /// - Parameters:
    ///   - appCertSN: the app certificate's SN.
    ///   - alipayRootCertSN: the root bundle's SN.
    public init(appCertSN: String, alipayRootCertSN: String) {
        self.appCertSN = appCertSN
        self.alipayRootCertSN = alipayRootCertSN
    }

    /// From the app's certificate file (`appCertPublicKey_<appid>.crt`) and the root bundle
    /// (`alipayRootCert.crt`).
    /// - Parameters:
    ///   - appCertificate: the app's certificate file.
    ///   - rootCertificates: Alipay's root bundle.
    ///   - signType: the app's sign type: with ``SignType/sm2`` the root SN is the one of the bundle's SM2 roots, as
    ///     the Java SDK sends it (docs/PROTOCOL.md §10).
    /// - Throws: ``AlipaySignError/Code/malformedCertificate`` for a file that cannot be read, or a bundle without
    ///   a root of that kind.
    public init(appCertificate: [UInt8], rootCertificates: [UInt8], signType: SignType = .rsa2) throws {
        self.appCertSN = try CertificateSN.sn(ofCertificateFile: appCertificate)
        self.alipayRootCertSN = try CertificateSN.rootSN(of: rootCertificates, variant: signType == .sm2 ? .sm2 : .rsa)
    }

    /// `parameters` with `app_cert_sn` and `alipay_root_cert_sn` set.
    /// - Parameter parameters: a request's parameters.
    /// - Returns: the same with the two SNs.
    /// - Throws: ``AlipaySignError/Code/conflictingParameter`` when one is already there with another value.
    public func applied(to parameters: [String: String]) throws -> [String: String] {
        var out = parameters
        for (name, value) in [("app_cert_sn", appCertSN), ("alipay_root_cert_sn", alipayRootCertSN)] {
            if let present = parameters[name], present != value {
                throw AlipaySignError(
                    .conflictingParameter, "the parameters have \(name)=\(present), but the certificate gives \(value)",
                    hint: "remove \(name) from the parameters, or check that the right certificate is given")
            }
            out[name] = value
        }
        return out
    }
}

extension Signer {
    /// Signs a request in certificate mode: adds `app_cert_sn` and `alipay_root_cert_sn`, then signs the
    /// canonical content, which includes them (Java `getRequestHolderWithSign`).
    /// - Parameters:
    ///   - parameters: the request's parameters.
    ///   - identity: the app certificate's SN and the root bundle's SN.
    /// - Returns: the signed request; its ``SignedRequest/parameters`` carry the two SNs.
    /// - Throws: ``AlipaySignError`` with ``AlipaySignError/Code/conflictingParameter`` when a
    ///   parameter already holds another SN.
    public func signRequest(_ parameters: [String: String], certificateMode identity: CertificateModeIdentity) throws
        -> SignedRequest
    {
        try signRequest(try identity.applied(to: parameters))
    }
}
