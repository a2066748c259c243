@_spi(AlipaySignTools) import AlipaySign
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks of a v2 gateway exchange (`gateway.do`): common parameters (docs/PROTOCOL.md §7), the request signature,
/// the response envelope and signature, the echoed sign string of `isv.invalid-signature`, per-API rules.
struct V2Checks {
    let checker: Checker
    let exchange: Exchange

    /// Runs the checks; returns the method, when the request names one.
    func run(into f: inout [Finding]) -> String? {
        // Parameters: the URL query and the form body, decoded once into one buffer (no dictionary: see
        // RequestParameters).
        var parameters: RequestParameters
        var charset = Charset.utf8
        let queryHasCharset: Bool
        do {
            var url = exchange.url
            let form = try url.withUTF8 { u in
                let query = exchange.queryRange.map { UnsafeBufferPointer(rebasing: u[$0]) }
                return try DecodedForm(decoding: query ?? UnsafeBufferPointer(start: nil, count: 0), charset: nil)
            }
            parameters = try RequestParameters(form)
            charset = form.charset
            queryHasCharset = form.value("charset") != nil
        } catch let error as AlipaySignError {
            f.append(Finding("v2.request.form", .error, "the URL query cannot be decoded: \(error.reason)", hint: error.hint))
            return nil
        } catch { return nil }
        var bodyNotASCII = false
        var differing: [String] = []
        let contentTypeHeader = exchange.request.header("content-type") ?? ""
        if let boundary = MultipartForm.boundary(contentType: contentTypeHeader) {
            // An upload: the text parts are signed parameters, in the query's charset; the files are not signed.
            do {
                let form = try MultipartForm(body: exchange.request.body, boundary: boundary)
                parameters.merge(try form.textParameters(charset: charset)) { differing.append($0) }
            } catch let error as AlipaySignError {
                f.append(Finding("v2.request.multipart", .error, "the multipart body cannot be read: \(error.reason)", hint: error.hint))
            } catch {}
        } else if !exchange.request.body.isEmpty {
            do {
                let body = Checker.reencoded(exchange.request, charset: charset, what: "request body", into: &f)
                let form = try DecodedForm(decoding: body, charset: queryHasCharset ? charset : nil)
                if !queryHasCharset { charset = form.charset }
                bodyNotASCII = form.hasNonASCII
                try RequestParameters.checkDistinct(form)
                parameters.merge(form) { differing.append($0) }
            } catch let error as AlipaySignError {
                f.append(Finding("v2.request.form", .error, "the request body cannot be decoded: \(error.reason)", hint: error.hint))
            } catch {}
        }
        for name in differing {
            f.append(Finding(
                "v2.param.duplicate", .error, "'\(name)' is in both the query and the body, with different values", value: name))
        }
        let method = parameters["method"]
        if !queryHasCharset, parameters.contains("charset"), bodyNotASCII, method != "alipay.trade.app.pay" {
            // docs/PROTOCOL.md §12: the gateway decodes the body in the query's charset, so it cannot rebuild the
            // signed content and answers isv.invalid-signature. An app's order string carries its own charset.
            f.append(Finding(
                "v2.param.charset", .error, "charset is only in the body, and the body is not ASCII: the gateway cannot read it as signed",
                hint: "put charset in the URL query, as the SDKs do"))
        }
        commonParameters(parameters, queryHasCharset: queryHasCharset, into: &f)
        // Sent but not signed: the sign content leaves empty and white-space-only values out (docs/PROTOCOL.md §1.1).
        let empty = parameters.blankNames.sorted()
        if !empty.isEmpty {
            f.append(Finding(
                "v2.param.empty", .warning,
                "sent with an empty (or white-space-only) value, so not signed: \(empty.joined(separator: ", "))", value: empty.joined(separator: ","),
                hint: "the sign content leaves empty values out; a value filled in on the way would not be noticed"))
        }
        let signType = checker.configuration.signType(named: parameters["sign_type"], id: "v2.param.sign_type", into: &f)
        // The per-API rules and the response's reading run before the two signature verifications, which then run
        // one after the other: run between them, they evicted OpenSSL's code from the instruction cache before the
        // second. The findings keep their order: the request's signature, the rules, the response.
        var later: [Finding] = []
        if let method, let findings = checker.configuration.rules.requestFindings(
            v2Method: method, bizContent: parameters["biz_content"])
        {
            later = findings
        }
        var signedResponse: SignedResponse?
        if let response = exchange.response, exchange.status == 200, !response.body.isEmpty, let method {
            signedResponse = self.response(
                response, method: method, parameters: parameters, charset: charset, signType: signType, into: &later)
        }
        requestSignature(parameters, charset: charset, signType: signType, into: &f)
        f += later
        if let signedResponse { responseSignature(signedResponse, into: &f) }
        return method
    }

