#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A v2 request in whatever shape an integrator holds it (docs/PROTOCOL.md §11, §13): an app's order string, a
/// page or WAP payment URL, the HTML form `pageExecute` returns, a form body, a JSON object of parameters, or a
/// multipart upload. Read into the parameters the gateway would verify, each decoded exactly once.
@_spi(AlipaySignTools) public struct RequestInput: Sendable {
    /// The shapes a request comes in.
    public enum Shape: String, Sendable {
        /// `name=value&…` with `method=alipay.trade.app.pay`: what `sdkExecute` returns.
        case orderString = "order-string"
        /// A URL with the parameters in its query (a GET page or WAP payment).
        case url
        /// The auto-submitting HTML form of `pageExecute`: the `action` URL's query and the hidden inputs.
        case htmlForm = "html-form"
        /// An `application/x-www-form-urlencoded` body or query string.
        case form
        /// A JSON object of string values.
        case json
        /// A `multipart/form-data` body: its text parts.
        case multipart
    }

    /// The shape the input was read as.
    public let shape: Shape
    /// The parameters, decoded once.
    public let parameters: [String: String]
    /// The charset the values were decoded in (the request's `charset`, UTF-8 when it names none).
    public let charset: Charset
    /// For the shapes that are percent-encoded (order string, URL, form): the pairs split at `&` and `=` but not
    /// decoded, a segment without `=` joined to the value before it. What the parameters would be if the producer
    /// had not encoded the values (a `&` in `biz_content` splits it, a `+` in `sign` is a `+`).
    public let unencodedParameters: [String: String]?

    /// Reads a request.
    /// - Parameters:
    ///   - bytes: the input as held.
    ///   - contentType: the `Content-Type` of a body, needed for multipart (its boundary).
    ///   - charset: the charset to decode in, overriding the request's own `charset`.
    /// - Throws: ``AlipaySignError/Code/malformedForm``, ``AlipaySignError/Code/malformedJSON`` or
    ///   ``AlipaySignError/Code/invalidEncoding`` saying what the input is not.
    public init(reading bytes: [UInt8], contentType: String? = nil, charset: Charset? = nil) throws {
        var body = bytes[...]
        while let first = body.first, first.isASCIIWhitespace { body = body.dropFirst() }
        while let last = body.last, last.isASCIIWhitespace { body = body.dropLast() }
        if let contentType, let boundary = MultipartForm.boundary(contentType: contentType) {
            let form = try MultipartForm(body: Array(bytes), boundary: boundary)
            // The charset: given, else the request's own `charset` part (ASCII), else the Content-Type's, else UTF-8.
            let part = form.parts.first { !$0.isFile && $0.name == "charset" }.map { String(decoding: $0.body, as: UTF8.self) }
            let cs = try charset ?? Charset.declared(part) ?? Self.charsetParameter(of: contentType) ?? .utf8
            self.init(shape: .multipart, parameters: try form.textParameters(charset: cs), charset: cs, unencoded: nil)
            return
        }
        guard let first = body.first else {
            throw AlipaySignError(.malformedForm, "the input is empty", hint: Self.hint)
        }
        if first == UInt8(ascii: "{") {
            let parameters = try Parameters.fromJSONObject(body)
            self.init(
                shape: .json, parameters: parameters, charset: try charset ?? Charset.declared(parameters["charset"]) ?? .utf8,
                unencoded: nil)
            return
        }
        if first == UInt8(ascii: "<") || Self.contains(body, "<form") {
            try self.init(html: Array(body), charset: charset)
            return
        }
        var query = Array(body)
        var shape = Shape.form
        if Self.hasPrefix(body, "http://") || Self.hasPrefix(body, "https://") || Self.hasPrefix(body, "/") {
            guard let q = body.firstIndex(of: UInt8(ascii: "?")) else {
                throw AlipaySignError(.malformedForm, "the URL has no query: the parameters are not in it", hint: Self.hint)
            }
            var end = body.endIndex
            if let hash = body[q...].firstIndex(of: UInt8(ascii: "#")) { end = hash }
            query = Array(body[(q + 1)..<end])
            shape = .url
        }
        guard query.contains(UInt8(ascii: "=")) else {
            throw AlipaySignError(
                .malformedForm, "the input is not a request: no name=value pair, no JSON object, no HTML form", hint: Self.hint)
        }
        do {
            let form = try DecodedForm(decoding: query, charset: charset)
            let parameters = try form.dictionary()
            if shape == .form, parameters["method"] == "alipay.trade.app.pay" { shape = .orderString }
            self.init(shape: shape, parameters: parameters, charset: form.charset, unencoded: Self.unencoded(query, form.charset))
        } catch let error as AlipaySignError where error.code == .malformedForm || error.code == .invalidEncoding {
            // Not percent-encoded as a form must be (a raw '%'): the gateway cannot read it as signed. Read without
            // decoding, so that the diagnosis can say whether that is how it was signed.
            let cs = try charset ?? Self.declaredCharset(inRaw: query) ?? .utf8
            guard let raw = Self.unencoded(query, cs), raw["sign"] != nil else { throw error }
            if shape == .form, raw["method"] == "alipay.trade.app.pay" { shape = .orderString }
            self.init(shape: shape, parameters: raw, charset: cs, unencoded: raw, decodingError: error)
        }
    }

