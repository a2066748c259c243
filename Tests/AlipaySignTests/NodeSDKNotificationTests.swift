@_spi(AlipaySignTools) import AlipaySign
import Testing
import VectorSupport

/// Real Alipay-signed notifications from the official Node SDK's tests (vectors/alipay-sdk).
struct NodeSDKNotificationTests {
    @Test(arguments: Vectors.nodeSDKNotifications.map(\.name))
    func realNotification(name: String) throws {
        let c = try #require(Vectors.nodeSDKNotifications.first { $0.name == name })
        let key = try PublicKey(parsing: try Vectors.bytes("alipay-sdk/\(c.public)"))
        let verifier = try NotificationVerifier(publicKey: key)
        let fromParameters = try verifier.verify(parameters: c.parameters)
        #expect(fromParameters.isValid == c.valid)
        #expect(fromParameters.version?.rawValue == c.mode)
        let fromBody = try verifier.verify(formBody: Array(c.body.utf8))
        #expect(fromBody.summary == fromParameters.summary)
    }
}
