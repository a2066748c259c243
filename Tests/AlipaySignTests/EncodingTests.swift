import Foundation
@_spi(AlipaySignTools) import AlipaySign
import Testing
import VectorSupport

/// Base64, form bodies, JSON parameters and charsets: the parsing that stands between input and signature.
/// Expected values are written out by hand from the RFCs cited.
struct EncodingTests {
    // RFC 4648 §10 test vectors.
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                      ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func base64KnownAnswers(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    /// `JSONString.quoted` read back by Foundation's JSON parser (an independent one) gives the string itself, on the
    /// fast path (nothing to escape) and the escaping one; the escapes are the ones written out by hand.
    @Test func jsonStringsRoundTripThroughFoundation() throws {
        let pieces = ["a", "咖啡", "€", "\"", "\\", "/", "\n", "\r", "\t", "\u{01}", "\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}",
                      "\u{E2}", "😀", " ", "\u{2027}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let s = (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let quoted = JSONString.quoted(s)
            let back = try JSONSerialization.jsonObject(with: Data(("[" + quoted + "]").utf8)) as? [String]
            #expect(back == [s], "\(quoted)")
        }
        #expect(JSONString.quoted("a/b 咖啡") == "\"a/b 咖啡\"")
        #expect(JSONString.quoted("a\"b\\c\u{2028}\u{7F}\n") == #""a\"b\\c\u2028\u007f\n""#)
    }

    /// The tokenizer reads eight bytes of a string at a time: every ASCII byte at every position of a word, and the
    /// bytes JSON forbids or escapes among them, are accepted or refused as Foundation's JSONSerialization decides,
    /// and read as it reads them. Also JSONBytes' output read back by Foundation.
    @Test func jsonStringBytesAtEveryWordPositionAsFoundationReadsThem() throws {
        for byte in UInt8(0)...UInt8(0x7F) {
            for position in 0..<17 {
                var text = Array(repeating: UInt8(ascii: "a"), count: 24)
                text[position] = byte
                if byte == UInt8(ascii: "\\") { text[position + 1] = UInt8(ascii: "n") }
                let document = [UInt8(ascii: "[")] + [0x22] + text + [0x22] + [UInt8(ascii: "]")]
                let foundation = (try? JSONSerialization.jsonObject(with: Data(document))) as? [String]
                let ours = try? JSONReader.parse(document)
                #expect((foundation == nil) == (ours == nil), "byte \(byte) at \(position)")
                if let foundation, case .array(let values)? = ours, case .string(let value)? = values.first {
                    #expect(value == foundation[0], "byte \(byte) at \(position)")
                    var out: [UInt8] = []
                    JSONBytes.appendString(value, to: &out)
                    let back = try JSONSerialization.jsonObject(with: Data([UInt8(ascii: "[")] + out + [UInt8(ascii: "]")])) as? [String]
                    #expect(back?.first == value, "byte \(byte) at \(position)")
                }
            }
        }
    }

    /// Escapes are resolved eight bytes at a time between backslashes: every escape JSON has (the short ones, \u
    /// of one, two and three UTF-8 bytes, a surrogate pair) at every position of a word, after runs of every
    /// length and between non-ASCII text, read as Foundation's JSONSerialization reads them; a lone surrogate is
    /// refused by both.
    @Test func escapesAtEveryWordPositionAsFoundationReadsThem() throws {
        let escapes = [#"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\n"#, #"\r"#, #"\t"#, #"\u0041"#, #"\u00e9"#, #"\u4E2D"#,
                       #"\ud83d\ude00"#, #"\u0000"#, #"\u2028"#]
        for escape in escapes {
            for position in 0..<17 {
                for tail in ["", "b", "中文", "bbbbbbbbbbbbbbbbb", #"\n"#] {
                    let text = String(repeating: "a", count: position) + escape + tail + String(repeating: "é", count: position % 3)
                    let document = Array(#"["\#(text)"]"#.utf8)
                    let foundation = try #require(JSONSerialization.jsonObject(with: Data(document)) as? [String])
                    guard case .array(let values)? = try? JSONReader.parse(document), case .string(let value)? = values.first else {
                        Issue.record("\(text): not read")
                        continue
                    }
                    #expect(Array(value.utf8) == Array(foundation[0].utf8), "\(text)")
                }
            }
        }
        for lone in [#"a\ud83d"#, #"a\ud83dx"#, #"\ude00aaaaaaaa"#, #"aaaaaaaa\ud83d\u0041"#] {
            let document = Array(#"["\#(lone)"]"#.utf8)
            #expect((try? JSONSerialization.jsonObject(with: Data(document))) == nil, "Foundation: \(lone)")
            #expect((try? JSONReader.parse(document)) == nil, "\(lone)")
        }
    }

    /// A word with a special byte moves straight to the first one, and the scan goes on from there: two escapes (or
    /// an escape and a multi-byte character) in one word, at every pair of positions of the first two words, are
    /// read as Foundation's JSONSerialization reads them (a JSON document quoted in a string has a `\"` every few
    /// bytes).
    @Test func twoSpecialsInOneWordAsFoundationReadsThem() throws {
        let first = [#"\""#, #"\\"#, #"\u0041"#]
        let second = [#"\""#, #"\n"#, "é", "中", #"\ud83d\ude00"#]
        for a in first {
            for b in second {
                for p in 0..<12 {
                    for gap in 0..<6 {
                        let text = String(repeating: "a", count: p) + a + String(repeating: "b", count: gap) + b
                            + String(repeating: "c", count: 9)
                        let document = Array(#"["\#(text)"]"#.utf8)
                        let foundation = try #require(JSONSerialization.jsonObject(with: Data(document)) as? [String])
                        guard case .array(let values)? = try? JSONReader.parse(document), case .string(let value)? = values.first
                        else {
                            Issue.record("\(text): not read")
                            continue
                        }
                        #expect(Array(value.utf8) == Array(foundation[0].utf8), "\(text)")
                    }
                }
            }
        }
    }

    /// The byte writer of JSON strings skips eight bytes at a time: every ASCII character and some multi-byte ones
    /// (é, 中, U+2028, U+2029) at every position of a word are written so that Foundation reads the text back,
    /// control characters, DEL, U+2028 and U+2029 escaped, exactly as the String writer writes them.
    @Test func jsonBytesWriterAtEveryWordPosition() throws {
        let specials = (0...0x7F).map { String(Unicode.Scalar(UInt8($0))) } + ["é", "中", "\u{2028}", "\u{2029}"]
        for special in specials {
            for position in 0..<17 {
                let text = String(repeating: "a", count: position) + special + String(repeating: "b", count: 23 - position)
                var out: [UInt8] = []
                JSONBytes.appendString(text, to: &out)
                #expect(out == Array(JSONString.quoted(text).utf8), "\(special.unicodeScalars.first!.value) at \(position)")
                let back = try JSONSerialization.jsonObject(with: Data([UInt8(ascii: "[")] + out + [UInt8(ascii: "]")])) as? [String]
                #expect(back?.first == text, "\(special.unicodeScalars.first!.value) at \(position)")
                let scalar = special.unicodeScalars.first!.value
                if scalar < 0x20 || scalar == 0x7F || scalar == 0x2028 || scalar == 0x2029 {
                    #expect(!out.contains(where: { $0 < 0x20 || $0 == 0x7F }) && !String(decoding: out, as: UTF8.self).contains(special),
                            "\(scalar) at \(position) is escaped")
                }
            }
        }
    }

    /// The one-pass member read accepts exactly what the full parser accepts (an unpaired surrogate in a member
    /// name after the one looked for, or in a skipped value, is refused by both), and the first member of a name
    /// decides.
    @Test func stringMembersAgreeWithTheParser() throws {
        let documents = [
            #"{"body":"a","\ud800":1}"#, #"{"body":"a","x":["\ud800"]}"#, #"{"x":{"\udc00":1},"body":"a"}"#,
            #"{"body":"a\"b","method":"m","body":"second"}"#, #"{"method":1,"body":"\u4e2d"}"#, #"{"":"e","body":"b"}"#,
            #"{"body":"a"} x"#, #"["body"]"#, #"{"body":[1,2,{"a":null}],"method":"m"}"#, #"{"bo\u0064y":"escaped"}"#,
        ]
        for document in documents {
            let full = try? JSONReader.parse(Array(document.utf8))
            let members = try? JSONReader.stringMembers(["body", "method", ""], in: Array(document.utf8))
            #expect((full == nil) == (members == nil), "\(document)")
            guard case .object(let object)? = full, let members else { continue }
            for (k, name) in ["body", "method", ""].enumerated() {
                var expected: [UInt8]?
                if case .string(let text)? = object.first(where: { $0.name == name })?.value { expected = Array(text.utf8) }
                #expect(members[k] == expected, "\(document) \(name)")
            }
        }
    }

    /// The validity test without a tree (`biz_content` in `check`) agrees with Foundation's JSONSerialization on
    /// plain documents, and with RFC 8259 on unpaired surrogates and trailing commas (which Foundation's reader on
    /// Linux accepts).
    @Test func isValidAgreesWithFoundationAndTheParser() throws {
        let plain = [
            #"{"a":1}"#, #" [1, 2.5e-3, -0, true, false, null] "#, #"{"a":{"b":["c",{"d":"\u4e2d\n"}]}}"#, #""s""#, "12",
            #"{"a" 1}"#, #"{'a':1}"#, "01", "1.", "-", #""\x""#, "[1] [2]", "", " ", #"{"a":tru}"#,
            "{\"a\":\"\u{01}\"}", "[1e5, 1E+5, 0.0]", String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
        ]
        for document in plain {
            let foundation = (try? JSONSerialization.jsonObject(with: Data(document.utf8), options: .fragmentsAllowed)) != nil
            #expect(JSONReader.isValid(Array(document.utf8)) == foundation, "\(document)")
        }
        // Over the depth limit (512 levels, the one limit of every reader of the library): refused.
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(!JSONReader.isValid(Array(deep.utf8)))
        // RFC 8259 §7-§8 and §2: a surrogate escape must pair; no trailing comma.
        let rfc: [(String, Bool)] = [
            (#"{"a":"\ud800"}"#, false), (#"{"\udc00":1}"#, false), (#"["\ud83d\ude00"]"#, true), (#"{"a":"\ud83d"}"#, false),
            (#"{"a":1,}"#, false), ("[1,]", false),
        ]
        for (document, valid) in rfc {
            #expect(JSONReader.isValid(Array(document.utf8)) == valid, "\(document)")
            #expect(JSONReader.isValid(document.utf8) == valid, "\(document) (not contiguous)")
        }
    }

    @Test func base64SkipsWhitespace() {
        #expect(Base64.decode("Zm9v\r\nYmFy \t") == Array("foobar".utf8))
        #expect(Base64.decode("Zm9vYg") == Array("foob".utf8))  // unpadded is accepted
    }

    @Test(arguments: ["Zm9v!", "Zg=", "Z===", "Zm9vY", "Zm9vYg==Zg==", "=Zm9", "Zh==", "Zm9vYmE=x"])
    func base64Rejects(text: String) {
        #expect(Base64.decode(text) == nil, "\(text)")
        #expect(!Base64.isValid(text), "\(text)")
    }

    @Test func formDecodesOnce() throws {
        let (p, cs) = try FormBody.decode(Array("a=1+2%2B3&b=%25E4&c&=x&&d=".utf8))
        #expect(cs == .utf8)
        #expect(p == ["a": "1 2+3", "b": "%E4", "c": "", "": "x", "d": ""])
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "a=100%&b=1"])
    func formRejectsBadEscapes(body: String) {
        #expect(throws: AlipaySignError(.malformedForm, "")) { try FormBody.decode(Array(body.utf8)) }
    }

    @Test func formRejectsDuplicates() {
        #expect(throws: AlipaySignError(.duplicateParameter, "")) { try FormBody.decode(Array("a=1&a=2".utf8)) }
    }

    @Test func formRejectsBytesInvalidInTheCharset() {
        // %E4%BD is a truncated UTF-8 sequence.
        #expect(throws: AlipaySignError(.invalidEncoding, "")) { try FormBody.decode(Array("a=%E4%BD".utf8)) }
        #expect(throws: AlipaySignError(.unknownCharset, "")) { try FormBody.decode(Array("charset=latin9&a=1".utf8)) }
    }

    @Test func gbkBodyFollowsItsCharsetParameter() throws {
        // 支付 in GBK is D6 A7 B8 B6 (GB 2312 code chart).
        let (p, cs) = try FormBody.decode(Array("charset=GBK&s=%D6%A7%B8%B6".utf8))
        #expect(cs == .gbk)
        #expect(p["s"] == "支付")
    }

    @Test func jsonParameters() throws {
        let p = try Parameters.fromJSONObject(Array(#"{"a":"x\u00e9\ud83d\ude00","b":"{\"k\":1}","c":""}"#.utf8))
        #expect(p == ["a": "xé😀", "b": "{\"k\":1}", "c": ""])
    }

    @Test(arguments: [#"{"a":1}"#, #"{"a":{"b":"c"}}"#, #"{"a":null}"#, #"["a"]"#, #"{"a":"1""#, #"{"a":"\x"}"#,
                      #"{"a":"1","a":"2"}"#, #"{"a":"\ud800"}"#])
    func jsonParametersRejected(text: String) {
        #expect(throws: AlipaySignError.self) { try Parameters.fromJSONObject(Array(text.utf8)) }
    }

    @Test func nonStringValueHasAHint() {
        do {
            _ = try Parameters.fromJSONObject(Array(#"{"biz_content":{"a":"b"}}"#.utf8))
            Issue.record("accepted an object value")
        } catch let error as AlipaySignError {
            #expect(error.reason.contains("biz_content"))
            #expect(error.hint != nil)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func jsonDepthIsBounded() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: AlipaySignError(.malformedJSON, "")) { try JSONReader.parse(Array(deep.utf8)) }
    }

    @Test(arguments: [("utf-8", "UTF-8"), ("UTF8", "UTF-8"), ("gbk", "GBK"), ("cp936", "GBK"), ("GB2312", "GBK"),
                      ("gb18030", "GB18030")])
    func charsetNames(name: String, canonical: String) throws {
        #expect(try Charset(name: name).canonicalName == canonical)
    }

    /// `equalsIgnoringCase` against the standard library's `lowercased()` comparison it stands for: random
    /// strings over ASCII letters, the bytes next to them (`@`, `[`, `` ` ``, `{`), digits and punctuation, and a few
    /// characters outside ASCII whose lowercase is ASCII or is longer (the Kelvin sign, `İ`, `ẞ`).
    @Test func equalsIgnoringCaseAsLowercasedCompares() {
        let alphabet: [Character] = Array("aAzZmMqQ@[`{09-_.: ") + ["\u{212A}", "k", "İ", "i", "ẞ", "ß", "é", "É"]  // \u{212A}: the Kelvin sign
        var rng = SeededRandom(state: 20261202)
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            let a = String((0..<Int(rng.next() % 5)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            // Half the time the other string is the first with its letters' case flipped at random.
            let b = rng.next() % 2 == 0
                ? a.map { c in rng.next() % 2 == 0 ? c.uppercased() : c.lowercased() }.joined()
                : String((0..<Int(rng.next() % 5)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            if a.equalsIgnoringCase(b) != (a.lowercased() == b.lowercased()) { disagreements.append("\(a) / \(b)") }
        }
        #expect(disagreements.count == 0, "\(disagreements.prefix(10))")
    }

    /// A charset name is any of the known names in any case, around white space; the comparison is the standard
    /// library's lowercasing (so a Kelvin sign reads as `k`, as it did when the name was lowercased).
    @Test(arguments: ["UTF-8", "Utf8", " gbk ", "CP936", "Gb2312", "WINDOWS-936", "ms936", "gB18030", "GB\u{212A}"])
    func charsetNamesInAnyCase(name: String) throws {
        let lower = name.trimmingCharacters(in: .whitespaces).lowercased()
        let expected = ["utf-8": "UTF-8", "utf8": "UTF-8", "gbk": "GBK", "cp936": "GBK", "gb2312": "GBK",
                        "windows-936": "GBK", "ms936": "GBK", "gb18030": "GB18030"][lower]
        #expect(try Charset(name: name).canonicalName == expected)
    }

    @Test(arguments: ["utf_8", "utf-16", "gbk2", "", "u", "gb18030x", "ＵＴＦ-8"])
    func charsetNamesNotKnown(name: String) {
        #expect(throws: AlipaySignError(.unknownCharset, "")) { try Charset(name: name) }
    }

    @Test func unknownCharset() {
        #expect(throws: AlipaySignError(.unknownCharset, "")) { try Charset(name: "latin1") }
    }

    @Test func unencodableIsAnErrorNeverAQuestionMark() throws {
        // U+1F600 has no GBK code; Java would write '?', we refuse. GB18030 encodes it in four bytes.
        #expect(throws: AlipaySignError(.unencodableCharacter, "")) { try Charset.gbk.encode("a😀") }
        #expect(try Charset.gb18030.encode("😀") == [0x94, 0x39, 0xFC, 0x36])
        // The euro sign: A2 E3 in Java's GBK and in GB18030 (vectors/alipay/JavaBytes.java).
        #expect(try Charset.gbk.encode("€") == [0xA2, 0xE3])
    }
}

@Suite struct Base64FastPathTests {
    /// The compact fast path and the general decoder agree with the standard library's own base64 (via Foundation)
    /// on every length and padding, and both reject the same malformed inputs.
    @Test func agreesWithFoundationOnRandomInputs() throws {
        var rng = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let text = Data(bytes).base64EncodedString()
            #expect(Base64.decode(Array(text.utf8)) == bytes, "length \(length)")
            #expect(Base64.isValid(text) && Base64.isValid(text + "\n"), "length \(length)")
            #expect(Base64.encode(bytes) == text)
        }
        for bad in ["A===", "AB=C", "AB==CDEF", "ABC!", "AB\u{0}D", "ABCDE", "AB=", "QR==", "QUJ="] {
            #expect(Base64.decode(Array(bad.utf8)) == nil, "\(bad)")
        }
        #expect(Base64.decode(Array("QU Jj\nZA==".utf8)) == Array("ABcd".utf8))
    }

    /// A signature's text (an RSA-2048 signature: 344 characters, ending in '=='), with one character replaced by one
    /// outside the alphabet at each position in turn (each of the four places in a group, the last group too): the
    /// compact decoder refuses every one, as Foundation does, and decodes the untouched text as Foundation does.
    @Test func compactDecoderRefusesAStrayCharacterAnywhere() throws {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<256).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let text = Array(Data(bytes).base64EncodedString().utf8)
        #expect(text.count == 344 && Base64.decode(text) == bytes && Data(base64Encoded: Data(text)) == Data(bytes))
        let strays: [UInt8] = [0x00, 0x21, 0x2D, 0x2E, 0x3A, 0x40, 0x5B, 0x5F, 0x60, 0x7B, 0x7F, 0x80, 0xC3, 0xFF]
        for at in text.indices where text[at] != UInt8(ascii: "=") {
            var bad = text
            bad[at] = strays[at % strays.count]
            #expect(Data(base64Encoded: Data(bad)) == nil, "Foundation, position \(at)")
            #expect(Base64.decode(bad) == nil, "position \(at)")
            #expect(!bad.withUnsafeBufferPointer { Base64.isValid($0) }, "position \(at), in place")
        }
    }
    /// The general decoder (whitespace anywhere, unpadded text): the bytes that Foundation encoded with line breaks
    /// every 64 or 76 characters, with spaces and tabs put in at random, and without padding; a stray character
    /// anywhere, or a '=' inside the text, is refused.
    @Test func generalDecoderReadsWrappedAndUnpaddedText() throws {
        var rng = SystemRandomNumberGenerator()
        for length in 0..<300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            for options in [Data.Base64EncodingOptions.lineLength64Characters, [.lineLength76Characters, .endLineWithLineFeed]] {
                var text = Array(Data(bytes).base64EncodedString(options: options).utf8)
                for _ in 0..<(length % 5) {
                    text.insert([0x20, 0x09][Int.random(in: 0...1, using: &rng)], at: Int.random(in: 0...text.count, using: &rng))
                }
                #expect(Base64.decode(text) == bytes, "length \(length)")
                #expect(Base64.decode(text.filter { $0 != UInt8(ascii: "=") }) == bytes, "length \(length), unpadded")
                guard let at = text.indices.filter({ text[$0] > 0x20 && text[$0] != UInt8(ascii: "=") }).randomElement(using: &rng) else { continue }
                var bad = text
                bad.insert(UInt8(ascii: "!"), at: at)
                #expect(Base64.decode(bad) == nil, "length \(length), a stray character")
                if length % 3 != 0, at + 4 < text.count {
                    bad = text
                    bad.insert(UInt8(ascii: "="), at: at)
                    #expect(Base64.decode(bad) == nil, "length \(length), '=' inside")
                }
            }
        }
    }

    /// The one-member read of batch lines agrees with the full parser, and validates the whole line.
    @Test func stringMemberReadsOneMemberOfAValidDocument() throws {
        func member(_ json: String) throws -> String? {
            try JSONReader.stringMember("body", in: Array(json.utf8)).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(try member(#"{"body":"a=1&b=2"}"#) == "a=1&b=2")
        #expect(try member(#" { "x" : [1, {"body": 2}], "body" : "\u4e2d\/\"q\"" } "#) == "中/\"q\"")
        #expect(try member(#"{"body":"first","body":"second"}"#) == "first")
        #expect(try member(#"{"body":1}"#) == nil)
        #expect(try member(#"{"bod":"x"}"#) == nil)
        #expect(try member(#"{}"#) == nil)
        #expect(try member(#"["body"]"#) == nil)
        #expect(try member(#""body""#) == nil)
        for bad in [#"{"body":"x""#, #"{"body":"x"} x"#, #"{"body":"\x"}"#, #"{"body" "x"}"#, #"{"a":1,}"#, "", "{",
                    #"{"body":"\ud800"}"#]
        {
            #expect(throws: AlipaySignError.self, "\(bad)") { try member(bad) }
        }
        // Not UTF-8 inside the string: an error, as the full parser says.
        #expect(throws: AlipaySignError.self) { try JSONReader.stringMember("body", in: [0x7B, 0x22, 0x62, 0x6F, 0x64, 0x79, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]) }
        #expect(throws: AlipaySignError.self) { try JSONReader.parse([0x7B, 0x22, 0x62, 0x6F, 0x64, 0x79, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]) }
    }

    /// Names made into bytes once (the batch modes' workers) read as the names themselves do, past 64 names too
    /// (where the first-member flags leave their 64-bit word): the first member of each name decides, a string or
    /// not, and a later one is ignored.
    @Test func stringMembersWithNamesMadeOnceAgreePastSixtyFourNames() throws {
        let names = (0..<70).map { "n\($0)" }
        // Name k first appears as "first-k" (a number for every fifth name), then again as "later-k", in reverse
        // order; the expected values follow from how the document is written.
        var members: [String] = []
        for k in names.indices { members.append(k % 5 == 0 ? #""n\#(k)":\#(k)"# : #""n\#(k)":"first-\#(k)""#) }
        for k in names.indices.reversed() { members.append(#""n\#(k)":"later-\#(k)""#) }
        let document = Array(("{" + members.joined(separator: ",") + "}").utf8)
        let expected: [String?] = names.indices.map { $0 % 5 == 0 ? nil : "first-\($0)" }
        let made = JSONReader.MemberNames(names)
        let once = try document.withUnsafeBufferPointer { try JSONReader.stringMembers(made, in: $0) }
        let each = try JSONReader.stringMembers(names, in: document)
        #expect(once.map { $0.map { String(decoding: $0, as: UTF8.self) } } == expected)
        #expect(each.map { $0.map { String(decoding: $0, as: UTF8.self) } } == expected)
        // Not an object: one nil a name; not JSON: the error.
        let array = Array(#"["n1"]"#.utf8)
        #expect(try array.withUnsafeBufferPointer { try JSONReader.stringMembers(made, in: $0) }.allSatisfy { $0 == nil })
        let broken = Array(#"{"n1":"x""#.utf8)
        #expect(throws: AlipaySignError.self) { try broken.withUnsafeBufferPointer { try JSONReader.stringMembers(made, in: $0) } }
    }
}

/// The byte arrays of the hot paths, allocated by a path the compiler specializes (ByteArrays.swift), against the
/// standard library's initializers they replace.
@Suite struct ByteArraysTests {
    struct Refused: Error {}

    @Test func agreeWithTheStandardLibrarysInitializers() {
        var random = SeededRandom(state: 0xB17E5)
        for capacity in [0, 1, 7, 8, 9, 100, 1_100, 4_099] {
            #expect([UInt8](zeros: capacity) == [UInt8](repeating: 0, count: capacity))
            let source = (0..<capacity).map { _ in UInt8(random.int(1...255)) }
            for written in Set([0, capacity / 3, max(0, capacity - 1), capacity]) {
                func fill(_ buffer: inout UnsafeMutableBufferPointer<UInt8>, _ count: inout Int) {
                    #expect(buffer.count == capacity)
                    for k in 0..<written { buffer[k] = source[k] }
                    count = written
                }
                let ours = [UInt8](capacity: capacity, initializingWith: fill)
                let theirs = [UInt8](unsafeUninitializedCapacity: capacity, initializingWith: fill)
                #expect(ours == theirs, "capacity \(capacity), written \(written)")
                #expect(ours == Array(source.prefix(written)))
            }
        }
    }

    @Test func anInitializersErrorComesThrough() {
        #expect(throws: Refused.self) {
            _ = try [UInt8](capacity: 16) { _, written in
                written = 4
                throw Refused()
            }
        }
    }
}
