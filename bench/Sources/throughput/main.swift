// Operations per second of the hot paths, for compare.sh: `throughput [--seconds S]`.
// Prints one line per operation: `NAME OPS_PER_SECOND`.
import AlipaySign
import BenchFixtures
import Foundation

var requested = 3.0
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    if argument == "--seconds", let value = arguments.popFirst().flatMap(Double.init) { requested = value }
}

let fixtures = try Fixtures()
let seconds = requested

@inline(never)
func measure(_ name: String, seconds: Double = seconds, _ body: () throws -> Bool) throws {
    for _ in 0..<20 { _ = try body() }
    let clock = ContinuousClock()
    let start = clock.now
    let budget = Duration.milliseconds(Int64(seconds * 1000))
    var count = 0
    var ok = true
    while clock.now - start < budget {
        for _ in 0..<8 { ok = try body() && ok }
        count += 8
    }
    let elapsed = clock.now - start
    let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    guard ok else { fatalError("\(name): an operation failed") }
    print(name, String(format: "%.0f", Double(count) / s))
}

try measure("content") { !SignContent.utf8Bytes(fixtures.request).isEmpty }
try measure("sign") { !(try fixtures.signer.signature(for: fixtures.requestContent)).isEmpty }
try measure("sign-request") { !(try fixtures.signer.signRequest(fixtures.request)).signature.isEmpty }
try measure("verify") { fixtures.verifier.isValidSignature(fixtures.requestSignature, for: fixtures.requestContent) }
try measure("verify-notify") { try fixtures.notificationVerifier.verify(formBody: fixtures.notificationBody).isValid }
let decodedNotification = try FormBody.decode(fixtures.notificationBody).parameters
try measure("notify-decode") { !(try FormBody.decode(fixtures.notificationBody)).parameters.isEmpty }
try measure("notify-content") { !SignContent.build(decodedNotification, mode: .notifyV1).isEmpty }
