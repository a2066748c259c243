import AlipaySign
import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `alipay-sign`: a thin command line over the AlipaySign library.
///
/// Exit codes: 0 valid/ok, 1 signature invalid, 2 input error, 64 usage.
@main
struct AlipaySignCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alipay-sign",
        abstract: "Sign, verify and check Alipay OpenAPI traffic, byte for byte.",
        discussion: """
            Every subcommand reads the file given as its last argument, or standard input when it is '-' or \
            absent, and accepts --json for one JSON object on standard output.
            Exit codes: 0 valid/ok, 1 signature invalid, 2 input error, 64 usage.
            """,
        subcommands: [
            ContentCommand.self, SignCommand.self, VerifyCommand.self, VerifyNotifyCommand.self, KeysCommand.self,
            CertCommand.self, ExtractCommand.self, VerifyResponseCommand.self, AESCommand.self,
            V3Command.self, CheckCommand.self, DiagnoseCommand.self, VerifyRequestCommand.self, OpenDataCommand.self, GatewayHandOver.self,
        ]
    )

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as AlipaySignError {
            Terminal.fail(error)
        } catch {
            exit(withError: error)
        }
    }
}
