@_spi(AlipaySignTools) import AlipaySign
import ArgumentParser

struct ContentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "content",
        abstract: "Print the canonical sign content of a form body or JSON object of parameters.",
        discussion: """
            INPUT is an application/x-www-form-urlencoded body or query string (decoded once, in --charset, else \
            its own charset parameter, else UTF-8), or a JSON object whose values are all strings.
            Modes: request (drop sign), notify-v1 (drop sign and sign_type), notify-v2 (drop sign); the \
            notification modes also drop alipay_cert_sn. Empty and whitespace-only values are dropped.
            """
    )

    @Option(name: .long, help: "request, notify-v1 or notify-v2.")
    var mode: SignContent.Mode = .request

    @OptionGroup var common: CommonOptions

    func run() throws {
        let body = try Input.parameters(common.input)
        try NotificationInput.requireParameterShape(body)
        let (parameters, _) = try Parameters.parse(body, charset: try common.parsedCharset())
        let content = SignContent.build(parameters, mode: mode)
        emit(json: common.json, .object([("content", .string(content))]), text: content)
    }
}
