@_spi(AlipaySignTools) import AlipaySign
import ArgumentParser

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Work with key files.",
        subcommands: [Inspect.self]
    )

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Say what each key file holds, and which private and public keys form a pair.",
            discussion: """
                For each file: private or public, the format and encoding found, the size, and the SHA-256 \
                fingerprint of its SubjectPublicKeyInfo (as openssl pkey -pubout -outform DER | sha256sum). \
                Given private and public keys, says which form a pair: a public key that pairs with the app's \
                private key is the app's own public key, not Alipay's (the classic configuration mistake).
                """
        )

        @Flag(name: .long, help: "Print one JSON object on standard output.")
        var json = false

        @Argument(help: "Key or certificate files.")
        var files: [String]

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one key file") }
        }

        func run() throws {
            var keys: [(file: String, key: AnyKey)] = []
            for file in files {
                do {
                    keys.append((file, try AnyKey.parse(try Input.bytes(file, what: "key file"))))
                } catch let error as AlipaySignError {
                    throw AlipaySignError(error.code, "\(file): \(error.reason)", hint: error.hint)
                }
            }
            var pairs: [(privateFile: String, publicFile: String, match: Bool)] = []
            for case let (privateFile, .privateKey(privateKey)) in keys {
                for case let (publicFile, .publicKey(publicKey)) in keys {
                    pairs.append((privateFile, publicFile, privateKey.matches(publicKey)))
                }
            }
            if json {
                let keyObjects: [JSONOutput] = keys.map { file, key in
                    var kind = "public"
                    if case .privateKey = key { kind = "private" }
                    return .object([
                        ("file", .string(file)), ("kind", .string(kind)), ("algorithm", .string(key.algorithm.rawValue)),
                        ("format", .string(key.format.rawValue)),
                        ("encoding", .string(key.encoding.description)), ("bits", .int(key.bits)),
                        ("weak", .bool(key.isWeak)), ("fingerprint", .string(key.fingerprint)),
                    ])
                }
                let pairObjects: [JSONOutput] = pairs.map {
                    .object([("private", .string($0.privateFile)), ("public", .string($0.publicFile)),
                             ("pair", .bool($0.match))])
                }
                print(JSONOutput.object([("keys", .array(keyObjects)), ("pairs", .array(pairObjects))]).rendered())
                return
            }
            for (file, key) in keys {
                var kind = "public key"
                if case .privateKey = key { kind = "private key" }
                let algorithm = key.algorithm == .sm2 ? "SM2 (sign type SM2)" : "RSA-\(key.bits)"
                print("\(file): \(algorithm) \(kind), \(key.format.rawValue) in \(key.encoding)"
                      + (key.isWeak ? " (weak: under 2048 bits)" : ""))
                print("  fingerprint \(key.fingerprint)")
            }
            for pair in pairs {
                if pair.match {
                    print("\(pair.privateFile) and \(pair.publicFile) are a pair: if \(pair.publicFile) is meant "
                          + "to be Alipay's public key, it is the app's own public key instead")
                } else {
                    print("\(pair.privateFile) and \(pair.publicFile) are not a pair")
                }
            }
        }
    }
}
