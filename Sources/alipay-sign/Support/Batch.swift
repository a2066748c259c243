import AlipayConformance
@_spi(AlipaySignTools) import AlipaySign
import ArgumentParser
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
///
/// Bytes all the way: a block's lines are read into one reused buffer (no array or string per line), and each
/// job appends its result line to the output buffer of its chunk of lines, reused from block to block.
enum Batch {
    static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Refuses a `--threads` outside 1...`ParallelCheck.maximumThreads` (a usage error, exit 64), for `check` and the
    /// batch modes alike: a count far past any machine's cores made an array of that many workers (a hang or a crash).
    static func validate(threads: Int?) throws {
        guard let threads else { return }
        guard (1...ParallelCheck.maximumThreads).contains(threads) else {
            throw ValidationError("--threads must be between 1 and \(ParallelCheck.maximumThreads)")
        }
    }

    /// A job: reads one line (without its line end) and appends its one-line JSON result, without a newline, to
    /// `out`; returns whether the line failed.
    typealias Job = @Sendable (_ line: UnsafeBufferPointer<UInt8>, _ out: inout [UInt8]) -> Bool

    /// Lines a worker claims at a time, and the lines of a block per worker (the first two blocks; later ones grow,
    /// ``BlockSchedule``).
    static let chunk = 16
    static let linesPerWorker = 512

    /// Runs a job over every line of standard input, one job per worker made by `makeJob`; returns whether any
    /// line failed.
    ///
    /// Each worker has its own job, and so its own verifier or signer: workers that share one object touch its
    /// reference counts and its pooled contexts' flags on every line, and the cache lines holding them move from
    /// core to core (with a shared verifier 2 threads spent about 13 % more CPU time a notification than 1
    /// thread; with one each, about 1–2 %).
    ///
    /// Pipelined: while the workers process block N, one I/O thread writes the results of block N-1 and reads
    /// block N+1, so that reading and writing do not leave the workers idle. Two blocks take turns: the one being
    /// processed, and the one being written and then refilled.
    static func run(threads: Int, makeJob: () throws -> Job) throws -> Bool {
        let jobs = try (0..<max(1, threads)).map { _ in try makeJob() }
        return try run(reader: LineReader(fd: STDIN_FILENO), jobs: jobs)
    }

    static func run(reader: LineReader, jobs: [Job]) throws -> Bool {
        let io = BatchIO(reader: reader, workers: jobs.count)
        let queue = DispatchQueue(label: "alipay-sign.batch-io")
        var current = Block()
        var other = Block()
        try io.read(into: current)
        var anyFailed = false
        while !current.isEmpty {
            // Write the previous block's results and read the next block, while this one is processed.
            let refill = UncheckedSendable(other)
            queue.async { io.step(refill.value) }
            if process(current, jobs: jobs) { anyFailed = true }
            queue.sync {}
            if let error = io.writeError { throw error }
            if let error = io.readError {
                // Standard input failed after this block was read: its results still go out, then the error.
                try io.write(current)
                throw error
            }
            swap(&current, &other)
        }
        // The last block's results (`other` holds them after the final swap).
        try io.write(other)
        return anyFailed
    }

    /// A block of lines (their bytes, one after the other, and where each ends) and its results (one buffer per
    /// chunk of lines). Reused from block to block: the buffers keep their capacity.
    final class Block: @unchecked Sendable {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var outputs: [[UInt8]] = []
        var written = true
        var isEmpty: Bool { ends.isEmpty }

        func clear() {
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
        }
    }

    /// The I/O thread's state. Used by one thread at a time (the queue's `sync` orders the hand-over), hence
    /// `@unchecked Sendable`.
    private final class BatchIO: @unchecked Sendable {
        var reader: LineReader
        let workers: Int
        var writeError: Error?
        var readError: Error?
        /// A read error met after some lines of a block: those lines are processed first, then it is thrown.
        private var deferred: Error?
        private var blocksRead = 0

        init(reader: LineReader, workers: Int) {
            self.reader = reader
            self.workers = workers
        }

        /// Writes the block's results, then reads the next lines into it; records what fails.
        func step(_ block: Block) {
            do {
                try write(block)
            } catch {
                writeError = error
                block.clear()
                return
            }
            do {
                try read(into: block)
            } catch {
                readError = error
                block.clear()
            }
        }

        /// A block's results joined, for one `write` (one a chunk of 16 lines was 3,750 calls for 60,000
        /// notifications); reused from block to block.
        private var joined: [UInt8] = []

