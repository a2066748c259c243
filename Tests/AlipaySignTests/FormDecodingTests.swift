@_spi(AlipaySignTools) import AlipaySign
import Foundation
import Testing
import VectorSupport

/// The one form decoder under notifications, requests and FormBody: what it refuses is a typed error, and the
/// order it sorts names in is Java's (expected values worked out by hand from Java's UTF-16 `compareTo`).
@Suite struct FormDecodingTests {
    static let key: PublicKey = {
        do { return try PublicKey(parsing: Vectors.bytes("alipay/keys/rsa2048-spki.pem")) } catch { fatalError("\(error)") }
    }()

    /// The decoder copies eight bytes at a time up to a special byte: each special byte at each position of a word
    /// is decoded as the form rules say (expected values written from them: '&' ends a pair, '=' after the first is
    /// part of the value, '+' is a space, "%41" is 'A', raw UTF-8 is kept).
    @Test func specialBytesAtEveryWordPosition() throws {
        let cases: [(sent: String, decoded: String)] = [("=", "="), ("+", " "), ("%41", "A"), ("é", "é"), ("%E4%B8%AD", "中")]
        for position in 0..<17 {
            let before = String(repeating: "a", count: position), after = String(repeating: "b", count: 20 - position)
            for (sent, decoded) in cases {
                let (parameters, _) = try FormBody.decode(Array("k=\(before)\(sent)\(after)&z=1".utf8))
                #expect(parameters == ["k": before + decoded + after, "z": "1"], "\(sent) at \(position)")
            }
            let (split, _) = try FormBody.decode(Array("k=\(before)&y=\(after)".utf8))
            #expect(split == ["k": before, "y": after], "& at \(position)")
        }
    }

    /// Values built from runs of escapes (whole and broken), '+', '=', raw UTF-8 and plain bytes, at every alignment:
    /// each decodes as Foundation's `removingPercentEncoding` decodes it once '+' is read as a space, and a body
    /// with a '%' not followed by two hex digits is refused as malformed (Foundation gives `nil` for it).
    @Test func valuesDecodeAsFoundationDecodesThem() throws {
        let tokens = ["a", "bc", "=", "+", "é", "%41", "%2B", "%26", "%3d", "%E4%B8%AD", "%e4%b8%ad%E6%96%87", "%F0%9F%98%80",
                      "%", "%4", "%G1", "%4g", "%%41", "%E4", "%FF", "0123456789"]
        var random = SeededRandom(state: 20261202)
        for _ in 0..<3_000 {
            let values = (0..<random.int(1...4)).map { _ in
                String(repeating: "x", count: random.int(0...9)) + (0..<random.int(0...5)).map { _ in random.pick(tokens) }.joined()
            }
            let body = values.enumerated().map { "k\($0.offset)=\($0.element)" }.joined(separator: "&")
            let expected = values.map { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            let malformed = values.contains { v in
                let b = Array(v.utf8)
                return b.indices.contains { i in
                    b[i] == UInt8(ascii: "%") && !(i + 2 < b.count && b[i + 1].isHexDigit && b[i + 2].isHexDigit)
                }
            }
            do {
                let (parameters, _) = try FormBody.decode(Array(body.utf8), charset: .utf8)
                #expect(!malformed, "\(body): decoded as \(parameters)")
                for (k, value) in expected.enumerated() {
                    #expect(parameters["k\(k)"] == value, "\(body)")
                }
            } catch let error as AlipaySignError {
                if malformed {
                    #expect(error.code == .malformedForm, "\(body): \(error)")
                } else {
                    // Escapes that are well formed but not UTF-8: Foundation gives nil for such a value too.
                    #expect(error.code == .invalidEncoding && expected.contains(nil), "\(body): \(error)")
                }
            }
        }
    }

    /// After a special byte the decoder goes on eight bytes at a time: two special bytes in one word, at every pair
    /// of positions of the first two words, are both decoded (expected values from the same rules as above).
    @Test func twoSpecialBytesInOneWord() throws {
        let cases: [(sent: String, decoded: String)] = [("+", " "), ("%41", "A"), ("=", "="), ("é", "é")]
        for p in 0..<12 {
            for gap in 0..<6 {
                for (sent1, decoded1) in cases {
                    for (sent2, decoded2) in cases {
                        let before = String(repeating: "a", count: p), between = String(repeating: "b", count: gap)
                        let body = "k=\(before)\(sent1)\(between)\(sent2)ccccccccc&z=1"
                        let (parameters, _) = try FormBody.decode(Array(body.utf8))
                        #expect(parameters == ["k": before + decoded1 + between + decoded2 + "ccccccccc", "z": "1"], "\(body)")
                    }
                }
            }
        }
    }

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

    /// A character whose bytes are split between a name and its value, or a value and the next name, is whole
    /// in the decoded buffer (names and values lie end to end) and broken in each piece: refused, naming the piece,
    /// as a byte that is invalid on its own is. 我 is E6 88 91 in UTF-8; the messages are the decoder's own wording
    /// for a name and for a parameter's value.
    @Test func aCharacterSplitAcrossPiecesIsRefused() throws {
        let cases: [(body: String, name: String?)] = [
            ("a%E6=%88%91&b=1", nil),       // split between a name and its value
            ("a=%E6&%88%91=1", "a"),        // split between a value and the next name
            ("a=1&b=x%E6&%88%91c=2", "b"),  // the same after a whole pair
            ("a=%88%91", "a"),              // a value that starts inside a character
        ]
        for (body, name) in cases {
            do {
                let form = try FormBody.decode(Array(body.utf8))
                Issue.record("\(body): decoded as \(form.0)")
            } catch let error as AlipaySignError {
                #expect(error.code == .invalidEncoding, "\(body): \(error)")
                if let name {
                    #expect(error.reason.contains("'\(name)'"), "\(body): \(error.reason)")
                } else {
                    #expect(error.reason.contains("a parameter name"), "\(body): \(error.reason)")
                }
            }
        }
        // Whole characters at every boundary decode.
        let (parameters, _) = try FormBody.decode(Array("%E6%88%91=%E6%88%91&%E6%88%91%E6%88%91=%E6%88%91".utf8))
        #expect(parameters == ["我": "我", "我我": "我"])
    }

    /// Names of up to 23 characters drawn from ASCII, two- and three-byte characters either side of
    /// U+E000 and supplementary ones, sharing long prefixes: the decoder's order is Java's `String.compareTo`, whose
    /// definition (UTF-16 code units compared in turn, then the lengths) gives the expected answer here.
    @Test func javaOrderOverLongNamesIsUTF16Order() {
        let scalars: [Character] = ["a", "b", "_", "\u{E9}", "\u{4E2D}", "\u{E000}", "\u{FFFF}", "\u{10000}", "\u{1F600}"]
        var random = SeededRandom(state: 20261203)
        for _ in 0..<4_000 {
            let prefix = String((0..<random.int(0...16)).map { _ in random.int(0...3) == 0 ? random.pick(scalars) : "n" })
            let a = prefix + String((0..<random.int(0...7)).map { _ in random.pick(scalars) })
            let b = prefix + String((0..<random.int(0...7)).map { _ in random.pick(scalars) })
            let bytes = Array((a + b).utf8)
            let (ra, rb) = (0..<a.utf8.count, a.utf8.count..<bytes.count)
            let less = bytes.withUnsafeBufferPointer { DecodedForm.javaLess($0, ra, rb) }
            #expect(less == a.utf16.lexicographicallyPrecedes(b.utf16), "\(a.debugDescription) < \(b.debugDescription)")
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

private extension UInt8 {
    var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
