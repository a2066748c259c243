import AlipaySign
import ArgumentParser

struct OpenDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open-data",
        abstract: "Verify and decrypt mini-program sensitive data (my.getPhoneNumber).",
        discussion: """
            INPUT is what the mini program received, {"response":…,"sign":…,"sign_type":…,"encrypt_type":…,\
            "charset":…}, or that object given as a JSON string. The signature is checked with Alipay's key over \
            exactly the content the Java SDK checks (an encrypted response in double quotes, a plain one as it \
            is), and only then is the response decrypted with --aes-key; the plaintext JSON is printed. An \
            unencrypted error answer (isv.missing-encrypt-key) is reported as such. Exit 0 verified (and \
            decrypted), 1 invalid or unsigned, 2 on an input error (a wrong AES key included).
            """
    )

    @OptionGroup var key: VerificationKeyOptions

    @OptionGroup var signType: SignTypeOption

    @Option(name: .long, help: "The app's AES key (base64), to decrypt the response.")
    var aesKey: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        let verifier = try OpenDataVerifier(publicKey: try key.load(), signType: signType.resolved())
        let aes = try aesKey.map { try AESKey(base64: $0) }
        let result = try verifier.verify(try Input.parameters(common.input), decryptionKey: aes, charset: try common.parsedCharset())
        let content: String, plaintext: String?, encrypted: Bool
        switch result {
        case .valid(let v): (content, plaintext, encrypted) = (v.content, v.plaintext, v.isEncrypted)
        case .invalid(let f), .unsigned(let f), .unsignedError(let f): (content, plaintext, encrypted) = (f.unverifiedContent, nil, f.isEncrypted)
        }
        if common.json {
            print(JSONOutput.object([
                ("valid", .bool(result.isValid)), ("status", .string(result.status)), ("encrypted", .bool(encrypted)),
                ("content", .string(content)), ("plaintext", .optional(plaintext)),
            ]).rendered())
        } else {
            switch result {
            case .valid(let v):
                if let plaintext = v.plaintext {
                    print(plaintext)
                } else {
                    print("valid (encrypted; give --aes-key to decrypt)")
                }
            case .invalid:
                print("invalid")
                Terminal.writeError("hint: the signature is over \(encrypted ? "the ciphertext in double quotes" : "the plain JSON"); check that the key is Alipay's public key (not the app's) and that response was passed on unchanged")
            case .unsigned:
                print("unsigned")
                Terminal.writeError("hint: Alipay signs open data only when the app's Alipay public key, AES key and gateway are all configured")
            case .unsignedError:
                print("unsigned error answer: \(content)")
            }
        }
        if !result.isValid { throw ExitCode.signatureInvalid }
    }
}
