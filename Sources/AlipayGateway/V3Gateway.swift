@_spi(AlipaySignTools) import AlipaySign
import AlipayConformance
import Foundation

/// `/v3/...`: the public-account endpoints of the seed and `/v3/alipay/trade/query`, with the `Authorization`
/// header verified (within a timestamp window), the per-API rules applied, and signed responses
/// (`alipay-signature`, `alipay-timestamp`, `alipay-nonce`, and `alipay-sn` in certificate mode; docs/PROTOCOL.md §6).
final class V3Gateway: Sendable {
    let verifier: V3RequestVerifier
    let signer: Signer
    let certificateSN: String?
    let appIDs: Set<String>
    let faults: Set<GatewayFault>
    let window: Double
    let rules: APIRuleSet
    let accounts = PublicAccounts()
    let trades: TradeStore

    init(configuration: GatewayConfiguration, trades: TradeStore) throws {
        verifier = try V3RequestVerifier(publicKey: configuration.appPublicKey)
        signer = try Signer(privateKey: configuration.alipayPrivateKey)
        certificateSN = configuration.alipayCertificate?.sn
        appIDs = configuration.appIDs
        faults = configuration.faults
        window = configuration.timestampWindow
        rules = (try? APIRuleSet.bundled()) ?? APIRuleSet()
        self.trades = trades
    }

