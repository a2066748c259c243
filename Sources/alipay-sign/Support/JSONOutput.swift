@_spi(AlipaySignTools) import AlipaySign

/// A JSON value written by the CLI's `--json` mode: one object on one line, members in a fixed order.
indirect enum JSONOutput {
    case string(String)
    case bool(Bool)
    case int(Int)
    case null
    case array([JSONOutput])
    case object([(String, JSONOutput)])

    static func optional(_ s: String?) -> JSONOutput { s.map { .string($0) } ?? .null }

    func rendered() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .string(let s): JSONOutput.writeString(s, into: &out)
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (name, value)) in members.enumerated() {
                if i > 0 { out += "," }
                JSONOutput.writeString(name, into: &out)
                out += ":"
                value.write(into: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, into out: inout String) { JSONString.append(s, to: &out) }
}
