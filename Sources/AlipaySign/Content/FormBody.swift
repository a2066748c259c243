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
        var pairs: [RawPair] = []
        var name: [UInt8] = [], value: [UInt8] = []
        var inValue = false
        var segment = 1
        var iterator = body.makeIterator()
        var pending: [UInt8] = []  // holds up to two bytes after a '%'
        func flush() {
            if inValue || !name.isEmpty { pairs.append(RawPair(name: name, value: value)) }
            name = []; value = []; inValue = false
        }
        while let c = iterator.next() {
            switch c {
            case UInt8(ascii: "&"):
                flush()
                segment += 1
            case UInt8(ascii: "=") where !inValue:
                inValue = true
            case UInt8(ascii: "+"):
                if inValue { value.append(0x20) } else { name.append(0x20) }
            case UInt8(ascii: "%"):
                pending = []
                while pending.count < 2, let h = iterator.next() { pending.append(h) }
                guard pending.count == 2, let hi = hexValue(pending[0]), let lo = hexValue(pending[1]) else {
                    let seen = String(decoding: pending.prefix { $0 != UInt8(ascii: "&") }, as: UTF8.self)
                    throw AlipaySignError(
                        .malformedForm,
                        "'%\(seen)' in parameter \(segment) is not a percent-escape (% must be followed by two hex digits)",
                        hint: "a literal % is sent as %25; was the body decoded once already?")
                }
                if inValue { value.append(hi << 4 | lo) } else { name.append(hi << 4 | lo) }
            default:
                if inValue { value.append(c) } else { name.append(c) }
            }
        }
        flush()
        return pairs
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
        guard let pair = pairs.first(where: { $0.name == Array("charset".utf8) }), !pair.value.isEmpty else {
            return nil
        }
        return try Charset(name: String(decoding: pair.value, as: UTF8.self))
    }

    private static func decodeText(_ bytes: [UInt8], charset: Charset, what: String) throws -> String {
        do {
            return try charset.decode(bytes)
        } catch let error as AlipaySignError {
            throw AlipaySignError(
                error.code, "\(what) is not valid \(charset.canonicalName) once percent-decoded",
                hint: "the declared charset must be the one the body was encoded in (PROTOCOL.md §2.2)")
        }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
