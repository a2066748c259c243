// Operations per second of the hot paths, for compare.sh: `throughput [--seconds S] [--threads T] [--only A,B]`;
// `--iterations N` runs exactly N operations on one thread and prints no rate (for callgrind and dhat).
// Prints one line per operation: `NAME OPS_PER_SECOND` (with T threads, the sum over the threads).
import AlipaySign
import BenchFixtures
import Dispatch
import Foundation

struct Options: Sendable {
    var seconds = 3.0
    var threads = 1
    var only: Set<String> = []
    /// A fixed number of operations on one thread instead of a time budget (for callgrind and dhat).
    var iterations: Int? = nil
}

let options: Options = {
    var o = Options()
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
        switch argument {
        case "--seconds": o.seconds = arguments.popFirst().flatMap(Double.init) ?? o.seconds
        case "--threads": o.threads = arguments.popFirst().flatMap(Int.init) ?? o.threads
        case "--iterations": o.iterations = arguments.popFirst().flatMap(Int.init)
        case "--only": o.only = Set((arguments.popFirst() ?? "").split(separator: ",").map(String.init))
        default: break
        }
    }
    return o
}()

let fixtures = try Fixtures()

/// Runs `body` on `threads` threads for `seconds`, after a warm-up; prints the total rate.
func measure(_ name: String, _ body: @escaping @Sendable () throws -> Bool) throws {
    let (seconds, threads, only) = (options.seconds, options.threads, options.only)
    if !only.isEmpty && !only.contains(name) { return }
    for _ in 0..<20 { guard try body() else { fatalError("\(name): an operation failed") } }
    if let iterations = options.iterations {
        for _ in 0..<iterations { guard try body() else { fatalError("\(name): an operation failed") } }
        print(name, iterations, "iterations")
        return
    }
    let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: threads)
    counts.initialize(repeating: 0)
    defer { counts.deallocate() }
    nonisolated(unsafe) let shared = counts
    let clock = ContinuousClock()
    let start = clock.now
    let budget = Duration.milliseconds(Int64(seconds * 1000))
    DispatchQueue.concurrentPerform(iterations: threads) { t in
        var count = 0
        while clock.now - start < budget {
            for _ in 0..<8 { if (try? body()) != true { fatalError("\(name): an operation failed") } }
            count += 8
        }
        shared[t] = count
    }
    let elapsed = clock.now - start
    let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(name, String(format: "%.0f", Double(counts.reduce(0, +)) / s))
}

let f = fixtures
try measure("sign") { !(try f.signer.signature(for: f.requestContent)).isEmpty }
try measure("sign-request") { !(try f.signer.signRequest(f.request)).signature.isEmpty }
try measure("verify") { f.verifier.isValidSignature(f.requestSignature, for: f.requestContent) }
try measure("verify-notify") { try f.notificationVerifier.verify(formBody: f.notificationBody).isValid }
try measure("verify-notify-gbk") { try f.notificationVerifier.verify(formBody: f.gbkNotificationBody).isValid }
try measure("verify-notify-v2") { try f.notificationVerifier.verify(formBody: f.v2NotificationBody).isValid }
try measure("verify-response-1k") { try f.responseVerifier.verify(f.smallResponse, method: "alipay.trade.query").isValid }
try measure("v3-sign") {
    !(try f.v3Signer.sign(method: "POST", requestURI: "/v3/alipay/open/public/account/create", body: f.v3Body)).header.isEmpty
}
try measure("v3-verify-response") {
    try f.v3ResponseVerifier.verify(headers: f.v3ResponseHeaders, body: f.v3ResponseBody).isValid
}
try measure("sign-1024") { !(try f.signer1024.signature(for: f.requestContent)).isEmpty }
try measure("verify-1024") { f.verifier1024.isValidSignature(f.signature1024, for: f.requestContent) }
try measure("content") { !SignContent.utf8Bytes(f.request).isEmpty }
try measure("extract-response-1k") {
    try ResponseExtractor.extract(f.smallResponse, method: "alipay.trade.query").range.count > 0
}
try measure("extract-response-1m") {
    try ResponseExtractor.extract(f.largeResponse, method: "alipay.trade.query").range.count > 0
}
