import AlipaySign
import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard error and the exit codes of the contract.
enum Terminal {
    static let inputErrorCode: Int32 = 2

    static func writeError(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        fflush(nil)  // keep stdout and stderr in order when both go to one place
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Prints `error:` and `hint:` lines and exits 2 (input error).
    static func fail(_ error: AlipaySignError) -> Never {
        writeError("error: \(error.reason)")
        if let hint = error.hint { writeError("hint: \(cliHint(hint))") }
        fflush(nil)
        exit(inputErrorCode)
    }

    /// The library's hints name its own concepts; here they become this command line's flags.
    static func cliHint(_ hint: String) -> String {
        var text = hint
        for (concept, flag) in hintFlags { text = text.replacingAll(concept, with: flag) }
        return text
    }

    static let hintFlags: [(String, String)] = [
        ("RootSN variant sm2", "--sm2"),
        ("name GBK as its charset", "give --charset GBK"),
        ("(parsingAllowingWeakKey:)", "(--allow-weak-key)"),
        ("with PublicKey(certificate:)", "with --cert"),
        ("with PublicKey(parsing:)", "with --public-key"),
        ("load it with add(downloadResponse:roots:)",
         "run alipay-sign cert import --root alipayRootCert.crt --out NEW.crt on the response body, then add --cert NEW.crt"),
    ]

    /// A progress line on standard error, rewritten in place; `nil` clears it.
    static func progress(_ text: String?) {
        let line = "\r\u{1B}[K" + (text ?? "")
        _ = Array(line.utf8).withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    static func warn(_ message: String) {
        writeError("warning: \(message)")
    }
}

extension ExitCode {
    /// A verdict of "invalid": exit 1, thrown after the output is written.
    static let signatureInvalid = ExitCode(1)
}
