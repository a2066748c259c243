import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `alipay-sign gateway …` replaces this process with `alipay-sign-gateway …` (built next to it), so that the other
/// subcommands never load the server's libraries and keep their start-up time.
struct GatewayHandOver: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "A local Alipay gateway for SDK clients and notify endpoints (runs alipay-sign-gateway).",
        discussion: "Every option is the gateway's own: see alipay-sign gateway --help.",
        helpNames: []
    )

    @Argument(parsing: .captureForPassthrough, help: "The gateway's options.")
    var arguments: [String] = []

    func run() throws {
        let path = Self.gatewayPath()
        let argv = [path] + arguments
        var cArguments = argv.map { strdup($0) }
        cArguments.append(nil)
        execv(path, &cArguments)
        // execv returns only on failure.
        Terminal.writeError("error: cannot run \(path): \(String(cString: strerror(errno)))")
        Terminal.writeError("hint: build it with swift build --product alipay-sign-gateway (it sits next to alipay-sign)")
        throw ExitCode(2)
    }

    /// `alipay-sign-gateway` in the directory of this executable.
    static func gatewayPath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let me = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
        guard let slash = me.lastIndex(of: "/") else { return "alipay-sign-gateway" }
        return String(me[...slash]) + "alipay-sign-gateway"
    }
}