    /// Answers one v3 request.
    func handle(method: String, path: String, query: String, headers: (String) -> String?, body: [UInt8]) async
        -> (GatewayAnswer, String)
    {
        let requestURI = query.isEmpty ? path : path + "?" + query
        guard let header = headers("authorization") else {
            return (error(401, "missing-auth", "缺少Authorization头"), "no Authorization header")
        }
        let verification: V3RequestVerification
        do {
            verification = try verifier.verify(
                authorization: header, method: method, requestURI: requestURI, body: body,
                appAuthToken: headers("alipay-app-auth-token"), maxAge: window)
        } catch let e as AlipaySignError {
            return (error(401, "invalid-auth", "Authorization头格式错误: \(e.reason)"), e.reason)
        } catch {
            return (self.error(500, "unknown-error", "系统繁忙"), "\(error)")
        }
        let appID: String
        switch verification {
        case .valid(let request):
            appID = request.authorization.appID ?? ""
        case .invalid(let failure):
            let why = failure.diagnosis?.explanation ?? "no single-line change explains it"
            return (
                error(401, "invalid-signature", "验签失败，服务端生成的待签名字符串为：" + String(decoding: failure.content, as: UTF8.self)),
                "the sign does not verify: \(why)")
        case .unsigned:
            return (error(401, "missing-signature", "缺少签名"), "the Authorization header has no sign")
        case .stale(let failure):
            return (error(401, "invalid-timestamp", "时间戳超出有效期"),
                    "the timestamp is \(Int(failure.ageSeconds ?? 0)) s from now, outside \(Duration.secondsText(window)) s")
        }
        if !appIDs.isEmpty, !appIDs.contains(appID) {
            return (error(401, "invalid-app-id", "无效的AppID参数"), "app_id \(appID) is not one of --app-id")
        }
        let encrypted = headers("alipay-encrypt-type") != nil
        if let findings = rules.requestFindings(v3Method: method, path: path, query: query, body: body, encrypted: encrypted),
            let broken = findings.first(where: { $0.severity == .error })
        {
            return (error(400, "invalid-parameter", "参数有误: \(broken.message)"), "api rule: \(broken.message)")
        }
        let parameters = (try? FormBody.decode(Array(query.utf8)).parameters) ?? [:]
        let object = (try? JSONReader.parse(body)).flatMap { value -> [String: String]? in
            guard case .object(let members) = value else { return nil }
            var out: [String: String] = [:]
            for m in members { if case .string(let s) = m.value { out[m.name] = s } }
            return out
        } ?? [:]
        switch (method, path) {
        case ("POST", "/v3/alipay/open/public/account/create"):
            let id = await accounts.create(appID: appID, fields: object)
            return signed(200, #"{"agreement_id":"\#(id)"}"#, "public account \(id) created")
        case ("POST", "/v3/alipay/open/public/account/reset"):
            let id = await accounts.create(appID: appID, fields: object)
            return signed(200, #"{"agreement_id":"\#(id)"}"#, "public account reset as \(id)")
        case ("GET", "/v3/alipay/open/public/account/query"):
            let list = await accounts.list(appID: appID)
            let items = list.map { #"{"agreement_id":"\#($0)"}"# }.joined(separator: ",")
            return signed(200, #"{"public_bind_account_list":[\#(items)]}"#, "public accounts listed")
        case ("DELETE", "/v3/alipay/open/public/account/delete"):
            let id = parameters["agreement_id"] ?? parameters["bind_account_no"] ?? ""
            guard await accounts.delete(appID: appID, id: id) else {
                return (error(404, "account-not-exist", "账户不存在"), "no account \(id)")
            }
            return signed(200, "{}", "public account \(id) deleted")
        case ("POST", "/v3/alipay/trade/query"):
            guard let trade = await trades.find(appID: appID, outTradeNo: object["out_trade_no"], tradeNo: object["trade_no"])
            else { return (error(404, "TRADE_NOT_EXIST", "交易不存在"), "no such trade") }
            var node = JSONObject()
            node.add("trade_no", trade.tradeNo)
            node.add("out_trade_no", trade.outTradeNo)
            node.add("trade_status", trade.status.rawValue)
            node.add("total_amount", trade.totalAmount)
            return signed(200, node.json, "trade \(trade.outTradeNo) \(trade.status.rawValue)")
        default:
            return (error(404, "invalid-method", "不存在的方法名"), "no such v3 API: \(method) \(path)")
        }
    }

    /// A v3 error: a non-2xx status with `{"code","message","links"}`, unsigned as the SDKs accept it.
    func error(_ status: Int, _ code: String, _ message: String) -> GatewayAnswer {
        var link = JSONObject()
        link.add("link", "https://open.alipay.com/api/errCheck?traceId=\(UUID().uuidString.lowercased())")
        link.add("desc", "解决方案")
        var object = JSONObject()
        object.add("code", code)
        object.add("message", message)
        object.addRaw("links", "[" + link.json + "]")
        return GatewayAnswer(status: status, contentType: "application/json;charset=utf-8", body: Array(object.json.utf8))
    }

    /// A signed v3 answer: `alipay-timestamp\nalipay-nonce\nbody\n` signed with Alipay's key.
    func signed(_ status: Int, _ json: String, _ reason: String) -> (GatewayAnswer, String) {
        let body = Array(json.utf8)
        let timestamp = String(Int64(Date().timeIntervalSince1970 * 1000))
        let nonce = UUID().uuidString.lowercased()
        var answer = GatewayAnswer(status: status, contentType: "application/json;charset=utf-8", body: body)
        guard let raw = try? signer.signature(for: V3Content.response(timestamp: timestamp, nonce: nonce, body: body)) else {
            return (error(500, "unknown-error", "系统繁忙"), "signing failed")
        }
        var sign = Data(raw).base64EncodedString()
        if faults.contains(.responseBadSign) { sign = ResponseWriter.altered(sign) }
        answer.headers = [("alipay-timestamp", timestamp), ("alipay-nonce", nonce)]
        if !faults.contains(.v3MissingSignatureHeader) { answer.headers.append(("alipay-signature", sign)) }
        if let certificateSN { answer.headers.append(("alipay-sn", certificateSN)) }
        return (answer, reason)
    }
}

/// The public accounts of the seed API, by app.
actor PublicAccounts {
    private var accounts: [String: [String]] = [:]
    private var sequence = 0

    func create(appID: String, fields: [String: String]) -> String {
        sequence += 1
        let id = "20261130" + String(format: "%08d", sequence)
        accounts[appID, default: []].append(id)
        return id
    }

    func list(appID: String) -> [String] { accounts[appID] ?? [] }

    func delete(appID: String, id: String) -> Bool {
        guard let at = accounts[appID]?.firstIndex(of: id) else { return false }
        accounts[appID]?.remove(at: at)
        return true
    }
}