    func commonParameters(_ p: RequestParameters, queryHasCharset: Bool, into f: inout [Finding]) {
        func missing(_ name: String) {
            f.append(Finding("v2.param.\(name)", .error, "the request has no \(name)", hint: "\(name) is a required common parameter"))
        }
        // The long values (app_id, method, sign, biz_content) are read as bytes and made Strings only for a finding:
        // a String per parameter read was close to a third of these checks' instructions on a clean exchange. The
        // short ones are small Strings, made without an allocation.
        if let r = p.range("app_id") {
            if r.count > 32, case let appID = p.string(r), appID.count > 32 {
                f.append(Finding("v2.param.app_id", .error, "app_id is longer than 32 characters", value: appID))
            }
        } else { missing("app_id") }
        if let r = p.range("method") {
            if r.count > 128, case let method = p.string(r), method.count > 128 {
                f.append(Finding("v2.param.method", .error, "method is longer than 128 characters", value: method))
            }
        } else { missing("method") }
        if let format = p["format"], format.uppercased() != "JSON" {
            f.append(Finding("v2.param.format", .error, "format must be JSON", value: format))
        }
        if let charset = p["charset"] {
            if (try? Charset(name: charset)) == nil {
                f.append(Finding("v2.param.charset", .error, "charset is not UTF-8, GBK or GB18030", value: charset))
            } else if !queryHasCharset {
                f.append(Finding(
                    "v2.param.charset", .warning, "charset is in the body, not the URL query",
                    value: charset, hint: "the gateway reads charset from the URL query to decode the body"))
            }
        } else { missing("charset") }
        switch p["sign_type"] {
        case nil: missing("sign_type")
        case "RSA2"?, "SM2"?: break
        case "RSA"?:
            f.append(Finding(
                "v2.param.sign_type", .warning, "sign_type RSA is SHA1withRSA, a legacy algorithm", value: "RSA",
                hint: "move to RSA2 (SHA256withRSA)"))
        case let other?:
            f.append(Finding("v2.param.sign_type", .error, "sign_type must be RSA2 or SM2 (or the legacy RSA)", value: other))
        }
        if let r = p.range("sign") {
            if r.count > 344, case let sign = p.string(r), sign.count > 344 {
                f.append(Finding("v2.param.sign", .error, "sign is \(sign.count) characters, more than 344", value: String(sign.prefix(40)) + "…"))
            } else if !p.withValue(r, { Base64.isValid($0) }) {
                f.append(Finding(
                    "v2.param.sign", .error, "sign is not base64", value: p.string(r),
                    hint: "a '+' sent unencoded in a form becomes a space; encode the sign with the charset"))
            }
        } else { missing("sign") }
        if let timestamp = p["timestamp"] {
            if let instant = BeijingTime.parse(timestamp) {
                if let captured = exchange.startedAt {
                    let skew = instant.timeIntervalSince(captured)
                    if !(abs(skew) <= checker.configuration.timestampWindow) {  // a NaN window flags, never passes
                        let hours = (skew / 3600 * 10).rounded() / 10
                        f.append(Finding(
                            "v2.param.timestamp", .error,
                            "timestamp is \(Int(abs(skew))) s \(skew > 0 ? "ahead of" : "behind") the capture time (Beijing time, UTC+8)",
                            value: timestamp,
                            hint: abs(abs(hours) - 8) < 0.6
                                ? "an 8-hour skew: the client wrote UTC (or server-local) time; Alipay expects GMT+8"
                                : "check the client's clock"))
                    }
                }
            } else {
                f.append(Finding("v2.param.timestamp", .error, "timestamp is not yyyy-MM-dd HH:mm:ss", value: timestamp))
            }
        } else { missing("timestamp") }
        if let version = p["version"] {
            if version != "1.0" { f.append(Finding("v2.param.version", .error, "version must be 1.0", value: version)) }
        } else { missing("version") }
        if let r = p.range("biz_content") {
            if !p.contains("encrypt_type"), !p.withValue(r, { JSONReader.isValid($0) }) {
                f.append(Finding(
                    "v2.param.biz_content", .error, "biz_content is not valid JSON", value: String(p.string(r).prefix(80)),
                    hint: "biz_content is a JSON object serialised as one string parameter"))
            }
        }
        switch (p["app_cert_sn"], p["alipay_root_cert_sn"]) {
        case (.some, nil), (nil, .some):
            f.append(Finding(
                "v2.param.cert_sn", .error, "certificate mode needs both app_cert_sn and alipay_root_cert_sn",
                hint: "alipay-sign cert sn and alipay-sign cert root-sn compute them"))
        case (let app?, let root?):
            if let expected = checker.configuration.appCertSN, app != expected {
                f.append(Finding("v2.param.cert_sn", .error, "app_cert_sn is not the SN of the app certificate given (\(expected))", value: app))
            }
            if let expected = checker.configuration.rootCertSN, root != expected {
                f.append(Finding(
                    "v2.param.cert_sn", .error, "alipay_root_cert_sn is not the root SN of the bundle given (\(expected))",
                    value: root, hint: "the gateway answers isv.invalid-alipay-root-cert-sn"))
            }
        default: break
        }
    }

