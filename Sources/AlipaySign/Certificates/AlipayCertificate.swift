import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An X.509 certificate, parsed once, immutable, and safe to share across threads.
///
/// The fields the Alipay protocol reads (issuer, serial, signature algorithm, validity) come from the DER by
/// this library's own reader, so that certificates some strict parsers refuse (the SM2 roots in Alipay's
/// bundle) still give their SN. OpenSSL parses the same DER once, on first use, for the public key and
/// signature checks; where it cannot, ``publicKey()`` and chain checks say so.
public final class AlipayCertificate: Sendable, CustomStringConvertible {
    /// The certificate's DER.
    public let der: [UInt8]
    /// The issuer name; ``X500PrincipalName/rfc2253`` is the string the SN hashes.
    public let issuer: X500PrincipalName
    /// The subject name.
    public let subject: X500PrincipalName
    /// The serial number in decimal, as Java's `BigInteger.toString()` gives it: no leading zeros, and a
    /// minus sign for the (invalid, but seen) negative serials.
    public let serialNumber: String
    /// The outer signature algorithm's OID (Java's `getSigAlgOID()`), such as `1.2.840.113549.1.1.11`.
    public let signatureAlgorithmOID: String
    /// The start of the validity period (inclusive).
    public let notBefore: Date
    /// The end of the validity period (inclusive).
    public let notAfter: Date
    /// The certificate's SN: lowercase hex MD5 of ``X500PrincipalName/rfc2253`` of the issuer followed by
    /// ``serialNumber`` (docs/PROTOCOL.md §3.1). This is `app_cert_sn` for an app certificate and `alipay_cert_sn` for
    /// an Alipay public-key certificate.
    public let sn: String
    /// OpenSSL's parse of the same DER, made on first use: SN work never needs it, and OpenSSL 3's
    /// `d2i_X509` (which decodes the key through the provider framework) costs more than all the rest.
    private let lazyHandle = Mutex<X509Handle??>(nil)
    var handle: X509Handle? {
        lazyHandle.withLock { cached in
            if let cached { return cached }
            let parsed = X509Handle.parse(der)
            cached = .some(parsed)
            return parsed
        }
    }

    /// Parses one DER certificate, which must fill `der` exactly (RFC 5280 §4.1).
    /// - Parameter der: the certificate's DER.
    /// - Throws: ``AlipaySignError/Code/malformedCertificate``, saying what is wrong.
    public init(der: [UInt8]) throws {
        func fail(_ reason: String) -> AlipaySignError {
            AlipaySignError(.malformedCertificate, "the certificate \(reason)")
        }
        var reader = DERReader(der)
        guard let outer = reader.next() else {
            if let declared = DERStructure.declaredLength(der), declared > der.count {
                throw fail("is truncated: its DER declares \(declared) bytes but \(der.count) are present")
            }
            throw fail("is not DER")
        }
        guard reader.isAtEnd else { throw fail("has bytes after its DER") }
        // Read in sequence, each structure's children counted (and so checked) first: no array of them.
        guard outer.tag == DERStructure.sequence, reader.childCount(of: outer) == 3 else {
            throw fail(Self.shapeError(der))
        }
        var top = reader.reader(of: outer)
        guard let tbsElement = top.next(), let algorithmElement = top.next(), let signatureElement = top.next(),
            tbsElement.tag == DERStructure.sequence, algorithmElement.tag == DERStructure.sequence,
            signatureElement.tag == DERStructure.bitString
        else { throw fail(Self.shapeError(der)) }
        var algorithm = reader.reader(of: algorithmElement)
        guard reader.childCount(of: algorithmElement) != nil, let algorithmOID = algorithm.next(),
            algorithmOID.tag == DERStructure.oid, let signatureOID = ObjectIdentifier.dotted(der[algorithmOID.content])
        else { throw fail("has no readable signature algorithm") }
        guard var fieldCount = reader.childCount(of: tbsElement) else { throw fail("has an unreadable tbsCertificate") }
        var tbs = reader.reader(of: tbsElement)
        var field = tbs.next()
        if field?.tag == 0xA0 {  // version [0] EXPLICIT
            field = tbs.next()
            fieldCount -= 1
        }
        guard fieldCount >= 6, let serialField = field, let _ = tbs.next(), let issuerField = tbs.next(),
            let validityField = tbs.next(), let subjectField = tbs.next()
        else { throw fail("has too few tbsCertificate fields") }
        guard serialField.tag == DERStructure.integer, let serial = SerialNumber.decimal(der[serialField.content]) else {
            throw fail("has no readable serial number")
        }
        guard let issuer = X500PrincipalName(reader, issuerField) else { throw fail("has an unreadable issuer name") }
        guard let subject = X500PrincipalName(reader, subjectField) else { throw fail("has an unreadable subject name") }
        var times = reader.reader(of: validityField)
        guard validityField.tag == DERStructure.sequence, reader.childCount(of: validityField) == 2,
            let start = times.next(), let end = times.next(),
            let notBefore = ASN1Time.date(tag: start.tag, der[start.content]),
            let notAfter = ASN1Time.date(tag: end.tag, der[end.content])
        else { throw fail("has an unreadable validity period") }
        self.der = der
        self.issuer = issuer
        self.subject = subject
        self.serialNumber = serial
        self.signatureAlgorithmOID = signatureOID
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.sn = try CertificateSN.hash(issuer: issuer.rfc2253, serial: serial)
    }

