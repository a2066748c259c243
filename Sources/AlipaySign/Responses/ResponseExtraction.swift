/// The body format of a v2 gateway response (`format=json`, the default, or the legacy `xml`).
public enum ResponseFormat: String, Sendable, CaseIterable {
    /// JSON, the default.
    case json
    /// XML, the legacy format.
    case xml
}

/// What a v2 gateway response signs, and what it says about itself (docs/PROTOCOL.md §4).
///
/// ``range`` is the exact bytes the signature covers, as the body arrived: for JSON, the value of the root member
/// `<method with '.' → '_'>_response` (or `error_response`), `{...}` inclusive, or, for an encrypted response, the
/// string token with its quotes; for XML, what follows the root's start tag up to `<sign` (the Java rule).
public struct ExtractedResponse: Sendable {
    /// The body's format.
    public let format: ResponseFormat
    /// The node the content came from: `<method>_response` or `error_response`.
    public let node: String
    /// Whether the node is `error_response` (the old-style error layout).
    public let isErrorResponse: Bool
    /// The byte offsets of the signed content in the body.
    public let range: Range<Int>
    /// Whether the node is an AES-encrypted string (`encrypt_type=AES`) rather than an object.
    public let isEncrypted: Bool
    /// The root-level `sign`, when present.
    public let sign: String?
    /// The root-level `alipay_cert_sn` (certificate mode), when present.
    public let alipayCertSN: String?
    /// The node's `sub_code` when it has one: Java's `isSuccess()` is "sub_code is empty". `nil` for an
    /// encrypted node, which says nothing until it is decrypted.
    public let subCode: String?
    /// Whether the response counts as a success for the Java SDK's policy (no `sub_code`); `nil` while encrypted.
    public let isSuccess: Bool?
    /// The byte offsets of the ciphertext inside the node (without quotes or tags), for an encrypted node.
    public let ciphertextRange: Range<Int>?
    /// Things worth knowing that did not stop the extraction (ambiguous XML, a node name found twice, ...).
    public let diagnostics: [String]
    /// A reason the response must be rejected whatever its signature (the root node twice: an injection).
    public let rejection: String?
}

/// Finding the signed content of a v2 gateway response.
public enum ResponseExtractor {
    /// The root node name of a method: `alipay.trade.query` → `alipay_trade_query_response`.
    /// - Parameter method: the API method.
    /// - Returns: the node's name.
    public static func nodeName(method: String) -> String {
        String(decoding: nodeNameBytes(method: method), as: UTF8.self)
    }

    /// Extracts the signed content of a response body, given as received, in the request's charset.
    /// - Parameters:
    ///   - body: the body exactly as received.
    ///   - method: the API method of the request.
    ///   - format: JSON or XML.
    ///   - charset: the request's charset, which the body is in.
    /// - Returns: where the signed content is, and what the response says about itself. Nothing is verified.
    /// - Throws: ``AlipaySignError`` `malformedJSON` / `malformedResponse` when the body is not valid JSON or
    ///   XML, has no node for the method (nor `error_response`), or has a `sign` that is not a string.
    public static func extract(
        _ body: [UInt8], method: String, format: ResponseFormat = .json, charset: Charset = .utf8
    ) throws -> ExtractedResponse {
        switch format {
        case .json: try body.withUnsafeBufferPointer { try extractJSON($0, method: method, charset: charset) }
        case .xml: try XMLResponse.extract(body, method: method, charset: charset)
        }
    }

    /// The node name's bytes, made in one buffer.
    /// Written on the method's contiguous UTF-8 into the array's storage: appending byte by byte from
    /// `String.UTF8View` cost about 900 instructions a response line, for a name of some thirty bytes.
    static func nodeNameBytes(method: String) -> [UInt8] {
        let suffix: StaticString = "_response"
        var method = method
        return method.withUTF8 { m in
            [UInt8](capacity: m.count + suffix.utf8CodeUnitCount) { out, written in
                for i in 0..<m.count { out[i] = m[i] == UInt8(ascii: ".") ? UInt8(ascii: "_") : m[i] }
                for i in 0..<suffix.utf8CodeUnitCount { out[m.count + i] = suffix.utf8Start[i] }
                written = m.count + suffix.utf8CodeUnitCount
            }
        }
    }

    static let signKey: [UInt8] = Array("sign".utf8)
    static let certSNKey: [UInt8] = Array("alipay_cert_sn".utf8)

