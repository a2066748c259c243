import Foundation

/// Paths and loaders for the committed vectors (`vectors/` at the package root), shared by the library tests
/// and the CLI tests so that each vector file's schema is declared once.
public enum Vectors {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("vectors")

    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    public static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relative)))
    }

    public static func load<T: Decodable>(_ type: T.Type, _ relative: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: root.appendingPathComponent(relative)))
    }

    /// Loads a vector file for use as test arguments, where a failure can only stop the run.
    public static func fixture<T: Decodable>(_ type: T.Type, _ relative: String) -> T {
        do { return try load(type, relative) } catch { fatalError("vectors/\(relative): \(error)") }
    }

    public static let keys = fixture(KeyIndex.self, "alipay/keys.json")
    public static let content = fixture(ContentFile.self, "alipay/content.json")
    public static let signatures = fixture(SignatureFile.self, "alipay/signatures.json").cases
    public static let notifications = fixture(NotificationFile.self, "alipay/notifications.json").cases
    public static let certificates = fixture(CertificateVectors.self, "certificates/certificates.json")
    public static let responses = fixture(ResponseVectors.self, "responses/responses.json")
    public static let v3 = fixture(V3Vectors.self, "v3/v3.json")
    public static let captures = fixture(CaptureExpectations.self, "captures/expected.json")
    public static let rotation = fixture(RotationVectors.self, "rotation/downloads.json")
    public static let sm2 = fixture(SM2Vectors.self, "sm2/sm2.json")
    public static let nodeSDKNotifications =
        fixture(NodeSDKNotificationFile.self, "alipay-sdk/node-sdk-notifications.json").cases
}

extension Array where Element == UInt8 {
    public init(hex: String) {
        var out: [UInt8] = []
        var it = hex.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: preconditionFailure("bad hex in a vector file")
            }
        }
        while let a = it.next(), let b = it.next() { out.append(nibble(a) << 4 | nibble(b)) }
        self = out
    }
}
