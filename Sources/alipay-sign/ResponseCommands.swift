@_spi(AlipaySignTools) import AlipaySign
import ArgumentParser

extension ResponseFormat: ExpressibleByArgument {}

/// `--method`, `--format` and the response-reading part shared by `extract` and `verify-response`.
struct ResponseOptions: ParsableArguments {
    @Option(name: .long, help: "The API method of the request, such as alipay.trade.query.")
    var method: String?

    @Option(name: .long, help: "json (the default) or xml.")
    var format: ResponseFormat = .json
}

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Print the exact content a gateway response's signature covers.",
        discussion: """
            JSON: the raw value of the root member <method with '.' replaced by '_'>_response (or error_response), \
            '{...}' inclusive, or the quoted string of an encrypted response; escapes such as \\/ are kept as sent. \
            XML: what follows the node's start tag up to the first '<sign' (the Java SDK's rule). The body is read \
            in --charset (the request's), byte for byte. --json adds the byte offsets, the node, sign and \
            alipay_cert_sn. Exit 0, or 1 when the body must be rejected (an injected second node), 2 on an input error.
            """
    )

    @OptionGroup var response: ResponseOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if response.method == nil { throw ValidationError("Missing expected argument '--method <method>'") }
    }

    func run() throws {
        let body = try Input.bytes(common.input, what: "response")
        let charset = try common.parsedCharset() ?? .utf8
        let e = try ResponseExtractor.extract(body, method: response.method ?? "", format: response.format, charset: charset)
        let content = try charset.decode(body[e.range])
        if common.json {
            print(JSONOutput.object([
                ("content", .string(content)), ("start", .int(e.range.lowerBound)), ("end", .int(e.range.upperBound)),
                ("node", .string(e.node)), ("sign", .optional(e.sign)), ("alipay_cert_sn", .optional(e.alipayCertSN)),
                ("encrypted", .bool(e.isEncrypted)), ("success", e.isSuccess.map { .bool($0) } ?? .null),
                ("diagnostics", .array(e.diagnostics.map { .string($0) })), ("rejection", .optional(e.rejection)),
            ]).rendered())
        } else {
            print(content)
            for note in e.diagnostics { Terminal.writeError("note: \(note)") }
        }
        if let rejection = e.rejection {
            Terminal.writeError("rejected: \(rejection)")
            throw ExitCode.signatureInvalid
        }
    }
}

