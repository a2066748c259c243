/// XML responses (`format=xml`, legacy; docs/PROTOCOL.md §4.5).
///
/// The signed slice follows the Java and .NET SDKs (`XmlConverter.getSignSourceData`): from just after the
/// root node's start tag to the first `<sign` in the body; the sign is the text between the first `<sign>` and
/// the first `</sign>`. libxml2 first checks that the body is well-formed, and the positions found by the byte
/// search are checked against the real element starts, so that a `<sign>` inside a comment or CDATA section is
/// caught rather than trusted. When the first `<sign` is not `<sign>` (a `<sign_type>` before it) the slice is
/// ambiguous between SDKs, and is reported.
enum XMLResponse {
    static func extract(_ body: [UInt8], method: String, charset: Charset) throws -> ExtractedResponse {
        try body.withUnsafeBufferPointer { b in
            let elements = try LibXML2.elements(b, encoding: charset == .utf8 ? nil : charset.canonicalName)
            let starts = Dictionary(elements.map { ($0.offset, $0) }, uniquingKeysWith: { first, _ in first })
            func find(_ text: String, from: Int = 0) -> Int? { ByteSearch.find(Array(text.utf8), in: body, from: from) }
            func isElement(_ offset: Int, named name: String) -> Bool { starts[offset]?.name == name }

            let methodNode = ResponseExtractor.nodeName(method: method)
            // Java: body.indexOf(rootNode) > 0, else error_response.
            let node: String
            let nodeIndex: Int
            if let at = find(methodNode), at > 0 {
                (node, nodeIndex) = (methodNode, at)
            } else if let at = find("error_response"), at > 0 {
                (node, nodeIndex) = ("error_response", at)
            } else {
                throw AlipaySignError(
                    .malformedResponse, "the XML response has no '\(methodNode)' element (nor 'error_response')",
                    hint: "is the method right?")
            }
            var diagnostics: [String] = []
            var rejection: String?
            if !isElement(nodeIndex - 1, named: node) {
                rejection = "the first '\(node)' in the body is not the start tag of that element"
            }
            if elements.filter({ $0.name == node }).count > 1 {
                rejection = rejection ?? "the element '\(node)' appears more than once (an injection)"
            }
            let start = nodeIndex + node.utf8.count + 1
            guard start <= body.count else {
                throw AlipaySignError(.malformedResponse, "the XML response ends inside the '\(node)' start tag")
            }
            guard var signStart = find("<sign", from: 0) else {
                throw AlipaySignError(
                    .malformedResponse, "the XML response has no '<sign' element",
                    hint: "an unsigned XML response cannot be verified")
            }
            if signStart < start {
                // Java's substring(start, end) would throw: the first '<sign' is before the node.
                rejection = rejection ?? "the first '<sign' comes before the '\(node)' start tag (in a comment or text)"
                signStart = start
            }
            var sign: String?
            if let open = find("<sign>"), let close = find("</sign>"), close >= open + 6 {
                if !isElement(open, named: "sign") {
                    rejection = rejection ?? "the first '<sign>' is not an element (it is inside a comment, CDATA or text)"
                }
                sign = try charset.decode(body[(open + 6)..<close])
            }
            if let open = find("<sign>"), open != signStart {
                let tag = String(decoding: body[signStart..<min(signStart + 24, body.count)].prefix { $0 != UInt8(ascii: ">") }, as: UTF8.self)
                diagnostics.append(
                    "ambiguous: the first '<sign' is '\(tag)>', before '<sign>'; the Java and .NET SDKs end the signed "
                        + "content there, PHP at the last '<sign>'")
            }
            var certSN: String?
            if let open = find("<alipay_cert_sn>"), let close = find("</alipay_cert_sn>"), close >= open + 16 {
                if !isElement(open, named: "alipay_cert_sn") {
                    rejection = rejection ?? "the first '<alipay_cert_sn>' is not an element"
                }
                certSN = try charset.decode(body[(open + 16)..<close])
                if open >= start && open < signStart {
                    diagnostics.append(
                        "'<alipay_cert_sn>' comes before '<sign': the Java SDK signs it as part of the content, "
                            + "the .NET SDK ends the content before it")
                }
            }
            var subCode: String?
            if let open = find("<sub_code>", from: start), open < signStart, isElement(open, named: "sub_code"),
                let close = find("</sub_code>", from: open)
            {
                subCode = try charset.decode(body[(open + 10)..<close])
            }
            var ciphertext: Range<Int>?
            if let open = find("<response_encrypted>", from: start), open < signStart,
                isElement(open, named: "response_encrypted"), let close = find("</response_encrypted>", from: open)
            {
                ciphertext = (open + 20)..<close
            }
            let encrypted = ciphertext != nil
            return ExtractedResponse(
                format: .xml, node: node, isErrorResponse: node == "error_response", range: start..<signStart,
                isEncrypted: encrypted, sign: sign, alipayCertSN: certSN, subCode: subCode,
                isSuccess: encrypted ? nil : subCode.map { SignContent.isJavaEmpty($0) } ?? true,
                ciphertextRange: ciphertext, diagnostics: diagnostics, rejection: rejection)
        }
    }
}
