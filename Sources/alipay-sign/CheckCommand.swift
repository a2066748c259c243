import AlipayConformance
@_spi(AlipaySignTools) import AlipaySign
import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The key options of `check` and `diagnose`.
struct ConformanceKeyOptions: ParsableArguments {
    @Option(name: .long, help: "The app's public key: request signatures are checked with it.")
    var appPublicKey: String?

    @Option(name: .long, help: "The app's certificate: its key checks requests, its SN app_cert_sn.")
    var appCert: String?

    @Option(name: .long, help: "Alipay's public key: responses and notifications are checked with it.")
    var alipayPublicKey: String?

    @Option(name: .long, help: "An Alipay public-key certificate (repeat for several; the SN in a response picks one).")
    var alipayCert: [String] = []

    @Option(name: .long, help: "Alipay's root bundle: alipay_root_cert_sn is compared with its root SN.")
    var rootCert: String?

    @Flag(name: .long, help: "Accept RSA keys of 1024 to 2047 bits (weak; legacy set-ups only).")
    var allowWeakKey = false

    func validate() throws {
        if appPublicKey != nil && appCert != nil { throw ValidationError("give --app-public-key or --app-cert, not both") }
        if alipayPublicKey != nil && !alipayCert.isEmpty {
            throw ValidationError("give --alipay-public-key or --alipay-cert, not both")
        }
    }

    func publicKey(_ path: String, what: String) throws -> PublicKey {
        let bytes = try Input.bytes(path, what: what)
        return allowWeakKey ? try PublicKey(parsingAllowingWeakKey: bytes) : try PublicKey(parsing: bytes)
    }

