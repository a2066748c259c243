import AlipaySign
import Testing

/// Real Alipay-signed notifications from the official Node SDK's tests (vectors/alipay-sdk).
struct NodeSDKNotificationTests {
    struct File: Decodable {
        struct Case: Decodable {
            let name: String
            let `public`: String
            let parameters: [String: String]
            let body: String
            let valid: Bool
            let mode: String?
        }
        let cases: [Case]
    }

    static let file: File = {
        do { return try Vectors.load(File.self, "alipay-sdk/node-sdk-notifications.json") } catch { fatalError("\(error)") }
    }()

    @Test(arguments: file.cases.map(\.name))
    func realNotification(name: String) throws {
        let c = try #require(Self.file.cases.first { $0.name == name })
        let key = try PublicKey(parsing: try Vectors.bytes("alipay-sdk/\(c.public)"))
        let verifier = try NotificationVerifier(publicKey: key)
        let fromParameters = try verifier.verify(parameters: c.parameters)
        #expect(fromParameters.isValid == c.valid)
        #expect(fromParameters.version?.rawValue == c.mode)
        let fromBody = try verifier.verify(formBody: Array(c.body.utf8))
        #expect(fromBody == fromParameters)
    }
}
