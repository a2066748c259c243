import AlipaySign
import Foundation
import Testing
import VectorSupport

/// `SignedRequest.query` and `.formBody` against vectors/wire/wire.json: the JDK's `URLEncoder` (what the Java SDK's
/// `WebUtils.buildQuery` calls) over the Java SDK's split of the parameters (WireEncoding.java).
@Suite struct WireEncodingTests {
    struct File: Decodable {
        struct Case: Decodable {
            let name: String
            let charset: String
            let parameters: [String: String]
            let query: String
            let form_body: String
        }
        let sign: String
        let cases: [Case]
    }

    static let file = Vectors.fixture(File.self, "wire/wire.json")

    @Test(arguments: file.cases.map(\.name))
    func queryAndBodyAreTheJavaSDKs(name: String) throws {
        let c = try #require(Self.file.cases.first { $0.name == name })
        let signed = SignedRequest(
            signedParameters: c.parameters, content: "", signature: Self.file.sign, charset: try Charset(name: c.charset))
        #expect(signed.query == c.query)
        #expect(signed.formBody == c.form_body)
    }

    /// A real signature: what the wire carries decodes, with the library's form decoder, to the parameters signed.
    @Test func wireDecodesToTheSignedParameters() throws {
        let key = try PrivateKey(parsing: Vectors.bytes("alipay/keys/rsa2048-pkcs8.pem"))
        for charset in [Charset.utf8, .gbk] {
            let c = try #require(Self.file.cases.first { $0.charset == charset.canonicalName })
            let signed = try Signer(privateKey: key, charset: charset).signRequest(c.parameters)
            let query = try FormBody.decode(Array(signed.query.utf8), charset: charset).parameters
            let body = try FormBody.decode(Array(signed.formBody.utf8), charset: charset).parameters
            let together = query.merging(body) { a, _ in a }
            #expect(together == signed.parameters.filter { !$0.value.isEmpty })
            #expect(query["charset"] != nil && query["sign"] == signed.signature)
        }
    }
}
