/// A small, strict JSON reader (RFC 8259) over UTF-8 bytes.
///
/// It keeps what a signature verifier needs and a generic decoder throws away: members in document order,
/// duplicate names, the raw text of numbers, and the byte range of every value, so that a caller can slice the
/// exact bytes that were signed instead of re-serialising them (PROTOCOL.md §4.1).
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
    /// How deep objects and arrays may nest before the input is rejected (a guard against stack exhaustion).
    public static let maximumDepth = 512

    /// For each byte: whether it continues a string run as itself (not a control character, `"` or `\`).
    /// Allocated once for the process and never written after.
    nonisolated(unsafe) static let stringRunByte: UnsafePointer<Bool> = {
        let table = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
        for c in 0..<256 { table[c] = c >= 0x20 && c != 0x22 && c != 0x5C }
        return UnsafePointer(table)
    }()

    /// Parses one JSON document; whitespace around it is allowed, anything else after it is not.
    /// - Throws: ``AlipaySignError/Code/malformedJSON`` with the byte offset of the problem.
    public static func parse<C: Collection>(_ bytes: C) throws -> JSONValue where C.Element == UInt8 {
        let buffer = Array(bytes)
        var parser = Parser(bytes: buffer)
        parser.skipWhitespace()
        let (value, _) = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == buffer.count else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    /// The UTF-8 bytes of the first member `name` of a JSON object, when it is a string: the one-member read of a
    /// batch line (`{"body": "…"}`) without building the document's tree. The whole document is still validated.
    /// - Returns: `nil` when the document is not an object, has no such member, or its value is not a string.
    /// - Throws: ``AlipaySignError/Code/malformedJSON`` when the document is not JSON.
    public static func stringMember<C: Collection>(_ name: String, in bytes: C) throws -> [UInt8]? where C.Element == UInt8 {
        let buffer = Array(bytes)
        var parser = Parser(bytes: buffer)
        parser.skipWhitespace()
        guard parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "{") else {
            _ = try parse(buffer)  // the error for non-JSON, or a valid non-object
            return nil
        }
        let key = Array(name.utf8)
        var found: [UInt8]?
        var decided = false  // the first member of that name decides, as `members.first` would
        parser.index += 1
        parser.skipWhitespace()
        if parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "}") {
            parser.index += 1
        } else {
            while true {
                parser.skipWhitespace()
                guard parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "\"") else {
                    throw parser.error("expected a member name in double quotes")
                }
                let member = try parser.parseStringBytes()
                parser.skipWhitespace()
                guard parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: ":") else {
                    throw parser.error("expected ':'")
                }
                parser.index += 1
                parser.skipWhitespace()
                if !decided, member == key {
                    decided = true
                    if parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "\"") {
                        found = try parser.parseStringBytes()
                    } else {
                        _ = try parser.parseValue(depth: 1)
                    }
                } else {
                    _ = try parser.parseValue(depth: 1)
                }
                parser.skipWhitespace()
                guard parser.index < buffer.count else { throw parser.error("unexpected end of input in an object") }
                if buffer[parser.index] == UInt8(ascii: ",") {
                    parser.index += 1
                    continue
                }
                if buffer[parser.index] == UInt8(ascii: "}") {
                    parser.index += 1
                    break
                }
                throw parser.error("expected ',' or '}'")
            }
        }
        parser.skipWhitespace()
        guard parser.index == buffer.count else { throw parser.error("unexpected text after the JSON value") }
        return found
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func error(_ message: String) -> AlipaySignError {
            AlipaySignError(.malformedJSON, "invalid JSON at byte \(index): \(message)")
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func parseValue(depth: Int) throws -> (JSONValue, Range<Int>) {
            guard depth <= JSONReader.maximumDepth else {
                throw error("nested more than \(JSONReader.maximumDepth) levels deep")
            }
            guard index < bytes.count else { throw error("unexpected end of input") }
            let start = index
            let value: JSONValue
            switch bytes[index] {
            case UInt8(ascii: "{"): value = try parseObject(depth: depth)
            case UInt8(ascii: "["): value = try parseArray(depth: depth)
            case UInt8(ascii: "\""): value = .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); value = .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); value = .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = .number(try parseNumber())
            default: throw error("unexpected character")
            }
            return (value, start..<index)
        }

        mutating func expectLiteral(_ literal: StaticString) throws {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw error("unexpected end of input") }
            let ok = literal.withUTF8Buffer { lit in
                (0..<count).allSatisfy { bytes[index + $0] == lit[$0] }
            }
            guard ok else { throw error("unexpected character") }
            index += count
        }

        mutating func parseObject(depth: Int) throws -> JSONValue {
            index += 1
            var members: [JSONValue.Member] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw error("expected a member name in double quotes")
                }
                let name = try parseString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                skipWhitespace()
                let (value, range) = try parseValue(depth: depth + 1)
                members.append(.init(name: name, value: value, valueRange: range))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input in an object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw error("expected ',' or '}'")
            }
        }

        mutating func parseArray(depth: Int) throws -> JSONValue {
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth + 1).0)
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input in an array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
                throw error("expected ',' or ']'")
            }
        }

        mutating func parseNumber() throws -> String {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { throw error("unexpected end of input in a number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else if isDigit(bytes[index]) {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            } else {
                throw error("invalid number")
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    index += 1
                }
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

        /// Skips the run of bytes that stand for themselves from `index`, on a raw pointer; returns whether they
        /// were all ASCII (then they need no UTF-8 validation).
        @discardableResult
        mutating func skipRun() -> Bool {
            let run = JSONReader.stringRunByte
            let from = index
            var seen: UInt8 = 0
            index = bytes.withUnsafeBufferPointer { p in
                var i = from
                if let base = p.baseAddress {
                    while i < p.count, run[Int(base[i])] {
                        seen |= base[i]
                        i += 1
                    }
                }
                return i
            }
            return seen < 0x80
        }

        mutating func parseString() throws -> String {
            index += 1  // opening quote
            let start = index
            // A string without escapes (the common case) becomes its String in one step.
            skipRun()
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                guard let s = String(validating: bytes[start..<(index - 1)], as: UTF8.self) else {
                    throw error("a string is not valid UTF-8")
                }
                return s
            }
            return String(decoding: try unescape(from: start), as: UTF8.self)
        }

        /// The same as UTF-8 bytes (validated), without making a String.
        mutating func parseStringBytes() throws -> [UInt8] {
            index += 1  // opening quote
            let start = index
            let ascii = skipRun()
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                let text = Array(bytes[start..<(index - 1)])
                let valid = ascii || text.withUnsafeBufferPointer { UTF8Check.isValid($0, 0..<$0.count) }
                guard valid else { throw error("a string is not valid UTF-8") }
                return text
            }
            return try unescape(from: start)
        }

        /// The string's bytes with escapes resolved, from its first byte `start`; `index` is at the first byte that
        /// needed a look. Ends past the closing quote; the result is valid UTF-8.
        mutating func unescape(from start: Int) throws -> [UInt8] {
            var out: [UInt8] = []
            var runStart = start
            while index < bytes.count {
                let c = bytes[index]
                if c == UInt8(ascii: "\"") {
                    out.append(contentsOf: bytes[runStart..<index])
                    index += 1
                    let valid = out.withUnsafeBufferPointer { UTF8Check.isValid($0, 0..<$0.count) }
                    guard valid else { throw error("a string is not valid UTF-8") }
                    return out
                }
                if c < 0x20 { throw error("a control character must be escaped in a string") }
                if c == UInt8(ascii: "\\") {
                    out.append(contentsOf: bytes[runStart..<index])
                    index += 1
                    guard index < bytes.count else { break }
                    let e = bytes[index]
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try parseHex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                                bytes[index + 1] == UInt8(ascii: "u")
                            else { throw error("a high surrogate escape without its low surrogate") }
                            index += 2
                            let low = try parseHex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw error("an unpaired surrogate escape") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw error("an unpaired surrogate escape")
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw error("an invalid \\u escape") }
                        out.append(contentsOf: String(Character(u)).utf8)
                    default:
                        index -= 1
                        throw error("an invalid escape")
                    }
                    runStart = index
                    continue
                }
                index += 1
            }
            throw error("an unterminated string")
        }

        mutating func parseHex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("a truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[index]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw error("an invalid \\u escape")
                }
                v = v << 4 | d
                index += 1
            }
            return v
        }
    }
}

/// Writing JSON strings (RFC 8259 §7), for every JSON the CLI and the reports print.
@_spi(AlipaySignTools) public enum JSONString {
    /// Appends `s` as a quoted JSON string: `"`, `\` and control characters escaped (and DEL, U+2028 and U+2029,
    /// which some JavaScript readers choke on); everything else as UTF-8.
    public static func append(_ s: String, to out: inout String) {
        out += "\""
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

    /// `s` as a quoted JSON string.
    public static func quoted(_ s: String) -> String {
        var out = ""
        append(s, to: &out)
        return out
    }
}
