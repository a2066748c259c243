#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// The certificates of one file: a single certificate, an Alipay public-key certificate with its chain, or a
/// root bundle (`alipayRootCert.crt`).
///
/// Reads PEM (any number of blocks, LF or CRLF, with or without blank lines between them, text around them
/// ignored), DER, bare base64 of DER, and base64 of PEM text (the `alipay_cert_content` that
/// `alipay.open.app.alipaycert.download` returns). A block that cannot be read is kept as a skipped entry
/// with the reason, never fatal for the others (docs/PROTOCOL.md §3.2).
public struct CertificateFile: Sendable {
    /// One block of the file, in file order: a certificate, or why there is none.
    public struct Entry: Sendable {
        /// The block's position in the file, from 0.
        public let index: Int
        /// The certificate, when the block holds a readable one.
        public let certificate: AlipayCertificate?
        /// Why the block was skipped, when it was.
        public let problem: String?
    }

    /// Every block, in file order.
    public let entries: [Entry]

    /// The readable certificates, in file order.
    public var certificates: [AlipayCertificate] { entries.compactMap(\.certificate) }

    /// Parses a certificate file.
    /// - Parameter input: PEM (any number of blocks), DER, bare base64 of DER, or base64 of PEM.
    /// - Throws: ``AlipaySignError/Code/malformedCertificate`` when the file holds no readable certificate
    ///   at all (empty, not PEM/DER/base64, a key instead of a certificate, only broken blocks).
    public init(parsing input: [UInt8]) throws {
        let entries = try Self.read(input)
        guard entries.contains(where: { $0.certificate != nil }) else {
            let problems = entries.compactMap(\.problem)
            let keyGiven = problems.contains { $0.contains("key") }
            throw AlipaySignError(
                .malformedCertificate,
                problems.count == 1
                    ? "no certificate: \(problems[0])" : "no certificate in \(problems.count) blocks: \(problems.joined(separator: "; "))",
                hint: keyGiven
                    ? "a key was given where a certificate (.crt) was expected" : "the file may be truncated or not a certificate")
        }
        self.entries = entries
    }

    /// The first certificate of the file, which gives a public-key certificate's SN and key (Java's
    /// `CertificateFactory.generateCertificate` reads only the first: docs/PROTOCOL.md §3.3).
    /// - Throws: ``AlipaySignError/Code/malformedCertificate`` when the first block is not readable, even if
    ///   later ones are.
    /// - Returns: the first certificate.
    public func firstCertificate() throws -> AlipayCertificate {
        guard let first = entries.first else { throw AlipaySignError(.malformedCertificate, "the file has no certificate") }
        guard let certificate = first.certificate else {
            throw AlipaySignError(
                .malformedCertificate, "the first block of the file is not a readable certificate: \(first.problem ?? "")",
                hint: "the SN and the key come from the first certificate of the file")
        }
        return certificate
    }

    // MARK: - Reading

    private static let begin = Array("-----BEGIN ".utf8)
    private static let dashes = Array("-----".utf8)
    private static let certificateEnd = Array("-----END CERTIFICATE-----".utf8)

    /// The largest certificate file read (Alipay's bundles are a few kilobytes), and the most blocks in one.
    public static let maximumSize = 16 << 20
    /// The most blocks read from one file.
    public static let maximumBlocks = 10_000

    static func read(_ input: [UInt8]) throws -> [Entry] {
        guard input.count <= maximumSize else {
            throw AlipaySignError(
                .inputTooLarge, "the certificate file is \(input.count >> 20) MiB, more than \(maximumSize >> 20) MiB",
                hint: "a certificate or a root bundle is a few kilobytes; check the file given")
        }
        if ByteSearch.find(begin, in: input) != nil { return readPEM(input) }
        let trimmed = input.filter { !$0.isASCIIWhitespace }
        guard !trimmed.isEmpty else { throw AlipaySignError(.malformedCertificate, "the certificate file is empty") }
        if input.first == DERStructure.sequence, !trimmed.allSatisfy(Base64.isAlphabetOrPad) {
            return [entry(0, der: input)]
        }
        guard let decoded = Base64.decode(trimmed), !decoded.isEmpty else {
            throw AlipaySignError(
                .malformedCertificate, "the certificate file is not PEM, DER or base64",
                hint: "give the .crt file as downloaded (PEM), its DER, or its base64")
        }
        if ByteSearch.find(begin, in: decoded) != nil { return readPEM(decoded) }  // base64 of PEM text
        return [entry(0, der: decoded)]
    }

