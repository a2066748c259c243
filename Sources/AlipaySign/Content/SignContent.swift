/// The canonical sign content ("待签名字符串") of v2 requests and asynchronous notifications (docs/PROTOCOL.md §1).
///
/// Java `AlipaySignature.getSignContent` is the reference: keys sorted in Java `String` order, pairs whose
/// value is empty or whitespace-only dropped (Java `StringUtils.isEmpty`), `key=value` joined by `&`,
/// nothing URL-encoded.
public enum SignContent {
    /// Which parameters a content leaves out.
    public enum Mode: String, Sendable, CaseIterable {
        /// A request: every parameter except `sign` (Java `getSignContent`, docs/PROTOCOL.md §1.1).
        case request
        /// A notification checked the V1 way: without `sign` and `sign_type` (Java `getSignCheckContentV1`).
        case notifyV1 = "notify-v1"
        /// A notification checked the V2 way: without `sign` only (Java `getSignCheckContentV2`).
        case notifyV2 = "notify-v2"

        /// The parameter names this mode leaves out.
        ///
        /// Both notification modes also drop `alipay_cert_sn`, which Alipay adds to certificate-mode return
        /// parameters but does not sign (docs/PROTOCOL.md §1.2; egzosn/pay-java-parent#66).
        public var excludedKeys: Set<String> {
            switch self {
            case .request: Mode.requestExcluded
            case .notifyV1: Mode.notifyV1Excluded
            case .notifyV2: Mode.notifyV2Excluded
            }
        }

        // Built once: the content is built on every signature, and a Set literal allocates each time.
        private static let requestExcluded: Set<String> = ["sign"]
        private static let notifyV1Excluded: Set<String> = ["sign", "sign_type", "alipay_cert_sn"]
        private static let notifyV2Excluded: Set<String> = ["sign", "alipay_cert_sn"]
    }

    /// The canonical content of a parameter set.
    /// - Parameters:
    ///   - parameters: the parameters, already decoded (never URL-encoded).
    ///   - mode: which parameters to leave out; ``Mode/request`` by default.
    /// - Returns: `k1=v1&k2=v2…`, keys in Java `String` order.
    public static func build(_ parameters: [String: String], mode: Mode = .request) -> String {
        String(decoding: utf8Bytes(parameters, mode: mode), as: UTF8.self)
    }

    /// The canonical content as UTF-8 bytes, built without an intermediate string (the signing hot path).
    /// - Parameters:
    ///   - parameters: the parameters, already decoded.
    ///   - mode: which parameters to leave out.
    /// - Returns: the content's UTF-8 bytes.
    public static func utf8Bytes(_ parameters: [String: String], mode: Mode = .request) -> [UInt8] {
        let excluded = mode.excludedKeys
        var pairs: [(key: String, value: String)] = []
        pairs.reserveCapacity(parameters.count)
        var size = 0
        for (key, value) in parameters where !excluded.contains(key) && !isJavaEmpty(value) && !key.isEmpty {
            pairs.append((key, value))
            size += key.utf8.count + value.utf8.count + 2
        }
        pairs.sort { javaStringLess($0.key, $1.key) }
        var out = [UInt8]()
        out.reserveCapacity(size)
        for (i, pair) in pairs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: pair.key.utf8)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: pair.value.utf8)
        }
        return out
    }

    /// Java `String.compareTo`: lexicographic over UTF-16 code units (docs/PROTOCOL.md §1.1: `Collections.sort`).
    ///
    /// For keys made of BMP characters, and so for every ASCII key Alipay defines, this is the same as UTF-8 byte
    /// order; the two differ only between a character above U+FFFF and one in U+E000–U+FFFF, where Java, the
    /// reference, puts the surrogate pair first.
    static func javaStringLess(_ a: String, _ b: String) -> Bool {
        // Fast path: compare UTF-8 bytes while both are ASCII.
        var ia = a.utf8.makeIterator(), ib = b.utf8.makeIterator()
        while true {
            switch (ia.next(), ib.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (x?, y?):
                if x == y { continue }
                if x < 0x80 && y < 0x80 { return x < y }
                return a.utf16.lexicographicallyPrecedes(b.utf16)
            }
        }
    }

    /// Java `StringUtils.isEmpty` of the Alipay SDK: `nil`, `""`, or only characters for which
    /// `Character.isWhitespace` is true.
    package static func isJavaEmpty(_ value: String) -> Bool {
        for unit in value.utf16 where !isJavaWhitespace(unit) { return false }
        return true
    }

    /// Java `Character.isWhitespace(char)`: Unicode space, line and paragraph separators other than the
    /// no-break spaces U+00A0, U+2007 and U+202F; and U+0009–U+000D, U+001C–U+001F.
    static func isJavaWhitespace(_ unit: UInt16) -> Bool {
        switch unit {
        case 0x0009...0x000D, 0x001C...0x001F, 0x0020: true
        case 0x1680, 0x2000...0x2006, 0x2008...0x200A, 0x2028, 0x2029, 0x205F, 0x3000: true
        default: false
        }
    }
}
