import AlipaySign

/// Faults the gateway injects on purpose, so that a client's handling of a bad answer can be tested. A client that
/// accepts a faulty response has a bug.
public enum GatewayFault: String, Sendable, CaseIterable {
    /// Responses carry a signature that does not verify (one character of it changed).
    case responseBadSign = "response-bad-sign"
    /// Responses are signed with another key than Alipay's.
    case responseWrongKey = "response-wrong-key"
    /// The signed node is written with `\/` for every `/` in it, and signed as written: a client that
    /// re-serialises the JSON before verifying fails (the Java SDK's second try accepts it).
    case responseEscapedSlashes = "response-escaped-slashes"
    /// Certificate mode: responses carry no `alipay_cert_sn`.
    case responseNoCertSN = "response-no-cert-sn"
    /// Certificate mode: responses name an `alipay_cert_sn` the client does not hold (as after a rotation).
    case responseUnknownCertSN = "response-unknown-cert-sn"
    /// Notifications carry a signature that does not verify.
    case notifyBadSign = "notify-bad-sign"
    /// Notifications are signed V2 (with `sign_type` in the content), as payment notifications are not.
    case notifyV2 = "notify-v2"
    /// Notifications are sent in GBK, whatever the request's charset.
    case notifyGBK = "notify-gbk"
    /// v3 responses lack the `alipay-signature` header.
    case v3MissingSignatureHeader = "v3-missing-signature-header"

    /// What a client that meets the fault must do, for the README and `--help`.
    public var expectation: String {
        switch self {
        case .responseBadSign: "reject the response (signature invalid)"
        case .responseWrongKey: "reject the response (signed with another key)"
        case .responseEscapedSlashes: "verify over the raw text; the Java SDK accepts it on its \\/ retry"
        case .responseNoCertSN: "certificate mode: reject a success without alipay_cert_sn"
        case .responseUnknownCertSN: "certificate mode: download the certificate of that SN, or reject"
        case .notifyBadSign: "answer fail"
        case .notifyV2: "try V2 when V1 fails (Node's checkNotifySign does), or answer fail"
        case .notifyGBK: "decode the body in its own charset (GBK) before verifying"
        case .v3MissingSignatureHeader: "reject a 2xx response without alipay-signature"
        }
    }
}

/// Everything the gateway needs, parsed once at start-up.
public struct GatewayConfiguration: Sendable {
    /// The app's public key: requests are verified with it.
    public var appPublicKey: PublicKey
    /// Certificate mode: the app certificate's SN, which `app_cert_sn` must equal.
    public var appCertSN: String?
    /// Certificate mode: the root bundle's SN, which `alipay_root_cert_sn` must equal.
    public var rootCertSN: String?
    /// Alipay's private key: responses and notifications are signed with it.
    public var alipayPrivateKey: PrivateKey
    /// Certificate mode: Alipay's certificate, whose SN responses carry in `alipay_cert_sn` and which
    /// `alipay.open.app.alipaycert.download` returns.
    public var alipayCertificate: (sn: String, pem: [UInt8])?
    /// The app IDs accepted; empty accepts any.
    public var appIDs: Set<String> = []
    /// The AES key for `encrypt_type=AES`.
    public var aesKey: AESKey?
    /// The sign type requests must use.
    public var signType: SignType = .rsa2
    /// The faults to inject.
    public var faults: Set<GatewayFault> = []
    /// When a notification is not answered `success`: the delays of the retries, in seconds (each from 0 to a day:
    /// NaN or a negative delay is none, a longer one a day).
    public var notifyRetrySeconds: [Double] = [1, 2, 4]
    /// When set, a trade is paid this many seconds after it is created, as if a buyer paid (read as for
    /// ``notifyRetrySeconds``).
    public var autoPaySeconds: Double?
    /// The JSON Lines file every exchange is appended to.
    public var recordPath: String?
    /// How far a request's `timestamp` may be from now, in seconds.
    public var timestampWindow: Double = 900
    /// The largest request body accepted (413 above it).
    public var maximumBodySize = 4 << 20
    /// A connection that sends no complete request head or body part for this long is closed (a request head sent
    /// a byte at a time, an idle keep-alive connection).
    public var idleTimeout: Duration = .seconds(30)
    /// A request whose body is still arriving this long after its head is answered 408 and its connection closed
    /// (a body sent a byte at a time); a body that stops arriving is closed by ``idleTimeout``.
    public var bodyTimeout: Duration = .seconds(30)

    /// - Parameters:
    ///   - appPublicKey: the app's public key (or its certificate's).
    ///   - alipayPrivateKey: the key the gateway signs with, playing Alipay.
    public init(appPublicKey: PublicKey, alipayPrivateKey: PrivateKey) {
        self.appPublicKey = appPublicKey
        self.alipayPrivateKey = alipayPrivateKey
    }
}

extension GatewayConfiguration {
    /// The longest delay the gateway waits, in seconds (a day): the command refuses longer ones, and
    /// `Duration.gatewayDelay(seconds:)` shortens them to it.
    package static let longestDelaySeconds: Double = 86_400
}

extension Duration {
    /// `seconds` as a delay, without trapping on what a configuration can hold: NaN and negative values are no delay,
    /// anything above `GatewayConfiguration.longestDelaySeconds` (infinity too) is that.
    static func gatewayDelay(seconds: Double) -> Duration {
        guard seconds > 0 else { return .zero }  // NaN too
        return .milliseconds(Int(min(seconds, GatewayConfiguration.longestDelaySeconds) * 1000))
    }

    /// A number of seconds for a message: whole when it is a finite number in `Int`'s range, else as it is (`nan`,
    /// `inf`), where `Int(_:)` would trap.
    static func secondsText(_ seconds: Double) -> String {
        seconds.isFinite && abs(seconds) < 9e15 ? String(Int(seconds)) : "\(seconds)"
    }
}
