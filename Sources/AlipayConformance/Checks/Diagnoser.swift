import AlipaySign

/// Says why a signature fails by trying the known variants and naming the one that verifies: V1 vs V2, GBK vs
/// UTF-8, RSA vs RSA2, `\/` unescaped, values decoded twice, the other party's key, whitespace altered in transit.
public struct Diagnoser: Sendable {
    /// A key that may have signed, with what it is.
    public struct Key: Sendable {
        public let publicKey: PublicKey
        public let name: String
        public init(_ publicKey: PublicKey, name: String) {
            self.publicKey = publicKey
            self.name = name
        }
    }

    public let keys: [Key]

    public init(keys: [Key]) { self.keys = keys }

    public struct Outcome: Sendable {
        /// The variant that verifies, when one does (`nil`: none of the known variants explains the failure).
        public let variant: String?
        /// The exact content the expected variant builds (what was checked first).
        public let content: String
        /// Whether it verifies as the protocol expects it (for a notification: V1 or V2, with the expected key,
        /// sign type and charset).
        public let verifiesAsGiven: Bool
    }

    /// Tries content variants × charsets × sign types × keys; the first (expected key, type and charset first)
    /// that verifies names the variant.
    /// - Parameter variants: (description, content) pairs, the expected one first with an empty description.
    func first(
        signature: String, variants: [(String, String)], charset: Charset, signType: SignType, accepted: Int = 1
    ) -> (String, Bool)? {
        let charsets = [charset] + [Charset.utf8, .gbk].filter { $0 != charset }
        let types = [signType] + [SignType.rsa2, .legacyRSA].filter { $0 != signType }
        for key in keys {
            for type in types {
                for cs in charsets {
                    guard let verifier = try? SignatureVerifier(publicKey: key.publicKey, signType: type, charset: cs) else { continue }
                    for (position, (description, content)) in variants.enumerated() {
                        guard (try? verifier.verify(content: content, signature: signature)) == true else { continue }
                        var parts: [String] = []
                        if !description.isEmpty { parts.append(description) }
                        if type != signType { parts.append("sign_type \(type.rawValue) (\(type == .rsa2 ? "SHA256withRSA" : "SHA1withRSA")), not \(signType.rawValue)") }
                        if cs != charset { parts.append("the content encoded in \(cs), not \(charset)") }
                        if key.name != keys[0].name { parts.append("signed by \(key.name)") }
                        let expected = type == signType && cs == charset && key.name == keys[0].name && position < accepted
                        return (parts.isEmpty ? "verifies as expected" : parts.joined(separator: "; "), expected)
                    }
                }
            }
        }
        return nil
    }

    /// Content variants of a parameter set (request or notification).
    static func parameterVariants(_ parameters: [String: String], modes: [(String, SignContent.Mode)]) -> [(String, String)] {
        var out: [(String, String)] = []
        for (name, mode) in modes { out.append((name, SignContent.build(parameters, mode: mode))) }
        let twice = parameters.mapValues { $0.removingPercentEncodingOnce() ?? $0 }
        if twice != parameters {
            for (name, mode) in modes { out.append(([name, "values decoded twice (%XX decoded once more)"].filter { !$0.isEmpty }.joined(separator: ", "), SignContent.build(twice, mode: mode))) }
        }
        let spaced = parameters.mapValues { $0.replacingOccurrences(" ", with: "+") }
        if spaced != parameters {
            for (name, mode) in modes { out.append(([name, "spaces were '+' when signed (whitespace altered in transit)"].filter { !$0.isEmpty }.joined(separator: ", "), SignContent.build(spaced, mode: mode))) }
        }
        let trimmed = parameters.mapValues { $0.trimmingCharacters(in: " \t\r\n") }
        if trimmed != parameters {
            for (name, mode) in modes { out.append(([name, "leading or trailing whitespace was not there when signed"].filter { !$0.isEmpty }.joined(separator: ", "), SignContent.build(trimmed, mode: mode))) }
        }
        return out
    }

    /// Diagnoses a v2 request signature.
    public func request(_ parameters: [String: String], charset: Charset, signType: SignType) -> Outcome {
        let content = SignContent.build(parameters, mode: .request)
        let found = parameters["sign"].flatMap { sign in
            first(signature: sign, variants: Self.parameterVariants(parameters, modes: [("", .request)]), charset: charset, signType: signType)
        }
        return Outcome(variant: found?.0, content: content, verifiesAsGiven: found?.1 ?? false)
    }

    /// Diagnoses a notification signature.
    public func notification(_ parameters: [String: String], charset: Charset, signType: SignType) -> Outcome {
        let content = SignContent.build(parameters, mode: .notifyV1)
        let found = parameters["sign"].flatMap { sign in
            first(
                signature: sign,
                variants: Self.parameterVariants(parameters, modes: [("V1 (sign and sign_type left out)", .notifyV1), ("V2 (sign_type kept)", .notifyV2)]),
                charset: charset, signType: signType, accepted: 2)
        }
        return Outcome(variant: found?.0, content: content, verifiesAsGiven: found?.1 ?? false)
    }

    /// Diagnoses a v2 response signature over its extracted content.
    public func response(content: String, sign: String, charset: Charset, signType: SignType) -> Outcome {
        var variants: [(String, String)] = [("", content)]
        let unescaped = content.replacingOccurrences("\\/", with: "/")
        if unescaped != content { variants.append(("\\/ read as /", unescaped)) }
        let found = first(signature: sign, variants: variants, charset: charset, signType: signType)
        return Outcome(variant: found?.0, content: content, verifiesAsGiven: found?.1 ?? false)
    }
}

extension String {
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }

    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }

    /// One more round of form decoding (`+` as space, `%XX`), UTF-8; `nil` if it changes nothing or fails.
    func removingPercentEncodingOnce() -> String? {
        guard contains("%") || contains("+") else { return nil }
        var out: [UInt8] = []
        var bytes = Array(utf8)[...]
        while let c = bytes.popFirst() {
            if c == UInt8(ascii: "+") {
                out.append(0x20)
            } else if c == UInt8(ascii: "%"), let h = bytes.popFirst(), let l = bytes.popFirst(),
                let v = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16)
            {
                out.append(v)
            } else if c == UInt8(ascii: "%") {
                return nil
            } else {
                out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}
