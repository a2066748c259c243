@_spi(AlipaySignTools) import AlipaySign
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A field's regular expression, compiled once. A `Regex` is immutable once made; its matching state is per call.
final class CompiledPattern: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>
    /// The same pattern read as a ``SimplePattern`` when it is one: matched without `Regex` where it can be.
    let simple: SimplePattern?
    init(regex: Regex<AnyRegexOutput>, pattern: String) {
        self.regex = regex
        self.simple = SimplePattern(pattern)
    }

    /// Whether the pattern matches the whole value.
    func wholeMatch(_ value: String) -> Bool {
        if let answer = simple?.wholeMatch(value) { return answer }
        return (try? regex.wholeMatch(in: value)) != nil
    }
}

/// Per-API rules, kept as data files (Rules/*.json in this module, plus any directory given): see Rules/README.md.
public struct APIRuleSet: Sendable {
    /// One field's constraints: required, type, length, pattern, items, allowed values.
    public struct Field: Sendable {
        let name: String
        let required: Bool
        let type: String?
        let maxLength: Int?
        let pattern: String?
        /// The pattern compiled once, when the rule is read (compiling it for every exchange was a tenth of `check`).
        let regex: CompiledPattern?
        let minItems: Int?
        let maxItems: Int?
        let enumValues: [String]?
        let items: [Field]?
    }

    /// The rules of a request or a response: where its fields are, and the fields.
    public struct Part: Sendable {
        let location: String?
        let bodyMustBeObject: Bool
        let fields: [Field]
        let atLeastOne: [[String]]
    }

    /// One API's rules.
    public struct Rule: Sendable {
        /// The API: a v2 method, or `METHOD /v3/path`.
        public let api: String
        /// Where the rules come from (the API's documentation).
        public let source: String?
        let method: String?
        let path: String?
        let request: Part?
        let response: Part?
    }

    /// The rules by API.
    public private(set) var rules: [String: Rule] = [:]

    /// No rules.
    public init() {}

    /// The rules bundled with the module (Rules/*.json, embedded in BundledRules.swift by `make rules`).
    /// - Returns: the bundled rules.
    /// - Throws: ``CaptureError`` if an embedded file does not parse (a build that skipped `make rules`).
    public static func bundled() throws -> APIRuleSet {
        var set = APIRuleSet()
        for (name, json) in BundledRules.files {
            let rule = try parse(Array(json.utf8), file: name)
            set.rules[rule.api] = rule
        }
        return set
    }

    /// Loads every `*.json` file of a directory (a later file for the same API replaces an earlier one).
    /// - Parameter directory: the directory's path.
    /// - Throws: ``CaptureError`` naming the file that cannot be read or parsed.
    public mutating func load(directory: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        for name in names {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { throw CaptureError("cannot read the rule file \(path)") }
            let rule = try Self.parse([UInt8](data), file: name)
            rules[rule.api] = rule
        }
    }

    static func parse(_ bytes: [UInt8], file: String) throws -> Rule {
        let value: JSONValue
        do { value = try JSONReader.parse(bytes) } catch { throw CaptureError("the rule file \(file) is not valid JSON: \(error)") }
        guard let api = value["api"]?.stringValue else { throw CaptureError("the rule file \(file) has no \"api\"") }
        func fields(_ v: JSONValue?) throws -> [Field] {
            try (v?.arrayValue ?? []).map { f in
                guard let name = f["name"]?.stringValue else { throw CaptureError("a field of \(file) has no name") }
                var regex: CompiledPattern?
                if let pattern = f["pattern"]?.stringValue {
                    guard let compiled = try? Regex(pattern) else {
                        throw CaptureError("the pattern of \(file)'s field \(name) is not a valid regular expression")
                    }
                    regex = CompiledPattern(regex: compiled, pattern: pattern)
                }
                var required = false
                if case .bool(let b)? = f["required"] { required = b }
                return Field(
                    name: name, required: required, type: f["type"]?.stringValue, maxLength: f["maxLength"]?.intValue,
                    pattern: f["pattern"]?.stringValue, regex: regex, minItems: f["minItems"]?.intValue, maxItems: f["maxItems"]?.intValue,
                    enumValues: f["enum"]?.arrayValue?.compactMap(\.stringValue), items: try f["items"].map { try fields($0["fields"]) })
            }
        }
        func part(_ v: JSONValue?) throws -> Part? {
            guard let v else { return nil }
            return Part(
                location: v["in"]?.stringValue, bodyMustBeObject: v["body"]?.stringValue == "json-object",
                fields: try fields(v["fields"]),
                atLeastOne: v["atLeastOne"]?.arrayValue?.map { $0.arrayValue?.compactMap(\.stringValue) ?? [] } ?? [])
        }
        return Rule(
            api: api, source: value["source"]?.stringValue, method: value["method"]?.stringValue,
            path: value["path"]?.stringValue, request: try part(value["request"]), response: try part(value["response"]))
    }

    /// The rule for a v2 method.
    func rule(v2Method method: String) -> Rule? { rules[method] }

