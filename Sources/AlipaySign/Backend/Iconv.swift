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

    /// A fixed set of descriptors for one conversion. An `iconv_t` is not thread-safe: a call claims a free one
    /// (an atomic flag), resets its state, converts, and releases it; when every one is busy it opens its own.
    final class DescriptorPool: @unchecked Sendable {
        let from: String
        let to: String
        private let slots: [Slot]

        /// One descriptor, opened on its first use; `busy` guards it.
        final class Slot: @unchecked Sendable {
            let busy = Atomic<Bool>(false)
            var cd: iconv_t?
            /// Keeps neighbouring slots' written fields off each other's cache lines (as in RSAPKCS1Context).
            private let padding = CacheLinePadding()
            deinit { if let cd { iconv_close(cd) } }
        }

        init(from: String, to: String) {
            self.from = from
            self.to = to
            slots = (0..<max(4, 2 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))).map { _ in Slot() }
        }

        func open() throws -> iconv_t {
            guard let cd = iconv_open(to, from), cd != iconv_t(bitPattern: -1) else {
                throw AlipaySignError(.backendFailure, "iconv cannot convert \(from) to \(to) on this system")
            }
            return cd
        }

        func with<R>(_ body: (iconv_t) throws -> R) throws -> R {
            let start = CacheLinePadding.slot(forThreadAmong: slots.count)
            for i in 0..<slots.count {
                let slot = slots[(start + i) % slots.count]
                guard slot.busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
                    continue
                }
                defer { slot.busy.store(false, ordering: .releasing) }
                let cd = try slot.cd ?? open()
                slot.cd = cd
                _ = iconv(cd, nil, nil, nil, nil)  // back to the initial state, whatever the last use left
                return try body(cd)
            }
            let cd = try open()
            defer { iconv_close(cd) }
            return try body(cd)
        }
    }

    private static func convert(_ input: [UInt8], with pool: DescriptorPool) throws -> [UInt8] {
        if input.isEmpty { return [] }
        return try pool.with { try convert(input, with: $0) }
    }

    private static func convert(_ input: [UInt8], with cd: iconv_t) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
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
