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

        /// Whether this mode leaves the parameter out: one of ``excludedKeys``, compared without hashing.
        func leavesOut(_ key: String) -> Bool {
            switch self {
            case .request: key == "sign"
            case .notifyV1: key == "sign" || key == "sign_type" || key == "alipay_cert_sn"
            case .notifyV2: key == "sign" || key == "alipay_cert_sn"
            }
        }

        /// The same for a name held as bytes, `d[name]`.
        func leavesOut(_ d: UnsafeBufferPointer<UInt8>, _ name: Range<Int>) -> Bool {
            func named(_ literal: StaticString) -> Bool { DecodedForm.bytes(d, name, equal: literal) }
            switch self {
            case .request: return named("sign")
            case .notifyV1: return named("sign") || named("sign_type") || named("alipay_cert_sn")
            case .notifyV2: return named("sign") || named("alipay_cert_sn")
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
        // The kept parameters' dictionary indices, sorted in place (on the stack for a request's dozen) by their
        // names' UTF-8 bytes in Java `String` order (`javaLess`); then the content written in one buffer: the
        // output is the only allocation, and no name is hashed or compared as a String.
        withUnsafeTemporaryAllocation(of: Dictionary<String, String>.Index.self, capacity: parameters.count) { kept in
            var n = 0
            var size = 0
            var i = parameters.startIndex
            while i != parameters.endIndex {
                let (key, value) = parameters[i]
                if !key.isEmpty, !mode.leavesOut(key), !isJavaEmpty(value) {
                    (kept.baseAddress! + n).initialize(to: i)
                    n += 1
                    size += key.utf8.count + value.utf8.count + 2
                }
                parameters.formIndex(after: &i)
            }
            var sorted = UnsafeMutableBufferPointer(rebasing: kept[0..<n])
            defer { sorted.deinitialize() }
            sorted.sort { javaLess(parameters[$0].key, parameters[$1].key) }
            var out = [UInt8]()
            out.reserveCapacity(size)
            for (j, index) in sorted.enumerated() {
                let (key, value) = parameters[index]
                if j > 0 { out.append(UInt8(ascii: "&")) }
                out.append(contentsOf: key.utf8)
                out.append(UInt8(ascii: "="))
                out.append(contentsOf: value.utf8)
            }
            return out
        }
    }

    /// Java `String.compareTo` over two names' UTF-8 bytes (`DecodedForm.javaLess`: UTF-16 order, which differs
    /// from UTF-8 byte order only between a character above U+FFFF and one in U+E000–U+FFFF).
    static func javaLess(_ a: String, _ b: String) -> Bool {
        let less = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in DecodedForm.javaLess(x, y) }
        }
        return (less ?? nil) ?? DecodedForm.javaLess(Array(a.utf8), Array(b.utf8))
    }

    /// The content of decoded pairs already sorted in Java order (the decoded-bytes paths: notifications, the
    /// conformance check's requests): `name=value` joined by `&`, leaving out what the mode leaves out, empty names
    /// and blank values, as ``utf8Bytes(_:mode:)`` does for a dictionary.
    static func content(_ d: UnsafeBufferPointer<UInt8>, _ pairs: [DecodedForm.Pair], mode: Mode) -> [UInt8] {
        // At most the decoded bytes plus two per pair.
        [UInt8](capacity: d.count + pairs.count * 2) { out, written in
            guard let dst = out.baseAddress, let src = d.baseAddress else {
                written = 0
                return
            }
            var o = 0
            for pair in pairs
            where !pair.name.isEmpty && !mode.leavesOut(d, pair.name) && !DecodedForm.isJavaEmpty(d, pair.value) {
                if o > 0 {
                    dst[o] = UInt8(ascii: "&")
                    o += 1
                }
                (dst + o).initialize(from: src + pair.name.lowerBound, count: pair.name.count)
                o += pair.name.count
                dst[o] = UInt8(ascii: "=")
                o += 1
                (dst + o).initialize(from: src + pair.value.lowerBound, count: pair.value.count)
                o += pair.value.count
            }
            written = o
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
