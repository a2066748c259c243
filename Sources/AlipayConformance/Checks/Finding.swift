/// One result of one check on one exchange.
public struct Finding: Sendable, Equatable {
    public enum Severity: String, Sendable, Comparable, CaseIterable {
        case info, warning, error
        public static func < (a: Severity, b: Severity) -> Bool {
            allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
        }
    }

    /// A stable id, such as `v2.param.timestamp` or `api.alipay.trade.royalty.relation.unbind`.
    public let id: String
    public let severity: Severity
    public let message: String
    /// The offending value, when there is one to show.
    public let value: String?
    /// What to do about it.
    public let hint: String?

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
    public enum Kind: String, Sendable {
        case v2Gateway = "v2", v3 = "v3", notification, skipped
    }

    public let index: Int
    public let kind: Kind
    /// The API: a v2 method, `METHOD /v3/path`, or the notification type.
    public let api: String?
    public let url: String
    public let findings: [Finding]

    public var worst: Finding.Severity? { findings.map(\.severity).max() }
    public var hasError: Bool { findings.contains { $0.severity == .error } }
}
