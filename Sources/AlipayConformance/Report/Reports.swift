@_spi(AlipaySignTools) import AlipaySign

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a whole check found, accumulated exchange by exchange in bounded memory: counts, and the first
/// examples of each check's findings.
package struct CheckSummary: Sendable {
    package static let examplesPerCheck = 20

    package private(set) var exchanges = 0
    /// Exchanges of each kind that was seen, by its name.
    package var byKind: [String: Int] {
        var kinds: [String: Int] = [:]
        for (kind, count) in zip(Self.kinds, kindCounts) where count > 0 { kinds[kind.rawValue] = count }
        return kinds
    }
    /// The counts behind ``byKind``, in ``kinds``' order: counted for every exchange, on the thread that delivers
    /// the reports, without hashing a name.
    private var kindCounts = [Int](repeating: 0, count: Self.kinds.count)
    private static let kinds = ExchangeReport.Kind.allCases
    package private(set) var exchangesWithErrors = 0
    /// For each check id and severity: how many findings, and the first examples.
    package private(set) var checks: [String: CheckTally] = [:]

    package struct CheckTally: Sendable {
        package var severity: Finding.Severity
        package var count = 0
        package var examples: [(exchange: Int, api: String?, url: String, finding: Finding)] = []
    }

    package init() {}

    package mutating func add(_ report: ExchangeReport) {
        exchanges += 1
        kindCounts[Self.kinds.firstIndex(of: report.kind)!] += 1
        if report.hasError { exchangesWithErrors += 1 }
        for finding in report.findings {
            let key = "\(finding.id)|\(finding.severity.rawValue)"
            var tally = checks[key] ?? CheckTally(severity: finding.severity)
            tally.count += 1
            if tally.examples.count < Self.examplesPerCheck {
                tally.examples.append((report.index, report.api, report.url, finding))
            }
            checks[key] = tally
        }
    }

    package var errorCount: Int { checks.values.filter { $0.severity == .error }.reduce(0) { $0 + $1.count } }
    package var warningCount: Int { checks.values.filter { $0.severity == .warning }.reduce(0) { $0 + $1.count } }
}

/// The human report: counts, then failures grouped by check.
package enum TextReport {
    package static func render(_ s: CheckSummary) -> String {
        var out = ""
        let kinds = ["v2": "v2 gateway", "v3": "v3", "notification": "notifications", "skipped": "skipped (not Alipay traffic)"]
        out += "Checked \(s.exchanges) exchange\(s.exchanges == 1 ? "" : "s"): "
        out += ["v2", "v3", "notification", "skipped"].compactMap { k in s.byKind[k].map { "\($0) \(kinds[k] ?? k)" } }
            .joined(separator: ", ") + "\n"
        out += "\(s.errorCount) error\(s.errorCount == 1 ? "" : "s") in \(s.exchangesWithErrors) exchange\(s.exchangesWithErrors == 1 ? "" : "s"), "
        out += "\(s.warningCount) warning\(s.warningCount == 1 ? "" : "s")\n"
        let ordered = s.checks.sorted { a, b in
            a.value.severity != b.value.severity ? a.value.severity > b.value.severity : a.key < b.key
        }
        for (key, tally) in ordered where tally.severity != .info {
            let id = String(key.split(separator: "|")[0])
            out += "\n\(tally.severity.rawValue.uppercased()) \(id) (\(tally.count))\n"
            for example in tally.examples {
                out += "  #\(example.exchange) \(example.api ?? example.url): \(example.finding.message)\n"
                if let value = example.finding.value {
                    out += "      value: \(String(value.prefix(300)).replacing("\n", with: "\\n"))\n"
                }
                if let hint = example.finding.hint { out += "      hint: \(hint)\n" }
            }
            if tally.count > tally.examples.count { out += "  … and \(tally.count - tally.examples.count) more\n" }
        }
        let infos = ordered.filter { $0.value.severity == .info }
        if !infos.isEmpty {
            out += "\nNotes: " + infos.map { "\($0.key.split(separator: "|")[0]) (\($0.value.count))" }.joined(separator: ", ") + "\n"
        }
        return out
    }
}

