import AlipaySign
import Foundation
import Hummingbird
import NotifyApp

// The keys and the app's ID come from the environment, so that no key is ever in the code:
//   ALIPAY_PUBLIC_KEY_FILE  Alipay's public key (PEM or bare base64)
//   APP_PRIVATE_KEY_FILE    the app's private key
//   APP_ID                  the app's ID
//   PORT                    default 8080
let environment = ProcessInfo.processInfo.environment
func file(_ name: String) throws -> String {
    guard let path = environment[name] else {
        FileHandle.standardError.write(Data("set \(name)\n".utf8))
        exit(64)
    }
    return try String(contentsOfFile: path, encoding: .utf8)
}
let configuration = try NotifyAppConfiguration(
    alipayPublicKey: try PublicKey(parsing: file("ALIPAY_PUBLIC_KEY_FILE")),
    appPrivateKey: try PrivateKey(parsing: file("APP_PRIVATE_KEY_FILE")),
    appID: environment["APP_ID"] ?? "2021000000000001")
let app = buildApplication(configuration: configuration, port: Int(environment["PORT"] ?? "") ?? 8080)
try await app.runService()
