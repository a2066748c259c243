/// Verifies Alipay's asynchronous notifications and `return_url` parameters (PROTOCOL.md §1.2).
///
/// A notification is a form body signed by Alipay. Which parameters are signed depends on the message: payment
/// notifications (`trade_status_sync`) leave `sign_type` out (V1), others such as `servicemarket_order_notify`
/// keep it (V2). ``Mode/auto`` tries both, like the official Node SDK's `checkNotifySign`, and reports which one
/// verified; it tries the likely one first (V1 for `trade_status_sync`, else V2), so that a valid notification
/// costs one RSA verification.
public struct NotificationVerifier: Sendable {
    /// Which canonical content to verify.
    public enum Mode: String, Sendable, CaseIterable {
        case auto, v1, v2
    }

    /// Which content verified.
    public enum Version: String, Sendable {
        case v1, v2

        var contentMode: SignContent.Mode { self == .v1 ? .notifyV1 : .notifyV2 }
    }

    /// The outcome of a verification.
    public struct Result: Sendable, Equatable {
        /// Whether the signature verified.
        public let isValid: Bool
        /// Which content verified; `nil` when none did.
        public let version: Version?
        /// The content that verified; when none did, the content of the last variant tried (UTF-8 bytes).
        public let contentBytes: [UInt8]
        /// The same as text (made when asked for: the hot path does not build the string).
        public var content: String { String(decoding: contentBytes, as: UTF8.self) }
        /// The charset the content was verified in.
        public let charset: Charset
        /// Whether the notification had a `sign` parameter at all.
        public let hadSignature: Bool
    }

    public let publicKey: PublicKey
    public let signType: SignType
    /// The charset to verify in; `nil` means the notification's own `charset` parameter, else UTF-8.
    public let charset: Charset?
    private let verifier: SignatureVerifier

    public init(publicKey: PublicKey, signType: SignType = .rsa2, charset: Charset? = nil) throws {
        self.publicKey = publicKey
        self.signType = signType
        self.charset = charset
        // The charset is applied here per notification; the verifier only checks bytes.
        self.verifier = try SignatureVerifier(publicKey: publicKey, signType: signType)
    }

    /// Verifies a notification's form body as received: decoded once, in ``charset`` or the body's own
    /// `charset` parameter.
    /// - Throws: only for a body that cannot be decoded (malformed form, bad charset bytes, unknown charset).
    public func verify<C: Collection>(formBody: C, mode: Mode = .auto) throws -> Result where C.Element == UInt8 {
        let body = Array(formBody)
        if let fast = body.withUnsafeBufferPointer({ verifyFast($0, mode: mode) }) { return fast }
        let (parameters, cs) = try FormBody.decode(body, charset: charset)
        return try verify(parameters: parameters, charset: cs, mode: mode)
    }

