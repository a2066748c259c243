import AlipaySign
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Sends Alipay's asynchronous notifications to a trade's `notify_url`, signed as Alipay signs them (V1, in the
/// request's charset, `alipay_cert_sn` alongside in certificate mode), and retries on a compressed schedule until
/// the merchant answers exactly `success` (Alipay retries over 25 hours; docs/PROTOCOL.md §12).
struct Notifier: Sendable {
    let signers: [Charset: Signer]
    let certificateSN: String?
    let faults: Set<GatewayFault>
    let retrySeconds: [Double]
    let recorder: Recorder?
    let logger: Logger

    init(configuration: GatewayConfiguration, recorder: Recorder?, logger: Logger) throws {
        var signers: [Charset: Signer] = [:]
        for charset in [Charset.utf8, .gbk, .gb18030] {
            signers[charset] = try Signer(privateKey: configuration.alipayPrivateKey, signType: configuration.signType, charset: charset)
        }
        self.signers = signers
        self.certificateSN = configuration.alipayCertificate?.sn
        self.faults = configuration.faults
        self.retrySeconds = configuration.notifyRetrySeconds
        self.recorder = recorder
        self.logger = logger
    }

    /// The notification's parameters and form body for a trade's current state.
    func notification(for trade: Trade, now: Date = Date()) throws -> (parameters: [String: String], body: [UInt8], charset: Charset) {
        var charset = (try? Charset(name: trade.charset)) ?? .utf8
        if faults.contains(.notifyGBK) { charset = .gbk }
        var p: [String: String] = [
            "notify_time": BeijingTime.format(now), "notify_type": "trade_status_sync",
            "notify_id": UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""),
            "app_id": trade.appID, "auth_app_id": trade.appID, "charset": charset.canonicalName.lowercased(),
            "version": "1.0", "sign_type": "RSA2", "trade_no": trade.tradeNo, "out_trade_no": trade.outTradeNo,
            "trade_status": trade.status.rawValue, "total_amount": trade.totalAmount, "subject": trade.subject,
            "buyer_id": trade.buyerID, "buyer_logon_id": trade.buyerLogonID,
            "gmt_create": BeijingTime.format(trade.created),
        ]
        if let paid = trade.paid {
            p["gmt_payment"] = BeijingTime.format(paid)
            p["receipt_amount"] = trade.totalAmount
        }
        if trade.refunded > 0 { p["refund_fee"] = "\(trade.refunded)" }
        // V1: sign and sign_type left out (payment notifications); V2 keeps sign_type (the notify-v2 fault).
        let content = SignContent.build(p, mode: faults.contains(.notifyV2) ? .notifyV2 : .notifyV1)
        var sign = try (signers[charset] ?? signers[.utf8]!).sign(content: content)
        if faults.contains(.notifyBadSign) { sign = ResponseWriter.altered(sign) }
        p["sign"] = sign
        if let certificateSN { p["alipay_cert_sn"] = certificateSN }  // not signed
        let body = SignedRequest.encode(p.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, charset: charset)
        return (p, Array(body.utf8), charset)
    }

    /// Delivers a trade's notification, retrying until the merchant answers `success` or the schedule ends.
    func deliver(_ trade: Trade) async {
        guard let url = trade.notifyURL else { return }
        let message: (parameters: [String: String], body: [UInt8], charset: Charset)
        do {
            message = try notification(for: trade)
        } catch {
            logger.error("notification for \(trade.outTradeNo) not signed: \(error)")
            return
        }
        let contentType = "application/x-www-form-urlencoded; charset=\(message.charset.canonicalName.lowercased())"
        for attempt in 0...retrySeconds.count {
            if attempt > 0 { try? await Task.sleep(for: .gatewayDelay(seconds: retrySeconds[attempt - 1])) }
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: message.body))
            let started = Date()
            var status = 0
            var answer: [UInt8] = []
            var failure: String?
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                status = Int(response.status.code)
                let buffer = try await response.body.collect(upTo: 64 * 1024)
                answer = Array(buffer.readableBytesView)
            } catch {
                failure = "the endpoint could not be reached: \(error)"
            }
            let text = String(decoding: answer, as: UTF8.self)
            if failure == nil {
                if status != 200 {
                    failure = "HTTP \(status)"
                } else if text != "success" {
                    failure = text.trimmingCharacters(in: .whitespacesAndNewlines) == "success"
                        ? "answered \(Self.quoted(text)): exactly 'success' is required, without white space"
                        : "answered \(Self.quoted(text)), not 'success'"
                }
            }
            await recorder?.record(
                time: started, method: "POST", url: url,
                request: .init(headers: [("Content-Type", contentType)], body: message.body), status: status,
                response: failure?.hasPrefix("the endpoint") == true ? nil : .init(headers: [], body: answer))
            let what = "notification \(trade.outTradeNo) \(trade.status.rawValue) to \(url), attempt \(attempt + 1)"
            guard let failure else {
                logger.info("\(what): the merchant answered success")
                return
            }
            let next = attempt < retrySeconds.count ? "; retrying in \(retrySeconds[attempt]) s" : "; no more retries"
            logger.warning("\(what): \(failure)\(next)")
        }
    }

    static func quoted(_ text: String) -> String {
        let shown = text.count > 60 ? String(text.prefix(60)) + "…" : text
        return "'" + shown.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r") + "'"
    }
}