    func requestSignature(_ p: RequestParameters, charset: Charset, signType: SignType, into f: inout [Finding]) {
        guard let cached = checker.requestVerifier(signType), p.contains("sign"),
            let result = try? cached.verifier.verify(text: p.text, pairs: p.pairs, charset: charset), !result.valid
        else { return }
        let diagnosis = try? cached.verifier.diagnose(parameters: p.dictionary, charset: charset, otherKeys: checker.alipayKeys)
        f.append(Finding(
            "v2.request.signature", .error, "the request's sign does not verify under the app's public key",
            value: String(decoding: result.content, as: UTF8.self),
            hint: diagnosis.map { "it verifies with: \(DiagnosisText.describe($0))" }
                ?? "no known variant verifies: the key pair or the content differ"))
    }

    /// A response read and its envelope checked, whose signature is still to be verified.
    struct SignedResponse {
        let body: [UInt8]
        let method: String
        let format: ResponseFormat
        let extraction: ExtractedResponse
        let verifier: Checker.Cached<ResponseVerifier>
    }

    /// Reads the response and checks its envelope; returns what its signature is verified over, `nil` when it
    /// cannot be (no envelope, or no key of Alipay's given).
    func response(
        _ response: Exchange.Message, method: String, parameters: RequestParameters, charset: Charset, signType: SignType,
        into f: inout [Finding]
    ) -> SignedResponse? {
        let body = Checker.reencoded(response, charset: charset, what: "response body", into: &f)
        let format: ResponseFormat = (parameters["format"]?.equalsIgnoringCase("xml") == true || body.first == UInt8(ascii: "<")) ? .xml : .json
        let extraction: ExtractedResponse
        do {
            extraction = try ResponseExtractor.extract(body, method: method, format: format, charset: charset)
        } catch let error as AlipaySignError {
            f.append(Finding("v2.response.envelope", .error, error.reason, hint: error.hint))
            return nil
        } catch { return nil }
        // The envelope: code and msg in the node.
        let responseRule = checker.configuration.rules.rule(v2Method: method).flatMap { rule in
            rule.response.map { (api: rule.api, part: $0) }
        }
        // The node's bytes are in the response's charset and the envelope is read as UTF-8 JSON: a GBK node is
        // decoded first (read as it was, one with any Chinese in it, a sub_msg or the echo of
        // isv.invalid-signature, did not parse, and every envelope check below was skipped without a word). The
        // extraction checked the bytes' shape only: a four-byte GB18030 sequence past U+10FFFF does not decode.
        var utf8Node: [UInt8]?
        if format == .json, !extraction.isEncrypted {
            let node = body[extraction.range]
            utf8Node = charset == .utf8 ? Array(node) : (try? charset.decode(node)).map { Array($0.utf8) }
            if utf8Node == nil {
                f.append(Finding(
                    "v2.response.envelope", .error, "the response node '\(extraction.node)' is not valid \(charset.canonicalName)"))
            }
        }
        if let utf8Node, let members = Self.envelope(utf8Node, whole: responseRule != nil && extraction.isSuccess == true) {
            for name in ["code", "msg"] where !members.contains(where: { $0.name == name }) {
                f.append(Finding("v2.response.envelope", .error, "the response node '\(extraction.node)' has no \(name)"))
            }
            let code = members.first { $0.name == "code" }?.value
            let subCode = members.first { $0.name == "sub_code" }?.value
            let subMsg = members.first { $0.name == "sub_msg" }?.value
            if case .string("isv.invalid-signature")? = subCode, case .string(let message)? = subMsg {
                invalidSignatureEcho(message, parameters: parameters.dictionary, into: &f)
            } else if case .string(let c)? = code, c != "10000" {
                var text = "the gateway answered code \(c)"
                if case .string(let s)? = subCode { text += ", sub_code \(s)" }
                if case .string(let m)? = subMsg { text += ": \(m)" }
                f.append(Finding("v2.response.code", .info, text))
            }
            if let responseRule, extraction.isSuccess == true {
                f += APIRuleSet.check(
                    members.map { ($0.name, $0.value) }, part: responseRule.part, api: responseRule.api, where: "response")
            }
        }
        for note in extraction.diagnostics { f.append(Finding("v2.response.envelope", .warning, note)) }
        guard let verifier = checker.responseVerifier(signType, charset: charset) else { return nil }
        return SignedResponse(body: body, method: method, format: format, extraction: extraction, verifier: verifier)
    }

