@_spi(AlipaySignTools) import AlipaySign
import Testing
import VectorSupport

/// The one form decoder under notifications, requests and FormBody: what it refuses is a typed error, and the
/// order it sorts names in is Java's (expected values worked out by hand from Java's UTF-16 `compareTo`).
@Suite struct FormDecodingTests {
    static let key: PublicKey = {
        do { return try PublicKey(parsing: Vectors.bytes("alipay/keys/rsa2048-spki.pem")) } catch { fatalError("\(error)") }
    }()

    @Test func refusalsAreTypedErrors() throws {
        let verifier = try NotificationVerifier(publicKey: Self.key)
        let cases: [(String, AlipaySignError.Code)] = [
            ("a=1&b=%G1&sign=AAAA", .malformedForm),
            ("a=1&a=2&sign=AAAA", .duplicateParameter),
            ("charset=latin-9&a=1&sign=AAAA", .unknownCharset),
            ("charset=utf-8&a=%FF&sign=AAAA", .invalidEncoding),
            ("charset=GBK&a=%FF%FF&sign=AAAA", .invalidEncoding),
            // U+20000 is 95 32 82 36 in GB18030 and has no GBK encoding: a GBK notification cannot carry it.
            ("charset=GBK&a=%95%32%82%36&sign=AAAA", .unencodableCharacter),
        ]
        for (body, code) in cases {
            do {
                let result = try verifier.verify(formBody: Array(body.utf8))
                Issue.record("\(body): \(result.isValid ? "valid" : "invalid"), expected \(code)")
            } catch let error as AlipaySignError {
                #expect(error.code == code, "\(body): \(error)")
            }
        }
    }

    /// Java `String.compareTo` compares UTF-16 code units: U+10000 (D800 DC00) sorts before U+E000 (E000), although
    /// its UTF-8 bytes (F0 ...) sort after (EE ...). Non-ASCII names are decoded, not refused.
    @Test func namesSortInJavaOrder() throws {
        let body = "%EE%80%80=b&%F0%90%80%80=a&z=c&sign=AAAA"
        let verifier = try NotificationVerifier(publicKey: Self.key)
        guard case .invalid(let failure) = try verifier.verify(formBody: Array(body.utf8)) else {
            Issue.record("a notification with a made-up sign verified")
            return
        }
        #expect(String(decoding: failure.content, as: UTF8.self) == "z=c&\u{10000}=a&\u{E000}=b")
    }
}
