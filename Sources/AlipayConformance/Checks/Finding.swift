/// One result of one check on one exchange.
public struct Finding: Sendable, Equatable {
    /// How much a finding matters: only errors make a check fail.
    public enum Severity: String, Sendable, Comparable, CaseIterable {
        /// What was done or seen.
        case info
        /// Worth a look; the check still passes.
        case warning
        /// Nonconformant.
        case error
        /// Info, then warning, then error.
        public static func < (a: Severity, b: Severity) -> Bool {
            allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
        }
    }

    /// A stable id, such as `v2.param.timestamp` or `api.alipay.trade.royalty.relation.unbind`.
    public let id: String
    /// How much it matters.
    public let severity: Severity
    /// What was found, in one sentence.
    public let message: String
    /// The offending value, when there is one to show.
    public let value: String?
    /// What to do about it.
    public let hint: String?

    /// - Parameters:
    ///   - id: the stable id.
    ///   - severity: how much it matters.
    ///   - message: what was found.
    ///   - value: the offending value.
    ///   - hint: what to do about it.
    public init(_ id: String, _ severity: Severity, _ message: String, value: String? = nil, hint: String? = nil) {
        self.id = id
        self.severity = severity
        self.message = message
        self.value = value
        self.hint = hint
    }
}

/// What was found in one exchange.
public struct ExchangeReport: Sendable {
    /// What the exchange was recognised as.
    public enum Kind: String, Sendable, CaseIterable {
        /// A v2 gateway call (`gateway.do`).
        case v2Gateway = "v2"
        /// A v3 call (`/v3/...`).
        case v3 = "v3"
        /// An asynchronous notification to the merchant.
        case notification
        /// Not Alipay traffic.
        case skipped
    }

    /// The exchange's position in the capture, from 1.
    public let index: Int
    /// What it was recognised as.
    public let kind: Kind
    /// The API: a v2 method, `METHOD /v3/path`, or the notification type.
    public let api: String?
    /// The request's URL.
    public let url: String
    /// Every finding, in the order the checks ran.
    public let findings: [Finding]

    /// The most severe finding's severity.
    public var worst: Finding.Severity? { findings.map(\.severity).max() }
    /// Whether any finding is an error.
    public var hasError: Bool { findings.contains { $0.severity == .error } }
}
