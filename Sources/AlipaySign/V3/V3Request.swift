#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The signed content of a v3 request (docs/PROTOCOL.md §6.1), as UTF-8 bytes:
/// `authString\nMETHOD\nrequestURI\nbody\n`, then `appAuthToken\n` only when a token is used.
public enum V3Content {
    /// The signed content of a v3 request (docs/PROTOCOL.md §6.1).
    /// - Parameters:
    ///   - authString: the header's fields as sent, without `,sign=…` (line 1).
    ///   - method: the HTTP method; upper-cased, as every SDK sends it.
    ///   - requestURI: the path and query exactly as sent (`/v3/alipay/open/public/account/query?user_id=…`),
    ///     never re-encoded.
    ///   - body: the body bytes as sent (the ciphertext when encrypted); empty for GET and DELETE.
    ///   - appAuthToken: the `alipay-app-auth-token` header, when one is sent.
    /// - Returns: the content's UTF-8 bytes.
    public static func request(
        authString: String, method: String, requestURI: String, body: [UInt8], appAuthToken: String?
    ) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(authString.utf8.count + requestURI.utf8.count + body.count + 64)
        out.append(contentsOf: authString.utf8)
        out.append(0x0A)
        out.append(contentsOf: method.uppercased().utf8)
        out.append(0x0A)
        out.append(contentsOf: requestURI.utf8)
        out.append(0x0A)
        out.append(contentsOf: body)
        out.append(0x0A)
        if let appAuthToken, !appAuthToken.isEmpty {
            out.append(contentsOf: appAuthToken.utf8)
            out.append(0x0A)
        }
        return out
    }

    /// The signed content of a v3 response (docs/PROTOCOL.md §6.2): `timestamp\nnonce\nbody\n`.
    /// - Parameters:
    ///   - timestamp: the `alipay-timestamp` header.
    ///   - nonce: the `alipay-nonce` header.
    ///   - body: the body exactly as received.
    /// - Returns: the content's bytes.
    public static func response(timestamp: String, nonce: String, body: some Collection<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(timestamp.utf8.count + nonce.utf8.count + body.count + 3)
        out.append(contentsOf: timestamp.utf8)
        out.append(0x0A)
        out.append(contentsOf: nonce.utf8)
        out.append(0x0A)
        out.append(contentsOf: body)
        out.append(0x0A)
        return out
    }
}

/// Signs v3 requests: builds the auth string, the content, and the `Authorization` header value.
///
/// Create it once with the app's key; it is immutable and `Sendable`. The nonce and the timestamp are a random UUID
/// and the current time unless given (tests and reproducible vectors give them).
public struct V3Signer: Sendable {
    /// The app's ID: the `app_id` field.
    public let appID: String
    /// The app certificate's SN, in certificate mode.
    public let appCertSN: String?
    private let signer: Signer

    /// - Parameters:
    ///   - privateKey: the app's private key.
    ///   - appID: the app's ID.
    ///   - appCertSN: the app certificate's SN, in certificate mode.
    /// - Throws: ``AlipaySignError/Code/backendFailure`` when OpenSSL cannot prepare a context for the key.
    public init(privateKey: PrivateKey, appID: String, appCertSN: String? = nil) throws {
        self.appID = appID
        self.appCertSN = appCertSN
        self.signer = try Signer(privateKey: privateKey, signType: .rsa2, charset: .utf8)
    }

    /// A signed request.
    public struct Signed: Sendable {
        /// The `Authorization` header value.
        public let authorization: V3Authorization
        /// The exact bytes that were signed (UTF-8).
        public let content: [UInt8]
        /// The `Authorization` header value as text.
        public var header: String { authorization.description }
    }

