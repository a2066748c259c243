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
    private static let dashes = Array("-----".utf8)
    private static let newline: [UInt8] = [0x0A]

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
        // Over bytes, a line at a time (LF or CRLF), each line trimmed of ASCII white space: every character the
        // format looks at is ASCII, and no byte of a multi-byte UTF-8 sequence is.
        var at = 0
        /// The next line's range, trimmed of ASCII white space (a CR before the LF too); `nil` after the last.
        func nextLine() -> Range<Int>? {
            guard at < input.count else { return nil }
            var end = ByteSearch.find(newline, in: input, from: at) ?? input.count
            var start = at
            at = end + 1
            while start < end, input[start].isASCIIWhitespace { start += 1 }
            while end > start, input[end - 1].isASCIIWhitespace { end -= 1 }
            return start..<end
        }
        func text(_ r: Range<Int>) -> String { String(decoding: input[r], as: UTF8.self) }
        func starts(_ r: Range<Int>, with prefix: [UInt8]) -> Bool {
            r.count >= prefix.count && input[r.lowerBound..<r.lowerBound + prefix.count].elementsEqual(prefix)
        }
        var blocks: [PEMBlock] = []
        while let line = nextLine() {
            guard line.count > 16, starts(line, with: begin),
                input[line.upperBound - 5..<line.upperBound].elementsEqual(dashes)
            else { continue }
            let labelRange = line.lowerBound + 11..<line.upperBound - 5
            let label = text(labelRange)
            let endLine = Array("-----END ".utf8) + input[labelRange] + dashes
            let endText = "-----END \(label)-----"
            var body: [UInt8] = []
            var headers = false
            var closed = false
            while let next = nextLine() {
                if input[next].elementsEqual(endLine) {
                    closed = true
                    break
                }
                if starts(next, with: dashes) {
                    throw AlipaySignError(
                        .malformedKey,
                        "the \(what)'s PEM block '\(label)' ends with '\(text(next))' instead of '\(endText)'")
                }
                if input[next].contains(UInt8(ascii: ":")) {
                    headers = true
                    continue
                }
                body.append(contentsOf: input[next])
            }
            guard closed else {
                throw AlipaySignError(
                    .malformedKey, "the \(what)'s PEM block '\(label)' has no '\(endText)' line",
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
