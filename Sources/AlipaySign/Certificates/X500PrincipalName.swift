/// An X.500 distinguished name (an issuer or a subject), kept as its DER and rendered as the Alipay SDKs
/// need it.
///
/// ``rfc2253`` is exactly the JDK's `X500Principal.getName()`, the string the Java SDK hashes into certificate
/// SNs (docs/PROTOCOL.md §3.1): RDNs most specific first, `,` between them, `+` inside a multi-valued RDN (in DER
/// order); the keywords CN, C, L, ST, O, OU, STREET, DC and UID; any other attribute as `OID=#hex` of its DER;
/// string values taken as UTF-8 bytes and escaped as the JDK does. Equality (`==`, hashing) is the JDK's
/// `X500Principal.equals` (`getName(CANONICAL)`): PrintableString and UTF8String values of the keyword attributes
/// trimmed, runs of spaces collapsed, case folded; every other value compared as its DER; RDN members in any order.
/// One difference: the JDK then applies Unicode compatibility decomposition (NFKD), this type canonical
/// equivalence only (String equality), so non-ASCII values that differ only by a compatibility character (an
/// ideographic space, a ligature) are equal for the JDK and not here.
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
        /// The index of its RDN, in DER order.
        let rdn: Int

        public static func == (lhs: Attribute, rhs: Attribute) -> Bool {
            lhs.oid == rhs.oid && lhs.bytes[lhs.encodedRange].elementsEqual(rhs.bytes[rhs.encodedRange])
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(oid)
            bytes[encodedRange].withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// The RDNs in DER order (least specific first, as encoded), each a set of one or more attributes.
    public var rdns: [[Attribute]] {
        var out: [[Attribute]] = []
        for attribute in attributes {
            if attribute.rdn == out.count { out.append([]) }
            out[out.count - 1].append(attribute)
        }
        return out
    }
    /// The name's DER encoding.
    public var der: [UInt8] { Array(bytes[range]) }
    /// The JDK's `X500Principal.getName()` (RFC 2253) string.
    public let rfc2253: String
    /// The attributes in DER order, each with the index of its RDN: one array per name, whatever its shape (a name
    /// is read for every certificate of every bundle).
    let attributes: [Attribute]
    /// The certificate's DER and the name's range in it.
    private let bytes: [UInt8]
    private let range: Range<Int>
    /// The comparison key: each attribute's canonical form (`,`, `+` and `\\` in values escaped), RDNs most specific
    /// first joined by `,`, the members of a multi-valued RDN sorted and joined by `+`. One String, so that String
    /// equality (canonical equivalence) decides between non-ASCII values; the separators are ASCII characters
    /// that no normalisation creates, removes or combines with.
    private let canonical: String

    public var description: String { rfc2253 }

    public static func == (lhs: X500PrincipalName, rhs: X500PrincipalName) -> Bool { lhs.canonical == rhs.canonical }
    public func hash(into hasher: inout Hasher) { hasher.combine(canonical) }

    /// Parses a `Name` element; `nil` when it is not one.
    init?(_ reader: DERReader, _ element: DERReader.Element) {
        // Walked with readers over the element's ranges, twice: first to check the shape and count the
        // attributes, then to read them into one array of that size.
        guard element.tag == DERStructure.sequence else { return nil }
        let bytes = reader.bytes
        var count = 0
        var rdnReader = DERReader(bytes, range: element.content)
        while !rdnReader.isAtEnd {
            guard let rdn = rdnReader.next(), rdn.tag == 0x31, !rdn.content.isEmpty else { return nil }
            var memberReader = DERReader(bytes, range: rdn.content)
            while !memberReader.isAtEnd {
                guard memberReader.next() != nil else { return nil }
                count += 1
            }
        }
        var attributes: [Attribute] = []
        attributes.reserveCapacity(count)
        rdnReader = DERReader(bytes, range: element.content)
        var index = 0
        while let rdn = rdnReader.next() {
            var memberReader = DERReader(bytes, range: rdn.content)
            while let member = memberReader.next() {
                guard member.tag == DERStructure.sequence else { return nil }
                var parts = DERReader(bytes, range: member.content)
                guard let type = parts.next(), let value = parts.next(), parts.isAtEnd, type.tag == DERStructure.oid,
                    let oid = ObjectIdentifier.dotted(bytes[type.content])
                else { return nil }
                attributes.append(Attribute(
                    oid: oid, tag: value.tag, bytes: bytes, valueRange: value.content, encodedRange: value.whole,
                    rdn: index))
            }
            index += 1
        }
        self.attributes = attributes
        self.bytes = bytes
        self.range = element.whole
        // Both texts written into one buffer, in turn.
        var text: [UInt8] = []
        text.reserveCapacity(3 * element.whole.count + 16)
        Self.forEachRDNMostSpecificFirst(attributes) { rdn, first in
            if !first { text.append(UInt8(ascii: ",")) }
            for a in rdn {
                if a > rdn.lowerBound { text.append(UInt8(ascii: "+")) }
                Self.javaRFC2253(attributes[a], into: &text)
            }
        }
        self.rfc2253 = String(decoding: text, as: UTF8.self)
        text.removeAll(keepingCapacity: true)
        Self.forEachRDNMostSpecificFirst(attributes) { rdn, first in
            if !first { text.append(UInt8(ascii: ",")) }
            if rdn.count == 1 {
                Self.javaCanonical(attributes[rdn.lowerBound], into: &text)
                return
            }
            // A multi-valued RDN: its members in a fixed order, so that any order of them compares equal.
            var scratch: [UInt8] = []
            let members = rdn.map { a -> String in
                scratch.removeAll(keepingCapacity: true)
                Self.javaCanonical(attributes[a], into: &scratch)
                return String(decoding: scratch, as: UTF8.self)
            }.sorted()
            for (m, member) in members.enumerated() {
                if m > 0 { text.append(UInt8(ascii: "+")) }
                text.append(contentsOf: member.utf8)
            }
        }
        self.canonical = String(decoding: text, as: UTF8.self)
    }

    /// Calls `body` with each RDN's range of `attributes`, the last RDN (the most specific) first.
    private static func forEachRDNMostSpecificFirst(
        _ attributes: [Attribute], _ body: (Range<Int>, _ first: Bool) -> Void
    ) {
        var end = attributes.count
        while end > 0 {
            var start = end - 1
            while start > 0, attributes[start - 1].rdn == attributes[end - 1].rdn { start -= 1 }
            body(start..<end, end == attributes.count)
            end = start
        }
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
        Hex.appendLower(attribute.bytes[attribute.encodedRange], to: &out)
    }

    /// One attribute's part of the comparison key, as the JDK's `AVA.toRFC2253CanonicalString` makes it: a
    /// keyword attribute (the ones `getName()` writes as keywords) with a PrintableString or UTF8String value is
    /// text — runs of spaces collapsed to one (only the space: a tab is kept), trimmed of characters up to U+0020
    /// at both ends, case folded (upper then lower case); anything else is `OID=#hex` of the value's DER, compared
    /// exactly. `,`, `+` and `\\` in the text are escaped, so that the joined key reads back one way.
    static func javaCanonical(_ attribute: Attribute, into out: inout [UInt8]) {
        guard keywords[attribute.oid] != nil, attribute.tag == 0x13 || attribute.tag == 0x0C else {
            return appendHexForm(attribute, into: &out)
        }
        let value = attribute.bytes[attribute.valueRange]
        var lo = value.startIndex, hi = value.endIndex
        while lo < hi, value[lo] <= 0x20 { lo += 1 }
        while hi > lo, value[hi - 1] <= 0x20 { hi -= 1 }
        out.append(contentsOf: attribute.oid.utf8)
        out.append(UInt8(ascii: "="))
        let ascii = value[lo..<hi].allSatisfy { $0 < 0x80 }
        let start = out.count
        var previousSpace = false
        for byte in value[lo..<hi] {
            if byte == 0x20 {
                if !previousSpace { out.append(0x20) }
                previousSpace = true
                continue
            }
            previousSpace = false
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "\\") {
                out.append(UInt8(ascii: "\\"))
            }
            out.append(ascii && byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
        }
        guard !ascii else { return }
        // Non-ASCII: Unicode case folding (malformed UTF-8 becomes U+FFFD, as Java's decoder makes it). No case
        // mapping produces or removes the ASCII characters escaped above.
        let folded = String(decoding: out[start...], as: UTF8.self).uppercased().lowercased()
        out.removeSubrange(start...)
        out.append(contentsOf: folded.utf8)
    }
}

/// Dotted OIDs from DER content octets.
enum ObjectIdentifier {
    static func dotted(_ content: ArraySlice<UInt8>) -> String? {
        guard let last = content.last, last & 0x80 == 0 else { return nil }
        // Written as text straight away, into a buffer on the stack: the digits of each arc, one String at the
        // end (no allocation for the usual short OIDs, which fit a small String). An arc of n bytes has at most
        // 7n bits, so at most 3n digits; the first byte's two arcs at most 1 + 3 digits.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: content.count * 4 + 24) { buffer -> String? in
            guard let out = buffer.baseAddress else { return nil }
            var length = 0
            func append(_ arc: UInt64) {
                if length > 0 {
                    out[length] = UInt8(ascii: ".")
                    length += 1
                }
                length += DecimalText.write(arc, to: out + length)
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
            return String(decoding: UnsafeBufferPointer(start: out, count: length), as: UTF8.self)
        }
    }
}
