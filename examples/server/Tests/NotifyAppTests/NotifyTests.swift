import AlipaySign
import Foundation
import Hummingbird
import HummingbirdTesting
import NotifyApp
import Testing

/// The example server against real inputs: a notification signed by Alipay itself (from the official Node SDK's
/// tests), the same one altered, and a payment notification signed by the example Alipay key (made with Python
/// `cryptography`, examples/make-examples.py).
@Suite struct NotifyTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../").standardized

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: examples.appendingPathComponent(path)))
    }

    static func text(_ path: String) throws -> String { String(decoding: try bytes(path), as: UTF8.self) }

    /// A body kept in a text file, without the file's final line break (an HTTP body has none).
    static func body(_ path: String) throws -> [UInt8] {
        var b = try bytes(path)
        while b.last == 0x0A || b.last == 0x0D { b.removeLast() }
        return b
    }

    static func post(_ app: some ApplicationProtocol, _ body: [UInt8]) async throws -> String {
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/alipay/notify", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded; charset=utf-8"],
                body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .ok)
                return String(buffer: response.body)
            }
        }
    }

    @Test func realAlipayNotificationIsAcknowledgedAndATamperedOneIsNot() async throws {
        let configuration = try NotifyAppConfiguration(
            alipayPublicKey: PublicKey(parsing: Self.text("keys/alipay-real-notify-public-key.pem")),
            appPrivateKey: PrivateKey(parsing: Self.text("keys/app-private-key.pem")), appID: "2017122801303261")
        let app = buildApplication(configuration: configuration)
        #expect(try await Self.post(app, Self.body("notify-real-alipay.txt")) == "success")
        #expect(try await Self.post(app, Self.body("notify-tampered.txt")) == "fail")
        #expect(try await Self.post(app, Array("not a form %ZZ".utf8)) == "fail")
    }

    @Test func paymentNotificationUpdatesTheOrderFromVerifiedParameters() async throws {
        let configuration = try NotifyAppConfiguration(
            alipayPublicKey: PublicKey(parsing: Self.text("keys/alipay-public-key.pem")),
            appPrivateKey: PrivateKey(parsing: Self.text("keys/app-private-key.pem")), appID: "2021000000000001")
        let orders = Orders()
        let app = buildApplication(configuration: configuration, orders: orders)
        let body = String(decoding: try Self.body("notify-trade.txt"), as: UTF8.self)
        #expect(try await Self.post(app, Array(body.utf8)) == "success")
        #expect(await orders.status["20261122100000001"] == "TRADE_SUCCESS")
        // The amount altered after signing: refused, and the order is not touched by it.
        let altered = body.replacingOccurrences(of: "total_amount=88.88", with: "total_amount=0.01")
        #expect(altered != body)
        let other = try NotifyAppConfiguration(
            alipayPublicKey: PublicKey(parsing: Self.text("keys/alipay-public-key.pem")),
            appPrivateKey: PrivateKey(parsing: Self.text("keys/app-private-key.pem")), appID: "2021000000000002")
        #expect(try await Self.post(app, Array(altered.utf8)) == "fail")
        // A valid notification for another app ID is refused too.
        #expect(try await Self.post(buildApplication(configuration: other), Array(body.utf8)) == "fail")
    }

    @Test func gatewayCallIsSignedAndEncodedAsTheJavaSDKSendsIt() async throws {
        let configuration = try NotifyAppConfiguration(
            alipayPublicKey: PublicKey(parsing: Self.text("keys/alipay-public-key.pem")),
            appPrivateKey: PrivateKey(parsing: Self.text("keys/app-private-key.pem")), appID: "2021000000000001")
        let app = buildApplication(configuration: configuration)
        let call = try await app.test(.router) { client in
            try await client.execute(uri: "/orders/20261122100000001/query", method: .post) { response in
                #expect(response.status == .ok)
                return try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: String] ?? [:]
            }
        }
        let url = try #require(call["url"])
        let query = try #require(url.split(separator: "?", maxSplits: 1).last)
        // What the gateway would do: decode the query and the body once, and verify with the app's public key.
        var parameters = try FormBody.decode(Array(query.utf8)).parameters
        parameters.merge(try FormBody.decode(Array((call["formBody"] ?? "").utf8)).parameters) { a, _ in a }
        let verifier = try RequestVerifier(publicKey: PublicKey(parsing: Self.text("keys/app-public-key.pem")))
        switch try verifier.verify(parameters: parameters) {
        case .valid(let request):
            #expect(request.parameters["biz_content"] == #"{"out_trade_no":"20261122100000001"}"#)
            #expect(request.content == call["signedContent"])
        case .invalid:
            Issue.record("the gateway call does not verify with the app's public key")
        }
    }
}
