#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, strict JSON reader (RFC 8259) over UTF-8 bytes.
///
/// It keeps what a signature verifier needs and a generic decoder throws away: members in document order,
/// duplicate names, the raw text of numbers, and the byte range of every value, so that a caller can slice the
/// exact bytes that were signed instead of re-serialising them (docs/PROTOCOL.md §4.1).
@_spi(AlipaySignTools) public indirect enum JSONValue: Sendable, Equatable {
    case object([Member])
    case array([JSONValue])
    case string(String)
    /// A number, as its exact text.
    case number(String)
    case bool(Bool)
    case null

    /// An object member with the byte range of its value in the parsed document.
    public struct Member: Sendable, Equatable {
        public let name: String
        public let value: JSONValue
        public let valueRange: Range<Int>
    }

    /// A short name for the kind of value, for messages.
    public var kindName: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

@_spi(AlipaySignTools) public enum JSONReader {
    /// How deep objects and arrays may nest before the input is rejected: the one limit of every JSON reader of
    /// the library.
    public static var maximumDepth: Int { JSONTokenizer.maximumDepth }

    /// Parses one JSON document; whitespace around it is allowed, anything else after it is not.
    /// - Throws: ``AlipaySignError/Code/malformedJSON`` with the byte offset of the problem.
    public static func parse<C: Collection>(_ bytes: C) throws -> JSONValue where C.Element == UInt8 {
        try Array(bytes).withUnsafeBufferPointer { buffer in
            var parser = Parser(JSONTokenizer(buffer))
            parser.t.skipWhitespace()
            let (value, _) = try parser.parseValue(depth: 0)
            parser.t.skipWhitespace()
            guard parser.t.atEnd else { throw parser.t.fail("unexpected text after the JSON value") }
            return value
        }
    }

    /// Whether the bytes are one JSON document, read with the checks of ``parse(_:)`` (escapes resolved, depth
    /// limited) without building it: the validity test of a value that is only checked, such as `biz_content`.
    public static func isValid<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        let read: (UnsafeBufferPointer<UInt8>) -> Bool = { buffer in
            var parser = Parser(JSONTokenizer(buffer))
            parser.t.skipWhitespace()
            do { try parser.skipValue(depth: 0) } catch { return false }
            parser.t.skipWhitespace()
            return parser.t.atEnd
        }
        if let result = bytes.withContiguousStorageIfAvailable(read) { return result }
        return Array(bytes).withUnsafeBufferPointer(read)
    }

    /// The UTF-8 bytes of the first member `name` of a JSON object, when it is a string: the one-member read of a
    /// batch line (`{"body": "…"}`) without building the document's tree. The whole document is still validated.
    /// - Returns: `nil` when the document is not an object, has no such member, or its value is not a string.
    /// - Throws: ``AlipaySignError/Code/malformedJSON`` when the document is not JSON.
    public static func stringMember<C: Collection>(_ name: String, in bytes: C) throws -> [UInt8]? where C.Element == UInt8 {
        try stringMembers([name], in: bytes)[0]
    }

    /// The UTF-8 bytes of the first member of each name, when it is a string, in one pass over the document
    /// (`{"body": "…", "method": "…"}`): the other values are read and validated as ``parse(_:)`` reads them,
    /// without being built.
    /// - Parameters:
    ///   - names: the member names.
    ///   - bytes: the document.
    /// - Returns: one entry per name: `nil` when the document is not an object, has no such member, or its value
    ///   is not a string.
    /// - Throws: ``AlipaySignError/Code/malformedJSON`` when the document is not JSON.
    public static func stringMembers<C: Collection>(_ names: [String], in bytes: C) throws -> [[UInt8]?]
    where C.Element == UInt8 {
        let names = MemberNames(names)
        if let result = try bytes.withContiguousStorageIfAvailable({ try stringMembers(names, in: $0) }) { return result }
        return try Array(bytes).withUnsafeBufferPointer { try stringMembers(names, in: $0) }
    }

    /// Member names made into bytes once, for `stringMembers(_:in:)` over one line after another (the batch modes
    /// make them once a worker: made on every line, they were four of its allocations).
    public struct MemberNames: Sendable {
        let keys: [[UInt8]]
        /// - Parameter names: the member names.
        public init(_ names: [String]) { keys = names.map { Array($0.utf8) } }
        /// How many names.
        public var count: Int { keys.count }
    }

    /// `stringMembers(_:in:)` with the names made into bytes before, over a buffer.
    /// - Parameters:
    ///   - names: the member names.
    ///   - buffer: the document.
    /// - Returns: one entry per name, as the other `stringMembers(_:in:)` gives them.
    /// - Throws: ``AlipaySignError/Code/malformedJSON`` when the document is not JSON.
    public static func stringMembers(_ names: MemberNames, in buffer: UnsafeBufferPointer<UInt8>) throws -> [[UInt8]?] {
        var parser = Parser(JSONTokenizer(buffer))
        parser.t.skipWhitespace()
        var found: [[UInt8]?] = Array(repeatElement(nil, count: names.count))  // see ByteArrays.swift
        guard !parser.t.atEnd, buffer[parser.t.i] == UInt8(ascii: "{") else {
            _ = try parse(buffer)  // the error for non-JSON, or a valid non-object
            return found
        }
        // The first member of a name decides: a bit a name (an array of flags past 64 names).
        var decidedBits: UInt64 = 0
        var decidedMore = names.count > 64 ? Array(repeatElement(false, count: names.count)) : []
        func decide(_ k: Int) -> Bool {
            if k < 64 {
                defer { decidedBits |= 1 << UInt64(k) }
                return decidedBits & (1 << UInt64(k)) == 0
            }
            defer { decidedMore[k] = true }
            return !decidedMore[k]
        }
        try parser.forEachMember(depth: 0) { parser, member in
            if let k = try parser.index(of: member, in: names.keys), decide(k) {
                if !parser.t.atEnd, buffer[parser.t.i] == UInt8(ascii: "\"") {
                    let token = try parser.t.string()
                    found[k] = try parser.t.unescapedBytes(token)
                    return
                }
            }
            try parser.skipValue(depth: 1)
        }
        parser.t.skipWhitespace()
        guard parser.t.atEnd else { throw parser.t.fail("unexpected text after the JSON value") }
        return found
    }

    /// A recursive-descent reader over the shared tokenizer; recursion is bounded by the tokenizer's depth limit.
    struct Parser {
        var t: JSONTokenizer

        init(_ t: JSONTokenizer) { self.t = t }

        mutating func parseValue(depth: Int) throws -> (JSONValue, Range<Int>) {
            guard !t.atEnd else { throw t.fail("unexpected end of input") }
            let start = t.i
            let value: JSONValue
            switch t.b[t.i] {
            case UInt8(ascii: "{"):
                var members: [JSONValue.Member] = []
                try forEachMember(depth: depth) { parser, name in
                    let text = try parser.t.decode(name)
                    let (value, range) = try parser.parseValue(depth: depth + 1)
                    members.append(.init(name: text, value: value, valueRange: range))
                }
                value = .object(members)
            case UInt8(ascii: "["):
                var elements: [JSONValue] = []
                try forEachElement(depth: depth, close: UInt8(ascii: "]"), in: "an array") { parser in
                    elements.append(try parser.parseValue(depth: depth + 1).0)
                }
                value = .array(elements)
            case UInt8(ascii: "\""): value = .string(try t.decode(try t.string()))
            case UInt8(ascii: "t"): try t.literal("true"); value = .bool(true)
            case UInt8(ascii: "f"): try t.literal("false"); value = .bool(false)
            case UInt8(ascii: "n"): try t.literal("null"); value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try t.number()
                value = .number(String(decoding: t.b[start..<t.i], as: UTF8.self))
            default: throw t.fail("unexpected character")
            }
            return (value, start..<t.i)
        }

        /// Reads the value at `t.i` as ``parseValue(depth:)`` does, with the same checks and errors (an escaped
        /// string's escapes are resolved, so that an unpaired surrogate is refused), without building it.
        mutating func skipValue(depth: Int) throws {
            guard !t.atEnd else { throw t.fail("unexpected end of input") }
            switch t.b[t.i] {
            case UInt8(ascii: "{"):
                try forEachMember(depth: depth) { parser, name in
                    if name.escaped { _ = try parser.t.unescapedBytes(name) }
                    try parser.skipValue(depth: depth + 1)
                }
            case UInt8(ascii: "["):
                try forEachElement(depth: depth, close: UInt8(ascii: "]"), in: "an array") { parser in
                    try parser.skipValue(depth: depth + 1)
                }
            case UInt8(ascii: "\""):
                let token = try t.string()
                if token.escaped { _ = try t.unescapedBytes(token) }
            case UInt8(ascii: "t"): try t.literal("true")
            case UInt8(ascii: "f"): try t.literal("false")
            case UInt8(ascii: "n"): try t.literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try t.number()
            default: throw t.fail("unexpected character")
            }
        }

        /// Which of `keys` a member name is (its escapes resolved, and checked, only when it has some).
        func index(of name: JSONTokenizer.StringToken, in keys: [[UInt8]]) throws -> Int? {
            if name.escaped {
                let bytes = try t.unescapedBytes(name)
                return keys.firstIndex(of: bytes)
            }
            let range = name.content
            return keys.firstIndex { key in
                key.count == range.count
                    && (range.isEmpty || key.withUnsafeBufferPointer { k in
                        memcmp(k.baseAddress!, t.b.baseAddress! + range.lowerBound, range.count) == 0
                    })
            }
        }

        /// Reads an object at `t.i` (its `{` at nesting `depth`): for each member, the name's token, with the
        /// tokenizer before the value, which `body` must read.
        mutating func forEachMember(
            depth: Int, _ body: (inout Parser, JSONTokenizer.StringToken) throws -> Void
        ) throws {
            try forEachElement(depth: depth, close: UInt8(ascii: "}"), in: "an object") { parser in
                guard !parser.t.atEnd, parser.t.b[parser.t.i] == UInt8(ascii: "\"") else {
                    throw parser.t.fail("expected a member name in double quotes")
                }
                let name = try parser.t.string()
                parser.t.skipWhitespace()
                guard !parser.t.atEnd, parser.t.b[parser.t.i] == UInt8(ascii: ":") else { throw parser.t.fail("expected ':'") }
                parser.t.i += 1
                parser.t.skipWhitespace()
                try body(&parser, name)
            }
        }

        /// The elements of a container opened at `t.i` (at nesting `depth`), separated by commas and ended by
        /// `close`: `element` reads one, starting at its first byte.
        mutating func forEachElement(
            depth: Int, close: UInt8, in what: String, _ element: (inout Parser) throws -> Void
        ) throws {
            guard depth < JSONTokenizer.maximumDepth else { throw t.tooDeep() }
            t.i += 1
            t.skipWhitespace()
            if !t.atEnd, t.b[t.i] == close {
                t.i += 1
                return
            }
            while true {
                t.skipWhitespace()
                try element(&self)
                t.skipWhitespace()
                guard !t.atEnd else { throw t.fail("unexpected end of input in \(what)") }
                if t.b[t.i] == UInt8(ascii: ",") {
                    t.i += 1
                    continue
                }
                if t.b[t.i] == close {
                    t.i += 1
                    return
                }
                throw t.fail("expected ',' or '\(Character(Unicode.Scalar(close)))'")
            }
        }
    }
}

