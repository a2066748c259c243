import AlipaySign
import ArgumentParser

struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a request's parameters (or, with --raw, a text) and print the base64 signature.",
        discussion: """
            INPUT is a form body or a JSON object of string values; the canonical request content (every \
            parameter except sign, empty values dropped, keys sorted) is signed in --charset, else the \
            parameters' own charset, else UTF-8. With --raw, INPUT's text itself is signed, byte for byte \
            (a trailing newline included).
            """
    )

    @Option(name: .long, help: "The app's private key: PKCS#1 or PKCS#8, PEM, bare base64 or DER.")
    var privateKey: String

    @OptionGroup var signType: SignTypeOption

    @Flag(name: .long, help: "Sign INPUT's text as it is, instead of a parameter set's content.")
    var raw = false

    @Flag(name: .long, help: "Accept RSA keys of 1024 to 2047 bits (weak; legacy set-ups only).")
    var allowWeakKey = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        let keyBytes = try Input.bytes(privateKey, what: "private key")
        let key = allowWeakKey ? try PrivateKey(parsingAllowingWeakKey: keyBytes) : try PrivateKey(parsing: keyBytes)
        let type = signType.resolved()
        let signed: SignedContent
        if raw {
            let content = try Input.text(common.input)
            let signer = try Signer(privateKey: key, signType: type, charset: try common.parsedCharset() ?? .utf8)
            signed = SignedContent(content: content, signature: try signer.sign(content: content))
        } else {
            let (parameters, charset) = try Parameters.parse(
                try Input.parameters(common.input), charset: try common.parsedCharset())
            if let declared = parameters["sign_type"], declared.uppercased() != type.rawValue {
                Terminal.warn("the parameters say sign_type=\(declared) but the signature is \(type.rawValue)")
            }
            signed = try Signer(privateKey: key, signType: type, charset: charset).signRequest(parameters)
        }
        emit(
            json: common.json,
            .object([("signature", .string(signed.signature)), ("content", .string(signed.content))]),
            text: signed.signature)
    }
}