    static func extractJSON(_ b: UnsafeBufferPointer<UInt8>, method: String, charset: Charset) throws -> ExtractedResponse {
        let nodeBytes = nodeNameBytes(method: method)
        let encoding: JSONScan.Encoding =
            switch charset.kind {
            case .utf8: .utf8
            case .gbk: .gbk
            case .gb18030: .gb18030
            }
        let scan = try JSONScan.scan(b, node: nodeBytes, encoding: encoding)

        func text(_ member: JSONScan.Member) throws -> String {
            try stringText(b, member.value, charset: charset) {
                "the member '\(try keyText(member))' is \(describe(b[member.value.lowerBound])), not a string"
            }
        }
        func keyText(_ member: JSONScan.Member) throws -> String {
            if !member.keyEscaped, member.key.allSatisfy({ b[$0] < 0x80 }) {
                return String(decoding: UnsafeBufferPointer(rebasing: b[member.key]), as: UTF8.self)
            }
            if member.key.allSatisfy({ b[$0] < 0x80 }) { return try JSONText.unescape(b, member.key) }
            return try JSONText.unescape(Array(try charset.decode(UnsafeBufferPointer(rebasing: b[member.key])).utf8))
        }

        // The root members that matter, found by comparing key bytes (no key is decoded unless it has escapes):
        // for each name, where it first appears and how many times.
        var methodNodes = (first: -1, count: 0)
        var errorNodes = (first: -1, count: 0)
        var signs = (first: -1, count: 0)
        var certSNs = (first: -1, count: 0)
        func found(_ index: Int, _ tally: inout (first: Int, count: Int)) {
            if tally.count == 0 { tally.first = index }
            tally.count += 1
        }
        for (index, member) in scan.root.enumerated() {
            func named(_ name: [UInt8]) -> Bool { JSONScan.keyEquals(b, member.key, escaped: member.keyEscaped, name) }
            if named(nodeBytes) {
                found(index, &methodNodes)
            } else if named(JSONScan.errorNode) {
                found(index, &errorNodes)
            } else if named(signKey) {
                found(index, &signs)
            } else if named(certSNKey) {
                found(index, &certSNs)
            }
        }
        let methodNode = String(decoding: nodeBytes, as: UTF8.self)
        let chosen: String
        let occurrences: (first: Int, count: Int)
        if methodNodes.count > 0 {
            (chosen, occurrences) = (methodNode, methodNodes)
        } else if errorNodes.count > 0 {
            (chosen, occurrences) = ("error_response", errorNodes)
        } else {
            let others = scan.root.compactMap { try? keyText($0) }.filter { $0.hasSuffix("_response") }
            throw AlipaySignError(
                .malformedResponse, "the response has no '\(methodNode)' member (nor 'error_response')",
                hint: others.isEmpty
                    ? "is the body an Alipay gateway response?"
                    : "it has \(others.map { "'\($0)'" }.joined(separator: ", ")): is the method right?")
        }
        let index = occurrences.first
        let node = scan.root[index]
        var diagnostics: [String] = []
        var rejection: String?
        if occurrences.count > 1 {
            rejection = "the root node '\(chosen)' appears \(occurrences.count) times (the Java SDK rejects this as an injection)"
        } else if scan.nestedNodeKeys > 0 {
            rejection = "the name '\(chosen)' also appears as a nested member name (the Java SDK's duplicate check rejects this)"
        }
        if signs.count > 1 {
            rejection = rejection ?? "the root member 'sign' appears more than once"
        } else if certSNs.count > 1 {
            rejection = rejection ?? "the root member 'alipay_cert_sn' appears more than once"
        }
        if chosen == "error_response",
            scan.root.contains(where: { m in (try? keyText(m)).map { $0 != chosen && $0.hasSuffix("_response") } ?? false })
        {
            diagnostics.append("the body has no '\(methodNode)' but another *_response member; 'error_response' was used")
        }
        let sign = signs.count > 0 ? try text(scan.root[signs.first]) : nil
        let certSN = certSNs.count > 0 ? try text(scan.root[certSNs.first]) : nil

        let first = b[node.value.lowerBound]
        let isEncrypted: Bool
        switch first {
        case UInt8(ascii: "{"): isEncrypted = false
        case UInt8(ascii: "\""): isEncrypted = true
        default:
            throw AlipaySignError(
                .malformedResponse, "the '\(chosen)' member is \(describe(first)), neither an object nor an encrypted string")
        }
        var subCode: String?
        if !isEncrypted {
            // The last sub_code wins, as in a map built from the members; one that is not a string counts as none.
            for entry in scan.subCodes where entry.node == index {
                subCode = b[entry.value.lowerBound] == UInt8(ascii: "\"")
                    ? try stringText(b, entry.value, charset: charset) { "sub_code is not a string" } : nil
            }
        }
        return ExtractedResponse(
            format: .json, node: chosen, isErrorResponse: chosen == "error_response", range: node.value,
            isEncrypted: isEncrypted, sign: sign, alipayCertSN: certSN, subCode: subCode,
            isSuccess: isEncrypted ? nil : subCode.map { SignContent.isJavaEmpty($0) } ?? true,
            ciphertextRange: isEncrypted ? (node.value.lowerBound + 1)..<(node.value.upperBound - 1) : nil,
            diagnostics: diagnostics, rejection: rejection)
    }

    /// The text of a string token (quotes included in `value`), in the body's charset.
    static func stringText(
        _ b: UnsafeBufferPointer<UInt8>, _ value: Range<Int>, charset: Charset, notString: () throws -> String
    ) throws -> String {
        guard b[value.lowerBound] == UInt8(ascii: "\"") else {
            throw AlipaySignError(.malformedResponse, try notString())
        }
        let content = (value.lowerBound + 1)..<(value.upperBound - 1)
        // A base64 sign or an SN: plain ASCII without escapes is its own text.
        let bytes = UnsafeBufferPointer(rebasing: b[content])
        if ByteWord.allASCII(bytes, excluding: UInt8(ascii: "\\")) {
            return String(decoding: bytes, as: UTF8.self)
        }
        if content.allSatisfy({ b[$0] < 0x80 }) { return try JSONText.unescape(b, content) }
        let decoded = try charset.decode(UnsafeBufferPointer(rebasing: b[content]))
        return try JSONText.unescape(Array(decoded.utf8))
    }

    static func describe(_ first: UInt8) -> String {
        switch first {
        case UInt8(ascii: "{"): "an object"
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        default: "a number"
        }
    }
}

extension JSONText {
    static func unescape(_ content: [UInt8]) throws -> String {
        try content.withUnsafeBufferPointer { try unescape($0, 0..<content.count) }
    }
}