    /// Signs a request.
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - requestURI: the path and query exactly as they will be sent.
    ///   - body: the body bytes that will be sent; empty for GET and DELETE.
    ///   - appAuthToken: the `alipay-app-auth-token` header, when one is sent.
    ///   - extraAuthFields: fields appended to the auth string, such as `[("expired_seconds", "120")]`.
    ///   - nonce: default a random UUID (lower case, with dashes, as the Java, .NET, PHP and Node SDKs make it).
    ///   - timestamp: milliseconds since 1970; default now.
    /// - Returns: the header and the content signed.
    /// - Throws: ``AlipaySignError/Code/backendFailure`` only if OpenSSL or the random source fails.
    public func sign(
        method: String, requestURI: String, body: [UInt8] = [], appAuthToken: String? = nil,
        extraAuthFields: [(String, String)] = [], nonce: String? = nil, timestamp: Int64? = nil
    ) throws -> Signed {
        var fields: [(name: String, value: String)] = [("app_id", appID)]
        if let appCertSN { fields.append(("app_cert_sn", appCertSN)) }
        fields.append(("nonce", try nonce ?? Self.uuid()))
        fields.append(("timestamp", String(timestamp ?? Self.nowMilliseconds())))
        for (name, value) in extraAuthFields { fields.append((name, value)) }
        let unsigned = V3Authorization(fields: fields, signature: nil)
        let content = V3Content.request(
            authString: unsigned.authString, method: method, requestURI: requestURI, body: body, appAuthToken: appAuthToken)
        let signature = Base64.encode(try signer.signature(for: content))
        return Signed(authorization: V3Authorization(fields: fields, signature: signature), content: content)
    }

    static func nowMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// A random (version 4) UUID, lower case with dashes.
    static func uuid() throws -> String {
        var b = try OpenSSL.randomBytes(16)
        b[6] = b[6] & 0x0F | 0x40
        b[8] = b[8] & 0x3F | 0x80
        // 8-4-4-4-12 hex digits, written in place.
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { out in
            var o = 0
            for (k, byte) in b.enumerated() {
                if k == 4 || k == 6 || k == 8 || k == 10 {
                    out[o] = UInt8(ascii: "-")
                    o += 1
                }
                out[o] = digits.utf8Start[Int(byte >> 4)]
                out[o + 1] = digits.utf8Start[Int(byte & 0x0F)]
                o += 2
            }
            return o
        }
    }
}

/// Verifies v3 requests (for servers, and for checking captured traffic): rebuilds the content from the header's
/// auth string, the method, the request URI as sent, the body and the app auth token, and verifies it with the
/// app's public key. When the signature fails, it tries the usual single-line mistakes and says which line of
/// the content differs.
public struct V3RequestVerifier: Sendable {
    private let verifier: SignatureVerifier

    /// - Parameter publicKey: the app's public key (or its certificate's).
    /// - Throws: ``AlipaySignError/Code/backendFailure`` when OpenSSL cannot prepare a context for the key.
    public init(publicKey: PublicKey) throws {
        verifier = try SignatureVerifier(publicKey: publicKey, signType: .rsa2, charset: .utf8)
    }

    /// The verdict's name.
    public enum Status: String, Sendable {
        /// The signature verifies, within the window.
        case valid
        /// The signature does not verify.
        case invalid
        /// The header has no `sign` field.
        case unsigned
        /// The signature verifies, but the timestamp is outside the freshness window.
        case stale
    }

    /// What a verification found, whatever the verdict (wrapped in ``V3RequestVerification``).
    struct Result: Sendable {
        let status: Status
        let authorization: V3Authorization
        let content: [UInt8]
        let ageSeconds: Double?
        let diagnosis: V3RequestDiagnosis?
    }

    /// Verifies a request's `Authorization` header against the request.
    /// - Parameters:
    ///   - header: the `Authorization` header value.
    ///   - method: the request's HTTP method.
    ///   - requestURI: the path and query exactly as received.
    ///   - body: the body bytes as received.
    ///   - appAuthToken: the `alipay-app-auth-token` header, when the request has one.
    ///   - maxAge: when given, a timestamp more than this many seconds from `now` (either way) is `stale` (every one,
    ///     when the window is NaN or negative).
    ///   - now: the instant to measure the timestamp against.
    /// - Returns: ``V3RequestVerification/valid(_:)``, or why the request cannot be trusted (with the line that
    ///   differs, for an invalid signature).
    /// - Throws: ``AlipaySignError/Code/malformedAuthorization`` for a header that cannot be read.
    public func verify(
        authorization header: String, method: String, requestURI: String, body: [UInt8] = [], appAuthToken: String? = nil,
        maxAge: Double? = nil, now: Date = Date()
    ) throws -> V3RequestVerification {
        let r = try outcome(
            authorization: header, method: method, requestURI: requestURI, body: body, appAuthToken: appAuthToken,
            maxAge: maxAge, now: now)
        switch r.status {
        case .valid: return .valid(VerifiedV3Request(result: r))
        case .invalid: return .invalid(V3RequestFailure(result: r))
        case .unsigned: return .unsigned(V3RequestFailure(result: r))
        case .stale: return .stale(V3RequestFailure(result: r))
        }
    }

