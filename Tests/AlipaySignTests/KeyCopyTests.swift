@testable import AlipaySign
import Foundation
import Testing
import VectorSupport

/// A signer or verifier used from several threads works, on each thread after the first, over that thread's own
/// copy of the key (`EVPKey.forCallingThread()`, so that threads do not share the lock OpenSSL takes in the key on
/// every operation). The copies must be the same key: signatures made on another thread are the vectors'
/// (`vectors/alipay/signatures.json`, made by Python `cryptography`), byte for byte, and verify there; a changed
/// content does not.
@Suite struct KeyCopyTests {
    /// What a thread's body returned; written by it before it signals, read after.
    private final class Box<T>: @unchecked Sendable { var result: Result<T, Error>? }

    /// Runs `body` on a new thread and returns what it returned.
    private static func onAnotherThread<T>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = Result { try body() }
            done.signal()
        }
        thread.start()
        done.wait()
        return try box.result!.get()
    }

    @Test func eachThreadSignsAndVerifiesOverItsOwnCopyOfTheKey() throws {
        let cases = Vectors.signatures.filter { $0.key.hasPrefix("rsa2048") }.prefix(3)
        #expect(!cases.isEmpty)
        for c in cases {
            let charset = try Charset(name: c.charset)
            let type = try SignType(protocolName: c.sign_type)
            let privateKey = try PrivateKey(parsing: try Vectors.bytes("alipay/keys/\(c.key)"))
            let publicKey = try PublicKey(parsing: try Vectors.bytes("alipay/keys/\(c.public)"))
            let signer = try Signer(privateKey: privateKey, signType: type, charset: charset)
            let verifier = try SignatureVerifier(publicKey: publicKey, signType: type, charset: charset)
            // This thread asks first: it has the key itself, each time.
            #expect(publicKey.key.forCallingThread() == publicKey.key.pointer)
            #expect(publicKey.key.forCallingThread() == publicKey.key.pointer)
            #expect(try signer.sign(content: c.content) == c.signature)
            // Another thread: a copy, the same one each time it asks, and it signs and verifies as the key does.
            let other = try Self.onAnotherThread { [content = c.content, signature = c.signature] in
                let first = UInt(bitPattern: publicKey.key.forCallingThread())
                let again = UInt(bitPattern: publicKey.key.forCallingThread())
                return (
                    first: first, again: again, signature: try signer.sign(content: content),
                    valid: try verifier.verify(content: content, signature: signature),
                    changed: try verifier.verify(content: content + " ", signature: signature))
            }
            #expect(other.first != UInt(bitPattern: publicKey.key.pointer))
            #expect(other.first == other.again)
            #expect(other.signature == c.signature)
            #expect(other.valid)
            #expect(!other.changed)
        }
    }
}
