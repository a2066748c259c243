import AlipayGateway
import AlipaySign
import ArgumentParser
import Foundation
import Logging

/// `alipay-sign gateway` hands over to this executable, so that the CLI's other subcommands never load the server.
@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alipay-sign gateway",
        abstract: "A local Alipay gateway that real SDK clients and notify endpoints can be pointed at.",
        discussion: """
            Verifies v2 requests on GET|POST /gateway.do (key or certificate mode) and answers them as Alipay does, \
            signed with --alipay-private-key: a small trade life cycle in memory, the seed API's rules, the \
            certificate download, and the real gateway's errors (isv.invalid-signature echoes the gateway's sign \
            string). Trades with a notify_url are notified when they change state; POST /sandbox/pay?out_trade_no=… \
            pays one as a buyer would. Prints 'listening on http://HOST:PORT' once it accepts connections; logs one \
            line per exchange on standard error. Faults: \(GatewayFault.allCases.map { $0.rawValue }.joined(separator: ", ")).
            """
    )

    @Option(name: .long, help: "The address to listen on.") var host = "127.0.0.1"
    @Option(name: .long, help: "The port; 0 picks a free one.") var port = 8080
    @Option(name: .long, help: "The app's public key: requests are verified with it.") var appPublicKey: String?
    @Option(name: .long, help: "Certificate mode: the app's certificate; app_cert_sn must be its SN.") var appCert: String?
    @Option(name: .long, help: "Certificate mode: Alipay's root bundle; alipay_root_cert_sn must be its SN.")
    var rootCert: String?
    @Option(name: .long, help: "Alipay's private key (a test key): responses and notifications are signed with it.")
    var alipayPrivateKey: String
    @Option(name: .long, help: "Certificate mode: Alipay's certificate for that key (alipay_cert_sn, the download).")
    var alipayCert: String?
    @Option(name: .customLong("app-id"), help: "An app ID to accept (repeatable); any when none is given.")
    var appIDs: [String] = []
    @Option(name: .long, help: "The AES key (base64) for encrypt_type=AES.") var aesKey: String?
    @Option(name: .long, help: "Append every exchange to this JSON Lines file (the schema check reads).")
    var record: String?
    @Option(name: .long, help: "A fault to inject (repeatable).") var fault: [String] = []
    @Option(name: .long, help: "Delays of the notification retries, in seconds (default 1,2,4).")
    var notifyRetrySeconds: String?
    @Option(name: .long, help: "Pay every new trade after this many seconds, as if a buyer did.") var autoPay: Double?
    @Option(name: .long, help: "The sign type of requests, answers and notifications: RSA2 (default) or SM2 (v3 stays RSA2).")
    var signType: String = "RSA2"
    @Option(name: .long, help: "How far a request's timestamp (Beijing time) may be from now, in seconds.")
    var timestampWindow: Double = 900

    func validate() throws {
        guard (appPublicKey == nil) != (appCert == nil) else {
            throw ValidationError("give exactly one of --app-public-key and --app-cert")
        }
        for name in fault where GatewayFault(rawValue: name) == nil {
            throw ValidationError(
                "unknown fault '\(name)'; known: \(GatewayFault.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        // A port past 65535 was taken modulo 65536 by the socket layer: the gateway listened somewhere else.
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        // NaN, infinite or negative delays: the first trade or notification would have stopped the server.
        if let autoPay, !Self.isDelay(autoPay) {
            throw ValidationError("--auto-pay takes seconds from 0 to \(Int(GatewayConfiguration.longestDelaySeconds))")
        }
        // NaN compares false with everything: it would silently turn the timestamp check off.
        guard timestampWindow >= 0 else { throw ValidationError("--timestamp-window must be a number of seconds, 0 or more") }
    }

    /// Whether `seconds` is a delay the gateway waits: from 0 to a day (NaN and infinity are not).
    static func isDelay(_ seconds: Double) -> Bool { (0...GatewayConfiguration.longestDelaySeconds).contains(seconds) }

    func run() async throws {
        do {
            let configuration = try makeConfiguration()
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            let logger = Logger(label: "alipay-sign-gateway")
            try await Gateway(configuration: configuration, logger: logger).run(host: host, port: port)
        } catch let error as AlipaySignError {
            FileHandle.standardError.write(Data("error: \(error.reason)\n".utf8))
            if let hint = error.hint { FileHandle.standardError.write(Data("hint: \(hint)\n".utf8)) }
            throw ExitCode(2)
        } catch let error as ValidationError {
            throw error  // usage: exit 64
        } catch {
            // A file that cannot be read, an address that cannot be bound: an input error.
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    func bytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AlipaySignErrorMessage("cannot read \(path)")
        }
        return Array(data)
    }

    func makeConfiguration() throws -> GatewayConfiguration {
        let appKey: PublicKey
        var appCertSN: String?
        if let appCert {
            let file = try bytes(appCert)
            appKey = try PublicKey(certificate: file)
            appCertSN = try CertificateSN.sn(ofCertificateFile: file)
        } else {
            appKey = try PublicKey(parsing: try bytes(appPublicKey ?? ""))
        }
        var configuration = GatewayConfiguration(
            appPublicKey: appKey, alipayPrivateKey: try PrivateKey(parsing: try bytes(alipayPrivateKey)))
        configuration.appCertSN = appCertSN
        configuration.signType = try SignType(protocolName: signType)
        if let rootCert {
            // An SM2 app sends the SN of the bundle's SM2 roots (docs/PROTOCOL.md §10).
            configuration.rootCertSN = try CertificateSN.rootSN(
                of: try bytes(rootCert), variant: configuration.signType == .sm2 ? .sm2 : .rsa)
        }
        if let alipayCert {
            let file = try bytes(alipayCert)
            configuration.alipayCertificate = (try CertificateSN.sn(ofCertificateFile: file), file)
        }
        configuration.appIDs = Set(appIDs)
        configuration.aesKey = try aesKey.map { try AESKey(base64: $0) }
        configuration.recordPath = record
        configuration.faults = Set(fault.compactMap(GatewayFault.init(rawValue:)))
        if let notifyRetrySeconds {
            let delays = notifyRetrySeconds.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard delays.allSatisfy({ $0.map(Self.isDelay) ?? false }) else {
                throw ValidationError("--notify-retry-seconds takes seconds separated by commas, such as 1,2,4")
            }
            configuration.notifyRetrySeconds = delays.compactMap { $0 }
        }
        configuration.autoPaySeconds = autoPay
        configuration.timestampWindow = timestampWindow
        return configuration
    }
}

struct AlipaySignErrorMessage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
