@testable import AlipayConformance
import Testing
import VectorSupport

/// The rules' simple patterns are matched without `Regex`; its answers are the expected ones. Every value here is
/// matched by both, and must get the same answer.
@Suite struct SimplePatternTests {
    /// The bundled rules' patterns, and others of the same form.
    static let simple = [
        "^2088[0-9]{12}$", "^[A-Za-z0-9_]+$", "^[0-9]+$", "[a-z]*", "^a[0-9]?b$", "^[0-9]{2,4}$", "^[0-9]{3,}x$",
        "^[a-c]*[b-d]+[a-z]{2}$", "^T[0-9]{1,6}_-[A-Z]*$", "^[a-]{2}$", "^ab:c@d/e,f$", "x{0}y", "^[0-9]*[0-9]*1$",
    ]
    /// Not of the simple form: for `Regex` alone.
    static let notSimple = [
        "^(ab)+$", "a|b", "^.+$", "^\\d+$", "^[^0-9]+$", "^[a-z]+?$", "^[a-z]++$", "^a$b", "^a\\$", "[-a]", "^$",
        "^[A-z]+$", "a{,3}", "^[a-z$", "(?i)abc", "^[:digit:]$", "[:alpha:]", "^[a:]+$",
    ]

    @Test func simpleFormIsRecognised() {
        for p in Self.simple { #expect(SimplePattern(p) != nil, "\(p)") }
        for p in Self.notSimple { #expect(SimplePattern(p) == nil, "\(p)") }
    }

    @Test func agreesWithRegexOnGeneratedValues() throws {
        // Values over the bytes the patterns name and their neighbours, every length to 20, from a fixed seed;
        // plus a few that must go to Regex (non-ASCII, a carriage return, too long).
        let alphabet = Array("0123456789abcdxyzABCDTZ_-:@/,. \n\t".utf8)
        var random = SeededRandom(state: 20261201)
        var values = ["", "2088123456789012", "20881234567890123", "abc_DEF_123", "ab-c", "a1b", "ab", "a12b", "123", "12345",
                      "x", "T123_-ABC", "ab:c@d/e,f", "y", "2088\r\n123456789012", "测试", "a\u{301}"]
        for length in 0...20 {
            for _ in 0..<60 {
                values.append(String(decoding: (0..<length).map { _ in random.pick(alphabet) }, as: UTF8.self))
            }
        }
        // Values shaped like each pattern's matches, then altered by a byte, so that matches are many too.
        for _ in 0..<400 {
            let base = values[random.int(0...19)]
            var bytes = Array(base.utf8)
            if !bytes.isEmpty { bytes[random.int(0...(bytes.count - 1))] = random.pick(alphabet) }
            values.append(String(decoding: bytes, as: UTF8.self))
        }
        values.append(String(repeating: "1", count: SimplePattern.maximumLength + 1))
        var decided = 0, matched = 0
        for p in Self.simple {
            let pattern = try #require(SimplePattern(p))
            let regex = try Regex(p)
            for v in values {
                let expected = (try? regex.wholeMatch(in: v)) != nil
                if let answer = pattern.wholeMatch(v) {
                    #expect(answer == expected, "\(p) on \(v.debugDescription)")
                    decided += 1
                    if answer { matched += 1 }
                }
                #expect(CompiledPattern(regex: regex, pattern: p).wholeMatch(v) == expected, "\(p) on \(v.debugDescription)")
            }
        }
        // Not vacuous: most values are decided here, and both answers occur often.
        #expect(decided > Self.simple.count * values.count * 9 / 10)
        #expect(matched > 200)
    }

    /// Patterns drawn from the bytes that matter to either reader (anchors, brackets, ranges, counts, POSIX
    /// class colons, literals): every one both read must answer every value as `Regex` does.
    @Test func generatedPatternsAgreeWithRegex() throws {
        let pieces = ["^", "$", "[", "]", "-", "{", "}", ",", "+", "*", "?", ":", "a", "z", "b", "0", "9", "A", "_", "@",
                      "/", "[a-z]", "[0-9]", "{2}", "{1,3}", "{2,}", "[:digit:]", "[a-]", "\\", "."]
        let alphabet = Array("az09bAZ_-:@/,{}[]^$. ".utf8)
        var random = SeededRandom(state: 20261202)
        var compared = 0
        for _ in 0..<3_000 {
            let p = (0..<random.int(1...6)).map { _ in random.pick(pieces) }.joined()
            guard let simple = SimplePattern(p), let regex = try? Regex(p) else { continue }
            for _ in 0..<25 {
                let v = String(decoding: (0..<random.int(0...6)).map { _ in random.pick(alphabet) }, as: UTF8.self)
                guard let answer = simple.wholeMatch(v) else { continue }
                #expect(answer == ((try? regex.wholeMatch(in: v)) != nil), "\(p) on \(v.debugDescription)")
                compared += 1
            }
        }
        #expect(compared > 5_000)
    }

    @Test func valuesForRegexAreLeftToIt() throws {
        let pattern = try #require(SimplePattern("^[0-9]+$"))
        #expect(pattern.wholeMatch("١٢٣") == nil)  // Arabic-Indic digits: outside ASCII
        #expect(pattern.wholeMatch("12\r\n") == nil)
        #expect(pattern.wholeMatch(String(repeating: "1", count: SimplePattern.maximumLength + 1)) == nil)
        #expect(pattern.wholeMatch(String(repeating: "1", count: SimplePattern.maximumLength)) == true)
    }
}