    /// The response's signature, under Alipay's key or certificates.
    func responseSignature(_ response: SignedResponse, into f: inout [Finding]) {
        let body = response.body
        let result: ResponseVerification
        do {
            result = try response.verifier.verifier.verify(bytes: body, extraction: response.extraction)
        } catch let error as AlipaySignError where error.code == .unknownCertificateSN {
            // docs/PROTOCOL.md §14: Alipay signs with a certificate the client does not hold yet.
            f.append(Finding(
                "v2.response.signature", .error, "a certificate rotation: \(error.reason)",
                hint: "download the certificate of that SN (alipay.open.app.alipaycert.download with biz_content "
                    + "{\"alipay_cert_sn\":\"SN\"}), import it with alipay-sign cert import --root alipayRootCert.crt "
                    + "--out NEW.crt RESPONSE, and give --alipay-cert NEW.crt too"))
            return
        } catch let error as AlipaySignError {
            f.append(Finding("v2.response.signature", .error, error.reason, hint: error.hint))
            return
        } catch { return }
        switch result {
        case .valid(let r):
            if r.slashesUnescaped {
                f.append(Finding(
                    "v2.response.signature", .warning, "the response verifies only with \\/ read as / (the Java SDK's second try)"))
            }
        case .unsignedError:
            f.append(Finding("v2.response.signature", .info, "an error response without a sign: the SDKs accept it unverified"))
        case .invalid(let r):
            let diagnosis = try? response.verifier.verifier.diagnose(
                body, method: response.method, format: response.format, otherKeys: checker.appKeys)
            f.append(Finding(
                "v2.response.signature", .error, "the response's sign does not verify under Alipay's key",
                value: r.unverifiedContent,
                hint: diagnosis.map { "it verifies with: \(DiagnosisText.describe($0))" }
                    ?? "no known variant verifies: the body was altered or re-serialised, or the key is not Alipay's"))
        case .unsignedSuccess(let r), .missingCertificateSN(let r), .rejected(let r):
            f.append(Finding(
                "v2.response.signature", .error, r.notes.first ?? "the response is \(result.status.rawValue)",
                value: result.status.rawValue))
        }
    }

