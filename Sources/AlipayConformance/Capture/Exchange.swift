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
            let lower = name.lowercased()
            return headers.first { $0.name.lowercased() == lower }?.value
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
        (requestURI, path, query) = Self.split(url)
    }

    /// The path and query of the URL, exactly as captured (`/gateway.do?charset=utf-8&…`).
    public let requestURI: String
    /// The path without the query.
    public let path: String
    /// The raw query (after `?`), empty when there is none.
    public let query: String

    /// The request URI, path and query of a URL, found once on its bytes (the checks read them many times).
    static func split(_ url: String) -> (requestURI: String, path: String, query: String) {
        var url = url
        return url.withUTF8 { u in
            var start = 0
            if let scheme = Self.schemeSeparator.withUnsafeBufferPointer({ ByteSearch.find($0, in: u) }) {
                guard let slash = u[(scheme + 3)...].firstIndex(of: UInt8(ascii: "/")) else { return ("/", "/", "") }
                start = slash
            }
            // memchr: the URL is mostly its query, a signed request's some hundreds of bytes, which a byte loop
            // took about 4 instructions each to cross.
            let end = ByteSearch.first(UInt8(ascii: "#"), in: UnsafeBufferPointer(rebasing: u[start...])).map { start + $0 } ?? u.count
            let uri = UnsafeBufferPointer(rebasing: u[start..<end])
            guard let q = ByteSearch.first(UInt8(ascii: "?"), in: uri) else {
                let text = String(decoding: uri, as: UTF8.self)
                return (text, text, "")
            }
            return (String(decoding: uri, as: UTF8.self), String(decoding: UnsafeBufferPointer(rebasing: uri[..<q]), as: UTF8.self),
                    String(decoding: UnsafeBufferPointer(rebasing: uri[(q + 1)...]), as: UTF8.self))
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
