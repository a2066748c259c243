@_spi(AlipaySignTools) import AlipaySign
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The keys and rules a conformance check uses.
public struct CheckConfiguration: Sendable {
    /// The app's public key (or its certificate's): request signatures are checked when given.
    public var appPublicKey: PublicKey?
    /// The app certificate's SN: `app_cert_sn` is compared with it.
    public var appCertSN: String?
    /// Alipay's public key (public-key mode).
    public var alipayPublicKey: PublicKey?
    /// Alipay's certificates (certificate mode): responses pick the key by SN.
    public var alipayCertificates: AlipayPublicKeyRegistry?
    /// The root SN (`alipay_root_cert_sn`) requests must carry, from the root bundle.
    public var rootCertSN: String?
    /// The per-API rules.
    public var rules: APIRuleSet
    /// How far a request timestamp may be from the capture time, in seconds.
    public var timestampWindow: Double = 900
    /// The sign type the app is set up with: signatures are verified with it, and an exchange naming another is a
    /// finding. `nil`: each exchange's own `sign_type` (RSA2 when absent), as a capture of several set-ups needs.
    public var signType: SignType?

    /// The sign type to verify an exchange with, and a finding when it names another than the configured one.
    func signType(named name: String?, id: String, into f: inout [Finding]) -> SignType {
        let named = (try? SignType(protocolName: name ?? "RSA2")) ?? .rsa2
        guard let configured = signType else { return named }
        if let name, named.rawValue != configured.rawValue || (try? SignType(protocolName: name)) == nil {
            f.append(Finding(
                id, .error, "sign_type \(name), but the app is set up for \(configured.rawValue)", value: name,
                hint: "the gateway verifies with the app's configured sign type; send that one"))
        }
        return configured
    }

    /// A configuration without keys: only the parameter and per-API checks run until keys are set.
    /// - Parameter rules: the per-API rules.
    public init(rules: APIRuleSet) { self.rules = rules }

    /// Alipay's keys, for notifications and responses: the key, or every certificate's.
    public var alipayDiagnosticKeys: [DiagnosticKey] {
        if let key = alipayPublicKey { return [DiagnosticKey(key, role: .alipay)] }
        return alipayCertificates?.entries.map { DiagnosticKey($0.publicKey, role: .alipay, certificateSN: $0.sn) } ?? []
    }

    /// The app's key, for requests.
    public var appDiagnosticKeys: [DiagnosticKey] {
        appPublicKey.map { [DiagnosticKey($0, role: .app)] } ?? []
    }
}

/// Runs every check on each exchange of a capture.
public final class Checker {
    let configuration: CheckConfiguration
    // A few entries each (a sign type and a charset or two): searched in order, which costs less than hashing the
    // key for a dictionary (SipHash, about 1,900 instructions an exchange for the two lookups). A verifier that
    // cannot be made (a sign type the key does not fit: SM2 named with an RSA key) is remembered as `nil`, so that
    // an exchange naming it does not make OpenSSL contexts again.
    private var requestVerifiers: [(key: SignType, value: Cached<RequestVerifier>?)] = []
    private var responseVerifiers: [(key: ResponseVerifierKey, value: Cached<ResponseVerifier>?)] = []
    private var notificationVerifiers: [(key: NotificationVerifierKey, value: Cached<NotificationVerifier>?)] = []
    private var v3RequestVerifierCache: Cached<V3RequestVerifier>?
    private var v3ResponseVerifierCache: Cached<V3ResponseVerifier>?

    /// A cached verifier, handed out by reference: a verifier is a struct of its key, charset and OpenSSL contexts,
    /// and a copy for each exchange retained and released each of them (about 19 operations an exchange).
    final class Cached<Verifier> {
        let verifier: Verifier
        init(_ verifier: Verifier) { self.verifier = verifier }
    }

    private struct ResponseVerifierKey: Equatable {
        let signType: SignType
        let charset: Charset
    }

    private struct NotificationVerifierKey: Equatable {
        let key: ObjectIdentifier
        let signType: SignType
        let charset: Charset
    }

    /// - Parameter configuration: the keys and rules.
    public init(configuration: CheckConfiguration) {
        self.configuration = configuration
    }

    /// Alipay's keys, for notifications and responses: the key, or every certificate's.
    var alipayKeys: [DiagnosticKey] { configuration.alipayDiagnosticKeys }

    var appKeys: [DiagnosticKey] { configuration.appDiagnosticKeys }

    /// The app key's request verifier for a sign type, made once.
    func requestVerifier(_ type: SignType) -> Cached<RequestVerifier>? {
        if let v = requestVerifiers.first(where: { $0.key == type }) { return v.value }
        let cached = configuration.appPublicKey.flatMap { try? RequestVerifier(publicKey: $0, signType: type) }.map(Cached.init)
        requestVerifiers.append((type, cached))
        return cached
    }

