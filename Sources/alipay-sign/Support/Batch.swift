import AlipaySign
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--jsonl` batch mode: each line of standard input is one job; each line of output is its result, in input
/// order. Lines are processed in blocks by `threads` workers; a line that fails gives `{"error": …}` and the
/// rest go on.
enum Batch {
    static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// A job's result: the JSON line, and whether it was an error.
    typealias Output = (line: String, failed: Bool)

    /// Runs `job` over every line of standard input; returns whether any line failed.
    static func run(threads: Int, _ job: @escaping @Sendable ([UInt8]) -> Output) throws -> Bool {
        var reader = LineReader(fd: STDIN_FILENO)
        let block = 512 * max(1, threads)
        var anyFailed = false
        var lines: [[UInt8]] = []
        lines.reserveCapacity(block)
        while true {
            lines.removeAll(keepingCapacity: true)
            while lines.count < block, let line = try reader.next() {
                if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { lines.append(line) }
            }
            if lines.isEmpty { break }
            let outputs = process(lines, threads: threads, job)
            var text = ""
            for output in outputs {
                text += output.line
                text += "\n"
                if output.failed { anyFailed = true }
            }
            try writeAll(text)
        }
        return anyFailed
    }

    private static func process(_ lines: [[UInt8]], threads: Int, _ job: @Sendable ([UInt8]) -> Output) -> [Output] {
        if threads <= 1 { return lines.map(job) }
        let results = UnsafeMutableBufferPointer<Output>.allocate(capacity: lines.count)
        results.initialize(repeating: ("", false))
        defer {
            // Found by AddressSanitizer's leak check: without deinitialize, every result string leaked.
            results.deinitialize()
            results.deallocate()
        }
        let box = UncheckedSendable(results)
        lines.withUnsafeBufferPointer { input in
            let inputBox = UncheckedSendable(input)
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                var i = worker
                while i < inputBox.value.count {
                    box.value[i] = job(Array(inputBox.value[i]))  // disjoint indices: no two workers share one
                    i += threads
                }
            }
        }
        return Array(results)
    }

    private static func writeAll(_ text: String) throws {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw AlipaySignError(.unreadableInput, "cannot write to standard output") }
            offset += n
        }
        bytes.removeAll()
    }

    static func error(_ error: Error) -> Output {
        let message = (error as? AlipaySignError)?.description ?? "\(error)"
        return (JSONOutput.object([("error", .string(message))]).rendered(), true)
    }
}

/// Wraps a value whose concurrent use is made safe by construction (disjoint indices, read-only input).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Lines of a file descriptor, read in 1 MiB chunks.
struct LineReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var position = 0
    private var eof = false

    init(fd: Int32) { self.fd = fd }

    mutating func next() throws -> [UInt8]? {
        while true {
            if let nl = buffer[position...].firstIndex(of: 0x0A) {
                var line = Array(buffer[position..<nl])
                position = nl + 1
                if line.last == 0x0D { line.removeLast() }
                return line
            }
            if eof {
                guard position < buffer.count else { return nil }
                let line = Array(buffer[position...])
                position = buffer.count
                return line
            }
            buffer.removeFirst(position)
            position = 0
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: 1 << 20))
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, 1 << 20) }
            if n < 0 {
                if errno == EINTR {
                    buffer.removeSubrange(old...)
                    continue
                }
                throw AlipaySignError(.unreadableInput, "cannot read standard input: \(String(cString: strerror(errno)))")
            }
            buffer.removeSubrange((old + n)...)
            if n == 0 { eof = true }
            if buffer.count - position > Input.maximumSize {
                throw AlipaySignError(.inputTooLarge, "a line of standard input is larger than \(Input.maximumSize >> 20) MiB")
            }
        }
    }
}
