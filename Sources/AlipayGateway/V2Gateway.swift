@_spi(AlipaySignTools) import AlipaySign
import AlipayConformance
import Foundation
import Logging

/// `gateway.do`: reads a v2 request as Alipay's gateway does, verifies it, and answers in Alipay's layout, signed
/// with Alipay's key (docs/PROTOCOL.md §7, §12, §13).
final class V2Gateway: Sendable {
    let configuration: GatewayConfiguration
    let verifier: RequestVerifier
    let writer: ResponseWriter
    let trades: TradeStore
    let notifier: Notifier
    let rules: APIRuleSet
    let logger: Logger

    init(configuration: GatewayConfiguration, trades: TradeStore, notifier: Notifier, logger: Logger) throws {
        self.configuration = configuration
        self.verifier = try RequestVerifier(publicKey: configuration.appPublicKey, signType: configuration.signType)
        self.writer = try ResponseWriter(configuration: configuration)
        self.trades = trades
        self.notifier = notifier
        self.rules = (try? APIRuleSet.bundled()) ?? APIRuleSet()
        self.logger = logger
    }

    /// A request the gateway refuses before it reaches an API: the answer, and a line for the log.
    struct Refusal: Error {
        let answer: GatewayAnswer
        let reason: String
    }

    /// Answers one request: the URL query and the body as received. The reason, for the log, starts with the
    /// method the request names.
    func handle(query: String, body: [UInt8], contentType: String?) async -> (GatewayAnswer, String) {
        do {
            let request = try read(query: query, body: body, contentType: contentType)
            let (answer, reason) = try await answer(request)
            return (answer, "\(request.parameters["method"] ?? "(no method)"): \(reason)")
        } catch let refusal as Refusal {
            return (refusal.answer, refusal.reason)
        } catch {
            let content = NodeContent(.unavailable, subCode: "isp.unknow-error", subMessage: "系统繁忙").json
            return (writer.unsigned(node: "error_response", content: content, charset: .utf8), "internal error: \(error)")
        }
    }

    /// A request as the gateway read it: every parameter (query, form body or the text parts of an upload), the
    /// charset they were decoded in, and the files of an upload (never signed).
    struct Incoming {
        var parameters: [String: String]
        var charset: Charset
        var files: [MultipartForm.Part] = []
    }

    /// The parameters of the query and the body, each decoded once in the charset the query names (an app's order
    /// string, which has no query, in its own; docs/PROTOCOL.md §12, §13).
    func read(query: String, body: [UInt8], contentType: String?) throws -> Incoming {
        func refuse(_ sub: String, _ message: String, _ reason: String) -> Refusal {
            let content = NodeContent(.invalid, subCode: sub, subMessage: message).json
            return Refusal(answer: writer.unsigned(node: "error_response", content: content, charset: .utf8), reason: reason)
        }
        let queryForm: DecodedForm
        do {
            queryForm = try DecodedForm(decoding: Array(query.utf8), charset: nil)
        } catch let error as AlipaySignError where error.code == .unknownCharset {
            throw refuse("isv.invalid-charset", "字符集错误", error.reason)
        } catch let error as AlipaySignError {
            throw refuse("isv.invalid-parameter", "参数无效", "the query cannot be decoded: \(error.reason)")
        }
        let queryParameters = try queryForm.dictionary()
        let charsetInQuery = queryParameters["charset"].map { !$0.isEmpty } ?? false
        var request = Incoming(parameters: queryParameters, charset: charsetInQuery ? queryForm.charset : .utf8)
        guard !body.isEmpty else { return request }

        // An upload: the text parts are parameters, in the query's charset; the files are kept aside.
        if let boundary = contentType.flatMap(MultipartForm.boundary(contentType:)) {
            do {
                let form = try MultipartForm(body: body, boundary: boundary)
                let text = try form.textParameters(charset: request.charset)
                request.parameters.merge(text) { query, _ in query }
                request.files = form.parts.filter(\.isFile)
            } catch let error as AlipaySignError {
                throw refuse("isv.invalid-parameter", "参数无效", "the multipart body cannot be read: \(error.reason)")
            }
            return request
        }
        let isForm = contentType.map { $0.lowercased().contains("application/x-www-form-urlencoded") } ?? true
        guard isForm else { return request }
        let bodyForm: DecodedForm
        do {
            // The charset comes from the URL query; without one, the body is read in its own (UTF-8 when it names
            // none), which only an app's order string may rely on.
            bodyForm = try DecodedForm(decoding: body, charset: charsetInQuery ? queryForm.charset : nil)
        } catch let error as AlipaySignError where error.code == .unknownCharset {
            throw refuse("isv.invalid-charset", "字符集错误", error.reason)
        } catch let error as AlipaySignError {
            throw refuse("isv.invalid-parameter", "参数无效", "the body cannot be decoded: \(error.reason)")
        }
        let bodyParameters = try bodyForm.dictionary()
        let method = bodyParameters["method"] ?? queryParameters["method"]
        if !charsetInQuery, bodyParameters["charset"] != nil, bodyForm.hasNonASCII, method != "alipay.trade.app.pay" {
            let content = NodeContent(
                .invalid, subCode: "isv.invalid-signature",
                subMessage: "验签出错，请确认charset参数放在了URL查询字符串中且各参数值使用charset参数指示的字符集编码").json
            throw Refusal(
                answer: try writer.signed(node: ResponseExtractor.nodeName(method: method ?? "error"), content: content, charset: .utf8),
                reason: "charset is only in the body, and the body's values are not ASCII: the gateway reads charset from the query")
        }
        if !charsetInQuery { request.charset = bodyForm.charset }
        // A name in both with different values makes the gateway's content differ from the signed one.
        request.parameters.merge(bodyParameters) { query, _ in query }
        return request
    }