    init(
        shape: Shape, parameters: [String: String], charset: Charset, unencoded: [String: String]?,
        decodingError: AlipaySignError? = nil
    ) {
        self.shape = shape
        self.parameters = parameters
        self.charset = charset
        self.unencodedParameters = unencoded
        self.decodingError = decodingError
    }

    /// Why the input cannot be decoded as the gateway decodes it (a `%` not followed by two hex digits, bytes
    /// invalid in the charset); then ``parameters`` are the values read without decoding, and the request does not
    /// verify as sent.
    public let decodingError: AlipaySignError?

    /// The `charset=` of an undecoded query.
    static func declaredCharset(inRaw query: [UInt8]) throws -> Charset? {
        for segment in query.split(separator: UInt8(ascii: "&")) where segment.starts(with: Array("charset=".utf8)) {
            return try Charset.declared(String(decoding: segment.dropFirst(8), as: UTF8.self))
        }
        return nil
    }

    static let hint =
        "give an order string, a payment URL, the HTML form pageExecute returns, a form body, a JSON object of parameters, "
        + "or a multipart body with --content-type"

    /// The HTML form: the `action` URL's query (percent-encoded) and the inputs' values (raw text, entities decoded
    /// as a browser does), the inputs winning over the query for the same name as a browser's submission would
    /// append them after it.
    init(html: [UInt8], charset: Charset?) throws {
        let text = String(decoding: html, as: UTF8.self)
        let tags = HTMLTags(text)
        guard let form = tags.first(named: "form") else {
            throw AlipaySignError(.malformedForm, "the HTML has no <form>", hint: Self.hint)
        }
        var parameters: [String: String] = [:]
        var cs = charset
        if let action = form["action"], let q = action.firstIndex(of: "?") {
            let decoded = try DecodedForm(decoding: Array(action[action.index(after: q)...].utf8), charset: charset)
            parameters = try decoded.dictionary()
            if cs == nil, parameters["charset"] != nil { cs = decoded.charset }
        }
        var inputs = 0
        for input in tags.all(named: "input") {
            guard let name = input["name"], !name.isEmpty else { continue }
            inputs += 1
            parameters[name] = input["value"] ?? ""
        }
        guard !parameters.isEmpty else {
            throw AlipaySignError(.malformedForm, "the HTML form has no parameters (no action query, no named input)", hint: Self.hint)
        }
        let resolved = try cs ?? Charset.declared(parameters["charset"]) ?? .utf8
        self.init(shape: .htmlForm, parameters: parameters, charset: resolved, unencoded: nil)
    }

