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
public final class Certificate: Sendable, CustomStringConvertible {
    /// The certificate's DER.
    public let der: [UInt8]
    /// The issuer name; ``DistinguishedName/rfc2253`` is the string the SN hashes.
    public let issuer: DistinguishedName
    /// The subject name.
    public let subject: DistinguishedName
    /// The serial number in decimal, as Java's `BigInteger.toString()` gives it: no leading zeros, and a
    /// minus sign for the (invalid, but seen) negative serials.
    public let serialNumber: String
    /// The outer signature algorithm's OID (Java's `getSigAlgOID()`), such as `1.2.840.113549.1.1.11`.
    public let signatureAlgorithmOID: String
    /// The start and end of the validity period, both inclusive.
    public let notBefore: Date
    public let notAfter: Date
    /// The certificate's SN: lowercase hex MD5 of ``DistinguishedName/rfc2253`` of the issuer followed by
    /// ``serialNumber`` (PROTOCOL.md §3.1). This is `app_cert_sn` for an app certificate and `alipay_cert_sn` for
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
        guard outer.tag == DERStructure.sequence, let parts = reader.children(of: outer), parts.count == 3,
            parts[0].tag == DERStructure.sequence, parts[1].tag == DERStructure.sequence,
            parts[2].tag == DERStructure.bitString
        else {
            let shape = DERStructure.classify(der)
            throw fail(shape == .unknown ? "is not an X.509 certificate" : "is \(shape.humanName), not an X.509 certificate")
        }
        guard let algorithm = reader.children(of: parts[1]), let algorithmOID = algorithm.first,
            algorithmOID.tag == DERStructure.oid, let signatureOID = ObjectIdentifier.dotted(der[algorithmOID.content])
        else { throw fail("has no readable signature algorithm") }
        guard var tbs = reader.children(of: parts[0])?[...] else { throw fail("has an unreadable tbsCertificate") }
        if tbs.first?.tag == 0xA0 { tbs = tbs.dropFirst() }  // version [0] EXPLICIT
        let fields = Array(tbs)
        guard fields.count >= 6 else { throw fail("has too few tbsCertificate fields") }
        guard fields[0].tag == DERStructure.integer, let serial = SerialNumber.decimal(der[fields[0].content]) else {
            throw fail("has no readable serial number")
        }
        guard let issuer = DistinguishedName(reader, fields[2]) else { throw fail("has an unreadable issuer name") }
        guard let subject = DistinguishedName(reader, fields[4]) else { throw fail("has an unreadable subject name") }
        guard fields[3].tag == DERStructure.sequence, let times = reader.children(of: fields[3]), times.count == 2,
            let notBefore = ASN1Time.date(tag: times[0].tag, der[times[0].content]),
            let notAfter = ASN1Time.date(tag: times[1].tag, der[times[1].content])
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

    /// Parses an ISO 8601 instant for ``validity(at:)`` and chain checks: `YYYY-MM-DD` (midnight UTC) or
    /// `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z`, `±HH:MM` or no zone (UTC).
    public static func instant(iso8601 text: String) -> Date? { Instant.parseISO8601(text) }

    /// `YYYY-MM-DDTHH:MM:SSZ` of an instant (whole seconds, UTC), as reports print validity dates.
    public static func iso8601(_ date: Date) -> String { Instant.iso8601(date) }

    public var description: String { "certificate \(sn) (issuer \(issuer), serial \(serialNumber))" }

    /// The signature algorithm's usual name, or its OID when it is not a common one.
    public var signatureAlgorithmName: String {
        Self.algorithmNames[signatureAlgorithmOID] ?? signatureAlgorithmOID
    }

    /// Whether the subject equals the issuer (Java SDK's `isSelfSigned`, which compares the names only).
    public var isSelfIssued: Bool { subject == issuer }

    /// Whether `instant` is within the validity period (both ends inclusive, as Java's `checkValidity`).
    public func validity(at instant: Date) -> Validity {
        if instant < notBefore { return .notYetValid }
        if instant > notAfter { return .expired }
        return .valid
    }

    public enum Validity: String, Sendable {
        case valid, notYetValid, expired
    }

    /// The certificate's RSA public key, of 2048 bits or more.
    /// - Throws: ``AlipaySignError`` `unsupportedKey` for a non-RSA key (the SM2 and ECDSA certificates),
    ///   `weakKey` for a small one, `malformedCertificate` when OpenSSL cannot read the certificate.
    public func publicKey() throws -> PublicKey { try publicKey(policy: .standard) }

