@_spi(AlipaySignTools) import AlipaySign
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension JSONValue {
    subscript(_ name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.name == name }?.value
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var intValue: Int? {
        switch self {
        // An integral number in Int's range (`200`, `200.0`, `2e2`); anything else (`1e300`, `200.5`) is not an
        // integer. Converting with `Int(_: Double)` trapped on numbers out of range (found by the jsonl fuzz target).
        case .number(let n): return Int(n) ?? Double(n).flatMap { Int(exactly: $0) }
        case .string(let s): return Int(s)
        default: return nil
        }
    }

    var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

/// One HAR 1.2 entry (`log.entries[]`) to an exchange.
enum HAREntry {
    static func exchange(_ bytes: [UInt8], index: Int) throws -> Exchange {
        let entry: JSONValue
        do { entry = try JSONReader.parse(bytes) } catch {
            throw CaptureError("HAR entry \(index) is not valid JSON: \(error)")
        }
        guard let request = entry["request"], let method = request["method"]?.stringValue,
            let url = request["url"]?.stringValue
        else { throw CaptureError("HAR entry \(index) has no request method and url") }
        let started = entry["startedDateTime"]?.stringValue.flatMap { ISO8601Instant.parse($0) }
        var requestBody: [UInt8] = []
        var fromText = false
        if let post = request["postData"] {
            if let text = post["text"]?.stringValue {
                (requestBody, fromText) = try body(
                    Array(text.utf8), encoding: post["encoding"]?.stringValue, what: "entry \(index)'s postData")
            } else if let params = post["params"]?.arrayValue {
                // Only parameters: rebuild a form body from them (HAR gives their decoded values).
                requestBody = Array(params.compactMap { p -> String? in
                    guard let name = p["name"]?.stringValue else { return nil }
                    return FormEncoding.encode(name) + "=" + FormEncoding.encode(p["value"]?.stringValue ?? "")
                }.joined(separator: "&").utf8)
            }
        }
        var response: Exchange.Message?
        var status = 0
        if let value = entry["response"]?["status"], value.intValue == nil {
            throw CaptureError("entry \(index)'s response.status is not an integer")
        }
        if let r = entry["response"], let s = r["status"]?.intValue, s > 0 {
            status = s
            var responseBody: [UInt8] = []
            var responseFromText = false
            if let content = r["content"], let text = content["text"]?.stringValue {
                (responseBody, responseFromText) = try body(
                    Array(text.utf8), encoding: content["encoding"]?.stringValue, what: "entry \(index)'s response content")
            }
            response = Exchange.Message(headers: headers(r["headers"]), body: responseBody, bodyFromText: responseFromText)
        }
        return Exchange(
            index: index, startedAt: started, method: method.uppercased(), url: url,
            request: Exchange.Message(headers: headers(request["headers"]), body: requestBody, bodyFromText: fromText),
            status: status, response: response)
    }

    static func headers(_ value: JSONValue?) -> [(name: String, value: String)] {
        if let array = value?.arrayValue {
            return array.compactMap { h in
                guard let name = h["name"]?.stringValue, !name.hasPrefix(":") else { return nil }  // HTTP/2 pseudo-headers
                return (name, h["value"]?.stringValue ?? "")
            }
        }
        if case .object(let members)? = value {  // JSON Lines may give an object
            return members.compactMap { m in m.value.stringValue.map { (m.name, $0) } }
        }
        return []
    }

    /// A body given as text (its UTF-8 bytes) and the capture's encoding for it: the bytes, and whether they came
    /// as text (a GBK body must then be re-encoded) rather than base64. `what` names the body in an error (built
    /// only then: this runs twice for every exchange).
    static func body(_ text: [UInt8], encoding: String?, what: @autoclosure () -> String) throws -> ([UInt8], Bool) {
        guard let encoding, !encoding.isEmpty else { return (text, true) }
        if encoding.equalsIgnoringCase("utf8") || encoding.equalsIgnoringCase("utf-8") { return (text, true) }
        if encoding.equalsIgnoringCase("base64") {
            guard let bytes = Base64.decode(text) else { throw CaptureError("\(what()) says base64 but is not base64") }
            return (bytes, false)
        }
        throw CaptureError("\(what()) has the encoding '\(encoding)'; only base64 (or none) is understood")
    }
}

/// One JSON Lines exchange (the schema in the README) to an exchange.
///
/// The line is walked once: the members the schema names are taken (the first of each name, as a tree's lookup
/// would), bodies straight as bytes, the method, URL, encoding and time as text, the headers as pairs, and
/// everything else is read and validated without being built.
enum JSONLinesEntry {
    /// A `request` or `response` object's members (the first of each name).
    private struct Part {
        var seen = 0  // a bit per name: the first member of a name is the one read
        var method: String?, url: String?, body: [UInt8]?, encoding: String?
        var headers: [(name: String, value: String)] = [], status: JSONValue?
    }

    private static let topNames = ["time", "request", "response"].map { Array($0.utf8) }
    private static let partNames = ["method", "url", "headers", "body", "encoding", "status"].map { Array($0.utf8) }

    /// Reads a `request` or `response` object into `part` (left `nil` when the value is not an object). Written in
    /// place, not returned: a `Part` returned and then unwrapped was copied twice, a retain and a release of each
    /// of its members every time (about 50 an exchange in `check`).
    private static func part(_ c: inout JSONCursor, into part: inout Part?) throws {
        part = Part()
        let isObject = try c.object(names: partNames) { k, c in
            guard let k, part!.seen & 1 << k == 0 else { return try c.skip() }
            part!.seen |= 1 << k
            switch k {
            case 0: part!.method = try c.text()
            case 1: part!.url = try c.text()
            case 2: part!.headers = try headers(&c)
            case 3: part!.body = try c.string()
            case 4: part!.encoding = try c.text()
            default: part!.status = try c.value()
            }
        }
        if !isObject { part = nil }
    }

    private static let headerNames = ["name", "value"].map { Array($0.utf8) }

    /// The headers as ``HAREntry/headers(_:)`` reads them from a built value, read without building one: an array
    /// of `{"name", "value"}` objects (the first member of each name; an element without a string name, or with a
    /// pseudo-header's `:` name, left out; a value that is not a string read as empty), or an object of string
    /// members (the others left out); anything else gives none.
    private static func headers(_ c: inout JSONCursor) throws -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if c.isArray {
            _ = try c.array { e in
                var name: String?, value: String?
                var seen = 0
                let isObject = try e.object(names: headerNames) { k, c in
                    guard let k, seen & 1 << k == 0 else { return try c.skip() }
                    seen |= 1 << k
                    if k == 0 { name = try c.text() } else { value = try c.text() }
                }
                guard isObject, let name, !name.hasPrefix(":") else { return }  // HTTP/2 pseudo-headers
                headers.append((name, value ?? ""))
            }
        } else {
            _ = try c.members { name, c in
                if let value = try c.text() { headers.append((name, value)) }
            }
        }
        return headers
    }

    static func exchange(_ line: [UInt8], index: Int) throws -> Exchange {
        var time: String?
        var request: Part?, response: Part?
        do {
            try JSONReader.walk(line) { c in
                var seen = 0
                _ = try c.object(names: topNames) { k, c in
                    guard let k, seen & 1 << k == 0 else { return try c.skip() }
                    seen |= 1 << k
                    switch k {
                    case 0: time = try c.text()
                    case 1: try part(&c, into: &request)
                    default: try part(&c, into: &response)
                    }
                }
            }
        } catch {
            throw CaptureError("line \(index) of the JSON Lines capture is not valid JSON: \(error)")
        }
        // The members are moved out of the parts (`take`), not copied: each copy of a string or an array is a
        // retain and a release.
        guard var request = request.take(), let method = request.method.take(), let url = request.url.take()
        else { throw CaptureError("line \(index) has no request.method and request.url") }
        let started = time.flatMap { ISO8601Instant.parse($0) }
        let (requestBody, fromText) = try HAREntry.body(
            request.body.take() ?? [], encoding: request.encoding, what: "line \(index)'s request body")
        var message: Exchange.Message?
        var status = 0
        if let given = response?.status, given.intValue == nil {
            throw CaptureError("line \(index)'s response.status is not an integer")
        }
        if var r = response.take(), let s = r.status?.intValue {
            status = s
            let (body, text) = try HAREntry.body(r.body.take() ?? [], encoding: r.encoding, what: "line \(index)'s response body")
            message = Exchange.Message(headers: Self.take(&r.headers), body: body, bodyFromText: text)
        }
        return Exchange(
            index: index, startedAt: started, method: method.uppercased(), url: url,
            request: Exchange.Message(headers: Self.take(&request.headers), body: requestBody, bodyFromText: fromText),
            status: status, response: message)
    }

    /// The headers moved out of a part, leaving none.
    private static func take(_ headers: inout [(name: String, value: String)]) -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        swap(&out, &headers)
        return out
    }
}

/// `application/x-www-form-urlencoded` encoding of text (UTF-8), for bodies rebuilt from HAR params.
enum FormEncoding {
    static func encode(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "*"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: " "): out += "+"
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }
}