/// JSON Lines: one object per exchange, then one summary object; outputs of split runs merge by concatenation
/// (sum the summary lines' counts).
package enum JSONReport {
    static func escape(_ s: String) -> String { JSONString.quoted(s) }

    /// One exchange's JSON line (without its line end), appended as bytes without a String per value: what each
    /// `check` worker renders.
    package static func exchange(_ r: ExchangeReport, into out: inout [UInt8]) {
        func literal(_ s: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
        }
        func string(_ s: String?) {
            if let s { JSONBytes.appendString(s, to: &out) } else { literal("null") }
        }
        literal("{\"exchange\":")
        out.append(contentsOf: String(r.index).utf8)
        literal(",\"kind\":")
        string(r.kind.rawValue)
        literal(",\"api\":")
        string(r.api)
        literal(",\"url\":")
        string(r.url)
        r.hasError ? literal(",\"ok\":false,\"findings\":[") : literal(",\"ok\":true,\"findings\":[")
        for (k, f) in r.findings.enumerated() {
            literal(k == 0 ? "{\"id\":" : ",{\"id\":")
            string(f.id)
            literal(",\"severity\":")
            string(f.severity.rawValue)
            literal(",\"message\":")
            string(f.message)
            literal(",\"value\":")
            string(f.value)
            literal(",\"hint\":")
            string(f.hint)
            literal("}")
        }
        literal("]}")
    }

    package static func summary(_ s: CheckSummary) -> String {
        let kinds = s.byKind.sorted { $0.key < $1.key }.map { "\(escape($0.key)):\($0.value)" }.joined(separator: ",")
        let checks = s.checks.sorted { $0.key < $1.key }.map { key, tally in
            "{\"id\":\(escape(String(key.split(separator: "|")[0]))),\"severity\":\(escape(tally.severity.rawValue)),\"count\":\(tally.count)}"
        }
        return "{\"summary\":true,\"exchanges\":\(s.exchanges),\"kinds\":{\(kinds)},\"exchanges_with_errors\":\(s.exchangesWithErrors),"
            + "\"errors\":\(s.errorCount),\"warnings\":\(s.warningCount),\"checks\":[\(checks.joined(separator: ","))]}"
    }
}

/// JUnit XML for CI dashboards: one test case per exchange, failed when it has an error finding. Test cases are
/// written to an anonymous temporary file as they come, so that memory stays bounded; the suite header (which needs
/// the counts) is written at the end.
package final class JUnitReport {
    private let file: UnsafeMutablePointer<FILE>
    private var tests = 0
    private var failures = 0

    package init() throws {
        guard let f = tmpfile() else { throw CaptureError("cannot create a temporary file for the JUnit report") }
        file = f
    }

    deinit { fclose(file) }

    static func xml(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case let c where c.value < 0x20 && c != "\n" && c != "\t": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    package func add(_ r: ExchangeReport) {
        tests += 1
        var text = "  <testcase classname=\"alipay-sign.\(r.kind.rawValue)\" name=\"#\(r.index) \(Self.xml(r.api ?? r.url))\">\n"
        let errors = r.findings.filter { $0.severity == .error }
        if !errors.isEmpty {
            failures += 1
            let message = Self.xml(errors.map { "\($0.id): \($0.message)" }.joined(separator: "; "))
            let body = Self.xml(errors.map { e in
                "\(e.id): \(e.message)" + (e.value.map { "\n  value: \($0)" } ?? "") + (e.hint.map { "\n  hint: \($0)" } ?? "")
            }.joined(separator: "\n"))
            text += "    <failure message=\"\(message)\" type=\"\(Self.xml(errors[0].id))\">\(body)</failure>\n"
        }
        let warnings = r.findings.filter { $0.severity == .warning }
        if !warnings.isEmpty {
            text += "    <system-out>\(Self.xml(warnings.map { "warning \($0.id): \($0.message)" }.joined(separator: "\n")))</system-out>\n"
        }
        text += "  </testcase>\n"
        _ = Array(text.utf8).withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    }

    /// Writes the whole report to standard output.
    package func finish() throws {
        let header = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"alipay-sign check\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\">\n"
        print(header, terminator: "")
        fflush(nil)  // what print buffered goes out before the raw writes below
        fflush(file)
        rewind(file)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n == 0 { break }
            var written = 0
            while written < n {
                let w = chunk.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress! + written, n - written) }
                if w <= 0 { throw CaptureError("cannot write the JUnit report") }
                written += w
            }
        }
        print("</testsuite>\n</testsuites>")
    }
}
