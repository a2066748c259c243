#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// GBK and GB18030 through the C library's iconv (BACKEND.md §3: glibc "GBK" is CP936, byte-identical to
/// Foundation's, `€` → `0x80`). iconv reports characters it cannot convert with `EILSEQ`; we turn that into an
/// error rather than a substitute character. An `iconv_t` is not thread-safe, so each call opens its own.
enum Iconv {
    static func encode(_ text: String, to charset: String) throws -> [UInt8] {
        let input = Array(text.utf8)
        do {
            return try convert(input, from: "UTF-8", to: charset)
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
                "\(ch) at character \(position) cannot be encoded in \(charset)",
                hint: failure.incomplete ? nil : "use UTF-8, or GB18030, which encodes every Unicode character")
        }
    }

    static func decode(_ bytes: [UInt8], from charset: String, name: String) throws -> String {
        do {
            let utf8 = try convert(bytes, from: charset, to: "UTF-8")
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

    private static func convert(_ input: [UInt8], from: String, to: String) throws -> [UInt8] {
        let cd = iconv_open(to, from)
        guard let cd, cd != iconv_t(bitPattern: -1) else {
            throw AlipaySignError(.backendFailure, "iconv cannot convert \(from) to \(to) on this system")
        }
        defer { iconv_close(cd) }
        if input.isEmpty { return [] }
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

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
