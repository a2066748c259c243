/// Reading a parameter set from the forms people have it in: a form body or query string, or a JSON object.
@_spi(AlipaySignTools) public enum Parameters {
    /// Reads a JSON object whose values are all strings, as parameters.
    ///
    /// A non-string value is an error, not a guess: Alipay signs the text that goes on the wire, so a nested
    /// object such as `biz_content` must be given as the exact JSON string that is sent.
    /// - Throws: ``AlipaySignError/Code/malformedJSON``, ``AlipaySignError/Code/duplicateParameter``.
    public static func fromJSONObject<C: Collection>(_ bytes: C) throws -> [String: String] where C.Element == UInt8 {
        guard case .object(let members) = try JSONReader.parse(bytes) else {
            throw AlipaySignError(.malformedJSON, "the parameters must be a JSON object")
        }
        var parameters: [String: String] = [:]
        for member in members {
            guard case .string(let value) = member.value else {
                throw AlipaySignError(
                    .malformedJSON,
                    "parameter '\(member.name)' is \(member.value.kindName), not a string",
                    hint: "give the exact text that is sent, as a JSON string: e.g. \"biz_content\": \"{\\\"out_trade_no\\\":\\\"1\\\"}\"")
            }
            guard parameters.updateValue(value, forKey: member.name) == nil else {
                throw AlipaySignError(.duplicateParameter, "parameter '\(member.name)' appears more than once")
            }
        }
        return parameters
    }

    /// Reads parameters from either form: a JSON object when the first non-blank byte is `{`, else a form body,
    /// byte for byte.
    /// - Parameter charset: the charset of a form body's percent-decoded bytes; `nil` for its own `charset`
    ///   parameter, else UTF-8. A JSON object is always UTF-8 text.
    public static func parse<C: Collection>(_ bytes: C, charset: Charset? = nil) throws
        -> (parameters: [String: String], charset: Charset)
    where C.Element == UInt8 {
        let array = Array(bytes)
        if let first = array.first(where: { !$0.isASCIIWhitespace }), first == UInt8(ascii: "{") {
            let parameters = try fromJSONObject(array)
            let cs = try charset ?? Charset.declared(parameters["charset"]) ?? .utf8
            return (parameters, cs)
        }
        return try FormBody.decode(array, charset: charset)
    }

    /// A parameter set as a web framework logs it: decoded, and the `sign`'s `+` sometimes turned into spaces by one
    /// decoding too many. Base64 has no spaces, so they are turned back; nothing else is changed.
    /// - Parameter parameters: the decoded parameters.
    /// - Returns: the parameters, and whether `sign` was repaired.
    public static func repairingSign(_ parameters: [String: String]) -> (parameters: [String: String], repaired: Bool) {
        guard let sign = parameters["sign"], sign.utf8.contains(0x20) else { return (parameters, false) }
        var repaired = parameters
        repaired["sign"] = sign.replacingAll(" ", with: "+")
        return (repaired, true)
    }
}