    func outcome(
        authorization header: String, method: String, requestURI: String, body: [UInt8], appAuthToken: String?,
        maxAge: Double?, now: Date
    ) throws -> Result {
        let authorization = try V3Authorization(parsing: header)
        let content = V3Content.request(
            authString: authorization.authString, method: method, requestURI: requestURI, body: body,
            appAuthToken: appAuthToken)
        let age = authorization.timestamp.map { now.timeIntervalSince1970 - Double($0) / 1000 }
        guard let signature = authorization.signature, !signature.isEmpty else {
            return Result(status: .unsigned, authorization: authorization, content: content, ageSeconds: age, diagnosis: nil)
        }
        guard verifier.isValidSignature(base64: signature, for: content) else {
            let diagnosis = diagnose(
                authorization, signature: signature, method: method, requestURI: requestURI, body: body,
                appAuthToken: appAuthToken)
            return Result(status: .invalid, authorization: authorization, content: content, ageSeconds: age, diagnosis: diagnosis)
        }
        // Fail closed: a NaN or negative window makes every timestamp stale, never every one fresh.
        if let maxAge, let age, !(abs(age) <= maxAge) {
            return Result(status: .stale, authorization: authorization, content: content, ageSeconds: age, diagnosis: nil)
        }
        return Result(status: .valid, authorization: authorization, content: content, ageSeconds: age, diagnosis: nil)
    }

    /// Tries one-line changes of the content; the first that verifies says which line differs.
    func diagnose(
        _ authorization: V3Authorization, signature: String, method: String, requestURI: String, body: [UInt8],
        appAuthToken: String?
    ) -> V3RequestDiagnosis? {
        let auth = authorization.authString
        guard let raw = Base64.decode(signature) else { return nil }
        // One RSA public operation, then only a content with the digest the signature carries is verified.
        let opened = DiagnosisSearch.OpenedSignature(raw, key: verifier.publicKey)
        func verifies(_ c: [UInt8]) -> Bool {
            opened.mayVerify(c, as: verifier.signType) && verifier.isValidSignature(raw, for: c)
        }
        func verifies(_ m: String, _ uri: String, _ b: [UInt8], _ token: String?, trailing: Bool = true) -> Bool {
            var c = V3Content.request(authString: auth, method: m, requestURI: uri, body: b, appAuthToken: token)
            if !trailing { c.removeLast() }
            return verifies(c)
        }
        for other in ["GET", "POST", "PUT", "DELETE", "PATCH"] where other != method.uppercased() {
            if verifies(other, requestURI, body, appAuthToken) {
                return V3RequestDiagnosis(line: 2, "line 2 (the method) differs: the signature is over \(other), the request is \(method.uppercased())")
            }
        }
        var uris: [(String, String)] = []
        if let q = requestURI.firstIndex(of: "?") {
            uris.append((String(requestURI[..<q]), "the path without the query"))
        }
        if let decoded = requestURI.removingPercentEncodingOrNil(), decoded != requestURI {
            uris.append((decoded, "the request URI percent-decoded"))
        }
        if requestURI.contains("+") { uris.append((requestURI.replacingAll("+", with: "%20"), "'+' written as %20")) }
        if requestURI.contains("%20") { uris.append((requestURI.replacingAll("%20", with: "+"), "%20 written as '+'")) }
        for (uri, what) in uris where verifies(method, uri, body, appAuthToken) {
            return V3RequestDiagnosis(line: 3, "line 3 (the request URI) differs: the signature is over \(what): \(uri)")
        }
        if !body.isEmpty, verifies(method, requestURI, [], appAuthToken) {
            return V3RequestDiagnosis(line: 4, "line 4 (the body) differs: the signature is over an empty body")
        }
        if let last = body.last, last == 0x0A, verifies(method, requestURI, Array(body.dropLast()), appAuthToken) {
            return V3RequestDiagnosis(line: 4, "line 4 (the body) differs: the signature is over the body without its final line break")
        }
        if appAuthToken != nil, verifies(method, requestURI, body, nil) {
            return V3RequestDiagnosis(line: 5, "line 5 (the app auth token) differs: the signature is over no token line")
        }
        if authorization.hasSpaceAfterComma {
            let sent = authorization.authString
            let c = V3Content.request(
                authString: authorization.canonicalAuthString, method: method, requestURI: requestURI, body: body,
                appAuthToken: appAuthToken)
            if verifies(c) {
                return V3RequestDiagnosis(
                    line: 1,
                    "line 1 (the auth string) differs: the Authorization header has white space after a comma "
                        + "('\(sent)'), and the signature is over the fields without it; send the header as signed")
            }
        }
        if !verifies(method, requestURI, body, appAuthToken, trailing: false) {
            return nil
        }
        return V3RequestDiagnosis(line: nil, "the final line break is missing from what was signed")
    }
}

