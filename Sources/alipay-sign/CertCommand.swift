import AlipaySign
import AlipayConformance
import ArgumentParser

struct CertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Certificate mode: certificate SNs, the root SN, chain trust.",
        subcommands: [SN.self, RootSN.self, Verify.self, Import.self]
    )

    static func certificateObject(_ certificate: AlipayCertificate) -> [(String, JSONOutput)] {
        [
            ("sn", .string(certificate.sn)), ("issuer", .string(certificate.issuer.rfc2253)),
            ("serial", .string(certificate.serialNumber)), ("subject", .string(certificate.subject.rfc2253)),
            ("signatureAlgorithm", .string(certificate.signatureAlgorithmName)),
            ("signatureAlgorithmOID", .string(certificate.signatureAlgorithmOID)),
            ("notBefore", .string(ISO8601Instant.format(certificate.notBefore))),
            ("notAfter", .string(ISO8601Instant.format(certificate.notAfter))),
        ]
    }

    static func reportSkipped(_ file: CertificateFile) {
        for entry in file.entries where entry.certificate == nil {
            Terminal.warn("skipped \(entry.problem ?? "an unreadable block")")
        }
    }

    /// `--at` must be an ISO 8601 date or date-time.
    static func validateInstant(_ at: String?) throws {
        if let at, ISO8601Instant.parse(at) == nil {
            throw ValidationError("--at '\(at)' is not an ISO 8601 date or date-time (such as 2022-06-01T12:00:00Z)")
        }
    }

    struct SN: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sn",
            abstract: "Print the SN of a certificate file's first certificate (app_cert_sn or alipay_cert_sn).",
            discussion: """
                The SN is the lowercase hex MD5 of the issuer, as Java's X500Principal.getName() writes it, \
                followed by the serial in decimal. A file holding a chain gives the SN of its first certificate, as \
                the SDKs read it. --json lists every certificate of the file with the issuer string and serial used.
                """
        )

        @Flag(name: .long, help: "Print one JSON object on standard output.")
        var json = false

        @Argument(help: "The certificate file (PEM, DER or base64); standard input when '-' or absent.")
        var file: String?

        func run() throws {
            let parsed = try CertificateFile(parsing: try Input.bytes(file, what: "certificate file"))
            let first = try parsed.firstCertificate()
            if json {
                let items: [JSONOutput] = parsed.entries.map { entry in
                    guard let certificate = entry.certificate else {
                        return .object([("index", .int(entry.index)), ("skipped", .optional(entry.problem))])
                    }
                    return .object([("index", .int(entry.index))] + CertCommand.certificateObject(certificate))
                }
                print(JSONOutput.object([("sn", .string(first.sn)), ("certificates", .array(items))]).rendered())
            } else {
                CertCommand.reportSkipped(parsed)
                print(first.sn)
            }
        }
    }

    struct RootSN: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "root-sn",
            abstract: "Print the alipay_root_cert_sn of a root bundle (alipayRootCert.crt).",
            discussion: """
                The SNs of the bundle's RSA-signed certificates (signature algorithm OID starting with \
                1.2.840.113549.1.1), joined by '_' in file order; with --sm2, of its SM2-signed ones \
                (1.2.156.10197.1.501). Blocks that cannot be read are skipped and reported on standard error \
                (or in --json), never fatal for the others.
                """
        )

        @Flag(name: .long, help: "The SM2 variant: include the SM2-with-SM3 certificates instead of the RSA ones.")
        var sm2 = false

        @Flag(name: .long, help: "Print one JSON object on standard output.")
        var json = false

        @Argument(help: "The root bundle (PEM, DER or base64); standard input when '-' or absent.")
        var file: String?

        func run() throws {
            let bundle = try CertificateFile(parsing: try Input.bytes(file, what: "root certificate bundle"))
            let root = try CertificateSN.rootSN(of: bundle, variant: sm2 ? .sm2 : .rsa)
            if json {
                let items: [JSONOutput] = root.items.map { item in
                    var members: [(String, JSONOutput)] = [("index", .int(item.index)), ("included", .bool(item.included))]
                    if let reason = item.reason { members.append(("reason", .string(reason))) }
                    if let certificate = item.certificate { members += CertCommand.certificateObject(certificate) }
                    return .object(members)
                }
                print(JSONOutput.object([
                    ("rootSN", .string(root.value)), ("variant", .string(root.variant.rawValue)),
                    ("certificates", .array(items)),
                ]).rendered())
            } else {
                CertCommand.reportSkipped(bundle)
                print(root.value)
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check that a certificate (with its chain) is trusted under a root bundle, as the Java SDK does.",
            discussion: """
                The Java SDK's AntCertificationUtil.isTrusted: the file's certificates are ordered by issuer and \
                subject names; each must be within its validity period at --at (default: now); the top one must be \
                signed by a root of the bundle whose subject is its issuer, and each other by the one above it. \
                Like the SDK, it does not check key usage, basic constraints, revocation or the roots' dates. \
                Exit 0 trusted, 1 not trusted (the failed check is named), 2 input error.
                """
        )

        @Option(name: .long, help: "The root bundle (alipayRootCert.crt).")
        var root: String

        @Option(name: .long, help: "The instant to check validity at, ISO 8601 (2022-06-01 or 2022-06-01T12:00:00Z).")
        var at: String?

        @Flag(name: .long, help: "Print one JSON object on standard output.")
        var json = false

        @Argument(help: "The certificate file to check; standard input when '-' or absent.")
        var file: String?

        func validate() throws { try CertCommand.validateInstant(at) }

        func run() throws {
            let candidate = try Input.bytes(file, what: "certificate file")
            let roots = try Input.bytes(root, what: "root certificate bundle")
            let instant = at.flatMap { ISO8601Instant.parse($0) }
            let result = try instant.map { try CertificateChain.verify(certificateFile: candidate, rootFile: roots, at: $0) }
                ?? CertificateChain.verify(certificateFile: candidate, rootFile: roots)
            let (check, certificate, chain, anchor): (CertificateChain.Check?, AlipayCertificate?, [AlipayCertificate], AlipayCertificate?)
            switch result {
            case .trusted(let t): (check, certificate, chain, anchor) = (nil, nil, t.chain, t.anchor)
            case .untrusted(let f): (check, certificate, chain, anchor) = (f.check, f.certificate, f.chain, nil)
            }
            if json {
                print(JSONOutput.object([
                    ("trusted", .bool(result.isTrusted)), ("check", .optional(check?.rawValue)),
                    ("message", .string(result.description)),
                    ("certificate", .optional(certificate?.sn)),
                    ("chain", .array(chain.map { .string($0.sn) })),
                    ("anchor", .optional(anchor?.sn)),
                ]).rendered())
            } else {
                print(result.isTrusted ? result.description : "not trusted (\(check?.rawValue ?? "")): \(result.description)")
            }
            if !result.isTrusted { throw ExitCode.signatureInvalid }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Take Alipay's new certificate from an alipay.open.app.alipaycert.download response (rotation).",
            discussion: """
                INPUT is the body of the download's response. Its alipay_cert_content (base64 of the certificate's \
                PEM text) is decoded, its chain checked under --root as the Java SDK checks it, and the SN \
                recomputed from the certificate (never taken from the response) and printed; --out writes the PEM. \
                The response's own signature is not what makes it trusted (the Java SDK does not check it): the \
                chain is. Exit 0 imported, 1 not trusted or not the --sn asked for, 2 input error.
                """
        )

        @Option(name: .long, help: "Alipay's root bundle (alipayRootCert.crt).")
        var root: String

        @Option(name: .long, help: "Write the certificate's PEM (with its chain) to this file.")
        var out: String?

        @Option(name: .long, help: "The SN the certificate must have (the alipay_cert_sn a response named).")
        var sn: String?

        @Option(name: .long, help: "The instant to check validity at, ISO 8601 (default: now).")
        var at: String?

        @Flag(name: .long, help: "Print one JSON object on standard output.")
        var json = false

        @Argument(help: "The download response's body; standard input when '-' or absent.")
        var file: String?

        func validate() throws { try CertCommand.validateInstant(at) }

        func run() throws {
            let response = try Input.bytes(file, what: "download response")
            let roots = try Input.bytes(root, what: "root certificate bundle")
            let instant = at.flatMap { ISO8601Instant.parse($0) }
            let download: AlipayCertificateDownload
            do {
                download = try instant.map { try AlipayCertificateDownload(response: response, roots: roots, expectedSN: sn, at: $0) }
                    ?? AlipayCertificateDownload(response: response, roots: roots, expectedSN: sn)
            } catch let error as AlipaySignError where error.code == .untrustedCertificate || error.code == .unknownCertificateSN {
                // A verdict about the certificate, not an input error.
                if json {
                    print(JSONOutput.object([("imported", .bool(false)), ("sn", .null), ("error", .string(error.reason))]).rendered())
                } else {
                    print("not imported: \(error.reason)")
                    if let hint = error.hint { Terminal.writeError("hint: \(hint)") }
                }
                throw ExitCode.signatureInvalid
            }
            if let out { try Output.save(download.pem, to: out) }
            if json {
                print(JSONOutput.object([
                    ("imported", .bool(true)), ("sn", .string(download.sn)),
                    ("chain", .array(download.chain.chain.map { .string($0.sn) })), ("out", .optional(out)),
                ]).rendered())
            } else {
                print(download.sn)
                Terminal.writeError("trusted under the root bundle (chain SNs: \(download.chain.chain.map(\.sn).joined(separator: ", ")))"
                    + (out.map { "; written to \($0)" } ?? ""))
            }
        }
    }
}
