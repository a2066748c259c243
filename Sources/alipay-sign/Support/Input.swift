import AlipaySign

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading the INPUT argument and option files, bounded in size.
enum Input {
    /// The largest input read (bodies, content, keys). Captures are streamed by other commands.
    static let maximumSize = 32 << 20

    /// Reads the file at `path`, or standard input when `path` is `nil` or `-`.
    static func bytes(_ path: String?, what: String = "input") throws -> [UInt8] {
        guard let path, path != "-" else {
            return try readAll(fd: STDIN_FILENO, name: "standard input")
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw AlipaySignError(.unreadableInput, "cannot read \(what) '\(path)': \(reason)")
        }
        defer { close(fd) }
        return try readAll(fd: fd, name: "'\(path)'")
    }

    /// Reads and parses a private key file; once it has parsed (so that it is a real key), warns when group or
    /// others may read the file (a key file should be mode 600).
    static func privateKey(_ path: String, allowWeak: Bool) throws -> PrivateKey {
        let keyBytes = try bytes(path, what: "private key")
        let key = allowWeak ? try PrivateKey(parsingAllowingWeakKey: keyBytes) : try PrivateKey(parsing: keyBytes)
        var info = stat()
        if path != "-", stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            Terminal.warn(
                "the private key file '\(path)' is readable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); "
                    + "run chmod 600 on it")
        }
        return key
    }

    /// Reads a form body or JSON parameters, without the line break a file usually ends with: a raw CR or LF
    /// cannot be part of a form-encoded value, and is whitespace after a JSON object. The library stays exact.
    static func parameters(_ path: String?) throws -> [UInt8] {
        var body = try bytes(path)
        while let last = body.last, last == 0x0A || last == 0x0D { body.removeLast() }
        return body
    }

    /// Reads a file as UTF-8 text (content, JSON parameters): the rule for text inputs.
    static func text(_ path: String?, what: String = "input") throws -> String {
        let data = try bytes(path, what: what)
        guard let text = String(validating: data, as: UTF8.self) else {
            throw AlipaySignError(
                .invalidEncoding, "the \(what) is not valid UTF-8 text",
                hint: "text files are read as UTF-8; --charset names the charset whose bytes are signed, not the file's")
        }
        return text
    }

    private static func readAll(fd: Int32, name: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                throw AlipaySignError(.unreadableInput, "cannot read \(name): \(reason)")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > maximumSize {
                throw AlipaySignError(
                    .inputTooLarge, "\(name) is larger than \(maximumSize >> 20) MiB",
                    hint: "a single request, response or notification is never this large; check the file given")
            }
        }
        return out
    }
}

/// Writing an output file the user named.
enum Output {
    /// Writes `bytes` to `path` (created or truncated, mode 644); a failure is an input error (exit 2).
    static func save(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw AlipaySignError(.unreadableInput, "cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AlipaySignError(.unreadableInput, "cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
