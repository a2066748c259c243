import AlipaySign
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One HTTP exchange from a capture: the request, and the response when there was one.
public struct Exchange: Sendable {
    /// A request or a response.
    public struct Message: Sendable {
        /// Header (name, value) pairs in order; names as captured.
        public var headers: [(name: String, value: String)]
        /// The body bytes.
        public var body: [UInt8]
        /// Whether the capture gave the body as text (HAR `text` without base64), which a GBK body must be
        /// re-encoded from.
        public var bodyFromText: Bool

        /// - Parameters:
        ///   - headers: the headers in order.
        ///   - body: the body bytes.
        ///   - bodyFromText: whether the capture gave the body as text.
        public init(headers: [(name: String, value: String)], body: [UInt8], bodyFromText: Bool) {
            self.headers = headers
            self.body = body
            self.bodyFromText = bodyFromText
        }

        /// The first header with this name, case-insensitively.
        /// - Parameter name: the header's name.
        /// - Returns: its value, or `nil`.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.equalsIgnoringCase(name) }?.value
        }
    }

    /// The exchange's position in the capture, from 1.
    public let index: Int
    /// When the request started, when the capture says.
    public let startedAt: Date?
    /// The request's HTTP method.
    public let method: String
    /// The URL as captured.
    public let url: String
    /// The request.
    public var request: Message
    /// The response status, 0 when there was no response.
    public let status: Int
    /// The response, when there was one.
    public var response: Message?

    /// - Parameters:
    ///   - index: the position in the capture, from 1.
    ///   - startedAt: when the request started.
    ///   - method: the HTTP method.
    ///   - url: the URL as captured.
    ///   - request: the request.
    ///   - status: the response status, 0 for none.
    ///   - response: the response.
    public init(index: Int, startedAt: Date?, method: String, url: String, request: Message, status: Int, response: Message?) {
        self.index = index
        self.startedAt = startedAt
        self.method = method
        self.url = url
        self.request = request
        self.status = status
        self.response = response
        parts = Self.split(url)
    }

    /// The path and query of the URL, exactly as captured (`/gateway.do?charset=utf-8&…`).
    ///
    /// This, `path` and `query` are made from the URL each time they are read (where they are was found
    /// once, when the exchange was made): read one once and keep it where it is needed many times.
    public var requestURI: String { text { $0.path.lowerBound..<($0.query?.upperBound ?? $0.path.upperBound) } }
    /// The path without the query.
    public var path: String { text { $0.path } }
    /// The raw query (after `?`), empty when there is none.
    public var query: String { queryRange.map(slice) ?? "" }

    /// Where the query is in the URL's UTF-8 (after `?`), `nil` when there is none: the v2 checks decode a signed
    /// request's query, some hundreds of bytes, from the URL's own bytes instead of a string made of them.
    package var queryRange: Range<Int>? { parts?.query }

    /// Where the path and the query (after `?`, `nil` without one) are in the URL's UTF-8; `nil` for a URL with a
    /// scheme and a host and nothing after them, whose request URI and path are `/`. Found once (the checks read
    /// them many times); the strings are made only when they are asked for (`check` reads the query as bytes).
    private let parts: (path: Range<Int>, query: Range<Int>?)?

    private func text(_ range: ((path: Range<Int>, query: Range<Int>?)) -> Range<Int>) -> String {
        guard let parts else { return "/" }  // a bare host: the request line's `/`
        return slice(range(parts))
    }

    private func slice(_ range: Range<Int>) -> String {
        var url = url
        return url.withUTF8 { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// The path and query of a URL's bytes (see ``parts``).
    static func split(_ url: String) -> (path: Range<Int>, query: Range<Int>?)? {
        var url = url
        return url.withUTF8 { u in
            var start = 0
            // `scheme://host…`: the URI starts at the first `/` after the host. A `://` after anything that is not
            // a scheme (`/gateway.do?return_url=https://…`, a URL captured without its host) is in the URI.
            if let scheme = Self.schemeSeparator.withUnsafeBufferPointer({ ByteSearch.find($0, in: u) }),
                Self.isScheme(UnsafeBufferPointer(rebasing: u[..<scheme]))
            {
                guard let slash = u[(scheme + 3)...].firstIndex(of: UInt8(ascii: "/")) else { return nil }
                start = slash
            }
            // memchr: the URL is mostly its query, a signed request's some hundreds of bytes, which a byte loop
            // took about 4 instructions each to cross.
            let end = ByteSearch.first(UInt8(ascii: "#"), in: UnsafeBufferPointer(rebasing: u[start...])).map { start + $0 } ?? u.count
            guard let q = ByteSearch.first(UInt8(ascii: "?"), in: UnsafeBufferPointer(rebasing: u[start..<end])) else {
                return (start..<end, nil)
            }
            return (start..<(start + q), (start + q + 1)..<end)
        }
    }

    /// RFC 3986 §3.1: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
    private static func isScheme(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = b.first, (first | 0x20) >= UInt8(ascii: "a"), (first | 0x20) <= UInt8(ascii: "z") else { return false }
        return b.allSatisfy { c in
            let l = c | 0x20
            return (l >= UInt8(ascii: "a") && l <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
        }
    }

    private static let schemeSeparator = Array("://".utf8)
}

/// Why a capture cannot be read: always an input error (exit 2).
public struct CaptureError: Error, CustomStringConvertible {
    /// What is wrong, naming the entry or line.
    public let message: String
    /// - Parameter message: what is wrong.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
