/// `application/x-www-form-urlencoded` bodies and query strings, decoded exactly once (PROTOCOL.md §1.2).
///
/// Decoding works on bytes, as a servlet container does: `+` is a space, `%XX` is the byte XX, and the bytes of
/// each name and value are then decoded in the declared charset. A value is never decoded twice: a `%25` in the
/// body stays `%` in the value (alipay-sdk-nodejs-all#45 is the bug this avoids).
public enum FormBody {
    /// One name and value, percent-decoded but not yet charset-decoded.
    public struct RawPair: Sendable, Hashable {
        public let name: [UInt8]
        public let value: [UInt8]
    }

    /// Splits a body into pairs and percent-decodes them.
    ///
    /// Empty segments (`a=1&&b=2`) are skipped; a segment without `=` is a name with an empty value.
    /// - Throws: ``AlipaySignError/Code/malformedForm`` for a `%` not followed by two hex digits.
    public static func rawPairs<C: Collection>(_ body: C) throws -> [RawPair] where C.Element == UInt8 {
        // Generic code is not specialised across modules: convert once, then run the concrete loop.
        try Array(body).withUnsafeBufferPointer { try rawPairs(buffer: $0) }
    }

    static func rawPairs(buffer body: UnsafeBufferPointer<UInt8>) throws -> [RawPair] {
        var pairs: [RawPair] = []
        var start = 0
        var segment = 1
        while start <= body.count {
            var end = start
            while end < body.count, body[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                var equals = start
                while equals < end, body[equals] != UInt8(ascii: "=") { equals += 1 }
                let name = try percentDecode(body, start..<equals, segment: segment)
                let value = equals < end ? try percentDecode(body, (equals + 1)..<end, segment: segment) : []
                pairs.append(RawPair(name: name, value: value))
            }
            start = end + 1
            segment += 1
        }
        return pairs
    }

    /// `+` is a space and `%XX` the byte XX (WHATWG URL, application/x-www-form-urlencoded parsing).
    private static func percentDecode(_ body: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, segment: Int) throws
        -> [UInt8]
    {
        var out = [UInt8]()
        out.reserveCapacity(range.count)
        var i = range.lowerBound
        while i < range.upperBound {
            let c = body[i]
            if c == UInt8(ascii: "+") {
                out.append(0x20)
                i += 1
            } else if c == UInt8(ascii: "%") {
                guard i + 2 < range.upperBound, let hi = Hex.value(body[i + 1]), let lo = Hex.value(body[i + 2]) else {
                    let seen = String(decoding: body[(i + 1)..<min(i + 3, range.upperBound)], as: UTF8.self)
                    throw AlipaySignError(
                        .malformedForm,
                        "'%\(seen)' in parameter \(segment) is not a percent-escape (% must be followed by two hex digits)",
                        hint: "a literal % is sent as %25; was the body decoded once already?")
                }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    /// Decodes a body into a parameter dictionary.
    /// - Parameters:
    ///   - body: the body or query string as received (bytes).
    ///   - charset: the charset of the percent-decoded bytes; when `nil`, the body's own `charset` parameter,
    ///     else UTF-8.
    /// - Returns: the parameters and the charset used.
    /// - Throws: ``AlipaySignError/Code/malformedForm``, ``AlipaySignError/Code/duplicateParameter``,
    ///   ``AlipaySignError/Code/invalidEncoding``, ``AlipaySignError/Code/unknownCharset``.
    public static func decode<C: Collection>(_ body: C, charset: Charset? = nil) throws
        -> (parameters: [String: String], charset: Charset)
    where C.Element == UInt8 {
        let pairs = try rawPairs(body)
        let cs = try charset ?? declaredCharset(in: pairs) ?? .utf8
        var parameters: [String: String] = [:]
        parameters.reserveCapacity(pairs.count)
        for pair in pairs {
            let name = try decodeText(pair.name, charset: cs, what: "a parameter name")
            let value = try decodeText(pair.value, charset: cs, what: "the value of '\(name)'")
            guard parameters.updateValue(value, forKey: name) == nil else {
                throw AlipaySignError(
                    .duplicateParameter, "parameter '\(name)' appears more than once",
                    hint: "Alipay sends each parameter once; a repeated one is ambiguous to sign")
            }
        }
        return (parameters, cs)
    }

    /// The charset named by a body's own `charset` parameter, if it has one.
    public static func declaredCharset(in pairs: [RawPair]) throws -> Charset? {
        guard let pair = pairs.first(where: { $0.name == charsetName }), !pair.value.isEmpty else {
            return nil
        }
        return try Charset(name: String(decoding: pair.value, as: UTF8.self))
    }

    private static let charsetName = Array("charset".utf8)

    private static func decodeText(_ bytes: [UInt8], charset: Charset, what: String) throws -> String {
        do {
            return try charset.decode(bytes: bytes)
        } catch let error as AlipaySignError {
            throw AlipaySignError(
                error.code, "\(what) is not valid \(charset.canonicalName) once percent-decoded",
                hint: "the declared charset must be the one the body was encoded in (PROTOCOL.md §2.2)")
        }
    }
}