    /// Why DER that is not a certificate is not one.
    private static func shapeError(_ der: [UInt8]) -> String {
        let shape = DERStructure.classify(der)
        return shape == .unknown ? "is not an X.509 certificate" : "is \(shape.humanName), not an X.509 certificate"
    }

    /// The SN, issuer and serial, for messages.
    public var description: String { "certificate \(sn) (issuer \(issuer), serial \(serialNumber))" }

    /// The signature algorithm's usual name, or its OID when it is not a common one.
    public var signatureAlgorithmName: String {
        Self.algorithmNames[signatureAlgorithmOID] ?? signatureAlgorithmOID
    }

    /// Whether the subject equals the issuer (Java SDK's `isSelfSigned`, which compares the names only).
    public var isSelfIssued: Bool { subject == issuer }

    /// Whether `instant` is within the validity period (both ends inclusive, as Java's `checkValidity`).
    /// - Parameter instant: the instant to check.
    /// - Returns: valid, not yet valid, or expired.
    public func validity(at instant: Date) -> Validity {
        if instant < notBefore { return .notYetValid }
        if instant > notAfter { return .expired }
        return .valid
    }

    /// Where an instant falls against the validity period.
    public enum Validity: String, Sendable {
        /// Within the period.
        case valid
        /// Before `notBefore`.
        case notYetValid
        /// After `notAfter`.
        case expired
    }

    /// The certificate's RSA public key, of 2048 bits or more.
    /// - Throws: ``AlipaySignError`` `unsupportedKey` for a non-RSA key (the SM2 and ECDSA certificates),
    ///   `weakKey` for a small one, `malformedCertificate` when OpenSSL cannot read the certificate.
    /// - Returns: the key, to verify signatures made by the certificate's holder.
    public func publicKey() throws -> PublicKey { try publicKey(policy: .standard) }

    /// The certificate's RSA public key, accepting legacy 1024-bit to 2047-bit keys as well.
    /// - Returns: the key.
    /// - Throws: as ``publicKey()``, with `weakKey` only under 1024 bits.
    /// - Warning: keys under 2048 bits are weak.
    public func publicKeyAllowingWeakKey() throws -> PublicKey { try publicKey(policy: .allowWeak1024) }

    func publicKey(policy: KeySizePolicy) throws -> PublicKey {
        guard let handle, let key = handle.publicKey() else {
            throw AlipaySignError(
                .malformedCertificate, "OpenSSL cannot read the public key of \(self)",
                hint: "the key type may be one this OpenSSL build does not support")
        }
        guard key.isRSA else {
            throw AlipaySignError(
                .unsupportedKey, "the certificate's key is \(key.typeName), not RSA",
                hint: "RSA2 and RSA signatures need an RSA certificate; SM2 certificates are for sign_type SM2")
        }
        try policy.check(bits: key.bits, what: "certificate's public key")
        return PublicKey(
            key: key, format: .certificate, encoding: .der, bits: key.bits, publicKeyDER: try key.subjectPublicKeyInfo())
    }

    // MARK: - Parsing

    static let algorithmNames: [String: String] = [
        "1.2.840.113549.1.1.4": "md5WithRSAEncryption", "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10": "RSASSA-PSS", "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12": "sha384WithRSAEncryption", "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
        "1.2.840.10045.4.1": "ecdsa-with-SHA1", "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3": "ecdsa-with-SHA384", "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
        "1.2.156.10197.1.501": "SM2-with-SM3", "1.3.101.112": "Ed25519",
    ]
}
