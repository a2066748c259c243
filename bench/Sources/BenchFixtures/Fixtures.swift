import AlipaySign
import Foundation

/// The inputs of every benchmark: a 2048-bit key from vectors/, a typical 10-parameter request, and a signed
/// trade notification body.
public struct Fixtures: Sendable {
    public let privateKey: PrivateKey
    public let publicKey: PublicKey
    public let signer: Signer
    public let verifier: SignatureVerifier
    public let notificationVerifier: NotificationVerifier
    public let request: [String: String]
    public let requestContent: [UInt8]
    public let requestSignature: [UInt8]
    public let notificationBody: [UInt8]
    /// From vectors/alipay/notifications.json: a GBK notification (V1) and a V2 one (two RSA verifications).
    public let gbkNotificationBody: [UInt8]
    public let v2NotificationBody: [UInt8]
    /// Certificate mode: an app certificate's PEM, Alipay's 4-certificate root bundle, a parsed Alipay chain
    /// (leaf + intermediate) with its parsed roots, and an instant at which the chain was valid.
    public let appCertificatePEM: [UInt8]
    public let rootBundlePEM: [UInt8]
    public let alipayChain: [AlipayCertificate]
    public let roots: [AlipayCertificate]
    public let validInstant: Date
    public let registry: AlipayPublicKeyRegistry
    /// Signed `alipay.trade.query` responses of about 1 KB and 1 MB, and a verifier for them.
    public let smallResponse: [UInt8]
    public let largeResponse: [UInt8]
    public let responseVerifier: ResponseVerifier
    /// v3: a signer, the header it makes for a POST with a JSON body, and verifiers for requests and responses.
    public let v3Signer: V3Signer
    public let v3Header: String
    public let v3Body: [UInt8]
    public let v3RequestVerifier: V3RequestVerifier
    /// v3 responses: a verifier (this key standing in for Alipay's), headers and a body it signed.
    public let v3ResponseVerifier: V3ResponseVerifier
    public let v3ResponseHeaders: V3ResponseVerifier.Headers
    public let v3ResponseBody: [UInt8]
    /// RSA-1024 (legacy) signer and verifier over the same content, for the rsa1024 line of openssl speed.
    public let signer1024: Signer
    public let verifier1024: SignatureVerifier
    public let signature1024: [UInt8]