    func configure(_ c: inout CheckConfiguration) throws {
        if let appPublicKey { c.appPublicKey = try publicKey(appPublicKey, what: "app public key") }
        if let appCert {
            let certificate = try CertificateFile(parsing: try Input.bytes(appCert, what: "app certificate")).firstCertificate()
            c.appPublicKey = allowWeakKey ? try certificate.publicKeyAllowingWeakKey() : try certificate.publicKey()
            c.appCertSN = certificate.sn
        }
        if let alipayPublicKey { c.alipayPublicKey = try publicKey(alipayPublicKey, what: "Alipay public key") }
        if !alipayCert.isEmpty {
            var registry = AlipayPublicKeyRegistry()
            for file in alipayCert {
                try registry.add(certificateFile: try Input.bytes(file, what: "Alipay certificate"), allowWeakKey: allowWeakKey)
            }
            c.alipayCertificates = registry
        }
        if let rootCert { c.rootCertSN = try CertificateSN.rootSN(of: try Input.bytes(rootCert, what: "root bundle")) }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check captured traffic (HAR or JSON Lines) for conformance, and say why what fails fails.",
        discussion: """
            Every exchange is recognised as a v2 gateway call (gateway.do), a v3 call (/v3/...), an asynchronous \
            notification to the merchant (a form POST with notify_id and notify_type), or skipped. Each check has a \
            stable id and a severity. Signatures are checked with the keys given: requests with the app's, responses \
            and notifications with Alipay's; a failing signature is diagnosed by trying the known variants. \
            Formats: text (counts, then failures grouped by check), json (one object per exchange, then a summary: \
            outputs of split runs merge by concatenation), junit. Exit 0 when no finding is an error, 1 when one is, \
            2 when the capture cannot be read.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument { case text, json, junit }

    @OptionGroup var keys: ConformanceKeyOptions

    @Option(name: .long, help: "text, json or junit.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "A directory of extra per-API rule files (*.json).")
    var rules: String?

    @Option(name: .long, help: "How far a request timestamp may be from the capture time, in seconds (default 900).")
    var timestampWindow: Double = 900

    @Option(name: .long, help: "The app's sign type (RSA2, SM2 or RSA): signatures are verified with it; default: each exchange's own sign_type.")
    var signType: SignType?

    @Option(name: .long, help: "Worker threads, 1 to 1024 (default: the number of cores).")
    var threads: Int?

    @Argument(help: "The capture: a HAR 1.2 file or JSON Lines; '-' for standard input.")
    var capture: String

    func validate() throws {
        try Batch.validate(threads: threads)
        try validateSeconds(timestampWindow, option: "--timestamp-window")
    }

    func run() throws {
        var ruleSet: APIRuleSet
        do {
            ruleSet = try APIRuleSet.bundled()
            if let rules { try ruleSet.load(directory: rules) }
        } catch let error as CaptureError {
            throw AlipaySignError(.unreadableInput, error.message)
        }
        var configuration = CheckConfiguration(rules: ruleSet)
        configuration.timestampWindow = timestampWindow
        configuration.signType = signType
        try keys.configure(&configuration)
        var summary = CheckSummary()
        let junit = format == .junit ? try JUnitReport() : nil
        let progress = isatty(STDERR_FILENO) == 1
        // Every core: the exchanges are checked and their JSON lines rendered by the workers; the reports come
        // back in capture order, and are counted and written here.
        var engine = ParallelCheck(configuration: configuration, threads: threads ?? Batch.cores)
        // The summary counts a clean exchange and reads nothing else of it; JUnit names each test case after it.
        engine.reports = format == .junit ? .whole : .findingsOnly
        @Sendable func jsonLine(_ report: ExchangeReport, _ out: inout [UInt8]) {
            JSONReport.exchange(report, into: &out)
            out.append(0x0A)
        }
        let render: (@Sendable (ExchangeReport, inout [UInt8]) -> Void)? = format == .json ? jsonLine : nil
        var output: [UInt8] = []
        do {
            let reader = try CaptureReader(path: capture == "-" ? "/dev/stdin" : capture)
            var shown = 0
            try engine.run(reader, render: render) { (block: [ParallelCheck.Checked]) throws in
                output.removeAll(keepingCapacity: true)
                for checked in block {
                    summary.add(checked.report)
                    junit?.add(checked.report)
                    output.append(contentsOf: checked.rendered)
                }
                try Batch.writeAll(output)
                if progress, summary.exchanges - shown >= 2000 {
                    shown = summary.exchanges
                    Terminal.progress("checked \(summary.exchanges) exchanges, \(reader.bytesRead >> 20) MiB")
                }
            }
        } catch let error as CaptureError {
            if progress { Terminal.progress(nil) }
            throw AlipaySignError(.unreadableInput, error.message, hint: "give a HAR 1.2 file or JSON Lines (see the README)")
        }
        if progress { Terminal.progress(nil) }
        switch format {
        case .text: print(TextReport.render(summary), terminator: "")
        case .json: print(JSONReport.summary(summary))
        case .junit: try junit?.finish()
        }
        if summary.errorCount > 0 { throw ExitCode.signatureInvalid }
    }
}

struct DiagnoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Say why one request, response or notification does not verify.",
        discussion: """
            Shows the exact content built and tries the known variants: V1 vs V2, GBK vs UTF-8, RSA vs RSA2, \\/ \
            unescaped, values decoded twice, whitespace altered in transit, the app's public key in place of \
            Alipay's and the reverse; names the one that verifies. INPUT is a request's parameters (form body or \
            JSON), a notification's form body, or a response body (with --method). Exit 0 when it verifies as \
            given, 1 when it does not, 2 on an input error.
            """
    )

    enum Kind: String, ExpressibleByArgument { case auto, request, response, notification }

    @OptionGroup var keys: ConformanceKeyOptions

    @Option(name: .long, help: "auto, request, response or notification.")
    var kind: Kind = .auto

    @Option(name: .long, help: "The API method, for a response.")
    var method: String?

    @OptionGroup var signType: SignTypeOption

    @OptionGroup var common: CommonOptions

    func run() throws {
        var c = CheckConfiguration(rules: APIRuleSet())
        try keys.configure(&c)
        let app = c.appDiagnosticKeys
        let alipay = c.alipayDiagnosticKeys
        let body = try Input.parameters(common.input)
        var resolved = kind
        if resolved == .auto {
            let text = String(decoding: body.prefix(4096), as: UTF8.self)
            if method != nil && (text.hasPrefix("{") || text.hasPrefix("<")) && text.contains("_response") {
                resolved = .response
            } else {
                // A notification has notify_id or notify_type, as a form body or a JSON object of its parameters.
                let p = (try? Parameters.parse(body, charset: try common.parsedCharset()))?.parameters ?? [:]
                resolved = p["notify_id"] != nil || p["notify_type"] != nil ? .notification : .request
            }
        }
        let type = signType.resolved()
        // The content as the protocol expects it, and the diagnosis from the core's verifier of that kind.
        let content: String
        let diagnosis: Diagnosis?
        switch resolved {
        case .response:
            guard let method else { throw ValidationError("a response needs --method") }
            guard let first = alipay.first else { throw ValidationError("give --alipay-public-key or --alipay-cert") }
            let charset = try common.parsedCharset() ?? .utf8
            let format: ResponseFormat = body.first == UInt8(ascii: "<") ? .xml : .json
            let e = try ResponseExtractor.extract(body, method: method, format: format, charset: charset)
            guard e.sign != nil else { throw AlipaySignError(.malformedResponse, "the response has no sign") }
            content = try charset.decode(body[e.range])
            let verifier = try c.alipayCertificates.map { try ResponseVerifier(registry: $0, signType: type, charset: charset) }
                ?? ResponseVerifier(publicKey: first.publicKey, signType: type, charset: charset)
            diagnosis = try verifier.diagnose(body, method: method, format: format, otherKeys: app)
        case .notification, .request, .auto:
            var (parameters, charset) = try Parameters.parse(body, charset: try common.parsedCharset())
            guard parameters["sign"] != nil else { throw AlipaySignError(.malformedForm, "the parameters have no sign") }
            if resolved == .notification {
                if case .parameters(let repaired, _, true) = try NotificationInput.read(body, charset: try common.parsedCharset()) {
                    Terminal.writeError(NotificationInput.repairNote)
                    parameters = repaired
                }
                guard let first = alipay.first else { throw ValidationError("give --alipay-public-key or --alipay-cert") }
                content = SignContent.build(parameters, mode: .notifyV1)
                let verifier = try NotificationVerifier(publicKey: first.publicKey, signType: type, charset: charset)
                diagnosis = try verifier.diagnose(
                    parameters: parameters, charset: charset, otherKeys: Array(alipay.dropFirst()) + app)
            } else {
                guard let first = app.first else { throw ValidationError("give --app-public-key or --app-cert") }
                content = SignContent.build(parameters, mode: .request)
                let verifier = try RequestVerifier(publicKey: first.publicKey, signType: type, charset: charset)
                diagnosis = try verifier.diagnose(parameters: parameters, charset: charset, otherKeys: alipay)
            }
        }
        let asGiven = diagnosis?.verifiesAsExpected ?? false
        let variant = diagnosis.map(DiagnosisText.describe)
        if common.json {
            print(JSONOutput.object([
                ("kind", .string(resolved.rawValue)), ("verifies", .bool(asGiven)), ("variant", .optional(variant)),
                ("content", .string(content)),
            ]).rendered())
        } else {
            print("\(resolved.rawValue): \(asGiven ? "verifies as given" : "does not verify as given")")
            print("content: \(content)")
            if asGiven, let diagnosis, diagnosis.contentVariant == .notificationV1 || diagnosis.contentVariant == .notificationV2 {
                print("verifies as: \(DiagnosisText.describe(diagnosis))")
            } else if !asGiven {
                print(variant.map { "it verifies with: \($0)" }
                    ?? "no known variant verifies: the content was altered, or the key is another one")
            }
        }
        if !asGiven { throw ExitCode.signatureInvalid }
    }
}
