@_spi(AlipaySignTools) import AlipaySign
import Testing
import VectorSupport

/// The project's own vectors (vectors/alipay), produced by generate.py with Python `cryptography` and the JDK's
/// charset encoders. Nothing expected here comes from this library.
struct AlipayVectorTests {
    @Test(arguments: Vectors.keys.keys.keys.sorted())
    func keyFormats(file: String) throws {
        let entry = try #require(Vectors.keys.keys[file])
        let bytes = try Vectors.bytes("alipay/keys/\(file)")
        let key = try AnyKey.parse(bytes)
        #expect(key.format.rawValue == entry.format, "\(file)")
        #expect(key.encoding.description == entry.encoding, "\(file)")
        #expect(key.bits == entry.bits)
        #expect(key.fingerprint == entry.fingerprint, "\(file)")
        switch key {
        case .privateKey: #expect(entry.kind == "private")
        case .publicKey: #expect(entry.kind == "public")
        }
        // The default APIs accept exactly the keys of 2048 bits and up.
        if entry.kind == "private" {
            if entry.bits >= 2048 { _ = try PrivateKey(parsing: bytes) } else {
                #expect(throws: AlipaySignError(.weakKey, "")) { try PrivateKey(parsing: bytes) }
            }
        }
    }

    @Test(arguments: Vectors.keys.refused.keys.sorted())
    func refusedKeys(file: String) throws {
        let refusal = try #require(Vectors.keys.refused[file])
        let bytes = try Vectors.bytes("alipay/keys/\(file)")
        let code = try #require(AlipaySignError.Code.allCases.first { $0.name == refusal.code }, "\(refusal.code)")
        let error = AlipaySignError(code, "")
        if refusal.as == "private" {
            #expect(throws: error, "\(file)") { try PrivateKey(parsing: bytes) }
        } else {
            #expect(throws: error, "\(file)") { try PublicKey(parsing: bytes) }
        }
    }

    @Test func errorsNeverContainKeyMaterial() throws {
        let pem = try Vectors.bytes("alipay/keys/bad-truncated-pkcs8.pem")
        let body = String(decoding: pem, as: UTF8.self).split(separator: "\n").dropFirst().first.map(String.init) ?? ""
        do {
            _ = try PrivateKey(parsing: pem)
            Issue.record("a truncated key parsed")
        } catch let error as AlipaySignError {
            #expect(!error.description.contains(body.prefix(16)))
        }
    }

    @Test(arguments: Vectors.content.content.map(\.name))
    func canonicalContent(name: String) throws {
        let c = try #require(Vectors.content.content.first { $0.name == name })
        let mode = try #require(SignContent.Mode(rawValue: c.mode))
        #expect(SignContent.build(c.parameters, mode: mode) == c.content)
        #expect(SignContent.utf8Bytes(c.parameters, mode: mode) == Array(c.content.utf8))
    }

    /// Names sorted as Java's `Collections.sort` sorts them (`String.compareTo`, UTF-16 code units), which is what
    /// `getSignContent` does. The expected order was printed by the JDK 17 (`Collections.sort` over these names):
    /// A a z é U+10000 U+1F600 U+E000 U+FFFF — the supplementary characters before U+E000, unlike UTF-8 byte order.
    @Test func namesInJavaStringOrder() {
        let names = ["\u{E000}", "\u{10000}", "z", "é", "\u{FFFF}", "\u{1F600}", "A", "a"]
        var parameters: [String: String] = [:]
        for (i, name) in names.enumerated() { parameters[name] = "\(i)" }
        parameters["sign"] = "left out"
        parameters["blank"] = " \u{3000}"
        let expected = "A=6&a=7&z=2&é=3&\u{10000}=1&\u{1F600}=5&\u{E000}=0&\u{FFFF}=4"
        #expect(SignContent.build(parameters) == expected)
        #expect(SignContent.utf8Bytes(parameters, mode: .notifyV2) == Array(expected.utf8))
    }

    @Test(arguments: Vectors.content.forms.map(\.name))
    func formBodies(name: String) throws {
        let f = try #require(Vectors.content.forms.first { $0.name == name })
        // Declared by the body's own charset parameter, and given explicitly: the same parameters.
        let (declared, charset) = try FormBody.decode(Array(f.body.utf8))
        #expect(declared == f.parameters)
        #expect(charset == (try Charset(name: f.charset)))
        let (explicit, _) = try FormBody.decode(Array(f.body.utf8), charset: try Charset(name: f.charset))
        #expect(explicit == f.parameters)
        #expect(SignContent.build(declared) == f.request_content)
    }

