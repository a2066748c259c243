/// The body format of a v2 gateway response (`format=json`, the default, or the legacy `xml`).
public enum ResponseFormat: String, Sendable, CaseIterable {
    case json, xml
}

/// What a v2 gateway response signs, and what it says about itself (PROTOCOL.md §4).
///
/// ``range`` is the exact bytes the signature covers, as the body arrived: for JSON, the value of the root member
/// `<method with '.' → '_'>_response` (or `error_response`), `{...}` inclusive, or, for an encrypted response, the
/// string token with its quotes; for XML, what follows the root's start tag up to `<sign` (the Java rule).
public struct ExtractedResponse: Sendable {
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
    public static func nodeName(method: String) -> String {
        method.replacingDots() + "_response"
    }

    /// Extracts the signed content of a response body, given as received, in the request's charset.
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

    static func extractJSON(_ b: UnsafeBufferPointer<UInt8>, method: String, charset: Charset) throws -> ExtractedResponse {
        let methodNode = nodeName(method: method)
        let names = [Array(methodNode.utf8), Array("error_response".utf8)]
        let encoding: JSONScan.Encoding =
            switch charset.kind {
            case .utf8: .utf8
            case .gbk: .gbk
            case .gb18030: .gb18030
            }
        let scan = try JSONScan.scan(b, nodeNames: names, encoding: encoding)

        func text(_ member: JSONScan.Member) throws -> String {
            guard b[member.value.lowerBound] == UInt8(ascii: "\"") else {
                throw AlipaySignError(
                    .malformedResponse,
                    "the member '\(try keyText(member))' is \(describe(b[member.value.lowerBound])), not a string")
            }
            let content = (member.value.lowerBound + 1)..<(member.value.upperBound - 1)
            // A base64 sign or an SN: plain ASCII without escapes is its own text.
            if content.allSatisfy({ b[$0] < 0x80 && b[$0] != UInt8(ascii: "\\") }) {
                return String(decoding: UnsafeBufferPointer(rebasing: b[content]), as: UTF8.self)
            }
            if content.allSatisfy({ b[$0] < 0x80 }) { return try JSONText.unescape(b, content) }
            let decoded = try charset.decode(UnsafeBufferPointer(rebasing: b[content]))
            return try JSONText.unescape(Array(decoded.utf8))
        }
        func keyText(_ member: JSONScan.Member) throws -> String {
            if !member.keyEscaped, member.key.allSatisfy({ b[$0] < 0x80 }) {
                return String(decoding: UnsafeBufferPointer(rebasing: b[member.key]), as: UTF8.self)
            }
            if member.key.allSatisfy({ b[$0] < 0x80 }) { return try JSONText.unescape(b, member.key) }
            return try JSONText.unescape(Array(try charset.decode(UnsafeBufferPointer(rebasing: b[member.key])).utf8))
        }

        var rootMembers: [String: [Int]] = [:]
        for (index, member) in scan.root.enumerated() {
            rootMembers[try keyText(member), default: []].append(index)
        }
        let chosen: String
        if rootMembers[methodNode] != nil {
            chosen = methodNode
        } else if rootMembers["error_response"] != nil {
            chosen = "error_response"
        } else {
            let others = scan.root.compactMap { try? keyText($0) }.filter { $0.hasSuffix("_response") }
            throw AlipaySignError(
                .malformedResponse, "the response has no '\(methodNode)' member (nor 'error_response')",
                hint: others.isEmpty
                    ? "is the body an Alipay gateway response?"
                    : "it has \(others.map { "'\($0)'" }.joined(separator: ", ")): is the method right?")
        }
        let occurrences = rootMembers[chosen] ?? []
        let index = occurrences[0]
        let node = scan.root[index]
        var diagnostics: [String] = []
        var rejection: String?
        if occurrences.count > 1 {
            rejection = "the root node '\(chosen)' appears \(occurrences.count) times (the Java SDK rejects this as an injection)"
        } else if scan.nestedNodeKeys > 0 {
            rejection = "the name '\(chosen)' also appears as a nested member name (the Java SDK's duplicate check rejects this)"
        }
        for duplicate in ["sign", "alipay_cert_sn"] where (rootMembers[duplicate]?.count ?? 0) > 1 {
            rejection = rejection ?? "the root member '\(duplicate)' appears more than once"
        }
        if chosen == "error_response", rootMembers.keys.contains(where: { $0 != chosen && $0.hasSuffix("_response") }) {
            diagnostics.append("the body has no '\(methodNode)' but another *_response member; 'error_response' was used")
        }
        let sign = try rootMembers["sign"].map { try text(scan.root[$0[0]]) }
        let certSN = try rootMembers["alipay_cert_sn"].map { try text(scan.root[$0[0]]) }

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
        if !isEncrypted, let members = scan.nodeMembers[index] {
            for member in members where try keyText(member) == "sub_code" {
                subCode = b[member.value.lowerBound] == UInt8(ascii: "\"") ? try text(member) : nil
            }
        }
        return ExtractedResponse(
            format: .json, node: chosen, isErrorResponse: chosen == "error_response", range: node.value,
            isEncrypted: isEncrypted, sign: sign, alipayCertSN: certSN, subCode: subCode,
            isSuccess: isEncrypted ? nil : subCode.map { SignContent.isJavaEmpty($0) } ?? true,
            ciphertextRange: isEncrypted ? (node.value.lowerBound + 1)..<(node.value.upperBound - 1) : nil,
            diagnostics: diagnostics, rejection: rejection)
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

extension String {
    func replacingDots() -> String {
        String(decoding: utf8.map { $0 == UInt8(ascii: ".") ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
    }
}