        func write(_ block: Block) throws {
            guard !block.written else { return }
            block.written = true
            joined.removeAll(keepingCapacity: true)
            for k in 0..<((block.ends.count + Batch.chunk - 1) / Batch.chunk) {
                joined.append(contentsOf: block.outputs[k])
            }
            try Batch.writeAll(joined)
        }

        func read(into block: Block) throws {
            block.clear()
            if let error = deferred {
                deferred = nil
                throw error
            }
            let lines = BlockSchedule.items(block: blocksRead, perWorker: Batch.linesPerWorker, workers: workers)
            let byteLimit = BlockSchedule.bytes(workers: workers)
            blocksRead += 1
            do {
                while block.ends.count < lines, block.bytes.count < byteLimit, try reader.next(appendingTo: &block.bytes) {
                    let start = block.ends.last ?? 0
                    if block.bytes[start...].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                        block.bytes.removeSubrange(start...)  // a blank line is no job
                    } else {
                        block.ends.append(block.bytes.count)
                    }
                }
            } catch {
                if block.ends.isEmpty { throw error }
                if let start = block.ends.last { block.bytes.removeSubrange(start...) }
                deferred = error
            }
        }
    }

    /// Runs the lines of a block into its chunks' output buffers, worker `w` with `jobs[w]`; returns whether any
    /// line failed.
    private static func process(_ block: Block, jobs: [Job]) -> Bool {
        let threads = jobs.count
        let count = block.ends.count
        let chunks = (count + chunk - 1) / chunk
        while block.outputs.count < chunks { block.outputs.append([]) }
        block.written = false
        let failed = Atomic<Bool>(false)
        block.bytes.withUnsafeBufferPointer { bytes in
            block.ends.withUnsafeBufferPointer { ends in
                block.outputs.withUnsafeMutableBufferPointer { outputs in
                    let shared = UncheckedSendable((bytes, ends, outputs))
                    @Sendable func run(_ k: Int, _ job: Job) {
                        let (bytes, ends, outputs) = shared.value
                        var anyFailed = false
                        outputs[k].removeAll(keepingCapacity: true)
                        for i in (k * chunk)..<min((k + 1) * chunk, ends.count) {
                            let start = i == 0 ? 0 : ends[i - 1]
                            let line = UnsafeBufferPointer(rebasing: bytes[start..<ends[i]])
                            if job(line, &outputs[k]) { anyFailed = true }
                            outputs[k].append(0x0A)
                        }
                        if anyFailed { failed.store(true, ordering: .relaxed) }
                    }
                    if threads <= 1 {
                        for k in 0..<chunks { run(k, jobs[0]) }
                        return
                    }
                    // Workers claim chunks from a shared counter, so that a worker the OS preempts does not hold
                    // the others up at the end of the block. Each chunk's buffer is written by one worker only.
                    let next = Atomic<Int>(0)
                    DispatchQueue.concurrentPerform(iterations: threads) { w in
                        let job = jobs[w]
                        while true {
                            let k = next.add(1, ordering: .relaxed).oldValue
                            guard k < chunks else { return }
                            run(k, job)
                        }
                    }
                }
            }
        }
        return failed.load(ordering: .relaxed)
    }

    static func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw AlipaySignError(.unreadableInput, "cannot write to standard output") }
            offset += n
        }
    }

    /// Appends `{"error": message}` for a line that failed; returns `true` (failed).
    static func error(_ error: Error, into out: inout [UInt8]) -> Bool {
        let message = (error as? AlipaySignError)?.description ?? "\(error)"
        out.append(contentsOf: #"{"error":"#.utf8)
        JSONBytes.appendString(message, to: &out)
        out.append(UInt8(ascii: "}"))
        return true
    }
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

    /// Appends the next line, without its line end, to `out`; `false` at the end of the input.
    mutating func next(appendingTo out: inout [UInt8]) throws -> Bool {
        while true {
            let from = position + scanned
            let found = buffer.withUnsafeBytes { raw -> Int? in
                guard let base = raw.baseAddress, from < raw.count,
                    let hit = memchr(base + from, 0x0A, raw.count - from)
                else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            }
            if let nl = found {
                let end = nl > position && buffer[nl - 1] == 0x0D ? nl - 1 : nl
                out.append(contentsOf: buffer[position..<end])
                position = nl + 1
                scanned = 0
                return true
            }
            scanned = buffer.count - position
            if eof {
                guard position < buffer.count else { return false }
                out.append(contentsOf: buffer[position...])
                position = buffer.count
                scanned = 0
                return true
            }
            try fill()
        }
    }

    private mutating func fill() throws {
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        while true {
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
            return
        }
    }
}
