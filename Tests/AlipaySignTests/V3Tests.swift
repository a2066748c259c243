import AlipaySign
import Foundation
import Testing
import VectorSupport

/// The v3 protocol against vectors/v3 (content and headers built from docs/PROTOCOL.md §6 and signed by Python
/// `cryptography`).
@Suite struct V3Tests {
    static let vectors = Vectors.v3
    static func key(_ path: String) -> PublicKey {
        do { return try PublicKey(parsing: Vectors.bytes(path)) } catch { fatalError("\(error)") }
    }

    @Test(arguments: vectors.requests.filter { $0.expected == "valid" })
    func signingMatchesCryptography(_ v: V3Vectors.Request) throws {
        let signer = try V3Signer(
            privateKey: PrivateKey(parsing: Vectors.bytes("alipay/keys/other2048-pkcs8.pem")), appID: "2021004100000001",
            appCertSN: v.app_cert_sn)
        let signed = try signer.sign(
            method: v.method, requestURI: v.uri, body: Array(v.body.utf8), appAuthToken: v.app_auth_token,
            extraAuthFields: v.extra.map { ($0[0], $0[1]) }, nonce: v.nonce, timestamp: Int64(v.timestamp))
        #expect(String(decoding: signed.content, as: UTF8.self) == v.content || v.name.contains("Postman"), "\(v)")
        if !v.name.contains("Postman") { #expect(signed.header == v.authorization, "\(v)") }
    }

    @Test(arguments: vectors.requests)
    func requestVerification(_ v: V3Vectors.Request) throws {
        let verifier = try V3RequestVerifier(publicKey: Self.key(Self.vectors.app_public_key))
        let r = try verifier.verify(
            authorization: v.authorization, method: v.method, requestURI: v.uri, body: Array(v.body.utf8),
            appAuthToken: v.app_auth_token)
        #expect(r.status.rawValue == v.expected, "\(v)")
        if case .valid(let verified) = r { #expect(String(decoding: verified.content, as: UTF8.self) == v.content) }
        var diagnosis: V3RequestDiagnosis?
        if case .invalid(let failure) = r { diagnosis = failure.diagnosis }
        if let line = v.diagnosis_line {
            #expect(diagnosis?.line == line, "\(v): \(diagnosis?.explanation ?? "no diagnosis")")
            #expect(diagnosis?.explanation.hasPrefix("line \(line) ") == true, "\(v)")
        } else if v.expected == "invalid" {
            #expect(diagnosis == nil, "\(v): \(diagnosis?.explanation ?? "")")
        }
    }

    @Test func freshnessWindow() throws {
        let v = try #require(Self.vectors.requests.first)
        let verifier = try V3RequestVerifier(publicKey: Self.key(Self.vectors.app_public_key))
        let signedAt = Date(timeIntervalSince1970: 1_763_805_600)
        func status(_ seconds: Double) throws -> V3RequestVerifier.Status {
            try verifier.verify(
                authorization: v.authorization, method: v.method, requestURI: v.uri, body: Array(v.body.utf8),
                maxAge: 300, now: signedAt.addingTimeInterval(seconds)).status
        }
        #expect(try status(299) == .valid)
        #expect(try status(301) == .stale)
        #expect(try status(-301) == .stale)
        // A window that is not a number of seconds fails closed: stale, however close the timestamp.
        for window in [Double.nan, -1] {
            let r = try verifier.verify(
                authorization: v.authorization, method: v.method, requestURI: v.uri, body: Array(v.body.utf8),
                maxAge: window, now: signedAt)
            #expect(r.status == .stale, "\(window)")
        }
    }

    @Test func authorizationHeaderParsing() throws {
        let a = try V3Authorization(parsing: "Authorization: ALIPAY-SHA256withRSA timestamp=1,x=a=b=,app_id=9,nonce=n,sign=AB+/==")
        #expect(a.authString == "timestamp=1,x=a=b=,app_id=9,nonce=n")
        #expect(a.signature == "AB+/==")
        #expect(a.value(of: "x") == "a=b=")
        #expect(a.timestamp == 1)
        #expect(try V3Authorization(parsing: "ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=2").signature == nil)
        // White space after a comma: read past for the fields, kept in the auth string as sent.
        let spaced = try V3Authorization(parsing: "ALIPAY-SHA256withRSA app_id=1, nonce=n,  timestamp=2, sign=AB==")
        #expect(spaced.appID == "1" && spaced.nonce == "n" && spaced.timestamp == 2 && spaced.signature == "AB==")
        #expect(spaced.authString == "app_id=1, nonce=n,  timestamp=2")
        #expect(spaced.hasSpaceAfterComma && !a.hasSpaceAfterComma)
        let bad: [(String, String)] = [
            ("", "empty"), ("ALIPAY-SHA256withRSA", "no fields"), ("Bearer abc", "scheme 'Bearer'"),
            ("alipay-sha256withrsa app_id=1,nonce=n,timestamp=1", "case-sensitive"),
            ("ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=12:00", "milliseconds"),
            ("ALIPAY-SHA256withRSA app_id=1,nonce=n", "no timestamp"),
            ("ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=1,garbage", "without a name"),
            ("ALIPAY-SHA256withRSA app_id=1,app_id=2,nonce=n,timestamp=1", "twice"),
        ]
        for (header, mention) in bad {
            do {
                _ = try V3Authorization(parsing: header)
                Issue.record("\(header): accepted")
            } catch let error as AlipaySignError {
                #expect(error.code == .malformedAuthorization)
                #expect(error.description.contains(mention), "\(header): \(error)")
            }
        }
        // A signer's default nonce is a fresh v4 UUID; its timestamp is now.
        let signer = try V3Signer(privateKey: PrivateKey(parsing: Vectors.bytes("alipay/keys/other2048-pkcs8.pem")), appID: "1")
        let one = try signer.sign(method: "GET", requestURI: "/v3/x"), two = try signer.sign(method: "GET", requestURI: "/v3/x")
        #expect(one.authorization.nonce != two.authorization.nonce)
        #expect(one.authorization.nonce?.count == 36)
        // RFC 9562 layout: 8-4-4-4-12 lowercase hex, version nibble 4, variant 10xx.
        let nonce = Array((one.authorization.nonce ?? "").utf8)
        let hex = Set("0123456789abcdef".utf8)
        for (i, c) in nonce.enumerated() {
            #expect([8, 13, 18, 23].contains(i) ? c == UInt8(ascii: "-") : hex.contains(c), "\(one.authorization.nonce ?? "")")
        }
        #expect(nonce.count == 36 && nonce[14] == UInt8(ascii: "4") && Set("89ab".utf8).contains(nonce[19]))
        #expect(abs(Double(one.authorization.timestamp ?? 0) / 1000 - Date().timeIntervalSince1970) < 60)
    }

    /// A header with a space after each comma: verified as sent (the signature over the string with the spaces is
    /// valid), and one signed without them is invalid with the space named as line 1's difference.
    @Test func authorizationWithSpacesAfterCommas() throws {
        let key = try PrivateKey(parsing: Vectors.bytes("alipay/keys/other2048-pkcs8.pem"))
        let verifier = try V3RequestVerifier(publicKey: PublicKey(parsing: Vectors.bytes("alipay/keys/other2048-spki.pem")))
        let signed = try V3Signer(privateKey: key, appID: "2021000000000001").sign(method: "GET", requestURI: "/v3/alipay/trade/query?a=1")
        let spacedHeader = signed.header.replacingOccurrences(of: ",", with: ", ")
        guard case .invalid(let failure) = try verifier.verify(authorization: spacedHeader, method: "GET", requestURI: "/v3/alipay/trade/query?a=1")
        else { throw V3TestFailure.notValid("the spaced header verified") }
        #expect(failure.diagnosis?.line == 1)
        #expect(failure.diagnosis?.explanation.contains("white space after a comma") == true, "\(String(describing: failure.diagnosis))")
        // Signed as sent, spaces included (the content written out by hand: auth string, method, URI, empty body).
        let auth = "app_id=2021000000000001, nonce=abc, timestamp=\(Int64(Date().timeIntervalSince1970 * 1000))"
        let sign = try Signer(privateKey: key).sign(content: auth + "\nGET\n/v3/x\n\n")
        let header = "ALIPAY-SHA256withRSA " + auth + ", sign=" + sign
        #expect(try verifier.verify(authorization: header, method: "GET", requestURI: "/v3/x").isValid)
    }

    @Test(arguments: vectors.responses)
    func responseVerification(_ v: V3Vectors.Response) throws {
        let single = try V3ResponseVerifier(publicKey: Self.key(Self.vectors.alipay_public_key))
        var registry = AlipayPublicKeyRegistry()
        try registry.add(certificateFile: Vectors.bytes("certificates/alipay/node/alipayCertPublicKey_RSA2.crt"))
        try registry.add(certificateFile: Vectors.bytes(Self.vectors.alipay_certificate))
        let byCertificate = try V3ResponseVerifier(registry: registry)
        let headers = V3ResponseVerifier.Headers(
            timestamp: v.timestamp, nonce: v.nonce, signature: v.signature, sn: v.sn, encrypted: v.encrypted)
        let key = try AESKey(base64: Self.vectors.aes_key)
        let r = try single.verify(statusCode: v.status, headers: headers, body: Array(v.body.utf8), decryptionKey: key)
        #expect(r.status.rawValue == v.expected, "\(v)")
        if let plaintext = v.plaintext {
            guard case .valid(let verified) = r else { throw V3TestFailure.notValid("\(v)") }
            #expect(verified.plaintext == plaintext)
        }
        if v.status >= 400 {
            switch r {
            case .valid(let verified): #expect(verified.error?.code == "invalid-auth-token")
            case .invalid(let u), .unsignedError(let u), .missingHeaders(let u): #expect(u.error?.code == "invalid-auth-token")
            }
        }
        if v.sn != nil {
            #expect(try byCertificate.verify(statusCode: v.status, headers: headers, body: Array(v.body.utf8)).status.rawValue
                    == v.expected)
        }
    }

    @Test func responseCertificateModeErrors() throws {
        var registry = AlipayPublicKeyRegistry()
        try registry.add(certificateFile: Vectors.bytes(Self.vectors.alipay_certificate))
        let verifier = try V3ResponseVerifier(registry: registry)
        let v = try #require(Self.vectors.responses.first { $0.sn != nil })
        var headers = V3ResponseVerifier.Headers(timestamp: v.timestamp, nonce: v.nonce, signature: v.signature, sn: "f" + String(repeating: "0", count: 31))
        #expect(throws: AlipaySignError(.unknownCertificateSN, "")) {
            try verifier.verify(headers: headers, body: Array(v.body.utf8))
        }
        headers.sn = nil  // no alipay-sn: the first certificate, and a note
        let r = try verifier.verify(headers: headers, body: Array(v.body.utf8))
        #expect(r.status == .valid)
        #expect(r.notes.contains { $0.contains("no alipay-sn") })
        // One certificate given and another SN named: reported.
        let single = try V3ResponseVerifier(publicKey: Self.key(Self.vectors.alipay_public_key), certificateSN: "abc")
        headers.sn = v.sn
        #expect(try single.verify(headers: headers, body: Array(v.body.utf8)).notes.contains { $0.contains("alipay-sn is") })
    }

    @Test func errorBodyParsing() throws {
        let body = Array(#"{"code":"invalid-auth-token","message":"无效的访问令牌","links":[{"link":"https://x","desc":"解决方案"}]}"#.utf8)
        let e = try #require(V3ResponseVerifier.ErrorBody(body))
        #expect(e.code == "invalid-auth-token")
        #expect(e.message == "无效的访问令牌")
        #expect(e.links == [.init(link: "https://x", desc: "解决方案")])
        #expect(V3ResponseVerifier.ErrorBody(Array("not json".utf8)) == nil)
        #expect(V3ResponseVerifier.ErrorBody(Array(#"{"message":"no code"}"#.utf8)) == nil)
    }
}

enum V3TestFailure: Error { case notValid(String) }
