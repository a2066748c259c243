import Foundation
import Testing
import VectorSupport

/// `verify-request` over vectors/requests/requests.json: requests written by the official Python SDK and
/// python-alipay-sdk themselves (order strings, page-pay URLs and HTML forms, a multipart upload) and the common
/// mistakes made from them (make_vectors.py); each case says the verdict, the shape and the variant named.
@Suite struct RequestCLITests {
    struct File: Decodable {
        struct Case: Decodable {
            let name: String
            let input: String?
            let input_base64: String?
            let content_type: String?
            let valid: Bool
            let shape: String
            let variant: String?
        }
        let app_public_key: String
        let cases: [Case]
    }

    static let file = Vectors.fixture(File.self, "requests/requests.json")

    @Test(arguments: file.cases.map(\.name))
    func verdictShapeAndVariant(name: String) throws {
        let c = try #require(Self.file.cases.first { $0.name == name })
        let input = try c.input.map { Data($0.utf8) } ?? #require(Data(base64Encoded: c.input_base64 ?? ""))
        var arguments = ["verify-request", "--json", "--public-key", Vectors.path(Self.file.app_public_key)]
        if let type = c.content_type { arguments += ["--content-type", type] }
        let r = try CLI.run(arguments + ["-"], stdin: input)
        #expect(r.code == (c.valid ? 0 : 1), "\(r)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["valid"] as? Bool == c.valid)
        #expect(json["shape"] as? String == c.shape)
        #expect((json["parameters"] as? [String: String])?["sign"] != nil)
        if let variant = c.variant {
            #expect((json["variant"] as? String)?.contains(variant) == true, "\(json["variant"] ?? "none")")
        }
    }

    @Test func inputsThatAreNoRequestAreInputErrors() throws {
        let key = Vectors.path(Self.file.app_public_key)
        for bad in ["hello", "https://openapi.alipay.com/gateway.do", "<html><body>no form</body></html>", "a=1&b=2", "[1]", ""] {
            let r = try CLI.run(["verify-request", "--public-key", key, "-"], stdin: Data(bad.utf8))
            #expect(r.code == 2 && r.stderr.contains("error:"), "\(bad): \(r)")
        }
    }
}

/// `verify-response --method alipay.trade.app.pay` over the app SDK's map (vectors/responses/app-sync.json: result
/// signed by Python `cryptography`, then re-serialised, tampered or emptied as it happens on the way to a server).
@Suite struct AppSyncResultCLITests {
    struct File: Decodable {
        struct Case: Decodable {
            let name: String
            let input: String
            let status: String
            let note: String?
        }
        let alipay_public_key: String
        let cases: [Case]
    }

    static let file = Vectors.fixture(File.self, "responses/app-sync.json")

    @Test(arguments: file.cases.map(\.name))
    func statusAndNote(name: String) throws {
        let c = try #require(Self.file.cases.first { $0.name == name })
        let r = try CLI.run(
            ["verify-response", "--method", "alipay.trade.app.pay", "--json", "--public-key", Vectors.path(Self.file.alipay_public_key), "-"],
            stdin: Data(c.input.utf8))
        #expect(r.code == (c.status == "valid" ? 0 : 1), "\(r)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["status"] as? String == c.status)
        let notes = (json["notes"] as? [String]) ?? []
        if let note = c.note {
            #expect(notes.contains { $0.contains(note) }, "\(notes)")
        } else {
            #expect(!notes.contains { $0.contains("re-serialised") }, "\(notes)")
        }
    }
}

/// `open-data` over vectors/open-data/open-data.json (signed and encrypted by Python `cryptography`).
@Suite struct OpenDataCLITests {
    struct File: Decodable {
        struct Case: Decodable {
            let name: String
            let input: String
            let aes_key: String?
            let status: String?
            let exit: Int32
            let plaintext: String?
        }
        let alipay_public_key: String
        let cases: [Case]
    }

    static let file = Vectors.fixture(File.self, "open-data/open-data.json")

    @Test(arguments: file.cases.map(\.name))
    func verifiedThenDecrypted(name: String) throws {
        let c = try #require(Self.file.cases.first { $0.name == name })
        var arguments = ["open-data", "--json", "--public-key", Vectors.path(Self.file.alipay_public_key)]
        if let key = c.aes_key { arguments += ["--aes-key", key] }
        let r = try CLI.run(arguments + ["-"], stdin: Data(c.input.utf8))
        #expect(r.code == c.exit, "\(r)")
        guard let status = c.status else {
            #expect(r.stderr.contains("error:"))
            return
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["status"] as? String == status)
        #expect(json["plaintext"] as? String == c.plaintext)
        if let plaintext = c.plaintext, let key = c.aes_key {
            // Without --json: the plaintext JSON alone.
            let text = try CLI.run(["open-data", "--public-key", Vectors.path(Self.file.alipay_public_key), "--aes-key", key, "-"],
                                   stdin: Data(c.input.utf8))
            #expect(text.stdout == plaintext + "\n")
        }
    }
}
