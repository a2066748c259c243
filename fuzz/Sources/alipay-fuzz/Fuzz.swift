// One libFuzzer binary for every target: `alipay-fuzz TARGET [libFuzzer options] [CORPUS…]`.
// Each target feeds the input to one parser and lets it throw; only a crash, a hang or a sanitizer report is a
// finding (the notify target also checks that two paths agree). Targets: form, notify, json-response, xml-response, key,
// cert-bundle, har, jsonl, v3-auth, order-string, html-form, multipart, open-data, download.
import AlipayConformance
@_spi(AlipaySignTools) import AlipaySign

#if canImport(Glibc)
import Glibc
#endif

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

nonisolated(unsafe) var target = ""

/// The key the notification vectors are signed with (read from ../vectors: the fuzzer runs in fuzz/).
let notifyVerifiers: [NotificationVerifier]? = {
    guard let file = fopen("../vectors/alipay/keys/rsa2048-spki.pem", "rb") else { return nil }
    defer { fclose(file) }
    var pem = [UInt8](repeating: 0, count: 8192)
    let count = fread(&pem, 1, pem.count, file)
    guard let key = try? PublicKey(parsing: Array(pem[..<count])) else { return nil }
    return try? [nil, Charset.utf8, .gbk, .gb18030].map { try NotificationVerifier(publicKey: key, charset: $0) }
}()

/// A file of ../vectors, read once.
func vector(_ path: String) -> [UInt8]? {
    guard let file = fopen("../vectors/" + path, "rb") else { return nil }
    defer { fclose(file) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n <= 0 { break }
        out += chunk[..<n]
    }
    return out
}

let openDataVerifier: OpenDataVerifier? = vector("alipay/keys/other2048-spki.pem")
    .flatMap { try? PublicKey(parsing: $0) }.flatMap { try? OpenDataVerifier(publicKey: $0) }
let openDataKey = try? AESKey(base64: "aYA0GP8JEW+D7/UFaskCWA==")
let downloadRoots = vector("certificates/generated/chain-root.pem")