    /// The pairs of a percent-encoded input split without decoding, in `charset` (see ``unencodedParameters``): a
    /// segment without `=`, or any segment while a JSON value (`biz_content`) has unclosed braces, belongs to the
    /// value before it.
    static func unencoded(_ query: [UInt8], _ charset: Charset) -> [String: String]? {
        var pairs: [(String, String)] = []
        var open = false
        for segment in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            guard let text = try? charset.decode(segment) else { return nil }
            if !pairs.isEmpty, open || !text.contains("=") {
                pairs[pairs.count - 1].1 += "&" + text
            } else if let eq = text.firstIndex(of: "=") {
                pairs.append((String(text[..<eq]), String(text[text.index(after: eq)...])))
            } else {
                continue
            }
            let value = pairs[pairs.count - 1].1
            open = (value.hasPrefix("{") || value.hasPrefix("[")) && !isBalancedJSON(value)
        }
        var out: [String: String] = [:]
        for (name, value) in pairs where out[name] == nil { out[name] = value }
        return out
    }

    /// Whether a JSON text's braces and brackets, outside strings, are all closed.
    static func isBalancedJSON(_ text: String) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for b in text.utf8 {
            if inString {
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                continue
            }
            switch b {
            case 0x22: inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        return depth <= 0 && !inString
    }

    static func charsetParameter(of contentType: String) throws -> Charset? {
        for field in contentType.split(separator: ";") {
            let f = String(field).trimmingASCIIWhitespace()
            if f.lowercased().hasPrefix("charset=") { return try Charset.declared(String(f.dropFirst(8))) }
        }
        return nil
    }

    static func hasPrefix(_ body: ArraySlice<UInt8>, _ prefix: String) -> Bool {
        body.count >= prefix.utf8.count && zip(body, prefix.utf8).allSatisfy { $0 | 0x20 == $1 | 0x20 }
    }

    static func contains(_ body: ArraySlice<UInt8>, _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard body.count >= n.count else { return false }
        var i = body.startIndex
        while i <= body.endIndex - n.count {
            if zip(body[i..<(i + n.count)], n).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) { return true }
            i += 1
        }
        return false
    }
}

/// The start tags of an HTML text, with their attributes decoded as a browser decodes them (entities included).
/// Enough for the forms the SDKs write; comments, scripts and malformed markup are skipped, never fatal.
struct HTMLTags {
    struct Tag {
        let name: String
        let attributes: [(String, String)]
        subscript(_ name: String) -> String? { attributes.first { $0.0 == name }?.1 }
    }

    let tags: [Tag]

    init(_ html: String) {
        var html = html
        tags = html.withUTF8 { Self.read($0) }
    }

