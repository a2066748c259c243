/// Just enough DER (X.690) to tell key structures apart before handing them to the backend, and to say which
/// one a user pasted. Bounds are checked on every read; nothing here trusts a length field.
struct DERReader {
    struct Element {
        let tag: UInt8
        /// The content octets' range in the reader's buffer.
        let content: Range<Int>
        /// The whole element's range (tag, length and content).
        let whole: Range<Int>
    }

    let bytes: [UInt8]
    var index: Int
    let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.index = 0
        self.end = bytes.count
    }

    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.index = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { index >= end }

    /// Reads the next element; `nil` if it is not well-formed DER within bounds.
    mutating func next() -> Element? {
        let start = index
        guard index < end else { return nil }
        let tag = bytes[index]
        guard tag & 0x1F != 0x1F else { return nil }  // high tag numbers never occur in these structures
        index += 1
        guard index < end else { return nil }
        var length = Int(bytes[index])
        index += 1
        if length & 0x80 != 0 {
            let octets = length & 0x7F
            guard octets >= 1, octets <= 4, index + octets <= end else { return nil }
            length = 0
            for _ in 0..<octets {
                length = length << 8 | Int(bytes[index])
                index += 1
            }
            guard length >= 0x80 else { return nil }  // DER: the short form must be used when it fits
        }
        guard length <= end - index else { return nil }
        let content = index..<(index + length)
        index += length
        return Element(tag: tag, content: content, whole: start..<index)
    }

    /// Reads the children of a constructed element.
    func children(of element: Element) -> [Element]? {
        var reader = DERReader(bytes, range: element.content)
        var out: [Element] = []
        while !reader.isAtEnd {
            guard let child = reader.next() else { return nil }
            out.append(child)
        }
        return out
    }

    /// The number of children of a constructed element, or `nil` when one is not well-formed: what
    /// `children(of:)` checks, without the array.
    func childCount(of element: Element) -> Int? {
        var reader = DERReader(bytes, range: element.content)
        var count = 0
        while !reader.isAtEnd {
            guard reader.next() != nil else { return nil }
            count += 1
        }
        return count
    }

    /// A reader over an element's content.
    func reader(of element: Element) -> DERReader { DERReader(bytes, range: element.content) }

    func integerValue(_ element: Element) -> Int? {
        guard element.tag == 0x02, element.content.count >= 1, element.content.count <= 4 else { return nil }
        return element.content.reduce(0) { $0 << 8 | Int(bytes[$1]) }
    }
}

/// The structure a DER key or certificate has, found by looking at its outer shape.
enum DERStructure: Equatable {
    case pkcs1PrivateKey          // RFC 8017 A.1.2 RSAPrivateKey
    case pkcs8PrivateKey          // RFC 5208 PrivateKeyInfo / RFC 5958 OneAsymmetricKey
    case encryptedPKCS8           // RFC 5208 EncryptedPrivateKeyInfo
    case sec1ECPrivateKey         // RFC 5915 ECPrivateKey
    case subjectPublicKeyInfo     // RFC 5280 4.1.2.7
    case pkcs1PublicKey           // RFC 8017 A.1.1 RSAPublicKey
    case certificate              // RFC 5280 4.1
    /// An outer SEQUENCE whose declared length runs past the end of the input.
    case truncated(declared: Int, present: Int)
    case unknown

    static let sequence: UInt8 = 0x30
    static let integer: UInt8 = 0x02
    static let bitString: UInt8 = 0x03
    static let octetString: UInt8 = 0x04
    static let oid: UInt8 = 0x06

    /// Classifies `der`, which must be exactly one element.
    static func classify(_ der: [UInt8]) -> DERStructure {
        if let declared = declaredLength(der), declared > der.count { return .truncated(declared: declared, present: der.count) }
        var reader = DERReader(der)
        guard let outer = reader.next(), reader.isAtEnd, outer.tag == sequence,
            let items = reader.children(of: outer), let first = items.first
        else { return .unknown }
        let tags = items.map(\.tag)
        if tags.count == 2, tags == [integer, integer] { return .pkcs1PublicKey }
        if first.tag == integer {
            let version = reader.integerValue(first)
            if tags.count >= 9, tags.prefix(9).allSatisfy({ $0 == integer }), version == 0 || version == 1 {
                return .pkcs1PrivateKey
            }
            if tags.count >= 3, tags[1] == sequence, tags[2] == octetString, version == 0 || version == 1 {
                return .pkcs8PrivateKey
            }
            if tags.count >= 2, tags[1] == octetString, version == 1 { return .sec1ECPrivateKey }
            return .unknown
        }
        if first.tag == sequence, let inner = reader.children(of: first), let innerFirst = inner.first {
            if tags.count == 2, tags[1] == bitString, innerFirst.tag == oid { return .subjectPublicKeyInfo }
            if tags.count == 2, tags[1] == octetString, innerFirst.tag == oid { return .encryptedPKCS8 }
            if tags.count == 3, tags[1] == sequence, tags[2] == bitString,
                innerFirst.tag == 0xA0 || innerFirst.tag == integer
            {
                return .certificate
            }
        }
        return .unknown
    }

    /// The total length the outer element's header declares, if the header itself is readable.
    static func declaredLength(_ der: [UInt8]) -> Int? {
        guard der.count >= 2, der[0] == sequence else { return nil }
        let first = Int(der[1])
        if first < 0x80 { return 2 + first }
        let octets = first & 0x7F
        guard octets >= 1, octets <= 4, der.count >= 2 + octets else { return nil }
        return 2 + octets + der[2..<(2 + octets)].reduce(0) { $0 << 8 | Int($1) }
    }

    var humanName: String {
        switch self {
        case .pkcs1PrivateKey: "a PKCS#1 RSA private key"
        case .pkcs8PrivateKey: "a PKCS#8 private key"
        case .encryptedPKCS8: "an encrypted PKCS#8 private key"
        case .sec1ECPrivateKey: "an EC private key (SEC 1)"
        case .subjectPublicKeyInfo: "an SPKI public key"
        case .pkcs1PublicKey: "a PKCS#1 RSA public key"
        case .certificate: "an X.509 certificate"
        case .truncated: "a truncated DER structure"
        case .unknown: "an unrecognised DER structure"
        }
    }
}
