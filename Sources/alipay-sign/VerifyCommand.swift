import AlipaySign
import ArgumentParser

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a base64 signature over INPUT's text, encoded in --charset.",
        discussion: "Exit 0 when valid, 1 when invalid, 2 on an input error."
    )

    @OptionGroup var key: VerificationKeyOptions

    @Option(name: .long, help: "The base64 signature (whitespace is ignored).")
    var signature: String

    @OptionGroup var signType: SignTypeOption

    @OptionGroup var common: CommonOptions

    func run() throws {
        let publicKey = try key.load()
        let content = try Input.text(common.input)
        let verifier = try SignatureVerifier(
            publicKey: publicKey, signType: signType.resolved(), charset: try common.parsedCharset() ?? .utf8)
        let valid = try verifier.verify(content: content, signature: signature)
        emit(json: common.json, .object([("valid", .bool(valid))]), text: valid ? "valid" : "invalid")
        if !valid {
            if content.hasSuffix("\n") {
                Terminal.writeError("hint: the content ends with a line break, which is part of what is verified")
            }
            throw ExitCode.signatureInvalid
        }
    }
}