struct VerifyResponseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-response",
        abstract: "Verify a gateway response as the Java SDK does, and decrypt it if asked.",
        discussion: """
            The signed content is extracted as by 'extract' and verified over its exact bytes in --charset. The \
            verdict follows the Java SDK: a signed response must verify (a second try reads every \\/ as /, and is \
            reported); an error response without a sign is accepted by the SDK unverified, and reported here as \
            unsigned, never valid; a success without a sign is invalid. In certificate mode give each Alipay \
            certificate with --cert: the response's alipay_cert_sn picks the key. With --decrypt-key, an encrypted \
            response is decrypted once its signature has verified. With --method alipay.trade.app.pay, INPUT may \
            also be the map the app SDK returns ({"resultStatus":"9000","result":"…","memo":""}): its result is \
            verified as the Java SDK's parseAppSyncResult does, and a re-serialised result is reported. Exit 0 \
            valid, 1 invalid, unsigned or rejected, 2 on an input error. Batch mode (--jsonl): each line of \
            standard input is {"body": "<response body>", "method": "<API method>"} ("method" may be left to \
            --method); each output line is {"valid", "status"}, or {"error"} for a line that cannot be read (then \
            exit 2 at the end); the lines are verified by --threads workers and answered in order.
            """
    )

    @OptionGroup var keys: AlipayKeyOptions

    @OptionGroup var response: ResponseOptions
    @OptionGroup var signType: SignTypeOption

    @Option(name: .long, help: "The AES key (base64) to decrypt an encrypted response with.")
    var decryptKey: String?

    @Flag(name: .long, help: "Batch mode: each line of standard input is {\"body\", \"method\"}; each output line {\"valid\",\"status\"}.")
    var jsonl = false

    @Option(name: .long, help: "Batch mode: worker threads, 1 to 1024 (default: the number of cores).")
    var threads: Int?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if jsonl && decryptKey != nil { throw ValidationError("--jsonl verifies; decrypt a response on its own with --decrypt-key") }
        if jsonl && common.input != nil && common.input != "-" { throw ValidationError("--jsonl reads standard input") }
        if !jsonl && response.method == nil { throw ValidationError("Missing expected argument '--method <method>'") }
        try Batch.validate(threads: threads)
    }

    func run() throws {
        let charset = try common.parsedCharset() ?? .utf8
        let type = signType.resolved()
        let loaded = try keys.load()
        let makeVerifier = {
            switch loaded {
            case .single(let key, let sn):
                try ResponseVerifier(publicKey: key, certificateSN: sn, signType: type, charset: charset)
            case .registry(let registry):
                try ResponseVerifier(registry: registry, signType: type, charset: charset)
            }
        }
        if jsonl { return try runBatch(charset: charset, makeVerifier) }
        let verifier = try makeVerifier()
        let method = response.method ?? ""
        let key = try decryptKey.map { try AESKey(base64: $0) }
        let body = try Input.bytes(common.input, what: "response")
        // The app SDK's synchronous result: {"resultStatus":…,"result":"…","memo":…}, its result verified.
        var appNotes: [String] = []
        let r: ResponseVerification
        if method == "alipay.trade.app.pay", Self.isAppSyncResult(body) {
            let app = try verifier.verify(appSyncResult: body)
            r = app.verification
            appNotes = app.notes + (app.appResult.resultStatus.map { ["the app SDK's resultStatus: \($0)"] } ?? [])
        } else {
            r = try verifier.verify(body, method: method, format: response.format, decryptionKey: key)
        }
        // What to show: the verified content, or the content that failed (reported, never used).
        let content: String, node: String, certSN: String?, plaintext: String?
        switch r {
        case .valid(let v): (content, node, certSN, plaintext) = (v.content, v.node, v.alipayCertSN, v.plaintext)
        case .invalid(let u), .unsignedError(let u), .unsignedSuccess(let u), .missingCertificateSN(let u), .rejected(let u):
            (content, node, certSN, plaintext) = (u.unverifiedContent, u.node, u.alipayCertSN, nil)
        }
        if common.json {
            print(JSONOutput.object([
                ("valid", .bool(r.isValid)), ("status", .string(r.status.rawValue)), ("content", .string(content)),
                ("node", .string(node)), ("alipay_cert_sn", .optional(certSN)),
                ("plaintext", .optional(plaintext)), ("notes", .array((appNotes + r.notes).map { .string($0) })),
            ]).rendered())
        } else {
            let words: [ResponseVerifier.Status: String] = [
                .valid: "valid", .validAfterUnescapingSlashes: "valid (after reading \\/ as /)", .invalid: "invalid",
                .unsignedError: "unsigned error response (not verified)", .unsignedSuccess: "invalid: a success without a sign",
                .missingCertificateSN: "invalid: no alipay_cert_sn", .rejected: "rejected",
            ]
            print(words[r.status] ?? r.status.rawValue)
            print("content: \(content)")
            if let plaintext { print("plaintext: \(plaintext)") }
            for note in appNotes + r.notes { Terminal.writeError("note: \(note)") }
            if r.notes.contains(where: { $0.contains("rotated") }) {
                Terminal.writeError(
                    "hint: a rotation: download the certificate of that SN (alipay.open.app.alipaycert.download with "
                        + "biz_content {\"alipay_cert_sn\":\"SN\"}), run alipay-sign cert import --root alipayRootCert.crt "
                        + "--out NEW.crt on the response body, and verify with --cert NEW.crt")
            }
            if r.status == .invalid {
                Terminal.writeError(
                    "hint: verified \(type.rawValue) over the exact bytes in \(charset): the body may have been altered or "
                        + "re-serialised, the charset may not be the request's, or the key is not Alipay's")
            }
        }
        if !r.isValid { throw ExitCode.signatureInvalid }
    }
}

