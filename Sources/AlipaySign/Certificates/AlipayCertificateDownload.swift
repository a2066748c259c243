#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A new Alipay certificate, from the body of an `alipay.open.app.alipaycert.download` response, checked as the
/// Java SDK checks it when a response names an `alipay_cert_sn` it does not hold (docs/PROTOCOL.md §3.4, §14):
/// the node's `alipay_cert_content` is the base64 of the certificate's PEM text (with its chain); the chain must be
/// trusted under Alipay's root bundle; the SN is recomputed from the certificate, never taken from the response.
///
/// The download response's own signature is not checked, as the Java SDK does not check it: trust comes from the
/// chain.
public struct AlipayCertificateDownload: Sendable {
    /// The certificate's SN, recomputed from it (the `alipay_cert_sn` responses signed with it will name).
    public let sn: String
    /// The certificate (the first of the PEM).
    public let certificate: AlipayCertificate
    /// The PEM text as downloaded, chain included: what to store as `alipayCertPublicKey_RSA2.crt`.
    public let pem: [UInt8]
    /// The trusted chain, from the certificate to the root that anchors it.
    public let chain: TrustedChain

    /// Reads and checks a download response.
    /// - Parameters:
    ///   - response: the response body (`{"alipay_open_app_alipaycert_download_response":{…},"sign":…}`), or the
    ///     node alone.
    ///   - roots: Alipay's root bundle (`alipayRootCert.crt`).
    ///   - expectedSN: the SN the certificate must have (the unknown `alipay_cert_sn` that caused the download).
    ///   - instant: when the chain must be valid; now by default.
    /// - Throws: ``AlipaySignError`` `malformedResponse` (not a download response, or not a success: the node's
    ///   `sub_msg` is said), `malformedBase64`, `malformedCertificate`, `untrustedCertificate` (the failed check
    ///   named), `unknownCertificateSN` (the certificate's SN is not `expectedSN`).
    public init(response: [UInt8], roots: [UInt8], expectedSN: String? = nil, at instant: Date = Date()) throws {
        let node = try Self.node(of: response)
        func member(_ name: String) -> String? {
            if case .string(let s)? = node.first(where: { $0.name == name })?.value { return s }
            return nil
        }
        guard member("code") == "10000" else {
            let why = [member("code"), member("msg"), member("sub_code"), member("sub_msg")].compactMap { $0 }.joined(separator: " ")
            throw AlipaySignError(
                .malformedResponse, "the download did not succeed: \(why.isEmpty ? "no code" : why)",
                hint: "the Java SDK stops here with 支付宝公钥证书校验失败; ask for the SN a response named, in certificate mode")
        }
        guard let content = member("alipay_cert_content"), !content.isEmpty else {
            throw AlipaySignError(.malformedResponse, "the download response has no alipay_cert_content")
        }
        guard let pem = Base64.decode(content) else {
            throw AlipaySignError(.malformedBase64, "alipay_cert_content is not base64 (of the certificate's PEM text)")
        }
        let file = try CertificateFile(parsing: pem)
        let rootFile = try CertificateFile(parsing: roots)
        switch CertificateChain.verify(file.certificates, roots: rootFile.certificates, at: instant) {
        case .untrusted(let failure):
            throw AlipaySignError(
                .untrustedCertificate,
                "the downloaded certificate is not trusted under the root bundle (\(failure.check.rawValue)): \(failure.message)",
                hint: "the Java SDK rejects it too; check that the root bundle is Alipay's alipayRootCert.crt")
        case .trusted(let chain):
            let certificate = try file.firstCertificate()
            if let expectedSN, certificate.sn != expectedSN {
                throw AlipaySignError(
                    .unknownCertificateSN,
                    "the downloaded certificate's SN is \(certificate.sn), not \(expectedSN) (the Java SDK: CertSN non-existent)")
            }
            self.sn = certificate.sn
            self.certificate = certificate
            self.pem = pem
            self.chain = chain
        }
    }

    /// The members of the download node: the root's `alipay_open_app_alipaycert_download_response`, or the root
    /// itself when it is the node.
    static func node(of response: [UInt8]) throws -> [JSONValue.Member] {
        guard case .object(let root) = try JSONReader.parse(response) else {
            throw AlipaySignError(.malformedResponse, "the download response is not a JSON object")
        }
        if case .object(let node)? = root.first(where: { $0.name == "alipay_open_app_alipaycert_download_response" })?.value {
            return node
        }
        if root.contains(where: { $0.name == "alipay_cert_content" || $0.name == "code" }) { return root }
        throw AlipaySignError(
            .malformedResponse, "the input is not an alipay.open.app.alipaycert.download response",
            hint: "give the body of the download's response, {\"alipay_open_app_alipaycert_download_response\":{…}}")
    }
}

extension AlipayPublicKeyRegistry {
    /// Adds the certificate of an `alipay.open.app.alipaycert.download` response, checked as
    /// ``AlipayCertificateDownload`` checks it (rotation, docs/PROTOCOL.md §14).
    /// - Parameters:
    ///   - response: the download response's body.
    ///   - roots: Alipay's root bundle.
    ///   - expectedSN: the SN that caused the download, when known.
    ///   - instant: when the chain must be valid; now by default.
    /// - Returns: the SN the key was added under.
    /// - Throws: what ``AlipayCertificateDownload/init(response:roots:expectedSN:at:)`` throws, and
    ///   `unsupportedKey` or `weakKey` for the certificate's key.
    @discardableResult
    public mutating func add(
        downloadResponse response: [UInt8], roots: [UInt8], expectedSN: String? = nil, at instant: Date = Date()
    ) throws -> String {
        let download = try AlipayCertificateDownload(response: response, roots: roots, expectedSN: expectedSN, at: instant)
        add(Entry(sn: download.sn, publicKey: try download.certificate.publicKey(), certificate: download.certificate))
        return download.sn
    }
}
