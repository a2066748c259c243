/// One PEM block (RFC 7468): its label and the DER bytes of its base64 body.
struct PEMBlock {
    let label: String
    let der: [UInt8]
    /// RFC 1421 headers such as `Proc-Type: 4,ENCRYPTED` (OpenSSL's legacy encrypted keys).
    let hasEncryptionHeaders: Bool
}

/// How key or certificate bytes were given, before any DER is looked at.
enum KeyText {
    case pem([PEMBlock])
    case der([UInt8])
    case base64([UInt8])

    private static let begin = Array("-----BEGIN ".utf8)

    /// Reads PEM (any number of blocks, CRLF or LF, text around them ignored), DER, or bare base64 with any
    /// whitespace and any line length.
    static func read(_ input: [UInt8], what: String) throws -> KeyText {
        if ByteSearch.find(begin, in: input) != nil {
            return .pem(try parsePEM(input, what: what))
        }
        if let first = input.first, first == 0x30, !input.allSatisfy({ isBase64Text($0) }) {
            return .der(input)
        }
        let trimmed = input.filter { !$0.isASCIIWhitespace }
        guard !trimmed.isEmpty else {
            throw AlipaySignError(.malformedKey, "the \(what) is empty")
        }
        guard let der = Base64.decode(trimmed) else {
            let escapedNewlines = ByteSearch.find(Array("\\n".utf8), in: input) != nil
            throw AlipaySignError(
                .malformedKey, "the \(what) is not PEM, DER or base64",
                hint: escapedNewlines
                    ? "it contains literal \\n sequences: replace them with real line breaks, or remove them"
                    : "give the key as PEM (-----BEGIN ...-----), as the bare base64 body, or as DER")
        }
        return .base64(der)
    }

    private static func isBase64Text(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
            true
        default: c.isASCIIWhitespace
        }
    }

    static func parsePEM(_ input: [UInt8], what: String) throws -> [PEMBlock] {
        let text = String(decoding: input, as: UTF8.self)
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }[...]
        var blocks: [PEMBlock] = []
        while let line = lines.popFirst() {
            let trimmed = String(line).trimmingASCIIWhitespace()
            guard trimmed.hasPrefix("-----BEGIN "), trimmed.hasSuffix("-----"), trimmed.count > 16 else { continue }
            let label = String(trimmed.dropFirst(11).dropLast(5))
            let endLine = "-----END \(label)-----"
            var body: [UInt8] = []
            var headers = false
            var closed = false
            while let next = lines.popFirst() {
                let t = String(next).trimmingASCIIWhitespace()
                if t == endLine { closed = true; break }
                if t.hasPrefix("-----") {
                    throw AlipaySignError(
                        .malformedKey, "the \(what)'s PEM block '\(label)' ends with '\(t)' instead of '\(endLine)'")
                }
                if t.contains(":") {
                    headers = true
                    continue
                }
                body.append(contentsOf: t.utf8)
            }
            guard closed else {
                throw AlipaySignError(
                    .malformedKey, "the \(what)'s PEM block '\(label)' has no '\(endLine)' line",
                    hint: "the file may be truncated")
            }
            guard let der = Base64.decode(body), !der.isEmpty else {
                throw AlipaySignError(
                    .malformedKey, "the base64 body of the \(what)'s PEM block '\(label)' is not valid base64",
                    hint: "the file may be truncated or altered")
            }
            blocks.append(PEMBlock(label: label, der: der, hasEncryptionHeaders: headers))
        }
        guard !blocks.isEmpty else {
            throw AlipaySignError(.malformedKey, "the \(what) has a '-----BEGIN' but no complete PEM block")
        }
        return blocks
    }
}
