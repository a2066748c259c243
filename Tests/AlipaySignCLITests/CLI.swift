import Foundation

/// Runs the built `alipay-sign` binary, which SwiftPM builds next to the test bundle.
enum CLI {
    struct Result {
        let stdout: String
        let stderr: String
        let code: Int32
    }

    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["ALIPAY_SIGN_BIN"] { return URL(fileURLWithPath: path) }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // On Darwin the runner sits inside an .xctest bundle; on Linux beside the products.
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("alipay-sign")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        fatalError("alipay-sign was not built next to the tests (\(exe.path)); set ALIPAY_SIGN_BIN")
    }()

    /// A CLI that exits before reading all its input (a usage error) must fail the test, not kill the runner
    /// with SIGPIPE: the write then fails instead.
    static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    static func run(_ arguments: [String], stdin: Data = Data()) throws -> Result {
        _ = ignoreSIGPIPE
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Write and read concurrently so that neither pipe can fill up and block the other side.
        let writer = Thread {
            // The throwing write: the legacy `write(_:)` traps (`try!` inside Foundation) on EPIPE, which killed the
            // whole test runner when a CLI exited before reading its input (seen once under AddressSanitizer).
            try? input.fileHandleForWriting.write(contentsOf: stdin)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let errData = LockedData()
        let errReader = Thread { errData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        errReader.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.done { usleep(1000) }
        return Result(
            stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: errData.get(), as: UTF8.self),
            code: process.terminationStatus)
    }

    /// Writes a temporary file and returns its path. The files live in one directory per test process, removed
    /// when the process exits: each run of the suite used to leave about twenty files behind in the temporary
    /// directory.
    static func temporaryFile(_ data: Data, name: String = UUID().uuidString) throws -> String {
        let url = URL(fileURLWithPath: scratchDirectory).appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    static let scratchDirectory: String = {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("alipay-sign-tests-\(getpid())-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: CLI.scratchDirectory) }
        return path
    }()
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var finished = false
    var done: Bool { lock.withLock { finished } }
    func set(_ d: Data) { lock.withLock { data = d; finished = true } }
    func get() -> Data { lock.withLock { data } }
}