    /// Alipay's response verifier for a sign type and charset, made once (a verifier holds OpenSSL contexts, which
    /// cost more to make than a verification); `nil` without Alipay's key or certificates, or when the sign type
    /// does not fit them.
    func responseVerifier(_ type: SignType, charset: Charset) -> Cached<ResponseVerifier>? {
        let key = ResponseVerifierKey(signType: type, charset: charset)
        if let v = responseVerifiers.first(where: { $0.key == key }) { return v.value }
        var v: ResponseVerifier?
        if let publicKey = configuration.alipayPublicKey {
            v = try? ResponseVerifier(publicKey: publicKey, signType: type, charset: charset)
        } else if let registry = configuration.alipayCertificates {
            v = try? ResponseVerifier(registry: registry, signType: type, charset: charset)
        }
        let cached = v.map(Cached.init)
        responseVerifiers.append((key, cached))
        return cached
    }

    /// The notification verifier of one of Alipay's keys for a sign type and charset, made once; `nil` when the
    /// sign type does not fit the key.
    func notificationVerifier(_ key: PublicKey, signType: SignType, charset: Charset) -> Cached<NotificationVerifier>? {
        let id = NotificationVerifierKey(key: ObjectIdentifier(key), signType: signType, charset: charset)
        if let v = notificationVerifiers.first(where: { $0.key == id }) { return v.value }
        let cached = (try? NotificationVerifier(publicKey: key, signType: signType, charset: charset)).map(Cached.init)
        notificationVerifiers.append((id, cached))
        return cached
    }

    /// The app key's v3 request verifier, made once; `nil` without the app's key.
    func v3RequestVerifier() throws -> Cached<V3RequestVerifier>? {
        if let v = v3RequestVerifierCache { return v }
        guard let key = configuration.appPublicKey else { return nil }
        let cached = Cached(try V3RequestVerifier(publicKey: key))
        v3RequestVerifierCache = cached
        return cached
    }

    /// Alipay's v3 response verifier (its key, or its certificates), made once; `nil` without either.
    func v3ResponseVerifier() throws -> Cached<V3ResponseVerifier>? {
        if let v = v3ResponseVerifierCache { return v }
        let verifier: V3ResponseVerifier
        if let key = configuration.alipayPublicKey {
            verifier = try V3ResponseVerifier(publicKey: key)
        } else if let registry = configuration.alipayCertificates {
            verifier = try V3ResponseVerifier(registry: registry)
        } else {
            return nil
        }
        let cached = Cached(verifier)
        v3ResponseVerifierCache = cached
        return cached
    }

    /// Classifies and checks one exchange.
    ///
    /// The exchange is consumed: the checks take it over instead of copying it (a copy retains and releases each of
    /// its strings and arrays); a caller that keeps its exchange passes a copy.
    /// - Parameter exchange: the exchange.
    /// - Returns: what it was recognised as, and the findings.
    public func check(_ exchange: consuming Exchange) -> ExchangeReport {
        let index = exchange.index, url = exchange.url, path = exchange.path
        if path.hasPrefix("/v3/") {
            var f: [Finding] = []
            let api = "\(exchange.method) \(path)"
            V3Checks(checker: self, exchange: consume exchange).run(into: &f)
            return ExchangeReport(index: index, kind: .v3, api: api, url: url, findings: f)
        }
        if path.hasSuffix("/gateway.do") {
            var f: [Finding] = []
            let method = V2Checks(checker: self, exchange: consume exchange).run(into: &f)
            return ExchangeReport(index: index, kind: .v2Gateway, api: method, url: url, findings: f)
        }
        if exchange.method == "POST", let parameters = try? Parameters.parse(exchange.request.body).parameters,
            parameters["notify_id"] != nil, parameters["notify_type"] != nil
        {
            var f: [Finding] = []
            NotificationChecks(checker: self, exchange: consume exchange).run(into: &f)
            return ExchangeReport(index: index, kind: .notification, api: parameters["notify_type"], url: url, findings: f)
        }
        return ExchangeReport(index: index, kind: .skipped, api: nil, url: url, findings: [])
    }

    /// A GBK body captured as text (HAR bodies are UTF-8 by the spec): its bytes in the charset again.
    static func reencoded(_ message: Exchange.Message, charset: Charset, what: String, into findings: inout [Finding]) -> [UInt8] {
        guard message.bodyFromText, charset != .utf8, message.body.contains(where: { $0 >= 0x80 }) else { return message.body }
        do {
            let text = try Charset.utf8.decode(message.body)
            let bytes = try charset.encode(text)
            findings.append(Finding(
                "capture.reencoded", .info, "the \(what) was captured as UTF-8 text and re-encoded in \(charset) before verifying"))
            return bytes
        } catch {
            findings.append(Finding(
                "capture.reencoded", .warning, "the \(what) was captured as text and cannot be re-encoded in \(charset)",
                hint: "capture the raw bytes (HAR content.encoding base64) to verify non-UTF-8 traffic"))
            return message.body
        }
    }
}
