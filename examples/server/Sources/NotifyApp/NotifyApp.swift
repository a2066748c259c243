import AlipaySign
import Foundation
import Hummingbird

/// What the application needs, parsed once at start-up: keys are immutable and shared by every request.
public struct NotifyAppConfiguration: Sendable {
    /// Verifies Alipay's notifications (Alipay's public key, never the app's).
    public let notifications: NotificationVerifier
    /// Signs the app's gateway calls (the app's private key).
    public let signer: Signer
    /// The app's ID: a notification for another app is refused even when its signature verifies.
    public let appID: String

    /// - Parameters:
    ///   - alipayPublicKey: Alipay's public key.
    ///   - appPrivateKey: the app's private key.
    ///   - appID: the app's ID.
    /// - Throws: `AlipaySignError` when a key cannot be used.
    public init(alipayPublicKey: PublicKey, appPrivateKey: PrivateKey, appID: String) throws {
        notifications = try NotificationVerifier(publicKey: alipayPublicKey)
        signer = try Signer(privateKey: appPrivateKey)
        self.appID = appID
    }
}

/// The orders the application knows, updated only from verified notifications.
public actor Orders {
    /// The last `trade_status` Alipay reported for each `out_trade_no`.
    public private(set) var status: [String: String] = [:]

    public init() {}

    func record(outTradeNo: String, status: String) { self.status[outTradeNo] = status }
}

/// A signed `alipay.trade.query`, as it would be sent: the gateway URL with its query, and the form body.
struct GatewayCall: ResponseEncodable {
    let url: String
    let formBody: String
    let signedContent: String
}

/// The routes:
/// - `POST /alipay/notify`: Alipay's asynchronous notification. The raw body is verified; the answer is exactly
///   `success` (Alipay stops resending) or `fail` (it resends later).
/// - `POST /orders/{outTradeNo}/query`: signs the `alipay.trade.query` for an order and returns what to send.
public func buildRouter(configuration: NotifyAppConfiguration, orders: Orders) -> Router<BasicRequestContext> {
    let router = Router()
    router.post("/alipay/notify") { request, context -> String in
        // The raw bytes, never a framework's decoding of them: a GBK body decoded as UTF-8 would not verify.
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        let verification: NotificationVerification
        do {
            verification = try configuration.notifications.verify(formBody: body.readableBytesView)
        } catch let error as AlipaySignError {
            context.logger.warning("not a notification: \(error.reason)")
            return "fail"
        }
        switch verification {
        case .valid(let notification):
            // Only the verified parameters, decoded once in the notification's charset.
            let parameters = notification.parameters
            guard parameters["app_id"] == configuration.appID else {
                context.logger.warning("a verified notification for another app: \(parameters["app_id"] ?? "none")")
                return "fail"
            }
            if let outTradeNo = parameters["out_trade_no"], let status = parameters["trade_status"] {
                await orders.record(outTradeNo: outTradeNo, status: status)
                context.logger.info("order \(outTradeNo): \(status) (\(notification.version.rawValue), \(notification.charset))")
            } else {
                context.logger.info("notification \(parameters["notify_type"] ?? "?") (\(notification.version.rawValue))")
            }
            return "success"
        case .invalid(let failure):
            let why = failure.diagnosis.map { "it verifies only as \($0.contentVariant), \($0.signType), \($0.charset), key of \($0.keyRole)" }
                ?? "no known variant verifies"
            context.logger.warning("a notification whose signature does not verify: \(why)")
            return "fail"
        }
    }
    router.post("/orders/{outTradeNo}/query") { _, context -> GatewayCall in
        let outTradeNo = try context.parameters.require("outTradeNo")
        let signed = try configuration.signer.signRequest([
            "app_id": configuration.appID, "method": "alipay.trade.query", "format": "JSON", "charset": "utf-8",
            "sign_type": "RSA2", "timestamp": beijingTimestamp(), "version": "1.0",
            "biz_content": #"{"out_trade_no":"\#(outTradeNo.filter { $0.isLetter || $0.isNumber })"}"#,
        ])
        return GatewayCall(
            url: "https://openapi.alipay.com/gateway.do?" + signed.query, formBody: signed.formBody,
            signedContent: signed.content)
    }
    return router
}

/// The application, listening on `host:port`.
public func buildApplication(
    configuration: NotifyAppConfiguration, orders: Orders = Orders(), host: String = "127.0.0.1", port: Int = 8080
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(configuration: configuration, orders: orders),
        configuration: .init(address: .hostname(host, port: port)))
}

/// `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8), as the gateway expects `timestamp` whatever the server's zone.
func beijingTimestamp(_ date: Date = Date()) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return formatter.string(from: date)
}