    /// The certificate's RSA public key, accepting legacy 1024-bit to 2047-bit keys as well.
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

/// Serial numbers: DER INTEGER content to decimal text, as Java's `BigInteger(byte[]).toString()`.
enum SerialNumber {
    static func decimal(_ content: ArraySlice<UInt8>) -> String? {
        guard !content.isEmpty, content.count <= 64 else { return nil }
        var magnitude = Array(content)
        let negative = magnitude[0] & 0x80 != 0
        if negative {  // two's complement: invert and add one
            for i in magnitude.indices { magnitude[i] = ~magnitude[i] }
            var i = magnitude.count - 1
            while i >= 0 {
                magnitude[i] &+= 1
                if magnitude[i] != 0 { break }
                i -= 1
            }
        }
        // Repeated division by 10^9 over base-256 digits.
        var digits: [UInt32] = []
        var number = magnitude.drop { $0 == 0 }.map { UInt32($0) }
        while !number.isEmpty {
            var remainder: UInt64 = 0
            var next: [UInt32] = []
            next.reserveCapacity(number.count)
            for d in number {
                let value = remainder << 8 | UInt64(d)
                let q = value / 1_000_000_000
                remainder = value % 1_000_000_000
                if !(next.isEmpty && q == 0) { next.append(UInt32(q)) }
            }
            digits.append(UInt32(remainder))
            number = next
        }
        guard let top = digits.last else { return "0" }
        var text = negative ? "-" : ""
        text += String(top)
        for chunk in digits.dropLast().reversed() {
            text += String(chunk).leftPadded(to: 9)
        }
        return text
    }
}

/// UTCTime and GeneralizedTime (RFC 5280 §4.1.2.5) to `Date`.
enum ASN1Time {
    static func date(tag: UInt8, _ content: ArraySlice<UInt8>) -> Date? {
        let text = Array(content)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= text.count else { return nil }
            var n = 0
            for c in text[i..<(i + width)] {
                guard c >= 0x30, c <= 0x39 else { return nil }
                n = n * 10 + Int(c - 0x30)
            }
            i += width
            return n
        }
        let year: Int
        switch tag {
        case 0x17:  // UTCTime: YYMMDDHHMM[SS]Z; 50-99 are 19xx (RFC 5280)
            guard let yy = number(2) else { return nil }
            year = yy >= 50 ? 1900 + yy : 2000 + yy
        case 0x18:  // GeneralizedTime: YYYYMMDDHHMMSS[.fff]Z
            guard let yyyy = number(4) else { return nil }
            year = yyyy
        default:
            return nil
        }
        guard let month = number(2), let day = number(2), let hour = number(2), let minute = number(2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60
        else { return nil }
        var second = 0
        if i < text.count, text[i] >= 0x30, text[i] <= 0x39 {
            guard let s = number(2), s < 61 else { return nil }
            second = s
        }
        var fraction = 0.0
        if tag == 0x18, i < text.count, text[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < text.count, text[i] >= 0x30, text[i] <= 0x39 {
                fraction += Double(text[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        guard i == text.count - 1, text[i] == UInt8(ascii: "Z") else { return nil }
        let seconds = Instant.epochSeconds(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}

/// Calendar arithmetic without a calendar: proleptic Gregorian, UTC.
enum Instant {
    /// Days from 1970-01-01 to a civil date (Howard Hinnant's `days_from_civil`).
    static func epochSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = Int64(era) * 146_097 + Int64(doe) - 719_468
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Parses ISO 8601: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z` or `±HH:MM` (a date alone, or a
    /// time without a zone, is UTC).
    static func parseISO8601(_ text: String) -> Date? {
        let b = Array(text.utf8)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= b.count else { return nil }
            var n = 0
            for c in b[i..<(i + width)] {
                guard c >= 0x30, c <= 0x39 else { return nil }
                n = n * 10 + Int(c - 0x30)
            }
            i += width
            return n
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset = 0
        if i < b.count {
            guard expect("T") || expect(" "), let h = number(2), expect(":"), let m = number(2), h < 24, m < 60
            else { return nil }
            (hour, minute) = (h, m)
            if expect(":") {
                guard let s = number(2), s < 60 else { return nil }
                second = s
                if expect(".") {
                    var scale = 0.1
                    let start = i
                    while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                        fraction += Double(b[i] - 0x30) * scale
                        scale /= 10
                        i += 1
                    }
                    guard i > start else { return nil }
                }
            }
            if expect("Z") {
            } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = number(2) else { return nil }
                _ = expect(":")
                guard let om = number(2), oh < 24, om < 60 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard i == b.count else { return nil }
        let seconds = epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return Date(timeIntervalSince1970: Double(seconds - Int64(offset)) + fraction)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension Instant {
    /// `YYYY-MM-DDTHH:MM:SSZ` of a date (whole seconds, UTC).
    static func iso8601(_ date: Date) -> String {
        let total = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secs = Int(total - days * 86_400)
        // civil_from_days (Howard Hinnant)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(Int(month)))-\(two(Int(day)))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))Z"
    }
}