let targets = [
    "form", "notify", "json-response", "xml-response", "key", "cert-bundle", "har", "jsonl", "v3-auth", "order-string",
    "html-form", "multipart", "open-data", "download",
]

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    switch target {
    case "form":
        _ = try? FormBody.decode(bytes)
        _ = try? FormBody.decode(bytes, charset: .gbk)
        _ = try? Parameters.parse(bytes)
    case "notify":
        // Differential: the body verified as it came, and the same body decoded to a dictionary (a framework's
        // parameter map) and verified from that, must agree on the verdict, the version, the content, whether
        // there was a sign and the charset; a body one of them refuses, the other refuses too.
        // The body's own charset or a charset imposed by the verifier: one of the four per input, chosen by its
        // length (the same input always takes the same path, so a finding reproduces). Trying all four on every
        // input made eight verifications an input and held the target under 4 K executions a second per worker;
        // mutations change the length often enough for every path to be explored.
        guard let verifiers = notifyVerifiers else { fatalError("no notification key: run from fuzz/") }
        let verifier = verifiers[bytes.count % verifiers.count]
        let viaBody = try? verifier.verify(formBody: bytes)
        let viaParameters = (try? FormBody.decode(bytes, charset: verifier.charset)).flatMap {
            try? verifier.verify(parameters: $0.0, charset: $0.1)
        }
        precondition((viaBody == nil) == (viaParameters == nil), "one input was refused where the other was not")
        if let viaBody, let viaParameters {
            precondition(summary(viaBody) == summary(viaParameters), "the body and its parameters disagree")
        }
    case "json-response":
        // Differential: the batch lines' one-member read against the full parser.
        let full = try? JSONReader.parse(bytes)
        let one = Result { try JSONReader.stringMember("sign", in: bytes) }
        switch (full, one) {
        case (nil, .success): preconditionFailure("stringMember accepted what the parser rejects")
        case (.some, .failure): preconditionFailure("stringMember rejected what the parser accepts")
        case (.some(.object(let members)), .success(let value)):
            var expected: [UInt8]? = nil
            if let first = members.first(where: { $0.name == "sign" }), case .string(let text) = first.value {
                expected = Array(text.utf8)
            }
            precondition(value == expected, "stringMember and the parser disagree on the member")
        case (.some, .success(let value)): precondition(value == nil, "stringMember found a member outside an object")
        case (nil, .failure): break
        }
        for charset in [Charset.utf8, .gbk, .gb18030] {
            if let e = try? ResponseExtractor.extract(bytes, method: "alipay.trade.query", charset: charset) {
                precondition(e.range.upperBound <= bytes.count, "a range outside the body")
            }
        }
    case "xml-response":
        _ = try? ResponseExtractor.extract(bytes, method: "alipay.trade.query", format: .xml)
    case "key":
        _ = try? AnyKey.parse(bytes)
        _ = try? PublicKey(certificate: bytes)
    case "cert-bundle":
        // The file's reading, the root SN, the chain's evaluation; OpenSSL reads the key of the first certificate
        // only, as certificate mode does (its DER reader is OpenSSL's, not ours: once per input is enough, and it
        // is most of an input's time when done for every block).
        if let file = try? CertificateFile(parsing: bytes) {
            _ = try? CertificateSN.rootSN(of: file)
            _ = CertificateChain.verify(file.certificates, roots: file.certificates)
            _ = try? file.firstCertificate().publicKeyAllowingWeakKey()
        }
    case "har", "jsonl":
        if let reader = try? CaptureReader(contents: bytes) {
            let checker = Checker(configuration: CheckConfiguration(rules: APIRuleSet()))
            while let exchange = try? reader.next() { _ = checker.check(exchange) }
        }
    case "v3-auth":
        _ = try? V3Authorization(parsing: String(decoding: bytes, as: UTF8.self))
    case "order-string", "html-form":
        // Every shape a request is held in: read in the request's charset and in GBK imposed.
        for charset in [nil, Charset.gbk] { _ = try? RequestInput(reading: bytes, charset: charset) }
    case "multipart":
        // The first line is the Content-Type, the rest the body.
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.count
        let contentType = String(decoding: bytes[..<newline], as: UTF8.self)
        let body = Array(bytes[min(newline + 1, bytes.count)...])
        if let boundary = MultipartForm.boundary(contentType: contentType), let form = try? MultipartForm(body: body, boundary: boundary) {
            for part in form.parts { precondition(part.body.count <= body.count, "a part larger than the body") }
            _ = try? form.textParameters(charset: .gbk)
        }
        _ = try? RequestInput(reading: body, contentType: contentType)
    case "open-data":
        guard let verifier = openDataVerifier else { fatalError("no open-data key: run from fuzz/") }
        _ = try? verifier.verify(bytes, decryptionKey: openDataKey)
        _ = try? verifier.verify(bytes)
    case "download":
        guard let roots = downloadRoots else { fatalError("no root bundle: run from fuzz/") }
        _ = try? AlipayCertificateDownload(response: bytes, roots: roots)
    default:
        fatalError("unknown target \(target)")
    }
    return 0
}

@main
struct Main {
    static func main() {
        var args = CommandLine.arguments
        guard args.count >= 2, targets.contains(args[1]) else {
            print("usage: alipay-fuzz TARGET [libFuzzer options] [CORPUS...]; targets: \(targets.joined(separator: " "))")
            exit(64)
        }
        target = args.remove(at: 1)
        var argc = CInt(args.count)
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        let result = cArgs.withUnsafeMutableBufferPointer { buffer -> CInt in
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
            return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
        }
        exit(result)
    }
}

/// Everything a notification verification says, to compare two of them.
func summary(_ v: NotificationVerification) -> String {
    switch v {
    case .valid(let n): "valid \(n.version) \(n.charset) \(n.content)"
    case .invalid(let f): "invalid \(f.hadSignature) \(f.charset) \(String(decoding: f.content, as: UTF8.self))"
    }
}
