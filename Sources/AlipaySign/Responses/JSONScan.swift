/// One pass over a JSON response body, in its own charset, that validates the whole text as JSON (RFC 8259) and
/// records byte ranges without copying: the root object's members, and the members of the response node(s).
///
/// The tokens come from the library's one tokenizer (``JSONTokenizer``), which scans strings in the body's charset,
/// and so does its nesting limit. Containers are tracked with an explicit stack.
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

    typealias Encoding = JSONTokenizer.Encoding

    static let errorNode: [UInt8] = Array("error_response".utf8)
    static let subCode: [UInt8] = Array("sub_code".utf8)

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
        var t: JSONTokenizer
        let node: [UInt8]
        // The shared constants, read once (each static access is a `swift_once` check).
        let errorNode = JSONScan.errorNode
        let subCode = JSONScan.subCode
        var result = JSONScan()

        init(b: UnsafeBufferPointer<UInt8>, node: [UInt8], encoding: Encoding) {
            t = JSONTokenizer(
                b, encoding: encoding, subject: "the response",
                hint: "the body must be given exactly as received, in the request's charset")
            self.node = node
            result.root.reserveCapacity(4)
        }

        var b: UnsafeBufferPointer<UInt8> { t.b }

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
            t.skipWhitespace()
            guard !t.atEnd else { throw t.fail("the body is empty", at: 0) }
            guard b[t.i] == UInt8(ascii: "{") else { throw t.fail("the body is not a JSON object") }
            var stack: [Frame] = []
            stack.reserveCapacity(8)
            stack.append(Frame(isObject: true, start: t.i, memberKey: 0..<0, memberKeyEscaped: false, nodeIndex: nil))
            // The innermost container, and the pending key when it is an object.
            var isObject = true
            var nodeIndex: Int? = nil
            var key: Range<Int> = 0..<0
            var keyEscaped = false
            t.i += 1
            var expect = Expect.keyOrEnd

            /// Closes the container at `t.i` and records it as the value it completes.
            func close() {
                let frame = stack.removeLast()
                t.i += 1
                expect = .commaOrEnd
                guard let parent = stack.last else { return }
                isObject = parent.isObject
                nodeIndex = parent.nodeIndex
                key = frame.memberKey
                keyEscaped = frame.memberKeyEscaped
                completed(frame.start..<t.i)
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
                t.skipWhitespace()
                guard !t.atEnd else { throw t.fail("the body ends inside \(stack.count) open container(s)") }
                let c = b[t.i]
                switch expect {
                case .keyOrEnd, .key:
                    if expect == .keyOrEnd && c == UInt8(ascii: "}") {
                        close()
                        if stack.isEmpty { return try finish() }
                        continue
                    }
                    guard c == UInt8(ascii: "\"") else { throw t.fail("expected a member name") }
                    let token = try t.string()
                    keyEscaped = token.escaped
                    key = token.content
                    if stack.count >= 2, isNodeName(key, escaped: keyEscaped) { result.nestedNodeKeys += 1 }
                    expect = .colon
                case .colon:
                    guard c == UInt8(ascii: ":") else { throw t.fail("expected ':'") }
                    t.i += 1
                    expect = .value
                case .value, .valueOrEnd:
                    if expect == .valueOrEnd && c == UInt8(ascii: "]") {
                        close()
                        continue
                    }
                    let start = t.i
                    switch c {
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        guard stack.count < JSONTokenizer.maximumDepth else { throw t.tooDeep() }
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
                        t.i += 1
                        expect = opensObject ? .keyOrEnd : .valueOrEnd
                        continue
                    case UInt8(ascii: "\""): _ = try t.string()
                    case UInt8(ascii: "t"): try t.literal("true")
                    case UInt8(ascii: "f"): try t.literal("false")
                    case UInt8(ascii: "n"): try t.literal("null")
                    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try t.number()
                    default: throw t.fail("expected a value")
                    }
                    completed(start..<t.i)
                    expect = .commaOrEnd
                case .commaOrEnd:
                    if c == UInt8(ascii: ",") {
                        t.i += 1
                        expect = isObject ? .key : .value
                    } else if c == UInt8(ascii: isObject ? "}" : "]") {
                        close()
                        if stack.isEmpty { return try finish() }
                    } else {
                        throw t.fail(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                    }
                }
            }
        }

        mutating func finish() throws {
            t.skipWhitespace()
            guard t.atEnd else { throw t.fail("bytes after the root object") }
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
    }
}

/// Decoding JSON string tokens found by the scan.
enum JSONText {
    /// The text of a string's content bytes (inside its quotes), escapes resolved; the bytes must be UTF-8.
    static func unescape(_ b: UnsafeBufferPointer<UInt8>, _ content: Range<Int>) throws -> String {
        try JSONTokenizer(b).decode(JSONTokenizer.StringToken(content: content, escaped: true))
    }
}