    private static func entry(_ index: Int, der: [UInt8]) -> Entry {
        do {
            return Entry(index: index, certificate: try AlipayCertificate(der: der), problem: nil)
        } catch let error as AlipaySignError {
            return Entry(index: index, certificate: nil, problem: error.reason)
        } catch {
            return Entry(index: index, certificate: nil, problem: "\(error)")
        }
    }

    /// Splits on the `-----BEGIN`/`-----END` markers themselves, so that line ends and missing blank lines
    /// do not matter.
    private static func readPEM(_ input: [UInt8]) -> [Entry] {
        var entries: [Entry] = []
        var at = 0
        while let start = ByteSearch.find(begin, in: input, from: at) {
            let index = entries.count
            guard index < maximumBlocks else {
                entries.append(Entry(index: index, certificate: nil, problem: "more than \(maximumBlocks) blocks: the rest is not read"))
                break
            }
            let labelStart = start + begin.count
            guard let labelEnd = ByteSearch.find(dashes, in: input, from: labelStart) else {
                entries.append(Entry(index: index, certificate: nil, problem: "block \(index + 1) has an unterminated BEGIN line"))
                break
            }
            let label = String(decoding: input[labelStart..<labelEnd], as: UTF8.self)
            let bodyStart = labelEnd + dashes.count
            let endMarker = label == "CERTIFICATE" ? Self.certificateEnd : Array("-----END \(label)-----".utf8)
            let nextBegin = ByteSearch.find(begin, in: input, from: bodyStart) ?? input.count
            guard let end = ByteSearch.find(endMarker, in: input, from: bodyStart), end <= nextBegin else {
                entries.append(Entry(
                    index: index, certificate: nil,
                    problem: "block \(index + 1) ('\(label)') has no '-----END \(label)-----' line: it is truncated"))
                at = nextBegin
                continue
            }
            at = end + endMarker.count
            guard label == "CERTIFICATE" || label == "X509 CERTIFICATE" else {
                let what = label.hasSuffix("KEY") ? "a key" : "not a certificate"
                entries.append(Entry(index: index, certificate: nil, problem: "block \(index + 1) is '\(label)', \(what)"))
                continue
            }
            // RFC 1421 header lines (with ':') are not part of the base64; without any, the body is decoded in
            // place.
            let decoded = input.withUnsafeBufferPointer { all -> [UInt8]? in
                let body = UnsafeBufferPointer(rebasing: all[bodyStart..<end])
                guard let base = body.baseAddress, memchr(base, Int32(UInt8(ascii: ":")), body.count) != nil else {
                    return Base64.decode(buffer: body)
                }
                return Base64.decode(Array(body).split(whereSeparator: { $0 == 0x0A || $0 == 0x0D })
                    .filter { !$0.contains(UInt8(ascii: ":")) }.flatMap { $0 })
            }
            guard let der = decoded, !der.isEmpty else {
                entries.append(Entry(index: index, certificate: nil, problem: "block \(index + 1)'s base64 is not valid"))
                continue
            }
            let parsed = entry(index, der: der)
            entries.append(parsed.problem.map { Entry(index: index, certificate: nil, problem: "block \(index + 1): \($0)") } ?? parsed)
        }
        return entries
    }
}

/// Finding a byte pattern, concretely typed: the generic `firstRange(of:)` resolves to an unspecialised
/// Foundation overload that cost 10x the whole certificate parse (measured with perf). The first byte is found
/// with `memchr`, the rest compared with `memcmp`.
package enum ByteSearch {
    package static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int = 0) -> Int? {
        bytes.withUnsafeBufferPointer { hay in pattern.withUnsafeBufferPointer { find($0, in: hay, from: start) } }
    }

    /// The offset of the first `byte` in `hay` (`memchr`).
    package static func first(_ byte: UInt8, in hay: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let h = hay.baseAddress, let hit = memchr(h, Int32(byte), hay.count) else { return nil }
        return h.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// The same over buffers.
    package static func find(
        _ needle: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>, from start: Int = 0
    ) -> Int? {
        let start = max(start, 0)
        guard !needle.isEmpty, hay.count - start >= needle.count, let h = hay.baseAddress, let n = needle.baseAddress
        else { return nil }
        let first = Int32(n[0])
        let last = hay.count - needle.count
        var i = start
        while i <= last {
            guard let hit = memchr(h + i, first, last - i + 1) else { return nil }
            let at = h.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(h + at, n, needle.count) == 0 { return at }
            i = at + 1
        }
        return nil
    }
}