extension VerifyResponseCommand {
    /// - Parameters:
    ///   - charset: the verifiers' charset.
    ///   - makeVerifier: makes a worker's verifier (one each: Batch.run).
    func runBatch(charset: Charset, _ makeVerifier: () throws -> ResponseVerifier) throws {
        let defaultMethod = response.method
        let format = response.format
        // Every possible result line, rendered once a worker (not shared: see VerifyNotifyCommand).
        func resultLines() -> [ResponseVerifier.Status: [UInt8]] {
            var lines: [ResponseVerifier.Status: [UInt8]] = [:]
            for status in ResponseVerifier.Status.allCases {
                let valid = status == .valid || status == .validAfterUnescapingSlashes
                lines[status] = Array(JSONOutput.object([("valid", .bool(valid)), ("status", .string(status.rawValue))]).rendered().utf8)
            }
            return lines
        }
        let failed = try Batch.run(threads: threads ?? Batch.cores) {
            let verifier = try makeVerifier()
            let results = resultLines()
            let names = JSONReader.MemberNames(["body", "method"])
            return { line, out in
                do {
                    let members = try JSONReader.stringMembers(names, in: line)
                    guard let text = members[0] else {
                        throw AlipaySignError(.malformedJSON, "the line is not a JSON object with a string member \"body\"")
                    }
                    guard let method = members[1].map({ String(decoding: $0, as: UTF8.self) }) ?? defaultMethod else {
                        throw AlipaySignError(.malformedJSON, "the line has no string member \"method\"", hint: "or give --method for every line")
                    }
                    // The body is text: in another charset than UTF-8, its bytes are that text encoded in it.
                    let body = charset == .utf8 ? text : try charset.encode(String(decoding: text, as: UTF8.self))
                    let r: ResponseVerification
                    if method == "alipay.trade.app.pay", Self.isAppSyncResult(body) {
                        r = try verifier.verify(appSyncResult: body).verification
                    } else {
                        r = try verifier.verify(body, method: method, format: format)
                    }
                    out.append(contentsOf: results[r.status] ?? [])
                    return false
                } catch {
                    return Batch.error(error, into: &out)
                }
            }
        }
        if failed { throw ExitCode(2) }
    }

    /// Whether a body is the app SDK's map rather than a gateway response: a JSON object with `resultStatus`, or
    /// with `result` and no `alipay_trade_app_pay_response`.
    static func isAppSyncResult(_ body: [UInt8]) -> Bool {
        guard case .object(let members)? = try? JSONReader.parse(body) else { return false }
        let names = Set(members.map(\.name))
        return names.contains("resultStatus") || (names.contains("result") && !names.contains("alipay_trade_app_pay_response"))
    }
}

struct AESCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aes",
        abstract: "AES content encryption (encrypt_type=AES): AES-CBC, zero IV, PKCS#7.",
        subcommands: [Encrypt.self, Decrypt.self]
    )

    struct Encrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "encrypt", abstract: "Print the base64 ciphertext of INPUT's text, encoded in --charset.",
            discussion: "INPUT is encrypted byte for byte, a trailing newline included: use printf, not echo.")

        @Option(name: .long, help: "The AES key, base64 (16, 24 or 32 bytes).")
        var key: String

        @OptionGroup var common: CommonOptions

        func run() throws {
            let aes = try AESKey(base64: key)
            let ciphertext = try aes.encrypt(try Input.text(common.input), charset: try common.parsedCharset() ?? .utf8)
            emit(json: common.json, .object([("ciphertext", .string(ciphertext))]), text: ciphertext)
        }
    }

    struct Decrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decrypt", abstract: "Print the plaintext of a base64 ciphertext, decoded in --charset.")

        @Option(name: .long, help: "The AES key, base64 (16, 24 or 32 bytes).")
        var key: String

        @OptionGroup var common: CommonOptions

        func run() throws {
            let aes = try AESKey(base64: key)
            let plaintext = try (try common.parsedCharset() ?? .utf8).decode(
                try aes.decrypt(base64: try Input.bytes(common.input, what: "ciphertext")))
            emit(json: common.json, .object([("plaintext", .string(plaintext))]), text: plaintext)
        }
    }
}
