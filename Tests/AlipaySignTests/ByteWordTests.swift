@testable import AlipaySign
import Testing
import VectorSupport

/// The eight-bytes-at-a-time test against the standard library's byte loop it replaces.
@Suite struct ByteWordTests {
    /// Every length up to 40 and every position of one odd byte (a backslash, a byte above 0x7F, a byte that
    /// differs from a backslash by one, where a borrow could mislead a word test), among random ASCII bytes and
    /// next to other backslashes.
    @Test func allASCIIExcludingAsAByteLoopSays() {
        var rng = SeededRandom(state: 0xB17E_5EED)
        var disagreements: [String] = []
        for length in 0...40 {
            for position in -1..<length {
                for odd: UInt8 in [0x5C, 0x80, 0xFF, 0x5B, 0x5D, 0x00, 0x7F] {
                    var bytes = (0..<length).map { _ in UInt8(0x20 + rng.next() % 0x5F) }
                    if position >= 0 { bytes[position] = odd }
                    let expected = bytes.allSatisfy { $0 < 0x80 && $0 != 0x5C }
                    if bytes.withUnsafeBufferPointer({ ByteWord.allASCII($0, excluding: 0x5C) }) != expected {
                        disagreements.append("\(bytes)")
                    }
                }
            }
        }
        #expect(disagreements.count == 0, "\(disagreements.prefix(5))")
        #expect(ByteWord.allASCII(UnsafeBufferPointer(start: nil, count: 0), excluding: 0x5C))
    }
}
