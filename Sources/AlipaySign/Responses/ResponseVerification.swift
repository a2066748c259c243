/// The outcome of verifying a v2 gateway response (docs/PROTOCOL.md §4.2): only the valid case carries a
/// ``VerifiedResponse``; every other case is a reason not to trust the body.
public enum ResponseVerification: Sendable {
    /// Signed, and the signature verifies over the exact content (or, as the Java SDK's second try, over it with
    /// every `\/` read as `/`: ``VerifiedResponse/slashesUnescaped``).
    case valid(VerifiedResponse)
    /// Signed, and the signature does not verify.
    case invalid(UnverifiedResponse)
    /// An error response (a `sub_code`) without a sign. The Java SDK accepts it without verification; nothing
    /// vouches for it, so it is never valid.
    case unsignedError(UnverifiedResponse)
    /// A success without a sign: the Java SDK rejects it ("签名串不可为空").
    case unsignedSuccess(UnverifiedResponse)
    /// Certificate mode: a success without `alipay_cert_sn` (Java: "ALIPAY_CERT_SN is Empty!").
    case missingCertificateSN(UnverifiedResponse)
    /// Rejected whatever the signature: the root node twice, a `<sign>` that is not an element, ...
    case rejected(UnverifiedResponse)

    /// Whether the response can be trusted.
    public var isValid: Bool { status.isValid }

    /// The verdict's name, for reports.
    public var status: ResponseVerifier.Status {
        switch self {
        case .valid(let r): r.slashesUnescaped ? .validAfterUnescapingSlashes : .valid
        case .invalid: .invalid
        case .unsignedError: .unsignedError
        case .unsignedSuccess: .unsignedSuccess
        case .missingCertificateSN: .missingCertificateSN
        case .rejected: .rejected
        }
    }

    /// Why the verdict is what it is, and anything else worth knowing, in the order found.
    public var notes: [String] {
        switch self {
        case .valid(let r): r.notes
        case .invalid(let r), .unsignedError(let r), .unsignedSuccess(let r), .missingCertificateSN(let r),
            .rejected(let r):
            r.notes
        }
    }
}

/// What a response's extraction and verification found, shared by both result types.
struct ResponseDetails: Sendable {
    let extraction: ExtractedResponse
    let body: [UInt8]
    let charset: Charset
    let certificateSN: String?
    let notes: [String]

    var contentBytes: ArraySlice<UInt8> { body[extraction.range] }

    /// Decoded in the charset (the scan already checked the bytes are valid in it).
    var content: String {
        charset == .utf8
            ? String(decoding: contentBytes, as: UTF8.self)
            : (try? charset.decode(contentBytes)) ?? String(decoding: contentBytes, as: UTF8.self)
    }
}

/// A response whose signature verified: the exact signed text, and what it says.
public struct VerifiedResponse: Sendable {
    let details: ResponseDetails
    /// The decrypted node of an encrypted response, in the charset, when the AES key was given.
    public let plaintext: String?
    /// Whether it verified only with every `\/` read as `/` (the Java SDK's second try, "针对JSON \/问题").
    public let slashesUnescaped: Bool

    /// The exact signed text: the node's raw value, sliced from the body, never re-serialised.
    public var content: String { details.content }
    /// The same as bytes: a view of the body, nothing copied.
    public var contentBytes: ArraySlice<UInt8> { details.contentBytes }
    /// The byte offsets of ``content`` in the body.
    public var range: Range<Int> { details.extraction.range }
    /// The node the content came from: `<method>_response` or `error_response`.
    public var node: String { details.extraction.node }
    /// The SN of the certificate whose key verified, in certificate mode (or the one given with the key).
    public var certificateSN: String? { details.certificateSN }
    /// The node's `sub_code`, when it has one (of the plaintext, for an encrypted node).
    public var subCode: String? {
        details.extraction.isEncrypted ? plaintext.flatMap { Self.member("sub_code", of: Array($0.utf8)) }
            : details.extraction.subCode
    }
    /// The node's `code` (`10000` for a success), when it has one.
    public var code: String? {
        if details.extraction.isEncrypted { return plaintext.flatMap { Self.member("code", of: Array($0.utf8)) } }
        switch details.extraction.format {
        case .json: return Self.member("code", of: Array(details.content.utf8))
        case .xml: return Self.xmlElement("code", in: details.content)
        }
    }
    /// Whether the node is encrypted (`encrypt_type=AES`).
    public var isEncrypted: Bool { details.extraction.isEncrypted }
    /// The root-level `alipay_cert_sn` the response names (certificate mode).
    public var alipayCertSN: String? { details.extraction.alipayCertSN }
    /// The root-level `sign` that verified.
    public var sign: String? { details.extraction.sign }
    /// Anything worth knowing that did not change the verdict.
    public var notes: [String] { details.notes }

    /// A string member of a JSON object, read with the library's JSON reader.
    static func member(_ name: String, of json: [UInt8]) -> String? {
        guard case .object(let members)? = try? JSONReader.parse(json) else { return nil }
        for member in members where member.name == name {
            if case .string(let value) = member.value { return value }
        }
        return nil
    }

    /// The text of the first `<name>` element of an XML node's content (the node's children are plain
    /// elements in Alipay's XML layout).
    static func xmlElement(_ name: String, in content: String) -> String? {
        let text = Array(content.utf8)
        func find(_ needle: [UInt8], from: Int) -> Int? {
            guard needle.count <= text.count else { return nil }
            var i = from
            while i + needle.count <= text.count {
                if text[i..<(i + needle.count)].elementsEqual(needle) { return i }
                i += 1
            }
            return nil
        }
        let open = Array("<\(name)>".utf8)
        guard let start = find(open, from: 0), let end = find(Array("</\(name)>".utf8), from: start + open.count)
        else { return nil }
        return String(decoding: text[(start + open.count)..<end], as: UTF8.self)
    }
}

/// A response that cannot be trusted: what was found, for reports, never for use.
public struct UnverifiedResponse: Sendable {
    let details: ResponseDetails

    /// The content that was (or would have been) verified, as sliced from the body. Not to be trusted.
    public var unverifiedContent: String { details.content }
    /// The byte offsets of that content in the body.
    public var range: Range<Int> { details.extraction.range }
    /// The node the content came from.
    public var node: String { details.extraction.node }
    /// The root-level `sign`, when there was one.
    public var sign: String? { details.extraction.sign }
    /// The root-level `alipay_cert_sn`, when there was one.
    public var alipayCertSN: String? { details.extraction.alipayCertSN }
    /// The SN of the certificate whose key was tried, in certificate mode.
    public var certificateSN: String? { details.certificateSN }
    /// The unverified `sub_code`, when the node has one.
    public var subCode: String? { details.extraction.subCode }
    /// Why it is not valid, first, then anything else worth knowing.
    public var notes: [String] { details.notes }
    /// Why it is not valid, in one sentence.
    public var reason: String { details.notes.first ?? "the signature does not verify" }
}
