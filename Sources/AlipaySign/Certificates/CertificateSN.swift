/// Certificate SNs as the official SDKs compute them (docs/PROTOCOL.md §3.1, §3.2).
public enum CertificateSN {
    /// The SN of one certificate: lowercase hex MD5 (32 characters, leading zeros kept) of the JDK's RFC 2253
    /// issuer string followed by the decimal serial, over UTF-8.
    static func hash(issuer: String, serial: String) throws -> String {
        var message: [UInt8] = []
        message.reserveCapacity(issuer.utf8.count + serial.utf8.count)
        message.append(contentsOf: issuer.utf8)
        message.append(contentsOf: serial.utf8)
        return Hex.lower(try OpenSSL.md5(message))
    }

    /// Which certificates of a root bundle the root SN includes.
    public enum RootVariant: String, Sendable, CaseIterable {
        /// RSA signature algorithms: OIDs that start with `1.2.840.113549.1.1` (`alipay_root_cert_sn`).
        case rsa
        /// SM2-with-SM3: OIDs that start with `1.2.156.10197.1.501` (the SDKs' `getRootCertSN(content, "SM2")`).
        case sm2

        /// The prefix, compared as text as Java's `getSigAlgOID().startsWith(...)` does (so RSASSA-PSS,
        /// `1.2.840.113549.1.1.10`, counts as RSA).
        public var oidPrefix: String {
            switch self {
            case .rsa: "1.2.840.113549.1.1"
            case .sm2: "1.2.156.10197.1.501"
            }
        }
    }

    /// A root bundle's SN and what was done with each block of the bundle.
    public struct RootSN: Sendable {
        /// One block of the bundle, and whether its SN is part of the root SN.
        public struct Item: Sendable {
            /// The block's position in the file, from 0.
            public let index: Int
            /// The certificate, when the block was readable.
            public let certificate: AlipayCertificate?
            /// Whether its SN is part of the root SN.
            public let included: Bool
            /// Why it was left out (an other signature algorithm, or an unreadable block).
            public let reason: String?
        }

        /// The SNs of the included certificates joined by `_`, in file order.
        public let value: String
        /// Which signature algorithms were included.
        public let variant: RootVariant
        /// Every block of the bundle, in file order.
        public let items: [Item]
    }

    /// The `alipay_root_cert_sn` of a root bundle (Java `AntCertificationUtil.getRootCertSN`).
    /// - Parameters:
    ///   - bundle: the parsed root bundle (`alipayRootCert.crt`).
    ///   - variant: RSA (the default) or SM2 roots.
    /// - Returns: the root SN, and what was done with each block.
    /// - Throws: ``AlipaySignError/Code/malformedCertificate`` when no certificate of the variant is in it.
    public static func rootSN(of bundle: CertificateFile, variant: RootVariant = .rsa) throws -> RootSN {
        var items: [RootSN.Item] = []
        var included: [String] = []
        for entry in bundle.entries {
            guard let certificate = entry.certificate else {
                items.append(.init(index: entry.index, certificate: nil, included: false, reason: entry.problem))
                continue
            }
            if certificate.signatureAlgorithmOID.hasPrefix(variant.oidPrefix) {
                included.append(certificate.sn)
                items.append(.init(index: entry.index, certificate: certificate, included: true, reason: nil))
            } else {
                items.append(.init(
                    index: entry.index, certificate: certificate, included: false,
                    reason: "signed with \(certificate.signatureAlgorithmName), not \(variant == .rsa ? "RSA" : "SM2")"))
            }
        }
        guard !included.isEmpty else {
            let skipped = items.compactMap { $0.certificate == nil ? $0.reason : nil }
            throw AlipaySignError(
                .malformedCertificate,
                "the root bundle has no certificate signed with \(variant == .rsa ? "an RSA algorithm" : "SM2-with-SM3")"
                    + (skipped.isEmpty ? "" : " (skipped: \(skipped.joined(separator: "; ")))"),
                hint: variant == .rsa ? "an SM2 bundle's root SN is its SM2 variant (RootSN variant sm2)" : nil)
        }
        return RootSN(value: included.joined(separator: "_"), variant: variant, items: items)
    }

    /// The `alipay_root_cert_sn` of a root bundle's bytes.
    /// - Parameters:
    ///   - bundle: the root bundle file.
    ///   - variant: RSA (the default) or SM2 roots.
    /// - Returns: the root SN.
    /// - Throws: ``AlipaySignError/Code/malformedCertificate`` when the file cannot be read or has no root of the
    ///   variant.
    public static func rootSN(of bundle: [UInt8], variant: RootVariant = .rsa) throws -> String {
        try rootSN(of: CertificateFile(parsing: bundle), variant: variant).value
    }

    /// The SN of the first certificate in a certificate file (`app_cert_sn` of an app certificate,
    /// `alipay_cert_sn` of an Alipay public-key certificate).
    /// - Parameter input: the certificate file (PEM, DER or base64).
    /// - Returns: the SN.
    /// - Throws: ``AlipaySignError/Code/malformedCertificate`` when the first certificate cannot be read.
    public static func sn(ofCertificateFile input: [UInt8]) throws -> String {
        try CertificateFile(parsing: input).firstCertificate().sn
    }
}