/// A walk over one JSON document that builds only the values asked for: a reader of a known schema (a capture's
/// JSON Lines exchange) takes the members it needs as bytes and skips the rest, read and validated as
/// ``JSONReader/parse(_:)`` reads them, with the same errors. Made by ``JSONReader/walk(_:_:)`` and valid only
/// inside it.
@_spi(AlipaySignTools) public struct JSONCursor {
    var parser: JSONReader.Parser
    let depth: Int

    /// Reads the value at the cursor as an object: `member` is called for each member with the index of its name
    /// among `names` (`nil` for another name) and the cursor at its value, which `member` must read once
    /// (``string()``, ``value()``, ``object(names:_:)`` or ``skip()``).
    /// - Returns: `false`, the value skipped, when it is not an object.
    public mutating func object(names: [[UInt8]], _ member: (Int?, inout JSONCursor) throws -> Void) throws -> Bool {
        guard isObject else {
            try skip()
            return false
        }
        let depth = depth
        try parser.forEachMember(depth: depth) { p, name in
            var inner = JSONCursor(parser: p, depth: depth + 1)
            try member(try p.index(of: name, in: names), &inner)
            p = inner.parser
        }
        return true
    }

    /// Whether the value at the cursor is an array (nothing is read).
    public var isArray: Bool { !parser.t.atEnd && parser.t.b[parser.t.i] == UInt8(ascii: "[") }

