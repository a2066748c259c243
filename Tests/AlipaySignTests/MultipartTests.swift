@_spi(AlipaySignTools) import AlipaySign
import Foundation
import Testing
import VectorSupport

/// `MultipartForm` against vectors/multipart/multipart.json: bodies written by the official Python SDK's own
/// `MultiPartForm` and in the Java SDK's `WebUtils.doPost` layout (make_vectors.py), with the fields they were made
/// from. The files hold boundary-like bytes, CRLFs and non-UTF-8 bytes.
@Suite struct MultipartTests {
    struct File: Decodable {
        struct Case: Decodable {
            struct FilePart: Decodable {
                let name: String
                let filename: String
                let content: String
            }
            let name: String
            let content_type: String
            let body: String
            let charset: String
            let text: [String: String]
            let files: [FilePart]
        }
        let cases: [Case]
    }

    static let file = Vectors.fixture(File.self, "multipart/multipart.json")

    @Test(arguments: file.cases.map(\.name))
    func partsAreTheFieldsTheSDKWrote(name: String) throws {
        let c = try #require(Self.file.cases.first { $0.name == name })
        let boundary = try #require(MultipartForm.boundary(contentType: c.content_type))
        let form = try MultipartForm(body: Array(try #require(Data(base64Encoded: c.body))), boundary: boundary)
        #expect(try form.textParameters(charset: Charset(name: c.charset)) == c.text)
        let files = form.parts.filter(\.isFile)
        #expect(files.map(\.name) == c.files.map(\.name))
        #expect(files.map(\.filename) == c.files.map(\.filename))
        #expect(files.map(\.body) == c.files.map { Array(Data(base64Encoded: $0.content)!) })
    }

    @Test func boundaryParameter() {
        #expect(MultipartForm.boundary(contentType: "multipart/form-data;boundary=1700;charset=UTF-8") == "1700")
        #expect(MultipartForm.boundary(contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(MultipartForm.boundary(contentType: "application/x-www-form-urlencoded;boundary=x") == nil)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data") == nil)
    }

    /// Truncations and damage: each a typed error, never a crash or a partial form read as whole.
    @Test func damagedBodiesAreTypedErrors() throws {
        let c = try #require(Self.file.cases.first)
        let body = Array(try #require(Data(base64Encoded: c.body)))
        let boundary = try #require(MultipartForm.boundary(contentType: c.content_type))
        for cut in stride(from: 0, to: body.count - 4, by: 7) {
            #expect(throws: AlipaySignError.self) { try MultipartForm(body: Array(body[..<cut]), boundary: boundary) }
        }
        let noName = Array("--B\r\nContent-Disposition: form-data\r\n\r\nv\r\n--B--\r\n".utf8)
        #expect { try MultipartForm(body: noName, boundary: "B") } throws: { ($0 as? AlipaySignError)?.code == .malformedForm }
        let twice = Array("--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--B\r\nContent-Disposition: form-data; name=a\r\n\r\n2\r\n--B--".utf8)
        let form = try MultipartForm(body: twice, boundary: "B")
        #expect { try form.textParameters(charset: .utf8) } throws: { ($0 as? AlipaySignError)?.code == .duplicateParameter }
        #expect(throws: AlipaySignError.self) { try MultipartForm(body: Array("no boundary".utf8), boundary: "B") }
    }
}
