/// An X.500 distinguished name (an issuer or a subject), kept as its DER and rendered as the Alipay SDKs
/// need it.
///
/// ``rfc2253`` is exactly the JDK's `X500Principal.getName()`, the string the Java SDK hashes into certificate
/// SNs (docs/PROTOCOL.md §3.1): RDNs most specific first, `,` between them, `+` inside a multi-valued RDN (in DER
/// order); the keywords CN, C, L, ST, O, OU, STREET, DC and UID; any other attribute as `OID=#hex` of its DER;
/// string values taken as UTF-8 bytes and escaped as the JDK does. Equality (`==`, hashing) is the JDK's
/// `X500Principal.equals`: case-insensitive, whitespace-collapsing comparison of PrintableString and UTF8String
/// values, exact comparison of everything else, RDN members in any order.
public struct X500PrincipalName: Sendable, Hashable, CustomStringConvertible {
    /// One attribute (type and value) of an RDN.
    public struct Attribute: Sendable, Hashable {
        /// The attribute type's OID in dotted form, such as `2.5.4.3`.
        public let oid: String
        /// The value's DER tag (0x0C UTF8String, 0x13 PrintableString, 0x16 IA5String, 0x1E BMPString, ...).
        public let tag: UInt8
        /// The value's content octets.
        public let value: [UInt8]
        /// The value's whole DER encoding (tag, length, content).
        public let encodedValue: [UInt8]
    }

    /// The RDNs in DER order (least specific first, as encoded), each a set of one or more attributes.
    public let rdns: [[Attribute]]
    /// The name's DER encoding.
    public let der: [UInt8]
    /// The JDK's `X500Principal.getName()` (RFC 2253) string.
    public let rfc2253: String
    private let canonical: [[String]]

    public var description: String { rfc2253 }

    public static func == (lhs: X500PrincipalName, rhs: X500PrincipalName) -> Bool { lhs.canonical == rhs.canonical }
    public func hash(into hasher: inout Hasher) { hasher.combine(canonical) }

    /// Parses a `Name` element; `nil` when it is not one.
    init?(_ reader: DERReader, _ element: DERReader.Element) {
        guard element.tag == DERStructure.sequence, let rdnElements = reader.children(of: element) else { return nil }
        var rdns: [[Attribute]] = []
        rdns.reserveCapacity(rdnElements.count)
        for rdn in rdnElements {
            guard rdn.tag == 0x31, let members = reader.children(of: rdn), !members.isEmpty else { return nil }
            var attributes: [Attribute] = []
            for member in members {
                guard member.tag == DERStructure.sequence, let parts = reader.children(of: member), parts.count == 2,
                    parts[0].tag == DERStructure.oid, let oid = ObjectIdentifier.dotted(reader.bytes[parts[0].content])
                else { return nil }
                attributes.append(
                    Attribute(
                        oid: oid, tag: parts[1].tag, value: Array(reader.bytes[parts[1].content]),
                        encodedValue: Array(reader.bytes[parts[1].whole])))
            }
            rdns.append(attributes)
        }
        self.init(rdns: rdns, der: Array(reader.bytes[element.whole]))
    }

    init(rdns: [[Attribute]], der: [UInt8]) {
        self.rdns = rdns
        self.der = der
        self.rfc2253 = rdns.reversed().map { $0.map(Self.javaRFC2253).joined(separator: "+") }.joined(separator: ",")
        self.canonical = rdns.reversed().map { $0.map(Self.javaCanonical).sorted() }
    }

    // MARK: - The JDK's rules (sun.security.x509.AVA, AVAKeyword)

    /// The keywords `getName()` uses (AVAKeyword entries marked RFC 2253 compliant); every other type is its OID.
    private static let keywords: [String: String] = [
        "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
        "2.5.4.9": "STREET", "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
    ]

    /// Value types the JDK writes as text in `getName()`; any other type is written as `#hex`.
    private static func isTextTag(_ tag: UInt8) -> Bool {
        switch tag {
        case 0x13, 0x14, 0x16, 0x1B, 0x1E, 0x0C: true  // Printable, T61, IA5, General, BMP, UTF8
        default: false
        }
    }