    /// Whether the value at the cursor is an object (nothing is read).
    public var isObject: Bool { !parser.t.atEnd && parser.t.b[parser.t.i] == UInt8(ascii: "{") }

    /// Reads the value at the cursor as an array: `element` is called with the cursor at each element, which it
    /// must read once.
    /// - Returns: `false`, the value skipped, when it is not an array.
    public mutating func array(_ element: (inout JSONCursor) throws -> Void) throws -> Bool {
        guard isArray else {
            try skip()
            return false
        }
        let depth = depth
        try parser.forEachElement(depth: depth, close: UInt8(ascii: "]"), in: "an array") { p in
            var inner = JSONCursor(parser: p, depth: depth + 1)
            try element(&inner)
            p = inner.parser
        }
        return true
    }

    /// Reads the value at the cursor as an object, every member's name as text (escapes resolved, as
    /// ``JSONReader/parse(_:)`` gives it): `member` is called with the name and the cursor at the value, which it
    /// must read once.
    /// - Returns: `false`, the value skipped, when it is not an object.
    public mutating func members(_ member: (String, inout JSONCursor) throws -> Void) throws -> Bool {
        guard isObject else {
            try skip()
            return false
        }
        let depth = depth
        try parser.forEachMember(depth: depth) { p, name in
            let text = try p.t.decode(name)
            var inner = JSONCursor(parser: p, depth: depth + 1)
            try member(text, &inner)
            p = inner.parser
        }
        return true
    }

