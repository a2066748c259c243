/// What the Alipay app SDK hands the app after `alipay.trade.app.pay` (docs/PROTOCOL.md §13):
/// `{"resultStatus":"9000","result":"…","memo":""}`, whose `result` is the gateway's signed answer as a string.
/// The Java SDK's `parseAppSyncResult` verifies that string as a response of `alipay.trade.app.pay`.
public struct AppSyncResult: Sendable {
    /// `resultStatus` (`9000` paid, `8000` processing, `6001` cancelled, …), as given.
    public let resultStatus: String?
    /// `memo`, as given.
    public let memo: String?
    /// The `result` text to verify: the string as given, or the compact serialisation of a re-serialised object.
    public let result: String?
    /// Whether `result` was not a string but a JSON value (a framework parsed and re-serialised it): the exact text
    /// Alipay signed is then lost, and only a re-serialisation that kept member order and escapes still verifies.
    public let resultWasReserialized: Bool

    /// Reads the app SDK's map.
    /// - Parameter bytes: the JSON object, UTF-8.
    /// - Throws: ``AlipaySignError/Code/malformedJSON`` when the input is not a JSON object with `result`.
    public init(parsing bytes: [UInt8]) throws {
        guard case .object(let members) = try JSONReader.parse(bytes) else {
            throw AlipaySignError(.malformedJSON, "the app's result is not a JSON object")
        }
        func string(_ name: String) -> String? {
            if case .string(let s)? = members.first(where: { $0.name == name })?.value { return s }
            return nil
        }
        guard let result = members.first(where: { $0.name == "result" })?.value else {
            throw AlipaySignError(
                .malformedJSON, "the app's result has no \"result\" member",
                hint: "give the map the app SDK returns: {\"resultStatus\":\"9000\",\"result\":\"…\",\"memo\":\"\"}")
        }
        resultStatus = string("resultStatus")
        memo = string("memo")
        switch result {
        case .string(let s):
            self.result = s.isEmpty ? nil : s
            resultWasReserialized = false
        case .null:
            self.result = nil
            resultWasReserialized = false
        default:
            self.result = result.compactText
            resultWasReserialized = true
        }
    }
}

/// The verification of an app's synchronous result: the response verification of its `result`, and what was
/// noticed on the way.
public struct AppSyncVerification: Sendable {
    /// The app SDK's map as read.
    public let appResult: AppSyncResult
    /// The verification of `result` as an `alipay.trade.app.pay` response; for an empty `result`, the unsigned
    /// error the Java SDK makes up (`20000`, `ACQ.SYSTEM_ERROR`, the memo).
    public let verification: ResponseVerification
    /// What was noticed: a re-serialised `result`, an empty one.
    public let notes: [String]

    /// Whether `result` verified.
    public var isValid: Bool { verification.isValid }
}

extension ResponseVerifier {
    /// Verifies the map the app SDK returns after `alipay.trade.app.pay`, as the Java SDK's `parseAppSyncResult`
    /// does: `result` is verified as the gateway's response, with this verifier's key, sign type and charset (the
    /// root `sign_type` inside `result` is not read).
    /// - Parameter appResult: the JSON object the app SDK returned.
    /// - Returns: the verification of `result`, with notes.
    /// - Throws: ``AlipaySignError/Code/malformedJSON`` when it is not such a map;
    ///   ``AlipaySignError/Code/malformedResponse`` when `result` is not a gateway response.
    public func verify(appSyncResult appResult: [UInt8]) throws -> AppSyncVerification {
        let parsed = try AppSyncResult(parsing: appResult)
        let method = "alipay.trade.app.pay"
        var notes: [String] = []
        guard let result = parsed.result else {
            // parseAppSyncResult: an empty result becomes a made-up, unsigned system error carrying the memo.
            var node = "{\"code\":\"20000\",\"msg\":\"Service Currently Unavailable\",\"sub_code\":\"ACQ.SYSTEM_ERROR\",\"sub_msg\":"
            JSONString.append(parsed.memo ?? "", to: &node)
            node += "}"
            notes.append("the result is empty (resultStatus \(parsed.resultStatus ?? "absent")): nothing was signed, the Java SDK makes up a 20000 ACQ.SYSTEM_ERROR")
            let synthetic = Array(("{\"alipay_trade_app_pay_response\":" + node + "}").utf8)
            return AppSyncVerification(appResult: parsed, verification: try verify(synthetic, method: method), notes: notes)
        }
        let bytes = charset == .utf8 ? Array(result.utf8) : try charset.encode(result)
        let verification = try verify(bytes, method: method)
        if parsed.resultWasReserialized {
            notes.append(
                "result was a JSON object, not the string the app SDK returns: it was parsed and re-serialised on the way; "
                    + "verified over its compact serialisation, which matches the signed text only if member order and escapes were kept")
        } else if !verification.isValid, Self.hasSpaceBetweenTokens(result) {
            notes.append("result has white space between JSON tokens, which the gateway never writes: it was probably re-serialised; pass the app SDK's string as it is")
        }
        return AppSyncVerification(appResult: parsed, verification: verification, notes: notes)
    }

    /// Whether a JSON text has white space outside its strings.
    static func hasSpaceBetweenTokens(_ text: String) -> Bool {
        var inString = false
        var escaped = false
        for b in text.utf8 {
            if inString {
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
            } else if b == 0x22 {
                inString = true
            } else if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 {
                return true
            }
        }
        return false
    }
}
