import Dispatch
import Synchronization

/// `check` on every core: entries are read in blocks on the calling thread; workers (each with its own
/// ``Checker``: its verifier cache is not shared) make them exchanges, check them and render each report; the
/// reports come back in capture order, one block at a time, so memory stays bounded by two blocks (the one being
/// checked, and the one being read or delivered).
package struct ParallelCheck {
    /// The configuration every worker's checker is made from.
    package let configuration: CheckConfiguration
    /// How many workers.
    package let threads: Int
    /// Entries a worker takes at a time, and entries in a block per worker (the first two blocks; later ones grow,
    /// ``BlockSchedule``).
    static let chunk = 8
    static let entriesPerWorker = 256
    /// The most workers a check runs (the CLI's `--threads` refuses more): each has its own checker and a share of
    /// every block, and a count far past any machine's cores was a hang or a crash.
    package static let maximumThreads = 1024

    package init(configuration: CheckConfiguration, threads: Int) {
        self.configuration = configuration
        self.threads = min(max(1, threads), Self.maximumThreads)
    }

    /// What the delivered reports keep.
    package enum Reports: Sendable {
        /// Every report whole.
        case whole
        /// A report without findings keeps only its position and kind (no API, an empty URL); one with findings is
        /// whole. For a consumer that writes the rendered lines and counts the rest (`check --format json` and
        /// `text`): the clean reports' strings, made on a worker, are then freed there and not by the delivering
        /// thread, which took the worker allocator's lock for each (paired runs, 100,000 exchanges on two
        /// threads: 3 to 6 % less CPU).
        case findingsOnly
    }

    /// What the delivered reports keep; ``Reports/whole`` unless set.
    package var reports = Reports.whole

    /// One checked exchange: its report and, when a renderer was given, the bytes it rendered (a slice of the
    /// buffer its chunk's exchanges were rendered into, one allocation for them all: a buffer of its own for each
    /// exchange was an allocation of some 1.8 KB on a worker and its free on the delivering thread, past the
    /// allocator's per-thread cache, for every exchange).
    package typealias Checked = (report: ExchangeReport, rendered: ArraySlice<UInt8>)

    /// Checks every exchange of the capture.
    ///
    /// Pipelined: while the workers check one block in the background, the calling thread reads the next block
    /// and then delivers the previous one's results, so that the workers do not wait for the reading or the writing
    /// (about 5 % of a one-worker `check` run, `perf record`; the workers stood idle through it between blocks).
    /// - Parameters:
    ///   - reader: the capture.
    ///   - render: run on the workers for each report (for example its JSON line); `nil` renders nothing.
    ///   - deliver: called on the calling thread with each block's results in capture order.
    /// - Throws: the first ``CaptureError`` in capture order (the exchanges before it are delivered first), or what
    ///   `deliver` throws.
    package func run(
        _ reader: CaptureReader, render: (@Sendable (ExchangeReport, inout [UInt8]) -> Void)?,
        deliver: ([Checked]) throws -> Void
    ) throws {
        let checkers = (0..<threads).map { _ in UncheckedSendable(Checker(configuration: configuration)) }
        let queue = DispatchQueue(label: "alipay-sign.check")
        var readError: Error?
        var blocksRead = 0
        /// The next block's entries; a read error ends the block early, and is thrown once the entries read before
        /// it have been delivered.
        func read() -> [CaptureReader.Entry] {
            var entries: [CaptureReader.Entry] = []
            guard readError == nil else { return entries }
            let count = BlockSchedule.items(block: blocksRead, perWorker: Self.entriesPerWorker, workers: threads)
            let byteLimit = BlockSchedule.bytes(workers: threads)
            blocksRead += 1
            entries.reserveCapacity(count)
            var bytes = 0
            do {
                while entries.count < count, bytes < byteLimit, let entry = try reader.nextEntry() {
                    entries.append(entry)
                    bytes += entry.bytes.count
                }
            } catch {
                readError = error
            }
            return entries
        }
        /// Starts checking a block on the workers.
        func start(_ entries: [CaptureReader.Entry]) -> Job {
            let job = Job()
            let work = UncheckedSendable((engine: self, entries: entries, checkers: checkers, render: render))
            queue.async {
                // Read through `work.value` (not destructured: a tuple pattern here crashes Swift 6.3's SIL
                // ownership verifier in release builds).
                job.results = work.value.engine.process(
                    work.value.entries, checkers: work.value.checkers, render: work.value.render)
                job.done.signal()
            }
            return job
        }
        var entries = read()
        var job = entries.isEmpty ? nil : start(entries)
        while let current = job {
            entries = read()  // while the workers check the current block
            current.done.wait()
            job = entries.isEmpty ? nil : start(entries)
            // The block's reports go out while the workers check the next one; a failure in the block is thrown
            // after the reports before it.
            let (checked, failure) = current.results
            do {
                try deliver(checked)
                if let failure { throw failure }
            } catch {
                job?.done.wait()  // nothing is left running when this returns
                throw error
            }
        }
        if let readError { throw readError }
    }

    /// A block being checked in the background; `results` is written before `done` is signalled, and read after.
    private final class Job: @unchecked Sendable {
        var results: (checked: [Checked], failure: Error?) = ([], nil)
        let done = DispatchSemaphore(value: 0)
    }

    private func process(
        _ entries: [CaptureReader.Entry], checkers: [UncheckedSendable<Checker>],
        render: (@Sendable (ExchangeReport, inout [UInt8]) -> Void)?
    ) -> (checked: [Checked], failure: Error?) {
        let count = entries.count
        let results = UnsafeMutableBufferPointer<Result<Checked, Error>?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        let shared = UncheckedSendable((entries, results, checkers))
        let keep = reports
        @Sendable func run(_ k: Int, worker: Int) {
            let (entries, results, checkers) = shared.value
            let checker = checkers[worker].value
            let range = (k * Self.chunk)..<min((k + 1) * Self.chunk, entries.count)
            // Phase by phase over the chunk (read every entry, then check, then render): each phase's code stays
            // in the instruction cache across the chunk instead of being evicted by the others on every entry.
            var exchanges: [Exchange?] = []
            exchanges.reserveCapacity(range.count)
            for i in range {
                do {
                    exchanges.append(try entries[i].exchange())
                } catch {
                    exchanges.append(nil)
                    results[i] = .failure(error)
                }
            }
            // Each exchange is moved into its check (`take`, and `check` consumes it), not copied.
            var reports: [ExchangeReport?] = []
            reports.reserveCapacity(exchanges.count)
            for n in exchanges.indices {
                if let exchange = exchanges[n].take() {
                    reports.append(checker.check(exchange))
                } else {
                    reports.append(nil)
                }
            }
            // The chunk's lines into one buffer. A report's line echoes the request's URL and little else when it
            // is clean: the entries' sizes hold them in one allocation (from empty, it was reallocated as it grew).
            var output: [UInt8] = []
            var bounds: [Range<Int>] = []
            if let render {
                output.reserveCapacity(range.reduce(0) { $0 + entries[$1].bytes.count + 256 })
                bounds.reserveCapacity(range.count)
                for n in reports.indices {
                    let start = output.count
                    if let report = reports[n] { render(report, &output) }
                    bounds.append(start..<output.count)
                }
            }
            for (n, i) in range.enumerated() {
                guard var report = reports[n].take() else { continue }
                if keep == .findingsOnly, report.findings.isEmpty {
                    report = ExchangeReport(index: report.index, kind: report.kind, api: nil, url: "", findings: [])
                }
                let rendered = render == nil ? ArraySlice() : output[bounds[n]]
                results[i] = .success((report, rendered))  // disjoint indices: one worker writes each
            }
        }
        let chunks = (count + Self.chunk - 1) / Self.chunk
        if threads == 1 {
            for k in 0..<chunks { run(k, worker: 0) }
        } else {
            // Workers claim chunks from a shared counter, so that one the OS preempts does not hold the rest up.
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                while true {
                    let k = next.add(1, ordering: .relaxed).oldValue
                    guard k < chunks else { return }
                    run(k, worker: worker)
                }
            }
        }
        // The reports in capture order up to the first failure, and that failure: each moved out of its slot
        // (`take`), not copied (a copy of a report and its line retains and releases each string and array).
        var checked: [Checked] = []
        checked.reserveCapacity(count)
        for i in 0..<count {
            switch results[i].take()! {
            case .success(let c): checked.append(c)
            case .failure(let error): return (checked, error)
            }
        }
        return (checked, nil)
    }
}

