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
        public var value: [UInt8] { Array(bytes[valueRange]) }
        /// The value's whole DER encoding (tag, length, content).
        public var encodedValue: [UInt8] { Array(bytes[encodedRange]) }
        /// The DER the value was read from (shared, not copied: a name is parsed for every certificate read).
        let bytes: [UInt8]
        let valueRange: Range<Int>
        let encodedRange: Range<Int>

        public static func == (lhs: Attribute, rhs: Attribute) -> Bool {
            lhs.oid == rhs.oid && lhs.bytes[lhs.encodedRange].elementsEqual(rhs.bytes[rhs.encodedRange])
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(oid)
            bytes[encodedRange].withUnsafeBytes { hasher.combine(bytes: $0) }
        }
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
        // Walked with readers over the element's ranges: no array of children per level.
        guard element.tag == DERStructure.sequence else { return nil }
        let bytes = reader.bytes
        var rdnReader = DERReader(bytes, range: element.content)
        var rdns: [[Attribute]] = []
        while !rdnReader.isAtEnd {
            guard let rdn = rdnReader.next(), rdn.tag == 0x31, !rdn.content.isEmpty else { return nil }
            var memberReader = DERReader(bytes, range: rdn.content)
            var attributes: [Attribute] = []
            while !memberReader.isAtEnd {
                guard let member = memberReader.next(), member.tag == DERStructure.sequence else { return nil }
                var parts = DERReader(bytes, range: member.content)
                guard let type = parts.next(), let value = parts.next(), parts.isAtEnd, type.tag == DERStructure.oid,
                    let oid = ObjectIdentifier.dotted(bytes[type.content])
                else { return nil }
                attributes.append(
                    Attribute(oid: oid, tag: value.tag, bytes: bytes, valueRange: value.content, encodedRange: value.whole))
            }
            rdns.append(attributes)
        }
        self.init(rdns: rdns, der: Array(bytes[element.whole]))
    }

    init(rdns: [[Attribute]], der: [UInt8]) {
        self.rdns = rdns
        self.der = der
        // The RFC 2253 text written into one buffer (a name is parsed for every certificate of every bundle read).
        var text: [UInt8] = []
        text.reserveCapacity(der.count + 16)
        for (r, rdn) in rdns.reversed().enumerated() {
            if r > 0 { text.append(UInt8(ascii: ",")) }
            for (a, attribute) in rdn.enumerated() {
                if a > 0 { text.append(UInt8(ascii: "+")) }
                Self.javaRFC2253(attribute, into: &text)
            }
        }
        // Kept as Strings: String equality (canonical equivalence) decides between non-ASCII values.
        var scratch: [UInt8] = []
        self.canonical = rdns.reversed().map { rdn in
            rdn.map { attribute in
                scratch.removeAll(keepingCapacity: true)
                Self.javaCanonical(attribute, into: &scratch)
                return String(decoding: scratch, as: UTF8.self)
            }.sorted()
        }
        self.rfc2253 = String(decoding: text, as: UTF8.self)
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
    static func javaRFC2253(_ attribute: Attribute, into out: inout [UInt8]) {
        guard let keyword = keywords[attribute.oid], isTextTag(attribute.tag) else {
            return appendHexForm(attribute, into: &out)
        }
        // Malformed UTF-8 becomes U+FFFD, as Java's decoder makes it (valid UTF-8, the rule, is used as it is).
        let value = attribute.bytes[attribute.valueRange]
        let valid = value.withUnsafeBufferPointer { UTF8Check.isValid($0, 0..<$0.count) }
        let text = valid ? value : ArraySlice(String(decoding: value, as: UTF8.self).utf8)
        // Leading and trailing spaces (and CRs) are escaped one by one; no escaped character is one of them, so
        // they are found on the text itself.
        let isPad: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0D }
        let lead = text.firstIndex { !isPad($0) } ?? text.endIndex
        let trail = text.lastIndex { !isPad($0) } ?? text.startIndex - 1
        out.append(contentsOf: keyword.utf8)
        out.append(UInt8(ascii: "="))
        for i in text.indices {
            let byte = text[i]
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "<"), UInt8(ascii: ">"),
                UInt8(ascii: "#"), UInt8(ascii: ";"), UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0:
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "0"))
            default:
                if i < lead || i > trail { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
        }
    }

    /// `OID=#hex`: the form of any attribute the JDK does not write as text.
    private static func appendHexForm(_ attribute: Attribute, into out: inout [UInt8]) {
        out.append(contentsOf: attribute.oid.utf8)
        out.append(UInt8(ascii: "="))
        out.append(UInt8(ascii: "#"))
        out.append(contentsOf: Hex.lower(attribute.bytes[attribute.encodedRange]).utf8)
    }

    /// The comparison key of `X500Principal.equals` (`getRFC2253CanonicalName`): PrintableString and UTF8String
    /// values trimmed, inner whitespace runs collapsed, case folded; other values as their DER.
    static func javaCanonical(_ attribute: Attribute, into out: inout [UInt8]) {
        guard attribute.tag == 0x13 || attribute.tag == 0x0C else { return appendHexForm(attribute, into: &out) }
        let value = attribute.bytes[attribute.valueRange]
        guard value.allSatisfy({ $0 < 0x80 }) else {
            out.append(contentsOf: attribute.oid.utf8)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: unicodeCanonical(value).utf8)
            return
        }
        // ASCII: trim (Java's trim() strips up to U+0020), collapse whitespace runs, lower-case.
        var lo = value.startIndex, hi = value.endIndex
        while lo < hi, value[lo] <= 0x20 { lo += 1 }
        while hi > lo, value[hi - 1] <= 0x20 { hi -= 1 }
        out.append(contentsOf: attribute.oid.utf8)
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
    }

    private static func unicodeCanonical(_ value: ArraySlice<UInt8>) -> String {
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
        // Written as text straight away: the digits of each arc into one buffer, one String at the end.
        var out: [UInt8] = []
        out.reserveCapacity(content.count * 3 + 4)
        func append(_ arc: UInt64) {
            if !out.isEmpty { out.append(UInt8(ascii: ".")) }
            DecimalText.append(arc, to: &out)
        }
        var value: UInt64 = 0
        var started = false
        var first = true
        for byte in content {
            if !started && byte == 0x80 { return nil }  // a non-minimal arc
            guard value >> 57 == 0 else { return nil }  // an arc beyond 64 bits
            value = value << 7 | UInt64(byte & 0x7F)
            started = byte & 0x80 != 0
            if !started {
                if first {
                    let top: UInt64 = min(value / 40, 2)
                    append(top)
                    append(value - 40 * top)
                    first = false
                } else {
                    append(value)
                }
                value = 0
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