    /// Checks the common parameters and the signature, then runs the API.
    func answer(_ request: Incoming) async throws -> (GatewayAnswer, String) {
        let p = request.parameters
        let charset = request.charset
        func unsigned(_ code: GatewayCode, _ sub: String, _ message: String, _ reason: String) -> (GatewayAnswer, String) {
            (writer.unsigned(node: "error_response", content: NodeContent(code, subCode: sub, subMessage: message).json,
                             charset: charset), reason)
        }
        guard let method = p["method"], !method.isEmpty else {
            return unsigned(.missing, "isv.missing-method", "缺少方法名参数", "no method")
        }
        let node = ResponseExtractor.nodeName(method: method)
        func signed(_ code: GatewayCode, _ sub: String, _ message: String, _ reason: String) throws -> (GatewayAnswer, String) {
            (try writer.signed(node: node, content: NodeContent(code, subCode: sub, subMessage: message).json, charset: charset),
             reason)
        }
        guard let appID = p["app_id"], !appID.isEmpty else {
            return unsigned(.missing, "isv.missing-app-id", "缺少AppID参数", "no app_id")
        }
        if !configuration.appIDs.isEmpty, !configuration.appIDs.contains(appID) {
            return unsigned(.invalid, "isv.invalid-app-id", "无效的AppID参数", "app_id \(appID) is not one of --app-id")
        }
        guard let sign = p["sign"], !sign.isEmpty else {
            return unsigned(.missing, "isv.missing-signature", "缺少签名参数", "no sign")
        }
        guard let signType = p["sign_type"], !signType.isEmpty else {
            return unsigned(.missing, "isv.missing-signature-type", "缺少签名类型参数", "no sign_type")
        }
        guard signType.uppercased() == configuration.signType.rawValue else {
            return unsigned(.invalid, "isv.invalid-signature-type", "无效的签名类型参数",
                            "sign_type \(signType), the app is set up for \(configuration.signType.rawValue)")
        }
        guard let timestamp = p["timestamp"] else {
            return unsigned(.missing, "isv.missing-timestamp", "缺少时间戳参数", "no timestamp")
        }
        guard let time = BeijingTime.parse(timestamp), abs(time.timeIntervalSinceNow) <= configuration.timestampWindow
        else {
            return unsigned(.invalid, "isv.invalid-timestamp", "非法的时间戳参数",
                            "timestamp \(timestamp) is not yyyy-MM-dd HH:mm:ss Beijing time within \(Duration.secondsText(configuration.timestampWindow)) s of now")
        }
        guard p["version"] != nil else { return unsigned(.missing, "isv.missing-version", "缺少版本参数", "no version") }
        if let format = p["format"], format.lowercased() != "json" {
            return unsigned(.invalid, "isv.invalid-format", "无效的数据格式", "format \(format): the gateway answers JSON")
        }
        // Certificate mode: both SNs, each the one of the certificates the gateway was given.
        if let expected = configuration.appCertSN {
            guard let sn = p["app_cert_sn"], !sn.isEmpty else {
                return unsigned(.missing, "isv.missing-app-cert-sn", "缺少应用公钥证书序列号", "certificate mode: no app_cert_sn")
            }
            guard sn == expected else {
                return unsigned(.invalid, "isv.app-cert-not-exist", "应用公钥证书不存在", "app_cert_sn \(sn) is not \(expected)")
            }
        }
        if let expected = configuration.rootCertSN {
            guard p["alipay_root_cert_sn"] == expected else {
                return unsigned(.invalid, "isv.invalid-alipay-root-cert-sn", "无效的支付宝根证书序列号",
                                "alipay_root_cert_sn \(p["alipay_root_cert_sn"] ?? "absent") is not \(expected)")
            }
        }
        // The signature: over the gateway's own content; on failure it is echoed as the real gateway does.
        switch try verifier.verify(parameters: p, charset: charset) {
        case .valid: break
        case .invalid(let failure):
            let content = String(decoding: failure.content, as: UTF8.self)
            let diagnosis = try? verifier.diagnose(parameters: p, charset: charset)
            let why = diagnosis.map { DiagnosisText.describe($0) } ?? "no known variant verifies"
            return try signed(
                .invalid, "isv.invalid-signature",
                "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为："
                    + content.replacingAll("&", with: "&amp;"),
                "the sign does not verify over \(content) (\(why))")
        }
        var biz = p["biz_content"]
        let encrypted = p["encrypt_type"]?.uppercased() == "AES"
        if encrypted {
            guard let key = configuration.aesKey else {
                return try signed(.invalid, "isv.decryption-error-not-valid-encrypt-key", "无效的加密密钥", "encrypt_type=AES but no --aes-key")
            }
            guard let text = biz, let plain = try? key.decryptText(base64: text, charset: charset) else {
                return try signed(.invalid, "isv.decryption-error", "解密出错", "biz_content does not decrypt with --aes-key")
            }
            biz = plain
        }
        var result = try await TradeAPI(gateway: self, appID: appID, charset: charset, parameters: p, files: request.files)
            .run(method: method, biz: biz)
        if case .node(let content, let reason) = result, encrypted, let key = configuration.aesKey {
            result = .node(content: JSONString.quoted(try key.encrypt(content, charset: charset)), reason: reason)
        }
        switch result {
        case .node(let content, let reason): return (try writer.signed(node: node, content: content, charset: charset), reason)
        case .unsignedNode(let nodeName, let content, let reason):
            return (writer.unsigned(node: nodeName, content: content, charset: charset), reason)
        case .page(let html, let reason):
            return (GatewayAnswer(status: 200, contentType: "text/html;charset=utf-8", body: Array(html.utf8)), reason)
        }
    }
}
