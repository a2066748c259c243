import Dispatch
import Synchronization

/// `check` on every core: entries are read in blocks on the calling thread; workers (each with its own
/// ``Checker``: its verifier cache is not shared) make them exchanges, check them and render each report; the
/// reports come back in capture order, one block at a time, so memory stays bounded by the block.
package struct ParallelCheck {
    /// The configuration every worker's checker is made from.
    package let configuration: CheckConfiguration
    /// How many workers.
    package let threads: Int
    /// Entries a worker takes at a time, and entries in a block per worker.
    static let chunk = 8
    static let entriesPerWorker = 256

    package init(configuration: CheckConfiguration, threads: Int) {
        self.configuration = configuration
        self.threads = max(1, threads)
    }

    /// One checked exchange: its report and, when a renderer was given, the bytes it rendered.
    package typealias Checked = (report: ExchangeReport, rendered: [UInt8])

    /// Checks every exchange of the capture.
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
        let perBlock = Self.entriesPerWorker * threads
        var entries: [CaptureReader.Entry] = []
        entries.reserveCapacity(perBlock)
        var readError: Error?
        while true {
            entries.removeAll(keepingCapacity: true)
            do {
                while entries.count < perBlock, let entry = try reader.nextEntry() { entries.append(entry) }
            } catch {
                readError = error  // the entries read before it are checked and delivered first
            }
            if entries.isEmpty { break }
            let results = process(entries, checkers: checkers, render: render)
            var checked: [Checked] = []
            checked.reserveCapacity(results.count)
            for result in results {
                switch result {
                case .success(let c): checked.append(c)
                case .failure(let error):
                    try deliver(checked)
                    throw error
                }
            }
            try deliver(checked)
            if readError != nil { break }
        }
        if let readError { throw readError }
    }

    private func process(
        _ entries: [CaptureReader.Entry], checkers: [UncheckedSendable<Checker>],
        render: (@Sendable (ExchangeReport, inout [UInt8]) -> Void)?
    ) -> [Result<Checked, Error>] {
        let count = entries.count
        let results = UnsafeMutableBufferPointer<Result<Checked, Error>?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        let shared = UncheckedSendable((entries, results, checkers))
        @Sendable func run(_ k: Int, worker: Int) {
            let (entries, results, checkers) = shared.value
            let checker = checkers[worker].value
            for i in (k * Self.chunk)..<min((k + 1) * Self.chunk, entries.count) {
                do {
                    let report = checker.check(try entries[i].exchange())
                    var rendered: [UInt8] = []
                    render?(report, &rendered)
                    results[i] = .success((report, rendered))  // disjoint indices: one worker writes each
                } catch {
                    results[i] = .failure(error)
                }
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
        return results.map { $0! }
    }
}

/// Wraps a value whose concurrent use is made safe by construction (disjoint indices, read-only input, one worker
/// per element): the batch modes and `check` share their buffers with their workers through it.
package struct UncheckedSendable<T>: @unchecked Sendable {
    package let value: T
    package init(_ value: T) { self.value = value }
}
