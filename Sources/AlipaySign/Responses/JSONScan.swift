/// One pass over a JSON response body, in its own charset, that validates the whole text as JSON (RFC 8259) and
/// records byte ranges without copying: the root object's members, and the members of the response node(s).
///
/// Strings are scanned in the body's charset, so that a GBK or GB18030 trail byte that happens to be `\` (0x5C),
/// `{` or `}` never counts as syntax, as it does not for the Java SDK, which works on decoded characters.
/// Containers are tracked with an explicit stack: nesting depth costs memory, never the call stack.
struct JSONScan {
    struct Member {
        /// The key's bytes, inside its quotes.
        let key: Range<Int>
        /// Whether the key has backslash escapes (so its bytes are not its text).
        let keyEscaped: Bool
        /// The value's bytes: `{...}` or `[...]` inclusive, a string with its quotes, a number or a literal.
        let value: Range<Int>
    }

    /// The members of the root object, in order.
    var root: [Member] = []
    /// For each root member whose key is a node name and whose value is an object: the value of each of its
    /// `sub_code` members, by the root member's index, in order (all that Java's `isSuccess()` reads).
    var subCodes: [(node: Int, value: Range<Int>)] = []
    /// How many keys below the root level equal one of the node names (a node smuggled in deeper).
    var nestedNodeKeys = 0

    enum Encoding { case utf8, gbk, gb18030 }

    static let errorNode: [UInt8] = Array("error_response".utf8)
    static let subCode: [UInt8] = Array("sub_code".utf8)

    /// For each byte: whether it stands for itself inside a string (printable ASCII other than '"' and '\').
    /// Allocated once for the process, never freed and never written after: safe to share across threads.
    nonisolated(unsafe) static let plainStringByte: UnsafePointer<Bool> = {
        let table = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
        for c in 0..<256 { table[c] = c >= 0x20 && c < 0x80 && c != 0x22 && c != 0x5C }
        return UnsafePointer(table)
    }()

    /// Scans `body`; `node` is the method's node name (`error_response` is always the other one).
    static func scan(_ body: UnsafeBufferPointer<UInt8>, node: [UInt8], encoding: Encoding) throws -> JSONScan {
        var scanner = Scanner(b: body, node: node, encoding: encoding)
        try scanner.run()
        return scanner.result
    }

    /// Whether a key's text is the ASCII `name`. Unescaped key bytes are the text in every supported charset
    /// (a multi-byte character never equals ASCII); a key with escapes is decoded first (rare).
    static func keyEquals(_ b: UnsafeBufferPointer<UInt8>, _ key: Range<Int>, escaped: Bool, _ name: [UInt8]) -> Bool {
        if escaped {
            guard key.allSatisfy({ b[$0] < 0x80 }), let text = try? JSONText.unescape(b, key) else { return false }
            return text.utf8.elementsEqual(name)
        }
        guard key.count == name.count else { return false }
        var k = key.lowerBound
        for byte in name {
            if b[k] != byte { return false }
            k += 1
        }
        return true
    }

    private struct Scanner {
        let b: UnsafeBufferPointer<UInt8>
        let node: [UInt8]
        let encoding: Encoding
        // The shared constants, read once (each static access is a `swift_once` check).
        let errorNode = JSONScan.errorNode
        let subCode = JSONScan.subCode
        let plain = JSONScan.plainStringByte
        var i = 0
        var result = JSONScan()

        init(b: UnsafeBufferPointer<UInt8>, node: [UInt8], encoding: Encoding) {
            self.b = b
            self.node = node
            self.encoding = encoding
            result.root.reserveCapacity(4)
        }

        func fail(_ what: String, at position: Int? = nil) -> AlipaySignError {
            AlipaySignError(
                .malformedJSON, "the response is not valid JSON: \(what) at byte \(position ?? i)",
                hint: "the body must be given exactly as received, in the request's charset")
        }