    public init() throws {
        let vectors = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("vectors/alipay/keys")
        let certificates = vectors.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("certificates/alipay")
        func read(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: certificates.appendingPathComponent(name))) }
        appCertificatePEM = try read("node/appCertPublicKey_2021001161683774.crt")
        rootBundlePEM = try read("node/alipayRootCert.crt")
        alipayChain = try CertificateFile(parsing: try read("dotnet/alipayCertPublicKey_RSA2.crt")).certificates
        roots = try CertificateFile(parsing: try read("dotnet/alipayRootCert.crt")).certificates
        validInstant = Date(timeIntervalSince1970: 1_654_041_600)  // 2022-06-01, inside the chain's validity
        var registry = AlipayPublicKeyRegistry()
        try registry.add(certificateFile: try read("dotnet/alipayCertPublicKey_RSA2.crt"))
        try registry.add(certificateFile: try read("node/alipayCertPublicKey_RSA2.crt"))
        self.registry = registry
        privateKey = try PrivateKey(parsing: [UInt8](try Data(contentsOf: vectors.appendingPathComponent("rsa2048-pkcs8.pem"))))
        publicKey = privateKey.publicKey
        signer = try Signer(privateKey: privateKey)
        verifier = try SignatureVerifier(publicKey: publicKey)
        notificationVerifier = try NotificationVerifier(publicKey: publicKey)
        request = [
            "app_id": "2021000000000001", "method": "alipay.trade.precreate", "format": "JSON", "charset": "utf-8",
            "sign_type": "RSA2", "timestamp": "2026-11-22 10:00:00", "version": "1.0",
            "notify_url": "https://merchant.example/alipay/notify", "app_auth_token": "202611BB1234567890abcdef",
            "biz_content": #"{"out_trade_no":"20261122100000001","total_amount":"88.88","subject":"测试商品 Iphone6 16G","timeout_express":"90m"}"#,
        ]
        smallResponse = try Self.response(items: 8, signer: signer)
        largeResponse = try Self.response(items: 11_000, signer: signer)
        responseVerifier = try ResponseVerifier(publicKey: publicKey)
        v3Signer = try V3Signer(privateKey: privateKey, appID: "2021004100000001")
        v3Body = Array(#"{"display_name":"测试生活号","account_type":"PUBLIC","logo_url":"https://example.com/a.png"}"#.utf8)
        v3Header = try v3Signer.sign(
            method: "POST", requestURI: "/v3/alipay/open/public/account/create", body: v3Body,
            nonce: "5f0b7a2e-8c1d-4e6f-9a3b-2c4d6e8f0a1b", timestamp: 1_763_805_600_000).header
        v3RequestVerifier = try V3RequestVerifier(publicKey: publicKey)
        v3ResponseBody = Array(#"{"user_id":"2088102000000001","display_name":"测试生活号","status":"ONLINE"}"#.utf8)
        let v3Signature = try signer.signature(
            for: Array("1795312800123\nb3f5a1c2d4e6\n".utf8) + v3ResponseBody + [0x0A])
        v3ResponseHeaders = V3ResponseVerifier.Headers(
            timestamp: "1795312800123", nonce: "b3f5a1c2d4e6", signature: Data(v3Signature).base64EncodedString())
        v3ResponseVerifier = try V3ResponseVerifier(publicKey: publicKey)
        let key1024 = try PrivateKey(
            parsingAllowingWeakKey: [UInt8](try Data(contentsOf: vectors.appendingPathComponent("rsa1024-pkcs8.pem"))))
        signer1024 = try Signer(privateKey: key1024)
        verifier1024 = try SignatureVerifier(publicKey: key1024.publicKey)
        requestContent = SignContent.utf8Bytes(request)
        requestSignature = try signer.signature(for: requestContent)
        signature1024 = try signer1024.signature(for: requestContent)
        var notification: [String: String] = [
            "gmt_create": "2026-11-22 10:00:05", "charset": "utf-8", "notify_type": "trade_status_sync",
            "notify_id": "2026112200222100005012345678", "notify_time": "2026-11-22 10:00:06",
            "trade_status": "TRADE_SUCCESS", "app_id": "2021000000000001", "out_trade_no": "20261122100000001",
            "trade_no": "2026112222001400001234567890", "total_amount": "88.88", "subject": "测试商品 Iphone6 16G",
            "fund_bill_list": #"[{"amount":"88.88","fundChannel":"ALIPAYACCOUNT"}]"#, "version": "1.0",
            "sign_type": "RSA2",
        ]
        notification["sign"] = try signer.sign(content: SignContent.build(notification, mode: .notifyV1))
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        notificationBody = Array(notification.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&").utf8)
        guard try notificationVerifier.verify(formBody: notificationBody).isValid else {
            throw CocoaError(.coderInvalidValue)
        }
        struct Cases: Decodable {
            struct Case: Decodable { let name: String; let body: String }
            let cases: [Case]
        }
        let cases = try JSONDecoder().decode(
            Cases.self, from: try Data(contentsOf: vectors.deletingLastPathComponent().appendingPathComponent("notifications.json"))
        ).cases
        func body(_ name: String) throws -> [UInt8] {
            guard let c = cases.first(where: { $0.name == name }) else { throw CocoaError(.coderValueNotFound) }
            return Array(c.body.utf8)
        }
        gbkNotificationBody = try body("GBK notification signed V1 over GBK bytes")
        v2NotificationBody = try body("servicemarket message signed V2 (UTF-8)")
        for b in [gbkNotificationBody, v2NotificationBody] where try !notificationVerifier.verify(formBody: b).isValid {
            throw CocoaError(.coderInvalidValue)
        }
    }

    static func response(items: Int, signer: Signer) throws -> [UInt8] {
        var node = #"{"code":"10000","msg":"Success","trade_no":"2026112222001400001234567890","out_trade_no":"20261122100000001","buyer_logon_id":"159****5620","total_amount":"88.88","receipt_amount":"88.88","subject":"测试商品 Iphone6 16G","fund_bill_list":["#
        for i in 0..<items {
            if i > 0 { node += "," }
            node += #"{"amount":"0.01","fund_channel":"ALIPAYACCOUNT","memo":"第\#(i)笔 \"quoted\" {braces} http:\/\/x"}"#
        }
        node += "]}"
        let signature = try signer.sign(content: node)
        return Array(#"{"alipay_trade_query_response":\#(node),"sign":"\#(signature)"}"#.utf8)
    }
}
