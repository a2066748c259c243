/// A `multipart/form-data` body, as the SDKs send a v2 upload (docs/PROTOCOL.md §11): the text parts are
/// parameters and are signed, their values raw (not percent-encoded) in the request's charset; the file parts are
/// not signed.
///
/// The layouts of the SDKs are all read: Java's (`\r\n--B\r\n` before every part, headers without spaces:
/// `Content-Disposition:form-data;name="k"`), the official Python SDK's (`--B\r\n` first, headers with spaces and a
/// per-part `Content-Type: text/plain; charset=…`) and a browser's. A part's own charset is ignored: the gateway
/// decodes every text part in the charset of the URL query.
@_spi(AlipaySignTools) public struct MultipartForm: Sendable {
    /// One part: its name, its file name when it is a file, its content type and its bytes.
    public struct Part: Sendable, Equatable {
        public var name: String
        public var filename: String?
        public var contentType: String?
        public var body: [UInt8]

        /// Whether the part is a file (it has a `filename`), which is never signed.
        public var isFile: Bool { filename != nil }
    }

    /// The parts, in body order.
    public let parts: [Part]

    /// The boundary named by a `Content-Type` header, or `nil` when the header is not `multipart/form-data` with
    /// a boundary.
    /// - Parameter contentType: the header's value, e.g. `multipart/form-data;boundary=1700000000000;charset=UTF-8`.
    /// - Returns: the boundary, unquoted.
    public static func boundary(contentType: String) -> String? {
        // Most requests are not uploads: their type's first bytes say so before anything is split.
        let type = contentType.utf8.drop(while: { $0 == 0x20 || $0 == 0x09 }).prefix(multipartType.count)
        guard type.lazy.map({ $0 | 0x20 }).elementsEqual(multipartType) else { return nil }
        let fields = contentType.split(separator: ";").map { $0.trimmed }
        guard let type = fields.first, type.lowercased() == "multipart/form-data" else { return nil }
        for field in fields.dropFirst() {
            guard let eq = field.firstIndex(of: "="), field[..<eq].trimmed.lowercased() == "boundary"
            else { continue }
            var value = field[field.index(after: eq)...].trimmed
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    private static let multipartType = Array("multipart/form-data".utf8)

    /// Splits a body into its parts.
    /// - Parameters:
    ///   - body: the body as received.
    ///   - boundary: the boundary of the `Content-Type` header (see ``boundary(contentType:)``).
    /// - Throws: ``AlipaySignError/Code/malformedForm`` when the body does not start with the boundary, a part has
    ///   no `Content-Disposition: form-data` with a name, or the closing boundary is missing.
    public init(body: [UInt8], boundary: String) throws {
        guard !boundary.isEmpty, boundary.utf8.count <= 200 else {
            throw AlipaySignError(.malformedForm, "the multipart boundary is empty or longer than 200 bytes")
        }
        let dash = Array("--".utf8) + Array(boundary.utf8)
        let delimiter = Array("\r\n".utf8) + dash
        // The first delimiter may start the body (Python, browsers) or follow a CRLF (Java); a preamble before it
        // is ignored, as RFC 2046 says.
        var position: Int
        if body.starts(with: dash) {
            position = dash.count
        } else if let found = ByteSearch.find(delimiter, in: body) {
            position = found + delimiter.count
        } else {
            throw AlipaySignError(
                .malformedForm, "the body has no multipart boundary \"\(boundary)\"",
                hint: "the boundary is the one of the request's Content-Type header")
        }
        var parts: [Part] = []
        while true {
            // After a delimiter: `--` closes the body; else optional white space and a CRLF start a part.
            if body[position...].starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")]) { break }
            while position < body.count, body[position] == UInt8(ascii: " ") || body[position] == UInt8(ascii: "\t") {
                position += 1
            }
            guard body[position...].starts(with: [13, 10]) else {
                throw AlipaySignError(.malformedForm, "the multipart boundary at byte \(position) is not followed by a line break")
            }
            position += 2
            guard let headersEnd = ByteSearch.find(Array("\r\n\r\n".utf8), in: body, from: position - 2) else {
                throw AlipaySignError(.malformedForm, "multipart part \(parts.count + 1) has no blank line after its headers")
            }
            let headers = position <= headersEnd ? Array(body[position..<headersEnd]) : []
            let contentStart = headersEnd + 4
            guard let next = ByteSearch.find(delimiter, in: body, from: contentStart) else {
                throw AlipaySignError(
                    .malformedForm, "multipart part \(parts.count + 1) is not closed by the boundary",
                    hint: "the body may be truncated")
            }
            parts.append(try Self.part(headers: headers, body: Array(body[contentStart..<next]), index: parts.count + 1))
            position = next + delimiter.count
            guard position < body.count else {
                throw AlipaySignError(.malformedForm, "the multipart body ends without its closing boundary \"--\(boundary)--\"")
            }
        }
        self.parts = parts
    }

    /// The text parts as parameters, each value decoded in `charset`.
    /// - Parameter charset: the request's charset (the one of the URL query).
    /// - Returns: the parameters, by name.
    /// - Throws: ``AlipaySignError/Code/duplicateParameter`` when two text parts share a name,
    ///   ``AlipaySignError/Code/invalidEncoding`` when a value is not valid in `charset`.
    public func textParameters(charset: Charset) throws -> [String: String] {
        var parameters: [String: String] = [:]
        for part in parts where !part.isFile {
            let value = try charset.decode(part.body)
            guard parameters.updateValue(value, forKey: part.name) == nil else {
                throw AlipaySignError(.duplicateParameter, "the multipart body has two text parts named \(part.name)")
            }
        }
        return parameters
    }

    static func part(headers: [UInt8], body: [UInt8], index: Int) throws -> Part {
        var name: String?
        var filename: String?
        var contentType: String?
        // Header names and parameters are ASCII; a name or file name may be UTF-8 (browsers send it raw).
        let text = String(decoding: headers, as: UTF8.self)
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let field = line[..<colon].trimmed.lowercased()
            let value = line[line.index(after: colon)...].trimmed
            switch field {
            case "content-disposition":
                let items = Self.splitParameters(value)
                guard items.first?.lowercased() == "form-data" else {
                    throw AlipaySignError(.malformedForm, "multipart part \(index) is not form-data: \(value)")
                }
                for item in items.dropFirst() {
                    guard let eq = item.firstIndex(of: "=") else { continue }
                    let key = item[..<eq].trimmed.lowercased()
                    var v = item[item.index(after: eq)...].trimmed
                    if v.count >= 2, v.hasPrefix("\""), v.hasSuffix("\"") {
                        v = String(v.dropFirst().dropLast()).replacingAll("\\\"", with: "\"")
                    }
                    if key == "name" { name = v } else if key == "filename" { filename = v }
                }
            case "content-type": contentType = value
            default: continue
            }
        }
        guard let name, !name.isEmpty else {
            throw AlipaySignError(.malformedForm, "multipart part \(index) has no Content-Disposition: form-data; name=\"…\"")
        }
        return Part(name: name, filename: filename, contentType: contentType, body: body)
    }

    /// Splits `form-data; name="a;b"; filename="c"` at the semicolons outside quotes.
    static func splitParameters(_ value: String) -> [String] {
        var items: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for c in value {
            if escaped {
                escaped = false
            } else if c == "\\" && quoted {
                escaped = true
            } else if c == "\"" {
                quoted.toggle()
            } else if c == ";" && !quoted {
                items.append(current.trimmed)
                current = ""
                continue
            }
            current.append(c)
        }
        items.append(current.trimmed)
        return items
    }
}

extension StringProtocol {
    /// The text without leading and trailing ASCII white space.
    fileprivate var trimmed: String { String(self).trimmingASCIIWhitespace() }
}