        mutating func skipWhitespace() {
            while i < b.count {
                switch b[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        /// An open container: its kind, its start offset, and the member key it is the value of (when its parent
        /// is an object). The state of the innermost container lives in locals of `run`, not in the stack.
        struct Frame {
            let isObject: Bool
            let start: Int
            let memberKey: Range<Int>
            let memberKeyEscaped: Bool
            /// For a root-level member's object value whose key is a node name: that root member's index.
            let nodeIndex: Int?
        }

        enum Expect { case keyOrEnd, key, colon, value, valueOrEnd, commaOrEnd }

        mutating func run() throws {
            skipWhitespace()
            guard i < b.count else { throw fail("the body is empty", at: 0) }
            guard b[i] == UInt8(ascii: "{") else { throw fail("the body is not a JSON object") }
            var stack: [Frame] = []
            stack.reserveCapacity(8)
            stack.append(Frame(isObject: true, start: i, memberKey: 0..<0, memberKeyEscaped: false, nodeIndex: nil))
            // The innermost container, and the pending key when it is an object.
            var isObject = true
            var nodeIndex: Int? = nil
            var key: Range<Int> = 0..<0
            var keyEscaped = false
            i += 1
            var expect = Expect.keyOrEnd

            /// Closes the container at `i` and records it as the value it completes.
            func close() {
                let frame = stack.removeLast()
                i += 1
                expect = .commaOrEnd
                guard let parent = stack.last else { return }
                isObject = parent.isObject
                nodeIndex = parent.nodeIndex
                key = frame.memberKey
                keyEscaped = frame.memberKeyEscaped
                completed(frame.start..<i)
            }
            /// Records a completed value if it is a root member's, or a node's `sub_code`.
            func completed(_ value: Range<Int>) {
                guard isObject else { return }
                if stack.count == 1 {
                    result.root.append(Member(key: key, keyEscaped: keyEscaped, value: value))
                } else if stack.count == 2, let node = nodeIndex, keyEquals(key, escaped: keyEscaped, subCode) {
                    result.subCodes.append((node, value))
                }
            }

            while true {
                skipWhitespace()
                guard i < b.count else { throw fail("the body ends inside \(stack.count) open container(s)") }
                let c = b[i]
                switch expect {
                case .keyOrEnd, .key:
                    if expect == .keyOrEnd && c == UInt8(ascii: "}") {
                        close()
                        if stack.isEmpty { return try finish() }
                        continue
                    }
                    guard c == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                    let start = i
                    keyEscaped = try skipString()
                    key = (start + 1)..<(i - 1)
                    if stack.count >= 2, isNodeName(key, escaped: keyEscaped) { result.nestedNodeKeys += 1 }
                    expect = .colon
                case .colon:
                    guard c == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    i += 1
                    expect = .value
                case .value, .valueOrEnd:
                    if expect == .valueOrEnd && c == UInt8(ascii: "]") {
                        close()
                        continue
                    }
                    let start = i
                    switch c {
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        let opensObject = c == UInt8(ascii: "{")
                        // A root member's object value whose key is a node name: note its sub_code.
                        let childNode: Int? =
                            opensObject && stack.count == 1 && isNodeName(key, escaped: keyEscaped)
                            ? result.root.count : nil
                        stack.append(
                            Frame(
                                isObject: opensObject, start: start, memberKey: isObject ? key : 0..<0,
                                memberKeyEscaped: isObject && keyEscaped, nodeIndex: childNode))
                        isObject = opensObject
                        nodeIndex = childNode
                        i += 1
                        expect = opensObject ? .keyOrEnd : .valueOrEnd
                        continue
                    case UInt8(ascii: "\""): _ = try skipString()
                    case UInt8(ascii: "t"): try literal("true")
                    case UInt8(ascii: "f"): try literal("false")
                    case UInt8(ascii: "n"): try literal("null")
                    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
                    default: throw fail("expected a value")
                    }
                    completed(start..<i)
                    expect = .commaOrEnd
                case .commaOrEnd:
                    if c == UInt8(ascii: ",") {
                        i += 1
                        expect = isObject ? .key : .value
                    } else if c == UInt8(ascii: isObject ? "}" : "]") {
                        close()
                        if stack.isEmpty { return try finish() }
                    } else {
                        throw fail(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                    }
                }
            }
        }

        mutating func finish() throws {
            skipWhitespace()
            guard i == b.count else { throw fail("bytes after the root object") }
        }

        func isNodeName(_ key: Range<Int>, escaped: Bool) -> Bool {
            // Most keys differ in length from both names: no call at all.
            guard escaped || key.count == node.count || key.count == errorNode.count else { return false }
            return keyEquals(key, escaped: escaped, node) || keyEquals(key, escaped: escaped, errorNode)
        }

        /// Whether a key's text is `name` (ASCII): compared as bytes, or once unescaped when it has escapes.
        func keyEquals(_ key: Range<Int>, escaped: Bool, _ name: [UInt8]) -> Bool {
            JSONScan.keyEquals(b, key, escaped: escaped, name)
        }

        mutating func literal(_ word: StaticString) throws {
            let n = word.utf8CodeUnitCount
            guard i + n <= b.count else { throw fail("a truncated literal") }
            for k in 0..<n where b[i + k] != word.utf8Start[k] { throw fail("an invalid literal") }
            i += n
        }

        mutating func number() throws {
            let start = i
            if b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count, isDigit(b[i]) else { throw fail("a number without digits", at: start) }
            if b[i] == UInt8(ascii: "0") {
                i += 1
            } else {
                while i < b.count, isDigit(b[i]) { i += 1 }
            }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                guard i < b.count, isDigit(b[i]) else { throw fail("a number with no digits after '.'", at: start) }
                while i < b.count, isDigit(b[i]) { i += 1 }
            }
            if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                guard i < b.count, isDigit(b[i]) else { throw fail("a number with an empty exponent", at: start) }
                while i < b.count, isDigit(b[i]) { i += 1 }
            }
        }

        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

        /// Skips a string starting at its opening quote; returns whether it had escapes. Validates escapes,
        /// control characters and the charset's byte sequences.
        mutating func skipString() throws -> Bool {
            let start = i
            i += 1
            var escaped = false
            guard let base = b.baseAddress else { throw fail("an unterminated string", at: start) }
            let n = b.count
            while i < n {
                // Printable ASCII other than '"' and '\' (one table load instead of four comparisons), on a local
                // index and a raw pointer: the common case of the whole scan.
                var j = i
                while j < n, plain[Int(base[j])] { j += 1 }
                i = j
                guard i < n else { break }
                let c = base[i]
                if c == UInt8(ascii: "\"") {
                    i += 1
                    return escaped
                }
                if c == UInt8(ascii: "\\") {
                    escaped = true
                    guard i + 1 < b.count else { break }
                    switch b[i + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        i += 2
                    case UInt8(ascii: "u"):
                        guard i + 6 <= b.count, (2..<6).allSatisfy({ isHex(b[i + $0]) }) else {
                            throw fail("an invalid \\u escape")
                        }
                        i += 6
                    default:
                        throw fail("an invalid escape")
                    }
                    continue
                }
                if c < 0x20 { throw fail("an unescaped control character in a string") }
                if c < 0x80 {
                    i += 1
                    continue
                }
                i += try multibyteLength(at: i)
            }
            throw fail("an unterminated string", at: start)
        }

        func isHex(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
        }

        /// The length of the multi-byte character at `at` in the body's charset; throws when it is not one.
        func multibyteLength(at p: Int) throws -> Int {
            let c = b[p]
            func byte(_ k: Int) -> UInt8? { p + k < b.count ? b[p + k] : nil }
            func cont(_ k: Int) -> Bool { byte(k).map { $0 & 0xC0 == 0x80 } ?? false }
            switch encoding {
            case .utf8:
                switch c {
                case 0xC2...0xDF where cont(1): return 2
                case 0xE0 where (byte(1).map { (0xA0...0xBF).contains($0) } ?? false) && cont(2): return 3
                case 0xE1...0xEC where cont(1) && cont(2): return 3
                case 0xEE...0xEF where cont(1) && cont(2): return 3
                case 0xED where (byte(1).map { (0x80...0x9F).contains($0) } ?? false) && cont(2): return 3
                case 0xF0 where (byte(1).map { (0x90...0xBF).contains($0) } ?? false) && cont(2) && cont(3): return 4
                case 0xF1...0xF3 where cont(1) && cont(2) && cont(3): return 4
                case 0xF4 where (byte(1).map { (0x80...0x8F).contains($0) } ?? false) && cont(2) && cont(3): return 4
                default: throw fail("bytes that are not valid UTF-8", at: p)
                }
            case .gbk, .gb18030:
                guard (0x81...0xFE).contains(c), let second = byte(1) else {
                    throw fail("bytes that are not valid \(encoding == .gbk ? "GBK" : "GB18030")", at: p)
                }
                if (0x40...0x7E).contains(second) || (0x80...0xFE).contains(second) { return 2 }
                if encoding == .gb18030, (0x30...0x39).contains(second), let third = byte(2), let fourth = byte(3),
                    (0x81...0xFE).contains(third), (0x30...0x39).contains(fourth)
                {
                    return 4
                }
                throw fail("bytes that are not valid \(encoding == .gbk ? "GBK" : "GB18030")", at: p)
            }
        }
    }
}

/// Decoding JSON string tokens found by the scan.
enum JSONText {
    /// The text of a string's content bytes (inside its quotes), escapes resolved; the bytes must be UTF-8.
    static func unescape(_ b: UnsafeBufferPointer<UInt8>, _ content: Range<Int>) throws -> String {
        var quoted = [UInt8](repeating: UInt8(ascii: "\""), count: content.count + 2)
        for k in 0..<content.count { quoted[k + 1] = b[content.lowerBound + k] }
        guard case .string(let text) = try JSONReader.parse(quoted) else {
            throw AlipaySignError(.malformedJSON, "a string member is not a string")
        }
        return text
    }
}