/// How many items (capture entries, batch lines) a block holds, for `check` and the batch modes: both process a
/// block on their workers while the next one is read and the previous one written, and the workers meet at each
/// block's end, where one waits while the other finishes its last chunk, or while the I/O thread has its turn on
/// the cores.
///
/// The first two blocks have `perWorker` items a worker, so that the workers start soon and a short input still
/// spans several blocks; then each block is twice the one before, up to eight times the first: fewer meetings once
/// the run is long. With the first size throughout, two workers of `verify-notify --jsonl` kept 1.85–1.93 of the 2
/// cores busy, and with this schedule 1.94–1.95 (`perf stat`, 60,000 notifications); `check --threads 2`, 1.88–1.94
/// and 1.94–1.96. A block also ends at 8 MiB of input a worker and 64 MiB in all (``bytes(workers:)``), so that
/// large entries, or many workers, keep the memory of the blocks in flight bounded.
package enum BlockSchedule {
    /// The bytes of input a block holds at most (it holds at least one item): 8 MiB a worker, 64 MiB in all.
    package static func bytes(workers: Int) -> Int { min(max(1, workers), 8) * (8 << 20) }

    /// The items of block `block` (from 0).
    package static func items(block: Int, perWorker: Int, workers: Int) -> Int {
        perWorker * max(1, workers) << min(max(0, block - 1), 3)
    }
}

/// Wraps a value whose concurrent use is made safe by construction (disjoint indices, read-only input, one worker
/// per element): the batch modes and `check` share their buffers with their workers through it.
package struct UncheckedSendable<T>: @unchecked Sendable {
    package let value: T
    package init(_ value: T) { self.value = value }
}