    /// The response node's members: all of them, built, when a per-API rule reads them; otherwise only the
    /// envelope's (`code`, `msg`, `sub_code`, `sub_msg`, the first of each), the rest read without being built.
    /// `nil` when the node is not a JSON object.
    static func envelope(_ node: [UInt8], whole: Bool) -> [(name: String, value: JSONValue)]? {
        if whole {
            guard case .object(let members)? = try? JSONReader.parse(node) else { return nil }
            return members.map { ($0.name, $0.value) }
        }
        var members: [(name: String, value: JSONValue)] = []
        let isObject = try? JSONReader.walk(node) { c in
            try c.object(names: envelopeNames) { k, c in
                guard let k, !members.contains(where: { $0.name == envelopeNameStrings[k] }) else { return try c.skip() }
                members.append((envelopeNameStrings[k], try c.value()))
            }
        }
        return isObject == true ? members : nil
    }

    private static let envelopeNameStrings = ["code", "msg", "sub_code", "sub_msg"]
    private static let envelopeNames = envelopeNameStrings.map { Array($0.utf8) }

    /// The sign string an `isv.invalid-signature` echoes. The gateway writes every `&` of it as `&amp;`
    /// (docs/PROTOCOL.md §15), so an echo whose every `&` starts `&amp;` is read back (once: a value holding the
    /// text `&amp;` comes as `&amp;amp;`); an echo with a bare `&` (a gateway or proxy that did not escape) is taken
    /// as it is.
    static func echoedContent(_ echo: Substring) -> String {
        let afterAmpersands = echo.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false).dropFirst()
        let escaped = !afterAmpersands.isEmpty && afterAmpersands.allSatisfy { $0.starts(with: "amp;".utf8) }
        return escaped ? String(echo).replacingAll("&amp;", with: "&") : String(echo)
    }

    /// `isv.invalid-signature`: compares the sign string the gateway echoes with ours and names the first
    /// parameter that differs.
    func invalidSignatureEcho(_ message: String, parameters: [String: String], into f: inout [Finding]) {
        let marker = "验签字符串为："
        guard let at = message.firstRange(of: marker) ?? message.firstRange(of: "验签字符串为:") else {
            f.append(Finding("v2.response.invalid-signature", .error, "the gateway could not verify the request's sign", value: message))
            return
        }
        let gateway = Self.echoedContent(message[at.upperBound...])
        let ours = SignContent.build(parameters, mode: .request)
        guard gateway != ours else {
            f.append(Finding(
                "v2.response.invalid-signature", .error,
                "the gateway could not verify the sign, but built the same content as ours: the private key does not "
                    + "match the app public key uploaded to Alipay", value: gateway))
            return
        }
        // Walk both as name=value pairs in order; the first differing pair names the parameter.
        let ourPairs = parameters.filter { $0.key != "sign" && !$0.value.isEmpty }.sorted { $0.key < $1.key }
        var differing = "?"
        var cursor = gateway[...]
        for (index, pair) in ourPairs.enumerated() {
            let expected = (index == 0 ? "" : "&") + pair.key + "=" + pair.value
            if cursor.hasPrefix(expected) {
                cursor = cursor.dropFirst(expected.count)
            } else {
                differing = pair.key
                break
            }
        }
        f.append(Finding(
            "v2.response.invalid-signature", .error,
            "the gateway's sign string differs from ours, first at parameter '\(differing)'", value: gateway,
            hint: "ours: \(ours)"))
    }
}