    /// The findings of a v2 request's `biz_content` against its API's rule: the check `check` runs and the local
    /// gateway answers with. `nil` when the method has no rule.
    /// - Parameters:
    ///   - method: the v2 method.
    ///   - bizContent: the request's `biz_content` (decrypted, when it was encrypted).
    /// - Returns: the findings (empty when every field is as the rule says), or `nil`.
    package func requestFindings(v2Method method: String, bizContent: @autoclosure () -> String?) -> [Finding]? {
        guard let rule = rule(v2Method: method), let part = rule.request else { return nil }
        // Read only for a method with a rule: most are without one, and a biz_content can be long.
        guard let biz = bizContent() else {
            return part.fields.isEmpty ? [] : [Finding("api.\(rule.api)", .error, "biz_content is missing")]
        }
        guard case .object(let members)? = try? JSONReader.parse(Array(biz.utf8)) else { return [] }
        return Self.check(members.map { ($0.name, $0.value) }, part: part, api: rule.api, where: "biz_content")
    }

    /// The rule for a v3 request.
    func rule(v3Method method: String, path: String) -> Rule? { rules["\(method.uppercased()) \(path)"] }

    /// The findings of a v3 request against its API's rule (its query or its JSON body): the check `check` runs
    /// and the local gateway answers with. `nil` when the request has no rule.
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - path: the path without the query.
    ///   - query: the raw query.
    ///   - body: the body as sent.
    ///   - encrypted: whether the body is encrypted (its fields cannot be checked).
    /// - Returns: the findings, or `nil`.
    package func requestFindings(v3Method method: String, path: String, query: String, body: [UInt8], encrypted: Bool)
        -> [Finding]?
    {
        guard let rule = rule(v3Method: method, path: path), let part = rule.request else { return nil }
        if part.location == "query" {
            let parameters = (try? FormBody.decode(Array(query.utf8)).parameters) ?? [:]
            return Self.check(parameters.map { ($0.key, JSONValue.string($0.value)) }, part: part, api: rule.api, where: "query")
        }
        guard case .object(let members)? = try? JSONReader.parse(body) else {
            guard part.bodyMustBeObject || !part.fields.isEmpty else { return [] }
            return [Finding(
                "api.\(rule.api)", encrypted ? .info : .error,
                encrypted ? "the body is encrypted: its fields are not checked" : "the body is not a JSON object",
                value: String(decoding: body.prefix(80), as: UTF8.self))]
        }
        return Self.check(members.map { ($0.name, $0.value) }, part: part, api: rule.api, where: "body")
    }

    /// Checks an object's members (a biz_content, a response node, a query as strings) against fields.
    static func check(_ object: [(name: String, value: JSONValue)], part: Part, api: String, where place: String) -> [Finding] {
        var findings: [Finding] = []
        // The id and a field's path are made only for a finding: on a conforming exchange (the common case, twice
        // an exchange in `check`) they were most of these checks' allocations.
        func fail(_ message: String, value: String? = nil) {
            findings.append(Finding("api.\(api)", .error, message, value: value))
        }
        func describe(_ v: JSONValue) -> String {
            switch v {
            case .string(let s): return s
            case .number(let n): return n
            case .bool(let b): return b ? "true" : "false"
            case .null: return "null"
            case .array(let a): return "an array of \(a.count)"
            case .object: return "an object"
            }
        }
        func isEmpty(_ v: JSONValue?) -> Bool {
            switch v {
            case nil, .null?: return true
            case .string(let s)?: return s.allSatisfy { $0 == " " || $0 == "\t" }
            default: return false
            }
        }
        func checkFields(_ members: [(name: String, value: JSONValue)], _ fields: [Field], path: String) {
            for field in fields {
                var at: String { path.isEmpty ? field.name : "\(path).\(field.name)" }
                guard let value = members.first(where: { $0.name == field.name })?.value, !isEmpty(value) else {
                    if field.required { fail("\(place): \(at) is required") }
                    continue
                }
                switch (field.type, value) {
                case (nil, _), ("string", .string), ("number", .number), ("boolean", .bool), ("array", .array), ("object", .object):
                    break
                case ("number", .string(let s)) where Double(s) != nil:
                    break
                default:
                    fail("\(place): \(at) must be \(field.type ?? "")", value: describe(value))
                    continue
                }
                if case .string(let s) = value {
                    // Characters, as the SDKs count them; never more than the UTF-8 bytes, so a short string is
                    // not walked for them.
                    if let max = field.maxLength, s.utf8.count > max, s.count > max {
                        fail("\(place): \(at) is \(s.count) characters, more than \(max)", value: s)
                    }
                    if let pattern = field.pattern, let regex = field.regex, !regex.wholeMatch(s) {
                        fail("\(place): \(at) does not match \(pattern)", value: s)
                    }
                    if let allowed = field.enumValues, !allowed.contains(s) {
                        fail("\(place): \(at) is not one of \(allowed.joined(separator: ", "))", value: s)
                    }
                }
                if case .array(let items) = value {
                    if let min = field.minItems, items.count < min { fail("\(place): \(at) has \(items.count) entries, fewer than \(min)") }
                    if let max = field.maxItems, items.count > max { fail("\(place): \(at) has \(items.count) entries, more than \(max)") }
                    if let itemFields = field.items {
                        for (i, item) in items.enumerated() {
                            guard case .object(let m) = item else {
                                fail("\(place): \(at)[\(i)] must be an object", value: describe(item))
                                continue
                            }
                            checkFields(m.map { ($0.name, $0.value) }, itemFields, path: "\(at)[\(i)]")
                        }
                    }
                }
            }
        }
        checkFields(object, part.fields, path: "")
        for group in part.atLeastOne where group.allSatisfy({ name in isEmpty(object.first { $0.name == name }?.value) }) {
            fail("\(place): \(group.joined(separator: " and ")) must not all be empty")
        }
        return findings
    }
}
