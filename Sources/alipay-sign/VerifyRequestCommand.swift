@_spi(AlipaySignTools) import AlipaySign
import AlipayConformance
import ArgumentParser

struct VerifyRequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-request",
        abstract: "Verify a request with the app's key, whatever shape it is held in.",
        discussion: """
            INPUT is an app's order string (what sdkExecute returns, in any SDK's order and encoding), a page or \
            WAP payment URL, the HTML form pageExecute returns (the action URL's query and the hidden inputs, \
            entities decoded as a browser does), a form body, a JSON object of parameters, or a multipart upload \
            body (with --content-type 'multipart/form-data; boundary=…': text parts signed, files not). The \
            parameters are decoded once, in --charset, else the request's charset, else UTF-8, and verified as \
            Alipay's gateway verifies them. On failure, names the variant that verifies: values not encoded, \
            encoded twice, '+' read as a space, parameters added after signing, another charset or sign type. \
            Exit 0 when valid, 1 when invalid, 2 on an input error.
            """
    )

    @OptionGroup var key: VerificationKeyOptions

    @OptionGroup var signType: SignTypeOption

    @Option(name: .long, help: "The body's Content-Type (needed for a multipart body: its boundary).")
    var contentType: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        let (publicKey, _) = try key.loadWithSN()
        let verifier = try RequestVerifier(publicKey: publicKey, signType: signType.resolved(), charset: try common.parsedCharset())
        let input = try RequestInput(reading: try Input.bytes(common.input), contentType: contentType, charset: try common.parsedCharset())
        guard input.parameters["sign"] != nil else {
            throw AlipaySignError(
                .malformedForm, "the \(input.shape.rawValue) has no sign parameter",
                hint: "a request is verified from all its parameters, sign included; a form body alone lacks the URL query's")
        }
        let result = try verifier.verify(input)
        var content: String
        var variant: String?
        switch result {
        case .valid(let v): content = v.content
        case .invalid(let failure):
            content = String(decoding: failure.content, as: UTF8.self)
            switch try verifier.diagnose(input) {
            case .variant(let d)?: variant = DiagnosisText.describe(d)
            case .valuesNotEncoded(let signed)?:
                variant = "the values were not URL-encoded by whoever wrote the \(input.shape.rawValue): read without decoding, it verifies (over \(signed))"
            case .addedAfterSigning(let names, _)?:
                variant = "\(names.joined(separator: " and ")) \(names.count == 1 ? "was" : "were") added after signing: without \(names.count == 1 ? "it" : "them"), it verifies"
            case nil: variant = nil
            }
        }
        if common.json {
            let parameters = input.parameters.sorted { $0.key < $1.key }.map { ($0.key, JSONOutput.string($0.value)) }
            print(JSONOutput.object([
                ("valid", .bool(result.isValid)), ("shape", .string(input.shape.rawValue)),
                ("charset", .string(input.charset.canonicalName)), ("parameters", .object(parameters)),
                ("content", .string(content)), ("variant", .optional(variant)),
            ]).rendered())
        } else {
            let method = input.parameters["method"].map { " (\($0))" } ?? ""
            print("\(result.isValid ? "valid" : "invalid"): \(input.shape.rawValue)\(method), \(verifier.signType.rawValue), \(input.charset.canonicalName)")
            print("content: \(content)")
            if !result.isValid {
                Terminal.writeError(variant.map { "it verifies with: \($0)" }
                    ?? "hint: no known variant verifies: the parameters were changed, or the key is not the app's")
            }
        }
        if !result.isValid { throw ExitCode.signatureInvalid }
    }
}
