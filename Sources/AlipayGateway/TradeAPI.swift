@_spi(AlipaySignTools) import AlipaySign
import AlipayConformance
import Foundation

/// The APIs the gateway plays: a small trade life cycle in memory, the seed API's per-API rules, and the
/// certificate download.
struct TradeAPI {
    let gateway: V2Gateway
    let appID: String
    let charset: Charset
    let parameters: [String: String]
    /// The file parts of an upload (never signed).
    var files: [MultipartForm.Part] = []

    enum Result {
        /// A node to sign and send.
        case node(content: String, reason: String)
        /// An unsigned node.
        case unsignedNode(node: String, content: String, reason: String)
        /// An HTML page (page and WAP payment: what a browser lands on).
        case page(html: String, reason: String)
    }

    func business(_ sub: String, _ message: String) -> Result {
        .node(content: NodeContent(.business, subCode: sub, subMessage: message).json, reason: "\(sub): \(message)")
    }

    func run(method: String, biz text: String?) async throws -> Result {
        // biz_content: a JSON object of the API's fields.
        var biz: [String: String] = [:]
        if let text, !text.isEmpty {
            guard case .object(let members)? = try? JSONReader.parse(Array(text.utf8)) else {
                return .node(
                    content: NodeContent(.invalid, subCode: "isv.invalid-parameter", subMessage: "biz_content不是合法的JSON").json,
                    reason: "biz_content is not a JSON object")
            }
            for member in members {
                switch member.value {
                case .string(let s): biz[member.name] = s
                case .number(let n): biz[member.name] = n
                case .bool(let b): biz[member.name] = b ? "true" : "false"
                default: biz[member.name] = ""
                }
            }
        }
        // The seed API's rules (and any other API with a rule file): a broken rule is a business error.
        if let findings = gateway.rules.requestFindings(v2Method: method, bizContent: text),
            let broken = findings.first(where: { $0.severity == .error })
        {
            return business("ACQ.INVALID_PARAMETER", "参数有误: \(broken.message)")
        }
        switch method {
        case "alipay.trade.create", "alipay.trade.precreate", "alipay.trade.app.pay":
            return try await create(method: method, biz: biz)
        case "alipay.trade.page.pay", "alipay.trade.wap.pay":
            return try await page(method: method, biz: biz)
        case "alipay.trade.pay": return try await pay(biz: biz)
        case "alipay.trade.query": return try await query(biz: biz)
        case "alipay.trade.close": return try await close(biz: biz)
        case "alipay.trade.refund": return try await refund(biz: biz)
        case "alipay.trade.royalty.relation.unbind":
            var node = NodeContent(.success)
            node.add("result_code", "SUCCESS")
            return .node(content: node.json, reason: "royalty relation unbound")
        case "alipay.open.app.alipaycert.download": return download(biz: biz)
        case "alipay.offline.material.image.upload": return await upload()
        default:
            return .unsignedNode(
                node: "error_response",
                content: NodeContent(.invalid, subCode: "isv.invalid-method", subMessage: "不存在的方法名").json,
                reason: "unknown method")
        }
    }

    func newTrade(_ biz: [String: String]) async -> Trade? {
        guard let outTradeNo = biz["out_trade_no"], !outTradeNo.isEmpty, let amount = biz["total_amount"],
            Decimal(string: amount).map({ $0 > 0 }) == true
        else { return nil }
        let trade = await gateway.trades.create(
            appID: appID, outTradeNo: outTradeNo, totalAmount: amount, subject: biz["subject"] ?? "",
            notifyURL: parameters["notify_url"], charset: charset.canonicalName)
        if let seconds = gateway.configuration.autoPaySeconds, trade.status == .waitBuyerPay {
            let gateway = self.gateway
            Task {
                try? await Task.sleep(for: .gatewayDelay(seconds: seconds))
                await gateway.settle(outTradeNo: trade.outTradeNo)
            }
        }
        return trade
    }

