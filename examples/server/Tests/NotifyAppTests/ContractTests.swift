import AlipaySign
import Foundation
import Testing

/// The library's verified-value contract, written as a user outside the repository writes it: only AlipaySign's
/// public API, from a package that depends on it by path.
@Suite struct ContractTests {
    static let examples = NotifyTests.examples

    @Test func notificationContract() throws {
        let alipayKey = try PublicKey(parsing: NotifyTests.text("keys/alipay-public-key.pem"))
        let bytes = try NotifyTests.body("notify-trade.txt")
        let verifier = try NotificationVerifier(publicKey: alipayKey)
        switch try verifier.verify(formBody: bytes) {
        case .valid(let n):
            let parameters: [String: String] = n.parameters
            #expect(parameters["out_trade_no"] == "20261122100000001")
            #expect(n.version == .v1)
            let charset: Charset = n.charset
            #expect(charset == .utf8)
            let signed: [UInt8] = n.signedContent
            #expect(!signed.isEmpty)
        case .invalid(let failure):
            Issue.record("a notification signed by the example key did not verify: \(String(describing: failure.diagnosis))")
        }
        // Signed by the app's key instead of Alipay's: invalid, and the diagnosis says so when given the app key.
        let appKey = try PrivateKey(parsing: NotifyTests.text("keys/app-private-key.pem"))
        var parameters = try FormBody.decode(bytes).parameters
        parameters["sign"] = nil
        parameters["sign_type"] = nil
        let wrong = try Signer(privateKey: appKey).sign(content: SignContent.build(parameters, mode: .notifyV1))
        parameters["sign"] = wrong
        parameters["sign_type"] = "RSA2"
        guard case .invalid(let failure) = try verifier.verify(parameters: parameters) else {
            Issue.record("a notification signed with the wrong key verified")
            return
        }
        let diagnosis: Diagnosis? = failure.diagnosis
        #expect(diagnosis == nil)  // not with Alipay's key, in any variant
        let appPublic = try PublicKey(parsing: NotifyTests.text("keys/app-public-key.pem"))
        let withAppKey = try verifier.diagnose(parameters: parameters, otherKeys: [DiagnosticKey(appPublic, role: .app)])
        #expect(withAppKey?.keyRole == .app)
        #expect(withAppKey?.contentVariant == .notificationV1)
    }

    @Test func responseContract() throws {
        let alipayKey = try PublicKey(parsing: NotifyTests.text("keys/alipay-real-response-public-key.pem"))
        let body = try NotifyTests.bytes("response-real-alipay.json")
        let responses = try ResponseVerifier(publicKey: alipayKey)
        switch try responses.verify(body, method: "alipay.open.file.upload") {
        case .valid(let r):
            #expect(r.content == #"{"code":"10000","msg":"Success","file_id":"CAxAToWB1JsAAAAAAAAAAAAADgSLAQBr"}"#)
            #expect(r.node == "alipay_open_file_upload_response")
            #expect(r.code == "10000")
            #expect(r.subCode == nil)
            #expect(r.plaintext == nil)
            #expect(r.certificateSN == nil)
            #expect(!r.slashesUnescaped)
        default:
            Issue.record("the real Alipay response did not verify")
        }
        var tampered = body
        tampered[tampered.firstIndex(of: UInt8(ascii: "S"))!] = UInt8(ascii: "s")
        guard case .invalid(let u) = try responses.verify(tampered, method: "alipay.open.file.upload") else {
            Issue.record("a tampered response was not invalid")
            return
        }
        #expect(u.unverifiedContent.contains("success"))
    }
}