/// Which line of a v3 request's content differs from what was signed, and how (the single-line change that makes
/// the signature verify).
public struct V3RequestDiagnosis: Sendable, Hashable, CustomStringConvertible {
    /// The line of `authString\nMETHOD\nrequestURI\nbody\n[appAuthToken\n]` that differs (1-based); `nil` when
    /// only the final line break is missing.
    public let line: Int?
    /// What differs, in a sentence (`line 3 (the request URI) differs: the signature is over the path without
    /// the query`).
    public let explanation: String

    init(line: Int?, _ explanation: String) {
        self.line = line
        self.explanation = explanation
    }

    /// The explanation.
    public var description: String { explanation }
}

/// The outcome of verifying a v3 request: only the valid case carries what was verified.
public enum V3RequestVerification: Sendable {
    /// The signature verifies, and the timestamp is within the window asked for.
    case valid(VerifiedV3Request)
    /// The signature does not verify.
    case invalid(V3RequestFailure)
    /// The header has no `sign` field.
    case unsigned(V3RequestFailure)
    /// The signature verifies, but the timestamp is outside the freshness window.
    case stale(V3RequestFailure)

    /// Whether the request can be trusted.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }

    /// The verdict's name, for reports.
    public var status: V3RequestVerifier.Status {
        switch self {
        case .valid: .valid
        case .invalid: .invalid
        case .unsigned: .unsigned
        case .stale: .stale
        }
    }
}

/// A v3 request whose signature verified within the freshness window.
public struct VerifiedV3Request: Sendable {
    let result: V3RequestVerifier.Result
    /// The header's fields.
    public var authorization: V3Authorization { result.authorization }
    /// The content that verified (UTF-8).
    public var content: [UInt8] { result.content }
    /// The timestamp's distance from the instant checked, in seconds (positive: in the past).
    public var ageSeconds: Double? { result.ageSeconds }
}

/// A v3 request that cannot be trusted.
public struct V3RequestFailure: Sendable {
    let result: V3RequestVerifier.Result
    /// The header's fields, as sent (unverified).
    public var authorization: V3Authorization { result.authorization }
    /// The content built from the request (UTF-8).
    public var content: [UInt8] { result.content }
    /// The timestamp's distance from the instant checked, in seconds.
    public var ageSeconds: Double? { result.ageSeconds }
    /// For an invalid signature: the single-line change that makes it verify, when one does.
    public var diagnosis: V3RequestDiagnosis? { result.diagnosis }
}

extension String {
    /// Percent-decoding over UTF-8; `nil` when an escape is malformed or the bytes are not UTF-8.
    func removingPercentEncodingOrNil() -> String? {
        var out = [UInt8]()
        var it = Array(utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "%") {
                guard let h = it.popFirst(), let l = it.popFirst(), let v = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16)
                else { return nil }
                out.append(v)
            } else {
                out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}