    func create(method: String, biz: [String: String]) async throws -> Result {
        guard let trade = await newTrade(biz) else {
            return business("ACQ.INVALID_PARAMETER", "参数无效: out_trade_no 和 total_amount 必填")
        }
        var node = NodeContent(.success)
        node.add("out_trade_no", trade.outTradeNo)
        node.add("trade_no", trade.tradeNo)
        if method == "alipay.trade.precreate" { node.add("qr_code", "https://qr.alipay.com/sandbox\(trade.tradeNo.suffix(8))") }
        if method == "alipay.trade.app.pay" {
            // What the app SDK hands back to the app as `result` (docs/PROTOCOL.md §13).
            node.add("app_id", appID)
            node.add("auth_app_id", appID)
            node.add("charset", charset.canonicalName.lowercased())
            node.add("timestamp", BeijingTime.format(Date()))
            node.add("total_amount", trade.totalAmount)
            node.add("seller_id", "2088000000000001")
        }
        return .node(content: node.json, reason: "trade \(trade.outTradeNo) \(trade.status.rawValue)")
    }

    func page(method: String, biz: [String: String]) async throws -> Result {
        guard let trade = await newTrade(biz) else {
            return .page(html: Self.html("错误代码 invalid-parameter", "out_trade_no 和 total_amount 必填"), reason: "page pay without a trade")
        }
        let pay = "/sandbox/pay?out_trade_no=\(trade.outTradeNo.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        let body = "<p>\(Self.escaped(trade.subject)) — ¥\(Self.escaped(trade.totalAmount))</p>"
            + "<form method=\"post\" action=\"\(pay)\"><button type=\"submit\">确认付款 (pay)</button></form>"
        return .page(html: Self.html("支付宝 (local gateway) 收银台", body), reason: "cashier page for \(trade.outTradeNo)")
    }

    func pay(biz: [String: String]) async throws -> Result {
        guard let trade = await newTrade(biz) else {
            return business("ACQ.INVALID_PARAMETER", "参数无效: out_trade_no 和 total_amount 必填")
        }
        guard let paid = await gateway.settle(outTradeNo: trade.outTradeNo) else {
            return business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
        }
        var node = NodeContent(.success)
        node.add("trade_no", paid.tradeNo)
        node.add("out_trade_no", paid.outTradeNo)
        node.add("buyer_logon_id", paid.buyerLogonID)
        node.add("total_amount", paid.totalAmount)
        node.add("receipt_amount", paid.totalAmount)
        node.add("gmt_payment", paid.paid.map(BeijingTime.format))
        node.add("buyer_user_id", paid.buyerID)
        return .node(content: node.json, reason: "\(paid.outTradeNo) paid")
    }

    func find(_ biz: [String: String]) async -> Trade? {
        await gateway.trades.find(appID: appID, outTradeNo: biz["out_trade_no"], tradeNo: biz["trade_no"])
    }

    func query(biz: [String: String]) async throws -> Result {
        guard let trade = await find(biz) else { return business("ACQ.TRADE_NOT_EXIST", "交易不存在") }
        var node = NodeContent(.success)
        node.add("trade_no", trade.tradeNo)
        node.add("out_trade_no", trade.outTradeNo)
        node.add("buyer_logon_id", trade.buyerLogonID)
        node.add("trade_status", trade.status.rawValue)
        node.add("total_amount", trade.totalAmount)
        node.add("send_pay_date", trade.paid.map(BeijingTime.format))
        node.add("buyer_user_id", trade.buyerID)
        return .node(content: node.json, reason: "\(trade.outTradeNo) \(trade.status.rawValue)")
    }