    /// The value as text when it is a string (escapes resolved, as ``JSONReader/parse(_:)`` gives it); `nil`, the
    /// value skipped, when it is not.
    public mutating func text() throws -> String? {
        guard !parser.t.atEnd, parser.t.b[parser.t.i] == UInt8(ascii: "\"") else {
            try skip()
            return nil
        }
        return try parser.t.decode(try parser.t.string())
    }

    /// The value's UTF-8 bytes (escapes resolved) when it is a string; `nil`, the value skipped, when it is not.
    public mutating func string() throws -> [UInt8]? {
        guard !parser.t.atEnd, parser.t.b[parser.t.i] == UInt8(ascii: "\"") else {
            try skip()
            return nil
        }
        let token = try parser.t.string()
        return try parser.t.unescapedBytes(token)
    }

    /// The value, built.
    public mutating func value() throws -> JSONValue { try parser.parseValue(depth: depth).0 }

    /// Reads the value without building it.
    public mutating func skip() throws { try parser.skipValue(depth: depth) }
}

extension JSONReader {
    /// Walks one JSON document: `body` reads its value through the cursor; whitespace around it is allowed,
    /// anything else after it is not.
    /// - Throws: ``AlipaySignError/Code/malformedJSON`` as ``parse(_:)`` does, or what `body` throws.
    public static func walk<R>(_ bytes: [UInt8], _ body: (inout JSONCursor) throws -> R) throws -> R {
        try bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONCursor(parser: Parser(JSONTokenizer(buffer)), depth: 0)
            cursor.parser.t.skipWhitespace()
            let result = try body(&cursor)
            cursor.parser.t.skipWhitespace()
            guard cursor.parser.t.atEnd else { throw cursor.parser.t.fail("unexpected text after the JSON value") }
            return result
        }
    }
}