    @Test(arguments: Array(Vectors.signatures.indices))
    func signatures(index: Int) throws {
        let c = Vectors.signatures[index]
        let label = "\(c.key) \(c.sign_type) \(c.charset) \(c.content.prefix(24))"
        let charset = try Charset(name: c.charset)
        let type = try SignType(protocolName: c.sign_type)
        // The charset's bytes are Java's (the reference), byte for byte.
        #expect(try charset.encode(c.content) == [UInt8](hex: c.content_hex), "\(label)")
        let privateKey = try PrivateKey(parsingAllowingWeakKey: try Vectors.bytes("alipay/keys/\(c.key)"))
        let signer = try Signer(privateKey: privateKey, signType: type, charset: charset)
        #expect(try signer.sign(content: c.content) == c.signature, "\(label)")
        if let parameters = c.parameters {
            let signed = try signer.signRequest(parameters)
            #expect(signed.content == c.content)
            #expect(signed.signature == c.signature)
        }
        let publicKey = try PublicKey(parsingAllowingWeakKey: try Vectors.bytes("alipay/keys/\(c.public)"))
        let verifier = try SignatureVerifier(publicKey: publicKey, signType: type, charset: charset)
        #expect(try verifier.verify(content: c.content, signature: c.signature), "\(label)")
        // The other hash, the other charset, a changed content: each invalid.
        let otherType: SignType = type == .rsa2 ? .legacyRSA : .rsa2
        #expect(try !SignatureVerifier(publicKey: publicKey, signType: otherType, charset: charset).verify(content: c.content, signature: c.signature))
        #expect(try !verifier.verify(content: c.content + " ", signature: c.signature))
        if c.content.utf8.contains(where: { $0 >= 0x80 }) {
            let otherCharset: Charset = charset == .utf8 ? .gb18030 : .utf8
            #expect(try !SignatureVerifier(publicKey: publicKey, signType: type, charset: otherCharset).verify(content: c.content, signature: c.signature))
        }
    }

    @Test(arguments: Vectors.notifications.map(\.name))
    func notifications(name: String) throws {
        let c = try #require(Vectors.notifications.first { $0.name == name })
        let key = try PublicKey(parsing: try Vectors.bytes("alipay/keys/\(c.public)"))
        let verifier = try NotificationVerifier(publicKey: key, signType: try SignType(protocolName: c.sign_type))
        let result = try verifier.verify(formBody: Array(c.body.utf8))
        #expect(result.isValid == c.valid)
        #expect(result.version?.rawValue == c.mode)
        #expect(result.charset == (try Charset(name: c.charset)))
        if c.valid {
            #expect(result.content == c.signed_content)
            // Forcing the other mode fails: the two contents differ by sign_type.
            let other: NotificationVerifier.Mode = c.mode == "v1" ? .v2 : .v1
            #expect(try !verifier.verify(formBody: Array(c.body.utf8), mode: other).isValid)
        }
    }
    /// A body, and the same parameters decoded by `FormBody` and given as a dictionary (a framework's map), verify
    /// alike on every vector and on edited copies: the verdict, the content and whether there was a sign. (The
    /// two once were separate paths; a sign that is not base64 was reported as "no sign" by one of them.)
    @Test(arguments: Vectors.notifications.map(\.name))
    func fastAndGeneralPathsAgree(name: String) throws {
        let c = try #require(Vectors.notifications.first { $0.name == name })
        let key = try PublicKey(parsing: try Vectors.bytes("alipay/keys/\(c.public)"))
        let verifier = try NotificationVerifier(publicKey: key, signType: try SignType(protocolName: c.sign_type))
        var bodies = [c.body, "&" + c.body + "&", c.body.replacingOccurrences(of: "&", with: "&&")]
        if let range = c.body.range(of: #"sign=[^&]*"#, options: .regularExpression) {
            for replacement in ["sign=not*base64!", "sign=+", "sign=", "sign=AAAA"] {
                bodies.append(c.body.replacingCharacters(in: range, with: replacement))
            }
        }
        for body in bodies {
            let viaBody = try verifier.verify(formBody: Array(body.utf8))
            let (parameters, charset) = try FormBody.decode(Array(body.utf8))
            let viaParameters = try verifier.verify(parameters: parameters, charset: charset)
            #expect(viaBody.summary == viaParameters.summary, "\(body)")
        }
        let notBase64 = bodies.first { $0.contains("sign=not*base64!") }
        if let notBase64 {
            let result = try verifier.verify(formBody: Array(notBase64.utf8))
            #expect(!result.isValid && result.hadSignature)
        }
    }
    /// GBK and GB18030 from many threads at once: the pooled iconv descriptors (one call at a time each, more opened
    /// when all are busy) give every thread the right answer; run under ThreadSanitizer by `make sanitize`.
    @Test func charsetsFromManyThreads() async throws {
        let cases = Vectors.notifications.filter { $0.valid && $0.charset != "UTF-8" }
        #expect(cases.count >= 2)
        let text = "测试商品 Iphone6 16G €"
        // Python 3.11: "测试商品 Iphone6 16G €".encode("gb18030").hex() (€ is A2 E3, as in Java).
        let hex = "b2e2cad4c9ccc6b7204970686f6e65362031364720a2e3"
        let gb18030: [UInt8] = stride(from: 0, to: hex.count, by: 2).map { i in
            let start = hex.index(hex.startIndex, offsetBy: i)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<16 {
                group.addTask {
                    let c = cases[task % cases.count]
                    let key = try PublicKey(parsing: try Vectors.bytes("alipay/keys/\(c.public)"))
                    let verifier = try NotificationVerifier(publicKey: key, signType: try SignType(protocolName: c.sign_type))
                    for _ in 0..<25 {
                        guard try verifier.verify(formBody: Array(c.body.utf8)).isValid,
                            try Charset.gb18030.encode(text) == gb18030,
                            try Charset.gb18030.decode(gb18030) == text
                        else { return false }
                    }
                    return true
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }
}
