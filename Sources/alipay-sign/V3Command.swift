import AlipaySign
import ArgumentParser

struct V3Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "v3",
        abstract: "The v3 protocol (/v3/... paths): the Authorization header and signed responses.",
        subcommands: [Sign.self, VerifyRequest.self, VerifyResponse.self]
    )

    static func body(_ path: String?) throws -> [UInt8] {
        guard let path else { return [] }
        return try Input.bytes(path, what: "body")
    }

    static func contentLines(_ content: [UInt8]) -> JSONOutput {
        .string(String(decoding: content, as: UTF8.self))
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sign",
            abstract: "Print the Authorization header value of a v3 request.",
            discussion: """
                The content signed is authString\\nMETHOD\\nrequestURI\\nbody\\n, then appAuthToken\\n only with \
                --app-auth-token. --uri is the path and query exactly as they go on the wire. --body is the file \
                whose bytes are sent (none: an empty body, as for GET and DELETE). The nonce is a random UUID and the \
                timestamp the current time in milliseconds unless given. --json adds the signed content.
                """
        )

        @Option(name: .long, help: "The app's private key: PKCS#1 or PKCS#8, PEM, bare base64 or DER.")
        var privateKey: String

        @Option(name: .long, help: "The app ID.")
        var appID: String

        @Option(name: .long, help: "The HTTP method (GET, POST, PUT, DELETE, PATCH).")
        var method: String

        @Option(name: .long, help: "The request URI: path and query as sent, such as /v3/alipay/open/public/account/query?user_id=1.")
        var uri: String

        @Option(name: .long, help: "A file holding the body exactly as sent.")
        var body: String?

        @Option(name: .long, help: "The nonce (default: a random UUID).")
        var nonce: String?

        @Option(name: .long, help: "The timestamp in milliseconds (default: now).")
        var timestamp: Int64?

        @Option(name: .long, help: "Certificate mode: the app's certificate file; adds app_cert_sn.")
        var appCert: String?

        @Option(name: .long, help: "Certificate mode: the app certificate's SN, when the certificate is not at hand.")
        var appCertSN: String?

        @Option(name: .long, help: "The alipay-app-auth-token sent, when acting for another merchant.")
        var appAuthToken: String?

        @Option(name: .long, help: "An extra auth string field, name=value (repeatable), such as expired_seconds=120.")
        var authField: [String] = []

        @Flag(name: .long, help: "Accept RSA keys of 1024 to 2047 bits (weak; legacy set-ups only).")
        var allowWeakKey = false

        @Flag(name: .long, help: "Print one JSON object on standard output.")
        var json = false

        func validate() throws {
            if appCert != nil && appCertSN != nil { throw ValidationError("give --app-cert or --app-cert-sn, not both") }
            for field in authField where !field.contains("=") || field.hasPrefix("=") {
                throw ValidationError("--auth-field '\(field)' is not name=value")
            }
        }

        func run() throws {
            let key = try Input.privateKey(privateKey, allowWeak: allowWeakKey)
            let sn = try appCertSN ?? appCert.map { try CertificateSN.sn(ofCertificateFile: try Input.bytes($0, what: "app certificate")) }
            let signer = try V3Signer(privateKey: key, appID: appID, appCertSN: sn)
            let extra = authField.map { field -> (String, String) in
                let eq = field.firstIndex(of: "=") ?? field.endIndex
                return (String(field[..<eq]), String(field[field.index(after: eq)...]))
            }
            let signed = try signer.sign(
                method: method, requestURI: uri, body: try V3Command.body(body), appAuthToken: appAuthToken,
                extraAuthFields: extra, nonce: nonce, timestamp: timestamp)
            emit(
                json: json,
                .object([("authorization", .string(signed.header)), ("content", V3Command.contentLines(signed.content))]),
                text: signed.header)
        }
    }

    struct VerifyRequest: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-request",
            abstract: "Verify a v3 request's Authorization header with the app's public key.",
            discussion: """
                Rebuilds the content from the header's auth string (exactly as sent, fields in any order), --method, \
                --uri as sent (never re-encoded), --body and --app-auth-token. When the signature fails, says which \
                line of the content differs if one single-line change explains it. Exit 0 valid, 1 invalid, unsigned \
                or stale (--max-age), 2 on an input error such as a malformed header.
                """
        )

        @OptionGroup var key: VerificationKeyOptions

        @Option(name: .long, help: "The HTTP method of the request.")
        var method: String

        @Option(name: .long, help: "The request URI as sent: path and query.")
        var uri: String

        @Option(name: .long, help: "The Authorization header value.")
        var authorization: String

        @Option(name: .long, help: "A file holding the body exactly as sent.")
        var body: String?

        @Option(name: .long, help: "The alipay-app-auth-token header, when the request had one.")
        var appAuthToken: String?

        @Option(name: .long, help: "Reject a timestamp more than this many seconds from now.")
        var maxAge: Double?

        @Flag(name: .long, help: "Print one JSON object on standard output.")
        var json = false

        func validate() throws {
            try validateSeconds(maxAge, option: "--max-age")
        }

        func run() throws {
            let (publicKey, sn) = try key.loadWithSN()
            let r = try V3RequestVerifier(publicKey: publicKey).verify(
                authorization: authorization, method: method, requestURI: uri, body: try V3Command.body(body),
                appAuthToken: appAuthToken, maxAge: maxAge)
            // Shown whatever the verdict; only the valid case vouches for it.
            let (authorization, content, age, diagnosis): (V3Authorization, [UInt8], Double?, V3RequestDiagnosis?)
            switch r {
            case .valid(let v): (authorization, content, age, diagnosis) = (v.authorization, v.content, v.ageSeconds, nil)
            case .invalid(let f), .unsigned(let f), .stale(let f):
                (authorization, content, age, diagnosis) = (f.authorization, f.content, f.ageSeconds, f.diagnosis)
            }
            if let sn, let named = authorization.appCertSN, named != sn {
                Terminal.writeError("note: the header's app_cert_sn is \(named), but --cert's certificate is \(sn)")
            }
            if json {
                print(JSONOutput.object([
                    ("valid", .bool(r.isValid)), ("status", .string(r.status.rawValue)),
                    ("content", V3Command.contentLines(content)), ("app_id", .optional(authorization.appID)),
                    ("age_seconds", age.map { .string(String(format3: $0)) } ?? .null),
                    ("diagnosis", .optional(diagnosis?.explanation)),
                ]).rendered())
            } else {
                switch r.status {
                case .valid: print("valid")
                case .invalid: print("invalid")
                case .unsigned: print("unsigned: the header has no sign field")
                case .stale: print("stale: the signature verifies, but the timestamp is \(String(format3: age ?? 0)) s from now")
                }
                if let diagnosis { Terminal.writeError("hint: \(diagnosis.explanation)") }
                if r.status == .invalid && diagnosis == nil {
                    Terminal.writeError(
                        "hint: no single-line change explains it: the body, a query value, the header's fields or the key differ")
                }
            }
            if !r.isValid { throw ExitCode.signatureInvalid }
        }
    }

    struct VerifyResponse: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-response",
            abstract: "Verify a v3 response: alipay-timestamp\\nalipay-nonce\\nbody\\n against alipay-signature.",
            discussion: """
                INPUT is the body exactly as received. A 2xx response must carry the three headers; an error status \
                without a signature, or with the literal null, is accepted unverified by the SDKs and reported here as \
                unsigned. In certificate mode give each Alipay certificate with --cert and the alipay-sn header with \
                --sn. With --decrypt-key the body is taken as encrypted (alipay-encrypt-type: AES): verified as \
                received, then decrypted. Exit 0 valid, 1 invalid, unsigned or missing headers, 2 input error.
                """
        )

        @OptionGroup var keys: AlipayKeyOptions

        @Option(name: .long, help: "The alipay-timestamp header.")
        var timestamp: String?

        @Option(name: .long, help: "The alipay-nonce header.")
        var nonce: String?

        @Option(name: .long, help: "The alipay-signature header.")
        var signature: String?

        @Option(name: .long, help: "The alipay-sn header (certificate mode).")
        var sn: String?

        @Option(name: .long, help: "The HTTP status code (default 200).")
        var status: Int = 200

        @Option(name: .long, help: "The AES key (base64): the body is encrypted; decrypt it once verified.")
        var decryptKey: String?

        @OptionGroup var common: CommonOptions

        func run() throws {
            let verifier: V3ResponseVerifier
            switch try keys.load() {
            case .single(let key, let sn): verifier = try V3ResponseVerifier(publicKey: key, certificateSN: sn)
            case .registry(let registry): verifier = try V3ResponseVerifier(registry: registry)
            }
            let key = try decryptKey.map { try AESKey(base64: $0) }
            let body = try Input.bytes(common.input, what: "response body")
            let headers = V3ResponseVerifier.Headers(
                timestamp: timestamp, nonce: nonce, signature: signature, sn: sn, encrypted: key != nil)
            let r = try verifier.verify(statusCode: status, headers: headers, body: body, decryptionKey: key)
            let (certificateSN, plaintext, errorBody): (String?, String?, V3ResponseVerifier.ErrorBody?)
            switch r {
            case .valid(let v): (certificateSN, plaintext, errorBody) = (v.certificateSN, v.plaintext, v.error)
            case .invalid(let u), .unsignedError(let u), .missingHeaders(let u): (certificateSN, plaintext, errorBody) = (u.certificateSN, nil, u.error)
            }
            let errorObject: JSONOutput = errorBody.map { e in
                .object([
                    ("code", .string(e.code)), ("message", .optional(e.message)),
                    ("links", .array(e.links.map { .object([("link", .string($0.link)), ("desc", .optional($0.desc))]) })),
                ])
            } ?? .null
            if common.json {
                print(JSONOutput.object([
                    ("valid", .bool(r.isValid)), ("status", .string(r.status.rawValue)),
                    ("alipay_sn", .optional(certificateSN)), ("plaintext", .optional(plaintext)), ("error", errorObject),
                    ("notes", .array(r.notes.map { .string($0) })),
                ]).rendered())
            } else {
                print(r.status == .valid ? "valid" : r.status == .invalid ? "invalid" : r.status.rawValue)
                if let plaintext { print("plaintext: \(plaintext)") }
                if let e = errorBody {
                    print("error: \(e.code)\(e.message.map { " (\($0))" } ?? "")")
                    for link in e.links { print("  \(link.desc ?? "link"): \(link.link)") }
                }
                for note in r.notes { Terminal.writeError("note: \(note)") }
            }
            if !r.isValid { throw ExitCode.signatureInvalid }
        }
    }
}

extension String {
    /// Seconds with three decimals, without Foundation's formatter.
    init(format3 value: Double) {
        let ms = Int64((value * 1000).rounded())
        let sign = ms < 0 ? "-" : ""
        let a = abs(ms)
        let frac = String(a % 1000)
        self = "\(sign)\(a / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
    }
}