/// Writing JSON strings (RFC 8259 §7), for every JSON the CLI and the reports print.
@_spi(AlipaySignTools) public enum JSONString {
    /// Appends `s` as a quoted JSON string: `"`, `\` and control characters escaped (and DEL, U+2028 and U+2029,
    /// which some JavaScript readers choke on); everything else as UTF-8.
    public static func append(_ s: String, to out: inout String) {
        out += "\""
        // Most strings need no escape: appended whole, instead of scalar by scalar.
        if !needsEscaping(s) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20 || c.value == 0x7F || c.value == 0x2028 || c.value == 0x2029:
                let hex = String(c.value, radix: 16)
                out += "\\u" + hex.leftPadded(to: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Whether `s` has a character ``append(_:to:)`` escapes: `"`, `\`, a control character, DEL, U+2028 or
    /// U+2029 (E2 80 A8/A9 in UTF-8).
    static func needsEscaping(_ s: String) -> Bool {
        let found = s.utf8.withContiguousStorageIfAvailable { b -> Bool in
            var i = 0
            let n = b.count
            while i < n {
                let c = b[i]
                if c < 0x20 || c == 0x22 || c == 0x5C || c == 0x7F { return true }
                if c == 0xE2, i + 2 < n, b[i + 1] == 0x80, b[i + 2] == 0xA8 || b[i + 2] == 0xA9 { return true }
                i += 1
            }
            return false
        }
        return found ?? true
    }

    /// `s` as a quoted JSON string.
    public static func quoted(_ s: String) -> String {
        var out = ""
        append(s, to: &out)
        return out
    }
}

/// JSON text written as bytes, for output built line by line into a reused buffer (the CLI's batch mode): the same
/// escaping as ``JSONString``, without a `String` per value.
@_spi(AlipaySignTools) public enum JSONBytes {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `s` as a quoted JSON string.
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendString(utf8: $0, to: &out) }
    }

    /// Appends UTF-8 text as a quoted JSON string: `"`, `\\`, control characters, DEL, U+2028 and U+2029
    /// escaped; runs of other bytes copied whole.
    /// - Parameters:
    ///   - text: valid UTF-8.
    ///   - out: the buffer to append to.
    public static func appendString(utf8 text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(0x22)
        let n = text.count
        var run = 0
        var i = 0
        func flush(_ end: Int) {
            if end > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: text[run..<end])) }
        }
        func unicodeEscape(_ value: UInt32) {
            let hex = hexDigits
            out.append(contentsOf: [0x5C, UInt8(ascii: "u")])
            for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int((value >> UInt32(shift)) & 0xF)]) }
        }
        let base = text.baseAddress
        while i < n {
            // Eight bytes at a time while none is a quote, a backslash, a control character, DEL or non-ASCII (a
            // zero-byte test on each, and the high bits): URLs, base64 signatures, most values. A word with one
            // goes straight to its first.
            if let base {
                while i + 8 <= n {
                    let x = ByteWord.load(base + i)
                    let special = ByteWord.equal(x, 0x22) | ByteWord.equal(x, 0x5C) | ByteWord.equal(x, 0x7F)
                        | ByteWord.below(x, 0x20) | ByteWord.nonASCII(x)
                    if special != 0 {
                        i += ByteWord.firstMatch(special)
                        break
                    }
                    i += 8
                }
                guard i < n else { break }
            }
            let c = text[i]
            if c >= 0x20 && c != 0x22 && c != 0x5C && c != 0x7F && c != 0xE2 {
                i += 1
                continue
            }
            if c == 0xE2 {
                guard i + 2 < n, text[i + 1] == 0x80, text[i + 2] == 0xA8 || text[i + 2] == 0xA9 else {
                    i += 1
                    continue
                }
                flush(i)
                unicodeEscape(text[i + 2] == 0xA8 ? 0x2028 : 0x2029)
                i += 3
                run = i
                continue
            }
            flush(i)
            switch c {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            default: unicodeEscape(UInt32(c))
            }
            i += 1
            run = i
        }
        flush(n)
        out.append(0x22)
    }
}

extension JSONValue {
    /// The value written compactly, members in their order, strings escaped as ``JSONString`` escapes them: what
    /// a re-serialised value may have been signed as.
    public var compactText: String {
        var out = ""
        func write(_ v: JSONValue) {
            switch v {
            case .object(let members):
                out += "{"
                for (i, m) in members.enumerated() {
                    if i > 0 { out += "," }
                    JSONString.append(m.name, to: &out)
                    out += ":"
                    write(m.value)
                }
                out += "}"
            case .array(let items):
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += "," }
                    write(item)
                }
                out += "]"
            case .string(let s): JSONString.append(s, to: &out)
            case .number(let n): out += n
            case .bool(let b): out += b ? "true" : "false"
            case .null: out += "null"
            }
        }
        write(self)
        return out
    }
}
