#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// GBK and GB18030 through the C library's iconv (docs/BACKEND.md §3: glibc "GBK" is CP936, byte-identical to
/// Foundation's, `€` → `0x80`). iconv reports characters it cannot convert with `EILSEQ`; we turn that into an
/// error rather than a substitute character. An `iconv_t` is not thread-safe: descriptors come from a pool, each
/// used by one call at a time.
enum Iconv {
    /// UTF-8 text to GB18030 bytes (GBK's one- and two-byte codes are GB18030's; `Charset` checks for GBK).
    static func encodeGB18030(_ text: String) throws -> [UInt8] {
        let input = Array(text.utf8)
        do {
            return try convert(input, with: toGB18030)
        } catch let failure as Failure {
            // Name the offending character: the one that starts at the failing byte offset.
            let prefix = input[..<min(failure.offset, input.count)]
            let rest = String(decoding: input[min(failure.offset, input.count)...], as: UTF8.self)
            let ch = rest.unicodeScalars.first.map { scalar in
                "'\(Character(scalar))' (U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)))"
            } ?? "a character"
            let position = String(decoding: prefix, as: UTF8.self).count
            throw AlipaySignError(
                .unencodableCharacter,
                "\(ch) at character \(position) cannot be encoded in GB18030",
                hint: failure.incomplete ? nil : "use UTF-8, or GB18030, which encodes every Unicode character")
        }
    }

    /// GB18030 (or GBK) bytes to text; `name` is the charset to name in the error.
    static func decodeGB18030(_ bytes: [UInt8], name: String) throws -> String {
        do {
            let utf8 = try convert(bytes, with: fromGB18030)
            return String(decoding: utf8, as: UTF8.self)
        } catch let failure as Failure {
            throw AlipaySignError(
                .invalidEncoding,
                "the bytes are not valid \(name) (byte offset \(failure.offset))",
                hint: "check that the charset declared matches the bytes sent")
        }
    }

    struct Failure: Error {
        let offset: Int
        let incomplete: Bool
    }

    /// Pooled descriptors for the two conversions the library makes (GB18030 covers GBK): `iconv_open` loads and
    /// looks up the converter, which cost more than converting a notification.
    static let toGB18030 = DescriptorPool(from: "UTF-8", to: "GB18030")
    static let fromGB18030 = DescriptorPool(from: "GB18030", to: "UTF-8")

    /// The descriptors for one conversion. An `iconv_t` is not thread-safe: a call claims one from a
    /// ``ClaimPool``, resets its state, converts, and releases it.
    final class DescriptorPool: Sendable {
        let from: String
        let to: String
        private let pool: ClaimPool<UnsafeMutableRawPointer>  // a descriptor (`iconv_t`)

        init(from: String, to: String) {
            self.from = from
            self.to = to
            pool = ClaimPool(
                make: { _ in
                    guard let cd = iconv_open(to, from), cd != iconv_t(bitPattern: -1) else { return nil }
                    return cd
                },
                destroy: { iconv_close($0) })
        }

        func with<R>(_ body: (iconv_t) throws -> R) throws -> R {
            let result = try pool.with { cd in
                _ = iconv(cd, nil, nil, nil, nil)  // back to the initial state, whatever the last use left
                return try body(cd)
            }
            guard let value = result else {
                throw AlipaySignError(.backendFailure, "iconv cannot convert \(from) to \(to) on this system")
            }
            return value
        }
    }

    private static func convert(_ input: [UInt8], with pool: DescriptorPool) throws -> [UInt8] {
        if input.isEmpty { return [] }
        return try pool.with { try convert(input, with: $0) }
    }

    private static func convert(_ input: [UInt8], with cd: iconv_t) throws -> [UInt8] {
        var output = [UInt8](zeros: input.count * 2 + 16)
        var inCopy = input
        return try inCopy.withUnsafeMutableBufferPointer { inBuf -> [UInt8] in
            guard let inBase = inBuf.baseAddress else { return [] }
            var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBase).assumingMemoryBound(to: CChar.self)
            var inLeft = inBuf.count
            var produced = 0
            while true {
                let result: Int = output.withUnsafeMutableBufferPointer { outBuf in
                    guard let outBase = outBuf.baseAddress else { return -1 }
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBase + produced)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuf.count - produced
                    let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    produced = outBuf.count - outLeft
                    return r
                }
                if result != -1 { break }
                let err = errno
                let offset = inBuf.count - inLeft
                if err == E2BIG {
                    output.append(contentsOf: repeatElement(0, count: output.count))
                    continue
                }
                throw Failure(offset: offset, incomplete: err == EINVAL)
            }
            // Flush any shift state (none for these charsets, but it is the documented protocol).
            _ = output.withUnsafeMutableBufferPointer { outBuf -> Int in
                guard let outBase = outBuf.baseAddress else { return -1 }
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBase + produced)
                    .assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count - produced
                let r = iconv(cd, nil, nil, &outPtr, &outLeft)
                produced = outBuf.count - outLeft
                return r
            }
            output.removeSubrange(produced...)
            return output
        }
    }
}