    /// The hot path for notifications with ASCII parameter names (every notification Alipay sends): one
    /// percent-decoding pass into one buffer, pairs kept as ranges, sorted in place, the content built once per
    /// variant. UTF-8 bodies are used as they are; in GBK or GB18030 the values with non-ASCII bytes are decoded
    /// once, and the content is encoded back to verify. Returns `nil` whenever the general path must decide (a
    /// bad charset name or bytes, a non-ASCII name, a duplicate, a malformed escape), which then also produces
    /// the error.
    func verifyFast(_ body: UnsafeBufferPointer<UInt8>, mode: Mode) -> Result? {
        var pairs: [(name: Range<Int>, value: Range<Int>)] = []
        pairs.reserveCapacity(32)
        var malformed = false
        var nonASCII = false
        // One pass: percent-decode every pair into one buffer, recording ranges. Bytes that stand for themselves
        // (the common case) are copied in a tight loop on raw pointers; a table says which bytes need a look.
        let special = Self.formSpecialByte
        let decoded = [UInt8](unsafeUninitializedCapacity: body.count) { out, written in
            guard let src = body.baseAddress, let dst = out.baseAddress else {
                written = 0
                return
            }
            let n = body.count
            var o = 0
            var k = 0
            var nameStart = 0
            var nameEnd = -1
            while true {
                while k < n, special[Int(src[k])] == 0 {
                    dst[o] = src[k]
                    o += 1
                    k += 1
                }
                if k == n || src[k] == UInt8(ascii: "&") {
                    // The end of a pair; an empty one (`&&`, a leading or trailing `&`) is skipped.
                    if o > nameStart || nameEnd >= 0 {
                        if nameEnd < 0 { nameEnd = o }
                        pairs.append((nameStart..<nameEnd, nameEnd..<o))
                    }
                    if k == n { break }
                    k += 1
                    nameStart = o
                    nameEnd = -1
                    continue
                }
                let c = src[k]
                switch c {
                case UInt8(ascii: "="):
                    if nameEnd < 0 {
                        nameEnd = o
                    } else {
                        dst[o] = c
                        o += 1
                    }
                    k += 1
                case UInt8(ascii: "+"):
                    dst[o] = 0x20
                    o += 1
                    k += 1
                case UInt8(ascii: "%"):
                    guard k + 2 < n, src[k + 1] != UInt8(ascii: "&"), src[k + 2] != UInt8(ascii: "&"),
                        let hi = Hex.value(src[k + 1]), let lo = Hex.value(src[k + 2])
                    else {
                        malformed = true
                        written = o
                        return
                    }
                    let v = hi << 4 | lo
                    if v >= 0x80 { nonASCII = true }
                    dst[o] = v
                    o += 1
                    k += 3
                default:  // a byte >= 0x80, sent raw
                    nonASCII = true
                    dst[o] = c
                    o += 1
                    k += 1
                }
            }
            written = o
        }
        if malformed { return nil }
        // The charset: the verifier's, else the body's own `charset` parameter (ASCII in every supported charset;
        // a duplicate is left to the general path below).
        var cs = Charset.utf8
        if let charset {
            cs = charset
        } else if let pair = decoded.withUnsafeBufferPointer({ d in pairs.first { Self.bytes(d, $0.name, equal: "charset") } }),
            !pair.value.isEmpty
        {
            guard let named = try? Charset(name: String(decoding: decoded[pair.value], as: UTF8.self)) else { return nil }
            cs = named
        }
        // GBK and GB18030: each value with non-ASCII bytes is decoded once (pooled iconv), so that what follows
        // works on UTF-8 exactly as the general path does; the content is encoded back in the charset to verify.
        var buffer = decoded
        if cs != .utf8, nonASCII {
            guard let (utf8, ranges) = Self.transcode(decoded, pairs, from: cs) else { return nil }
            buffer = utf8
            pairs = ranges
        }
        return buffer.withUnsafeBufferPointer { d -> Result? in
            func equals(_ r: Range<Int>, _ literal: StaticString) -> Bool { Self.bytes(d, r, equal: literal) }
            func less(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
                let n = min(a.count, b.count)
                for j in 0..<n where d[a.lowerBound + j] != d[b.lowerBound + j] {
                    return d[a.lowerBound + j] < d[b.lowerBound + j]
                }
                return a.count < b.count
            }
            var signRange: Range<Int>?
            for pair in pairs {
                if equals(pair.name, "sign") { signRange = pair.value }
                if nonASCII {
                    // Names must be ASCII here, values valid UTF-8; the general path decides (and words the error).
                    for b in d[pair.name] where b >= 0x80 { return nil }
                    if !UTF8Check.isValid(d, pair.value) { return nil }
                }
            }
            pairs.sort { less($0.name, $1.name) }
            for j in pairs.indices.dropFirst() where !less(pairs[j - 1].name, pairs[j].name) { return nil }  // a duplicate
            // Present and not blank, even if it is not base64: "had a sign" (the general path says the same).
            let hasSign = signRange.map { !Self.isJavaEmpty(d, $0) } ?? false
            var signTypeSigned = false
            var isTradeStatusSync = false
            for pair in pairs {
                if equals(pair.name, "sign_type") { signTypeSigned = !Self.isJavaEmpty(d, pair.value) }
                if equals(pair.name, "notify_type") {
                    isTradeStatusSync = equals(pair.value, "trade_status_sync")
                }
            }
            let versions = Self.order(mode, signTypeSigned: signTypeSigned, tradeStatusSync: isTradeStatusSync)
            /// Builds each variant's content and verifies it with the decoded signature.
            func tryVariants(_ signature: UnsafeRawBufferPointer?) -> Result? {
                var content = [UInt8]()
                var v2Content: [UInt8]?
                for version in versions {
                    // `name=value` pairs joined by `&`: at most the decoded bytes plus two per pair.
                    content = [UInt8](unsafeUninitializedCapacity: d.count + pairs.count * 2) { out, written in
                        guard let dst = out.baseAddress, let src = d.baseAddress else {
                            written = 0
                            return
                        }
                        var o = 0
                        for pair in pairs {
                            if pair.name.isEmpty || equals(pair.name, "sign") || equals(pair.name, "alipay_cert_sn") {
                                continue
                            }
                            if version == .v1, equals(pair.name, "sign_type") { continue }
                            if Self.isJavaEmpty(d, pair.value) { continue }
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
                    if version == .v2 { v2Content = content }
                    guard let signature else { continue }
                    // The signed bytes: the content itself in UTF-8 or when it is ASCII, else encoded in the charset
                    // (a character the charset cannot encode: the general path words the error).
                    var signed = content
                    if cs != .utf8, nonASCII {
                        guard let encoded = try? cs.encode(String(decoding: content, as: UTF8.self)) else { return nil }
                        signed = encoded
                    }
                    if verifier.isValidSignature(raw: signature, for: signed) {
                        return Result(isValid: true, version: version, contentBytes: content,
                                      charset: cs, hadSignature: true)
                    }
                }
                return Result(isValid: false, version: nil, contentBytes: v2Content ?? content, charset: cs,
                              hadSignature: hasSign)
            }
            // The signature is decoded into a stack buffer for the variants to share; `nil` when there is none or
            // it is not base64 (then every variant is simply not valid).
            guard let signRange, hasSign else { return tryVariants(nil) }
            return Base64.withDecoded(UnsafeBufferPointer(rebasing: d[signRange])) { tryVariants($0) }
        }
    }

    /// Whether `d[r]` is the ASCII `literal` (concrete code: the generic `elementsEqual` costs several times more).
    static func bytes(_ d: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, equal literal: StaticString) -> Bool {
        guard r.count == literal.utf8CodeUnitCount else { return false }
        for j in 0..<r.count where d[r.lowerBound + j] != literal.utf8Start[j] { return false }
        return true
    }

    /// The pairs with every value that has non-ASCII bytes decoded from `charset` into UTF-8, in a new buffer;
    /// `nil` when a name is not ASCII or a value is not valid in the charset (the general path decides).
    static func transcode(
        _ d: [UInt8], _ pairs: [(name: Range<Int>, value: Range<Int>)], from charset: Charset
    ) -> ([UInt8], [(name: Range<Int>, value: Range<Int>)])? {
        var out: [UInt8] = []
        out.reserveCapacity(d.count + d.count / 2)
        var ranges = pairs
        for (k, pair) in pairs.enumerated() {
            if d[pair.name].contains(where: { $0 >= 0x80 }) { return nil }
            let nameStart = out.count
            out.append(contentsOf: d[pair.name])
            let valueStart = out.count
            if d[pair.value].contains(where: { $0 >= 0x80 }) {
                guard let text = try? charset.decode(bytes: Array(d[pair.value])) else { return nil }
                out.append(contentsOf: text.utf8)
            } else {
                out.append(contentsOf: d[pair.value])
            }
            ranges[k] = (nameStart..<valueStart, valueStart..<out.count)
        }
        return (out, ranges)
    }

    /// For each byte of a form body: 0 when it stands for itself, else 1 (`&`, `=`, `+`, `%`, or not ASCII).
    /// Allocated once for the process and never written after.
    nonisolated(unsafe) static let formSpecialByte: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for c in 0..<256 {
            table[c] = c >= 0x80 || c == 0x26 || c == 0x3D || c == 0x2B || c == 0x25 ? 1 : 0
        }
        return UnsafePointer(table)
    }()

    /// The variants to try, in order. In auto mode the likely one goes first, so a notification costs one RSA
    /// verification, not two: V1 for payment notifications (`notify_type=trade_status_sync`, PROTOCOL.md §1.2),
    /// V2 for the others; and when `sign_type` is absent or blank the two contents are the same bytes, so V1
    /// alone decides. The verdict cannot depend on the order (the two contents differ, and at most one can
    /// carry the signature); a failure reports V2's content either way, as before.
    static func order(_ mode: Mode, signTypeSigned: Bool, tradeStatusSync: Bool) -> [Version] {
        // Static arrays: a literal here would be a heap allocation on every notification.
        switch mode {
        case .v1: v1Only
        case .v2: v2Only
        case .auto: !signTypeSigned ? v1Only : tradeStatusSync ? v1First : v2First
        }
    }

    private static let v1First: [Version] = [.v1, .v2]
    private static let v2First: [Version] = [.v2, .v1]
    private static let v1Only: [Version] = [.v1]
    private static let v2Only: [Version] = [.v2]

    /// Java `StringUtils.isEmpty` over valid UTF-8 bytes: every character is Java whitespace.
    static func isJavaEmpty(_ d: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        var i = r.lowerBound
        while i < r.upperBound {
            let c = d[i]
            if c < 0x80 {
                guard SignContent.isJavaWhitespace(UInt16(c)) else { return false }
                i += 1
            } else if c < 0xE0 {
                return false  // U+0080–U+07FF: no Java whitespace there (U+00A0 is not)
            } else if c < 0xF0 {
                guard i + 2 < r.upperBound else { return false }
                let unit = UInt16(c & 0x0F) << 12 | UInt16(d[i + 1] & 0x3F) << 6 | UInt16(d[i + 2] & 0x3F)
                guard SignContent.isJavaWhitespace(unit) else { return false }
                i += 3
            } else {
                return false  // above U+FFFF: never whitespace
            }
        }
        return true
    }

    /// Verifies already-decoded parameters.
    public func verify(parameters: [String: String], charset: Charset? = nil, mode: Mode = .auto) throws -> Result {
        let cs = try charset ?? self.charset ?? parameters["charset"].flatMap { $0.isEmpty ? nil : try Charset(name: $0) }
            ?? .utf8
        let versions = Self.order(
            mode, signTypeSigned: parameters["sign_type"].map { !SignContent.isJavaEmpty($0) } ?? false,
            tradeStatusSync: parameters["notify_type"] == "trade_status_sync")
        let signature = parameters["sign"].flatMap { SignContent.isJavaEmpty($0) ? nil : $0 }
        let rawSignature = signature.flatMap { Base64.decode($0) }
        var content: [UInt8] = []
        var v2Content: [UInt8]?
        for version in versions {
            // UTF-8 content is built as bytes directly; other charsets encode the content string once.
            content = SignContent.utf8Bytes(parameters, mode: version.contentMode)
            if version == .v2 { v2Content = content }
            guard let rawSignature else { continue }
            let signed = cs == .utf8 ? content : try cs.encode(String(decoding: content, as: UTF8.self))
            if verifier.isValidSignature(rawSignature, for: signed) {
                return Result(isValid: true, version: version, contentBytes: content,
                              charset: cs, hadSignature: true)
            }
        }
        return Result(isValid: false, version: nil, contentBytes: v2Content ?? content, charset: cs,
                      hadSignature: signature != nil)
    }
}
