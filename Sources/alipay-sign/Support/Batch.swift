import AlipaySign
import Dispatch
import Synchronization

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
    ///
    /// Pipelined: while the workers process block N, one I/O thread writes the results of block N-1 and reads
    /// block N+1, so that reading and writing do not leave the workers idle.
    static func run(threads: Int, _ job: @escaping @Sendable ([UInt8]) -> Output) throws -> Bool {
        let block = 512 * max(1, threads)
        let io = BatchIO(reader: LineReader(fd: STDIN_FILENO), block: block)
        let queue = DispatchQueue(label: "alipay-sign.batch-io")
        var lines = try io.readBlock()
        var anyFailed = false
        while !lines.isEmpty {
            // Start the I/O for the next step, then process this block on the workers.
            queue.async { io.step() }
            let outputs = process(lines, threads: threads, job)
            queue.sync {}
            if let error = io.writeError { throw error }
            for output in outputs where output.failed { anyFailed = true }
            io.pending = outputs
            if let error = io.readError {
                // Standard input failed after this block was read: its results still go out, then the error.
                try io.writePending()
                throw error
            }
            lines = io.next
        }
        // The last block's results.
        try io.writePending()
        return anyFailed
    }

    /// The state of the I/O thread: results to write, the block read ahead, the errors. Used by one thread at a
    /// time (the queue's `sync` orders the hand-over), hence `@unchecked Sendable`.
    private final class BatchIO: @unchecked Sendable {
        var reader: LineReader
        let block: Int
        var pending: [Output] = []
        var next: [[UInt8]] = []
        var writeError: Error?
        var readError: Error?

        init(reader: LineReader, block: Int) {
            self.reader = reader
            self.block = block
        }

        /// Writes the pending results, then reads the next block; records what fails.
        func step() {
            do {
                try writePending()
            } catch {
                writeError = error
                return
            }
            do {
                next = try readBlock()
            } catch {
                readError = error
                next = []
            }
        }

        func writePending() throws {
            guard !pending.isEmpty else { return }
            var text = ""
            for output in pending {
                text += output.line
                text += "\n"
            }
            pending = []
            try Batch.writeAll(text)
        }

        /// A read error met after some lines of a block: those lines are processed first, then it is thrown.
        private var deferred: Error?

        func readBlock() throws -> [[UInt8]] {
            if let error = deferred {
                deferred = nil
                throw error
            }
            var lines: [[UInt8]] = []
            lines.reserveCapacity(block)
            do {
                while lines.count < block, let line = try reader.next() {
                    if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { lines.append(line) }
                }
            } catch {
                if lines.isEmpty { throw error }
                deferred = error
            }
            return lines
        }
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
            // Workers claim chunks of lines from a shared counter, so that a worker the OS preempts does not
            // hold the others up at the end of the block.
            let nextChunk = Atomic<Int>(0)
            let chunk = 16
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                let count = inputBox.value.count
                while true {
                    let start = nextChunk.add(chunk, ordering: .relaxed).oldValue
                    guard start < count else { return }
                    for i in start..<min(start + chunk, count) {
                        box.value[i] = job(inputBox.value[i])  // disjoint indices: no two workers share one
                    }
                }
            }
        }
        return Array(results)
    }

    fileprivate static func writeAll(_ text: String) throws {
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

/// Lines of a file descriptor, read in 1 MiB chunks. Linear in the input however long a line is: a chunk is
/// searched for a line end once, and read through one reused scratch buffer.
struct LineReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var position = 0
    /// How many bytes from `position` are known to hold no line end.
    private var scanned = 0
    private var eof = false
    private var scratch = [UInt8](repeating: 0, count: 1 << 20)

    init(fd: Int32) { self.fd = fd }

    mutating func next() throws -> [UInt8]? {
        while true {
            let from = position + scanned
            let found = buffer.withUnsafeBytes { raw -> Int? in
                guard let base = raw.baseAddress, from < raw.count,
                    let hit = memchr(base + from, 0x0A, raw.count - from)
                else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            }
            if let nl = found {
                var line = Array(buffer[position..<nl])
                position = nl + 1
                scanned = 0
                if line.last == 0x0D { line.removeLast() }
                return line
            }
            scanned = buffer.count - position
            if eof {
                guard position < buffer.count else { return nil }
                let line = Array(buffer[position...])
                position = buffer.count
                scanned = 0
                return line
            }
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            let n = scratch.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return read(fd, base, raw.count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw AlipaySignError(.unreadableInput, "cannot read standard input: \(String(cString: strerror(errno)))")
            }
            if n == 0 { eof = true }
            buffer.append(contentsOf: scratch[0..<n])
            if buffer.count - position > Input.maximumSize {
                throw AlipaySignError(.inputTooLarge, "a line of standard input is larger than \(Input.maximumSize >> 20) MiB")
            }
        }
    }
}