    func close(biz: [String: String]) async throws -> Result {
        guard let trade = await find(biz) else { return business("ACQ.TRADE_NOT_EXIST", "交易不存在") }
        do {
            let closed = try await gateway.trades.close(trade)
            gateway.notify(closed)
            var node = NodeContent(.success)
            node.add("trade_no", closed.tradeNo)
            node.add("out_trade_no", closed.outTradeNo)
            return .node(content: node.json, reason: "\(closed.outTradeNo) closed")
        } catch {
            return business("ACQ.REASON_TRADE_STATUS_INVALID", "交易状态不合法")
        }
    }

    func refund(biz: [String: String]) async throws -> Result {
        guard let trade = await find(biz) else { return business("ACQ.TRADE_NOT_EXIST", "交易不存在") }
        guard let amount = biz["refund_amount"].flatMap({ Decimal(string: $0) }) else {
            return business("ACQ.INVALID_PARAMETER", "参数无效: refund_amount 必填")
        }
        do {
            let refunded = try await gateway.trades.refund(trade, amount: amount)
            var node = NodeContent(.success)
            node.add("trade_no", refunded.tradeNo)
            node.add("out_trade_no", refunded.outTradeNo)
            node.add("buyer_logon_id", refunded.buyerLogonID)
            node.add("fund_change", "Y")
            node.add("refund_fee", "\(refunded.refunded)")
            return .node(content: node.json, reason: "\(refunded.outTradeNo) refunded \(amount)")
        } catch TradeStore.Failure.amountTooLarge {
            return business("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
        } catch {
            return business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        }
    }

    func download(biz: [String: String]) -> Result {
        guard let certificate = gateway.configuration.alipayCertificate else {
            return business("CERT_NOT_EXIST", "应用未开通证书模式")
        }
        guard biz["alipay_cert_sn"] == certificate.sn else {
            return business("CERT_NOT_EXIST", "证书不存在")
        }
        var node = NodeContent(.success)
        node.add("alipay_cert_content", Data(certificate.pem).base64EncodedString())
        return .node(content: node.json, reason: "certificate \(certificate.sn) downloaded")
    }

    /// `alipay.offline.material.image.upload`: the text parameters `image_type` and `image_name` (signed) and the
    /// file part `image_content` (not signed; docs/PROTOCOL.md §11).
    func upload() async -> Result {
        guard let type = parameters["image_type"], !type.isEmpty, let name = parameters["image_name"], !name.isEmpty else {
            return .node(
                content: NodeContent(.missing, subCode: "isv.missing-parameter", subMessage: "缺少必选参数 image_type, image_name").json,
                reason: "upload without image_type or image_name")
        }
        guard let image = files.first(where: { $0.name == "image_content" }), !image.body.isEmpty else {
            return .node(
                content: NodeContent(.missing, subCode: "isv.missing-parameter", subMessage: "缺少必选参数 image_content").json,
                reason: "upload without the file part image_content")
        }
        let id = await gateway.trades.nextImageID()
        var node = NodeContent(.success)
        node.add("image_id", id)
        node.add("image_url", "https://oalipay-dl-django.alicdn.com/sandbox/\(id).\(type)")
        return .node(content: node.json, reason: "image \(name) uploaded: \(image.body.count) bytes, \(image.filename ?? "")")
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func html(_ title: String, _ body: String) -> String {
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>\(escaped(title))</title></head><body><h1>\(escaped(title))</h1>\(body)</body></html>"
    }
}

extension V2Gateway {
    /// Pays a trade waiting for its buyer, and notifies the merchant; `nil` when it cannot be paid.
    @discardableResult
    func settle(outTradeNo: String) async -> Trade? {
        guard let trade = await trades.find(outTradeNo: outTradeNo) else { return nil }
        if trade.status == .success { return trade }
        guard let paid = try? await trades.pay(trade) else { return nil }
        notify(paid)
        return paid
    }

    /// Delivers a trade's notification in the background (with its retries).
    func notify(_ trade: Trade) {
        guard trade.notifyURL != nil else { return }
        let notifier = self.notifier
        Task { await notifier.deliver(trade) }
    }
}
