@_spi(AlipaySignTools) import AlipaySign

/// A notification as people have it: the form body as received, or a JSON object of its decoded parameters (what
/// a web framework logs). Anything else is an input error with a hint, never a verdict.
enum NotificationInput {
    case form([UInt8])
    case parameters([String: String], charset: Charset, repairedSign: Bool)

    /// What the input is, read once.
    /// - Parameters:
    ///   - body: the input, without its final line break.
    ///   - charset: `--charset`, when given.
    static func read(_ body: [UInt8], charset: Charset?) throws -> NotificationInput {
        guard try requireParameterShape(body) else {
            try requireNotification(try FormBody.decode(body, charset: charset).parameters)
            return .form(body)
        }
        let parameters: [String: String]
        do {
            parameters = try Parameters.fromJSONObject(body)
        } catch let error as AlipaySignError {
            throw AlipaySignError(
                error.code, "the input is JSON but not a notification's parameters: \(error.reason)",
                hint: "give the notification's parameters as one JSON object of strings, or its form body as received")
        }
        try requireNotification(parameters)
        let (repaired, didRepair) = Parameters.repairingSign(parameters)
        let cs = try charset ?? Charset.declared(repaired["charset"]) ?? .utf8
        return .parameters(repaired, charset: cs, repairedSign: didRepair)
    }

    /// An input that is neither a form body (a `name=value` pair at least) nor a JSON object is an input error.
    /// - Returns: whether the input is a JSON object (else a form body).
    @discardableResult
    static func requireParameterShape(_ body: [UInt8]) throws -> Bool {
        let first = body.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        if first == UInt8(ascii: "{") { return true }
        if first == UInt8(ascii: "<") || first == UInt8(ascii: "[") || first == nil || !body.contains(UInt8(ascii: "=")) {
            throw AlipaySignError(
                .malformedForm, first == nil ? "the input is empty" : "the input is neither a form body (name=value pairs) nor a JSON object of parameters",
                hint: "give the parameters as an application/x-www-form-urlencoded body or query string, or as one JSON object of strings")
        }
        return false
    }

    /// A parameter set with none of a notification's own parameters is some other input.
    static func requireNotification(_ parameters: [String: String]) throws {
        guard ["sign", "notify_id", "notify_type", "sign_type"].contains(where: { parameters[$0] != nil }) else {
            throw AlipaySignError(
                .malformedForm,
                "the input has none of a notification's parameters (sign, sign_type, notify_id, notify_type)",
                hint: "verify-notify reads what Alipay POSTs to the notify_url; requests are verified with verify, responses with verify-response")
        }
    }

    /// The note said on standard error when the sign was repaired.
    static let repairNote = "note: the sign had spaces where base64 has '+' (decoded once too often before it was logged); they were read as '+'"
}
