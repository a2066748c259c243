@_spi(AlipaySignTools) import AlipaySign
import ArgumentParser

struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a request's parameters (or, with --raw, a text) and print the base64 signature.",
        discussion: """
            INPUT is a form body or a JSON object of string values; the canonical request content (every \
            parameter except sign, empty values dropped, keys sorted) is signed in --charset, else the \
            parameters' own charset, else UTF-8. With --raw, INPUT's text itself is signed, byte for byte \
            (a trailing newline included). In certificate mode (--app-cert and --root-cert), app_cert_sn and \
            alipay_root_cert_sn are added to the parameters before signing; --json shows them. With --encrypt-key, \
            biz_content is replaced by its AES encryption and encrypt_type=AES is added, then the whole is signed.
            """
    )

    @Option(name: .long, help: "The app's private key: PKCS#1 or PKCS#8, PEM, bare base64 or DER.")
    var privateKey: String

    @OptionGroup var signType: SignTypeOption

    @Flag(name: .long, help: "Sign INPUT's text as it is, instead of a parameter set's content.")
    var raw = false

    @Flag(name: .long, help: "Accept RSA keys of 1024 to 2047 bits (weak; legacy set-ups only).")
    var allowWeakKey = false

    @Option(name: .long, help: "Certificate mode: the app's certificate (appCertPublicKey_<appid>.crt); adds app_cert_sn.")
    var appCert: String?

    @Option(name: .long, help: "Certificate mode: Alipay's root bundle (alipayRootCert.crt); adds alipay_root_cert_sn.")
    var rootCert: String?

    @Option(name: .long, help: "Encrypt biz_content with this AES key (base64) and add encrypt_type=AES before signing.")
    var encryptKey: String?

    @Flag(name: .long, help: "Batch mode: each line of standard input is a JSON object of parameters; each output line {\"signature\",\"content\"}.")
    var jsonl = false

    @Option(name: .long, help: "Batch mode: worker threads, 1 to 1024 (default: the number of cores).")
    var threads: Int?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if jsonl && (raw || encryptKey != nil) { throw ValidationError("--jsonl signs parameter sets; not with --raw or --encrypt-key") }
        if jsonl && common.input != nil && common.input != "-" { throw ValidationError("--jsonl reads standard input") }
        try Batch.validate(threads: threads)
        if (appCert == nil) != (rootCert == nil) {
            throw ValidationError("certificate mode needs both --app-cert and --root-cert")
        }
        if raw && encryptKey != nil {
            throw ValidationError("--raw signs a text as it is; --encrypt-key encrypts a request's biz_content")
        }
        if raw && appCert != nil {
            throw ValidationError("--raw signs a text as it is; --app-cert and --root-cert add request parameters")
        }
    }

    func run() throws {
        let key = try Input.privateKey(privateKey, allowWeak: allowWeakKey)
        let type = signType.resolved()
        if jsonl { return try runBatch(key: key, type: type) }
        let signed: (content: String, signature: String)
        var certificateSNs: [(String, JSONOutput)] = []
        if raw {
            let content = try Input.text(common.input)
            let signer = try Signer(privateKey: key, signType: type, charset: try common.parsedCharset() ?? .utf8)
            signed = (content, try signer.sign(content: content))
        } else {
            let (parsed, charset) = try Parameters.parse(
                try Input.parameters(common.input), charset: try common.parsedCharset())
            if let declared = parsed["sign_type"], declared.uppercased() != type.rawValue {
                Terminal.warn("the parameters say sign_type=\(declared) but the signature is \(type.rawValue)")
            }
            let signer = try Signer(privateKey: key, signType: type, charset: charset)
            var parameters = parsed
            if let encryptKey {
                parameters = try AESKey(base64: encryptKey).encryptingBizContent(of: parameters, charset: charset)
            }
            if let appCert, let rootCert {
                let identity = try CertificateModeIdentity(
                    appCertificate: try Input.bytes(appCert, what: "app certificate"),
                    rootCertificates: try Input.bytes(rootCert, what: "root certificate bundle"), signType: signer.signType)
                let request = try signer.signRequest(parameters, certificateMode: identity)
                signed = (request.content, request.signature)
                certificateSNs = [
                    ("app_cert_sn", .string(identity.appCertSN)),
                    ("alipay_root_cert_sn", .string(identity.alipayRootCertSN)),
                ]
            } else {
                let request = try signer.signRequest(parameters)
                signed = (request.content, request.signature)
            }
        }
        emit(
            json: common.json,
            .object([("signature", .string(signed.signature)), ("content", .string(signed.content))] + certificateSNs),
            text: signed.signature)
    }

    func runBatch(key: PrivateKey, type: SignType) throws {
        let forced = try common.parsedCharset()
        let makeSigners = { try [Charset.utf8, .gbk, .gb18030].map { try Signer(privateKey: key, signType: type, charset: $0) } }
        let identity = try appCert.flatMap { app in
            try rootCert.map { root in
                try CertificateModeIdentity(
                    appCertificate: try Input.bytes(app, what: "app certificate"),
                    rootCertificates: try Input.bytes(root, what: "root certificate bundle"), signType: type)
            }
        }
        let failed = try Batch.run(threads: threads ?? Batch.cores) {
            let signers = try makeSigners()  // one set a worker (Batch.run)
            return { line, out in
                do {
                    var parameters = try Parameters.fromJSONObject(line)
                    let charset = try forced ?? Charset.declared(parameters["charset"]) ?? .utf8
                    let signer = signers.first { $0.charset == charset } ?? signers[0]
                    if let identity { parameters = try identity.applied(to: parameters) }
                    let signed = try signer.signRequest(parameters)
                    out.append(contentsOf: #"{"signature":"#.utf8)
                    JSONBytes.appendString(signed.signature, to: &out)
                    out.append(contentsOf: #","content":"#.utf8)
                    JSONBytes.appendString(signed.content, to: &out)
                    out.append(UInt8(ascii: "}"))
                    return false
                } catch {
                    return Batch.error(error, into: &out)
                }
            }
        }
        if failed { throw ExitCode(2) }
    }
}
