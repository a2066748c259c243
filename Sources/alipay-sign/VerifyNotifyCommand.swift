@_spi(AlipaySignTools) import AlipaySign
import ArgumentParser

struct VerifyNotifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-notify",
        abstract: "Verify an asynchronous notification's form body as received.",
        discussion: """
            INPUT is the form body as received (decoded once, in --charset, else its own charset parameter, else \
            UTF-8), or a JSON object of its decoded parameters as a web framework logs them (a sign whose '+' \
            became spaces is repaired, and said so). Mode auto (the default) tries V1 (sign and sign_type left \
            out), then V2 (sign left out), and reports which verified. alipay_cert_sn is never part of the \
            content. Exit 0 when valid, 1 when invalid, 2 on an input error (an input that is neither).
            """
    )

    @OptionGroup var key: VerificationKeyOptions

    @OptionGroup var signType: SignTypeOption

    @Option(name: .long, help: "auto, v1 or v2.")
    var mode: NotificationVerifier.Mode = .auto

    @Flag(name: .long, help: "Batch mode: each line of standard input is {\"body\": \"<form body>\"}; each output line {\"valid\",\"mode\"}.")
    var jsonl = false

    @Option(name: .long, help: "Batch mode: worker threads, 1 to 1024 (default: the number of cores).")
    var threads: Int?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if jsonl && common.input != nil && common.input != "-" { throw ValidationError("--jsonl reads standard input") }
        try Batch.validate(threads: threads)
    }

    func run() throws {
        let (publicKey, certificateSN) = try key.loadWithSN()
        let makeVerifier = {
            try NotificationVerifier(publicKey: publicKey, signType: signType.resolved(), charset: try common.parsedCharset())
        }
        if jsonl {
            let mode = self.mode
            // The three possible result lines, rendered once.
            func resultLine(_ version: NotificationVerifier.Version?) -> [UInt8] {
                Array(JSONOutput.object([("valid", .bool(version != nil)), ("mode", .optional(version?.rawValue))]).rendered().utf8)
            }
            // One verifier a worker (Batch.run: shared ones slow two threads by their reference counts), and so its
            // own result lines and member name: a shared array is retained and released on every line from both
            // cores.
            let failed = try Batch.run(threads: threads ?? Batch.cores) {
                let verifier = try makeVerifier()
                let (validV1, validV2, invalid) = (resultLine(.v1), resultLine(.v2), resultLine(nil))
                let names = JSONReader.MemberNames(["body"])
                return { line, out in
                    do {
                        guard let body = try JSONReader.stringMembers(names, in: line)[0] else {
                            throw AlipaySignError(.malformedJSON, "the line is not a JSON object with a string member \"body\"")
                        }
                        switch try verifier.verify(formBody: body, mode: mode) {
                        case .valid(let n): out.append(contentsOf: n.version == .v2 ? validV2 : validV1)
                        case .invalid: out.append(contentsOf: invalid)
                        }
                        return false
                    } catch {
                        return Batch.error(error, into: &out)
                    }
                }
            }
            if failed { throw ExitCode(2) }
            return
        }
        let verifier = try makeVerifier()
        let body = try Input.parameters(common.input)
        let input = try NotificationInput.read(body, charset: try common.parsedCharset())
        let result: NotificationVerification
        var repaired = false
        switch input {
        case .form(let form):
            result = try verifier.verify(formBody: form, mode: mode)
        case .parameters(let parameters, let charset, let repairedSign):
            if repairedSign { Terminal.writeError(NotificationInput.repairNote) }
            repaired = repairedSign
            result = try verifier.verify(parameters: parameters, charset: charset, mode: mode)
        }
        switch result {
        case .valid(let n) where common.json:
            print(JSONOutput.object([
                ("valid", .bool(true)), ("mode", .string(n.version.rawValue)), ("content", .string(n.content)),
                ("sign_repaired", .bool(repaired)),
            ]).rendered())
        case .invalid(let failure) where common.json:
            print(JSONOutput.object([
                ("valid", .bool(false)), ("mode", .null), ("content", .string(String(decoding: failure.content, as: UTF8.self))),
                ("sign_repaired", .bool(repaired)),
            ]).rendered())
        case .valid(let n):
            let what = n.version == .v1 ? "sign and sign_type left out" : "sign left out, sign_type kept"
            print("valid: \(n.version.rawValue) (\(what)), \(verifier.signType.rawValue), \(n.charset)")
            print("content: \(n.content)")
        case .invalid(let failure):
            print("invalid")
            if !failure.hadSignature {
                Terminal.writeError("hint: the notification has no sign parameter")
            } else if let certificateSN, let named = try? Parameters.parse(body, charset: try common.parsedCharset()).0["alipay_cert_sn"],
                named != certificateSN
            {
                Terminal.writeError(
                    "hint: the notification names alipay_cert_sn \(named), but --cert's certificate is \(certificateSN): "
                        + "verify with the Alipay certificate of that SN")
            } else {
                Terminal.writeError(
                    "hint: tried \(mode == .auto ? "V1 and V2" : mode.rawValue.uppercased()) with "
                        + "\(verifier.signType.rawValue) in \(failure.charset): either the body was altered, or the key "
                        + "is not the one Alipay signed with (the app's own public key is a common mistake)")
            }
            // The content shown is the last variant tried: V2 in auto mode.
            print("content (\(mode == .v1 ? "v1" : "v2")): \(String(decoding: failure.content, as: UTF8.self))")
        }
        if !result.isValid { throw ExitCode.signatureInvalid }
    }
}