    /// Reads the tags over the text's UTF-8 bytes (the markup is ASCII; a byte of a multi-byte character counts as
    /// a letter, as a non-ASCII letter does in a tag name): names and values are made into Strings once each.
    private static func read(_ s: UnsafeBufferPointer<UInt8>) -> [Tag] {
        var tags: [Tag] = []
        let n = s.count
        var i = 0
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C }
        func isNameByte(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c >= 0x80
        }
        while i < n {
            // The next '<'.
            guard let base = s.baseAddress, let lt = memchr(base + i, 0x3C, n - i) else { break }
            i = base.distance(to: lt.assumingMemoryBound(to: UInt8.self)) + 1
            if i + 2 < n, s[i] == UInt8(ascii: "!"), s[i + 1] == UInt8(ascii: "-"), s[i + 2] == UInt8(ascii: "-") {
                // A comment: skip to -->.
                i += 3
                while i + 2 < n, !(s[i] == UInt8(ascii: "-") && s[i + 1] == UInt8(ascii: "-") && s[i + 2] == UInt8(ascii: ">")) { i += 1 }
                i += 3
                continue
            }
            let nameStart = i
            while i < n, isNameByte(s[i]) { i += 1 }
            guard i > nameStart else { continue }
            let name = lowercased(UnsafeBufferPointer(rebasing: s[nameStart..<i]))
            var attributes: [(String, String)] = []
            while i < n, s[i] != UInt8(ascii: ">") {
                while i < n, isSpace(s[i]) || s[i] == UInt8(ascii: "/") { i += 1 }
                let attributeStart = i
                while i < n, !isSpace(s[i]), s[i] != UInt8(ascii: "="), s[i] != UInt8(ascii: ">"), s[i] != UInt8(ascii: "/") { i += 1 }
                let attributeEnd = i
                while i < n, isSpace(s[i]) { i += 1 }
                var value = i..<i
                if i < n, s[i] == UInt8(ascii: "=") {
                    i += 1
                    while i < n, isSpace(s[i]) { i += 1 }
                    if i < n, s[i] == UInt8(ascii: "\"") || s[i] == UInt8(ascii: "'") {
                        let quote = s[i]
                        i += 1
                        let start = i
                        while i < n, s[i] != quote { i += 1 }
                        value = start..<i
                        i += 1
                    } else {
                        let start = i
                        while i < n, !isSpace(s[i]), s[i] != UInt8(ascii: ">") { i += 1 }
                        value = start..<i
                    }
                }
                if attributeEnd > attributeStart {
                    attributes.append((
                        lowercased(UnsafeBufferPointer(rebasing: s[attributeStart..<attributeEnd])),
                        decodingEntities(UnsafeBufferPointer(rebasing: s[value.clamped(to: 0..<n)]))))
                } else if i < n, s[i] != UInt8(ascii: ">") {
                    i += 1
                }
            }
            tags.append(Tag(name: name, attributes: attributes))
            i += 1
            if name == "script" || name == "style" {
                // Raw text: skip to its end tag, compared without case.
                let end = Array("</\(name)".utf8)
                while i < n {
                    if i + end.count <= n, (0..<end.count).allSatisfy({ s[i + $0] | (s[i + $0] >= 0x41 && s[i + $0] <= 0x5A ? 0x20 : 0) == end[$0] }) {
                        break
                    }
                    i += 1
                }
            }
        }
        return tags
    }

    /// A name in lower case: ASCII bytes directly, anything else as Unicode lowercases it.
    private static func lowercased(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return String(decoding: bytes, as: UTF8.self).lowercased() }
        return String(unsafeUninitializedCapacity: bytes.count) { out in
            for (k, c) in bytes.enumerated() { out[k] = c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
            return bytes.count
        }
    }

    static func decodingEntities(_ value: String) -> String {
        var value = value
        return value.withUTF8 { decodingEntities($0) }
    }

    func first(named name: String) -> Tag? { tags.first { $0.name == name } }
    func all(named name: String) -> [Tag] { tags.filter { $0.name == name } }

    /// Character references as an HTML parser decodes them in an attribute value: the named ones the SDKs and
    /// browsers produce, and numeric ones; an unknown or unterminated reference stays as it is.
    static func decodingEntities(_ value: UnsafeBufferPointer<UInt8>) -> String {
        guard let base = value.baseAddress, memchr(base, 0x26, value.count) != nil else {
            return String(decoding: value, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        let n = value.count
        var i = 0
        while i < n {
            let c = value[i]
            guard c == UInt8(ascii: "&") else {
                out.append(c)
                i += 1
                continue
            }
            // An entity ends with ';' within ten bytes of the '&'.
            var semi = i + 1
            while semi < n, semi - (i + 1) <= 10, value[semi] != UInt8(ascii: ";") { semi += 1 }
            if semi < n, value[semi] == UInt8(ascii: ";"), semi - (i + 1) <= 10,
                let replacement = entity(UnsafeBufferPointer(rebasing: value[(i + 1)..<semi]))
            {
                out.append(contentsOf: replacement)
                i = semi + 1
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The UTF-8 of one character reference's text (between '&' and ';'), or `nil` for one not known.
    private static func entity(_ e: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let first = e.first else { return nil }
        if first == UInt8(ascii: "#") {
            let hex = e.count > 1 && (e[1] == UInt8(ascii: "x") || e[1] == UInt8(ascii: "X"))
            let digits = UnsafeBufferPointer(rebasing: e[(hex ? 2 : 1)...])
            guard !digits.isEmpty, let code = UInt32(String(decoding: digits, as: UTF8.self), radix: hex ? 16 : 10),
                let scalar = Unicode.Scalar(code)
            else { return nil }
            return Array(String(scalar).utf8)
        }
        switch String(decoding: e, as: UTF8.self) {
        case "quot": return [0x22]
        case "amp": return [0x26]
        case "lt": return [0x3C]
        case "gt": return [0x3E]
        case "apos": return [0x27]
        case "nbsp": return [0xC2, 0xA0]
        default: return nil
        }
    }
}

/// Why a request read from an input does not verify, beyond the variants every diagnosis tries (docs/PROTOCOL.md
/// §8, §13): the two mistakes of order strings and forms.
@_spi(AlipaySignTools) public enum RequestInputDiagnosis: Sendable {
    /// A variant of content, charset, sign type or key (values encoded twice, a `+` read as a space, the charset, ...).
    case variant(Diagnosis)
    /// The producer did not percent-encode the values: read without decoding, the request verifies.
    case valuesNotEncoded(content: String)
    /// These parameters were added after signing: without them, the request verifies.
    case addedAfterSigning([String], content: String)
}

extension RequestVerifier {
    /// Verifies a request read from any of its shapes.
    /// - Parameter input: the request as read.
    /// - Returns: the verification, in the input's charset unless the verifier has one.
    /// - Throws: ``AlipaySignError`` for a content the charset cannot encode.
    @_spi(AlipaySignTools) public func verify(_ input: RequestInput) throws -> RequestVerification {
        let result = try verify(parameters: input.parameters, charset: charset ?? input.charset)
        // An input the gateway cannot decode does not verify as sent, whatever its raw values would give.
        if input.decodingError != nil, case .valid(let v) = result {
            return .invalid(RequestFailure(content: v.signedContent, charset: v.charset, hadSignature: true))
        }
        return result
    }

    /// Says why a request read from an input does not verify: the variants of ``diagnose(parameters:charset:otherKeys:)``,
    /// then the values read without decoding, then each parameter (and then each pair) left out.
    /// - Parameters:
    ///   - input: the request as read.
    ///   - otherKeys: more keys to try after the app's.
    /// - Returns: the first explanation that verifies, or `nil`.
    /// - Throws: ``AlipaySignError`` for an unknown charset name.
    @_spi(AlipaySignTools) public func diagnose(_ input: RequestInput, otherKeys: [DiagnosticKey] = []) throws
        -> RequestInputDiagnosis?
    {
        let cs = charset ?? input.charset
        if input.decodingError == nil, let d = try diagnose(parameters: input.parameters, charset: cs, otherKeys: otherKeys) {
            return .variant(d)
        }
        if let raw = input.unencodedParameters, raw != input.parameters || input.decodingError != nil,
            case .valid(let v) = try verify(parameters: raw, charset: cs)
        {
            return .valuesNotEncoded(content: v.content)
        }
        // Parameters added after signing: one, then two, left out (the protocol's own are never added later).
        let protocolNames: Set<String> = ["sign", "app_id", "method", "charset", "sign_type", "timestamp", "version", "biz_content"]
        let candidates = input.parameters.keys.filter { !protocolNames.contains($0) }.sorted()
        for name in candidates {
            var p = input.parameters
            p[name] = nil
            if case .valid(let v) = try verify(parameters: p, charset: cs) { return .addedAfterSigning([name], content: v.content) }
        }
        if candidates.count <= 12 {
            for (i, a) in candidates.enumerated() {
                for b in candidates[(i + 1)...] {
                    var p = input.parameters
                    p[a] = nil
                    p[b] = nil
                    if case .valid(let v) = try verify(parameters: p, charset: cs) {
                        return .addedAfterSigning([a, b], content: v.content)
                    }
                }
            }
        }
        return nil
    }
}