    /// `AVA.toRFC2253String`: a keyword type with a text value is escaped text; anything else is `#` and the
    /// hex of the value's DER. The text is the content octets decoded as UTF-8 whatever the string type (so a
    /// BMPString's zero bytes appear as `\00`), as the JDK does. Worked on UTF-8 bytes: every character the
    /// rules look at is ASCII, and no byte of a multi-byte UTF-8 sequence is ASCII.
    static func javaRFC2253(_ attribute: Attribute) -> String {
        guard let keyword = keywords[attribute.oid], isTextTag(attribute.tag) else {
            return attribute.oid + "=#" + Hex.lower(attribute.encodedValue)
        }
        // Malformed UTF-8 becomes U+FFFD, as Java's decoder makes it.
        let text = Array(String(decoding: attribute.value, as: UTF8.self).utf8)
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.count + 8)
        for byte in text {
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "<"), UInt8(ascii: ">"),
                UInt8(ascii: "#"), UInt8(ascii: ";"), UInt8(ascii: "\""), UInt8(ascii: "\\"):
                escaped.append(UInt8(ascii: "\\"))
                escaped.append(byte)
            case 0:
                escaped.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            default:
                escaped.append(byte)
            }
        }
        // Leading and trailing spaces (and CRs) are escaped one by one.
        let isPad: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0D }
        let lead = escaped.firstIndex { !isPad($0) } ?? escaped.count
        let trail = escaped.lastIndex { !isPad($0) } ?? -1
        var out = Array(keyword.utf8)
        out.append(UInt8(ascii: "="))
        out.reserveCapacity(out.count + escaped.count + 2)
        for (i, byte) in escaped.enumerated() {
            if i < lead || i > trail { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The comparison key of `X500Principal.equals` (`getRFC2253CanonicalName`): PrintableString and UTF8String
    /// values trimmed, inner whitespace runs collapsed, case folded; other values as their DER.
    static func javaCanonical(_ attribute: Attribute) -> String {
        guard attribute.tag == 0x13 || attribute.tag == 0x0C else {
            return attribute.oid + "=#" + Hex.lower(attribute.encodedValue)
        }
        let value = attribute.value
        guard value.allSatisfy({ $0 < 0x80 }) else { return attribute.oid + "=" + unicodeCanonical(value) }
        // ASCII: trim (Java's trim() strips up to U+0020), collapse whitespace runs, lower-case.
        var lo = 0, hi = value.count
        while lo < hi, value[lo] <= 0x20 { lo += 1 }
        while hi > lo, value[hi - 1] <= 0x20 { hi -= 1 }
        var out = Array(attribute.oid.utf8)
        out.append(UInt8(ascii: "="))
        var previousWhite = false
        for byte in value[lo..<hi] {
            if byte == 0x20 || (0x09...0x0D).contains(byte) || (0x1C...0x1F).contains(byte) {
                if !previousWhite { out.append(0x20) }
                previousWhite = true
            } else {
                out.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
                previousWhite = false
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func unicodeCanonical(_ value: [UInt8]) -> String {
        var out = ""
        var previousWhite = false
        for c in String(decoding: value, as: UTF8.self).trimmingJavaWhitespace() {
            if c.isWhitespace {
                if !previousWhite { out.append(" ") }
                previousWhite = true
            } else {
                out.append(c)
                previousWhite = false
            }
        }
        return out.uppercased().lowercased()
    }
}

extension String {
    /// Java's `String.trim()`: strips characters up to U+0020 at both ends.
    fileprivate func trimmingJavaWhitespace() -> Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0.value > 0x20 }),
            let last = scalars.lastIndex(where: { $0.value > 0x20 })
        else { return "" }
        return self[first...last]
    }
}

/// Dotted OIDs from DER content octets.
enum ObjectIdentifier {
    static func dotted(_ content: ArraySlice<UInt8>) -> String? {
        guard let last = content.last, last & 0x80 == 0 else { return nil }
        var arcs: [UInt64] = []
        var value: UInt64 = 0
        var started = false
        for byte in content {
            if !started && byte == 0x80 { return nil }  // a non-minimal arc
            guard value >> 57 == 0 else { return nil }  // an arc beyond 64 bits
            value = value << 7 | UInt64(byte & 0x7F)
            started = byte & 0x80 != 0
            if !started {
                arcs.append(value)
                value = 0
            }
        }
        guard let first = arcs.first else { return nil }
        let top: UInt64 = min(first / 40, 2)
        return ([top, first - 40 * top] + arcs.dropFirst()).map(String.init).joined(separator: ".")
    }
}
