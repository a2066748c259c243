import AlipaySign
import BenchFixtures
import Benchmark

// Names are identifiers: package-benchmark writes threshold files under a shell-safe form of the name and reads
// them back under the name itself, so only names that are already shell-safe round-trip (1.38.1).
let benchmarks: @Sendable () -> Void = {
    let fixtures: Fixtures
    do { fixtures = try Fixtures() } catch { fatalError("fixtures: \(error)") }
    let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal, .instructions]
    let config = Benchmark.Configuration(metrics: metrics, maxDuration: .seconds(2), maxIterations: 1_000_000)

    // Canonical content, 10-parameter request
    Benchmark("content_request_10_params", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(SignContent.utf8Bytes(fixtures.request))
        }
    }

    // RSA2 sign, 10-parameter request (content + sign + base64)
    Benchmark("sign_request_10_params", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.signer.signRequest(fixtures.request))
        }
    }

    // RSA2 verify (raw signature over content bytes)
    Benchmark("verify_rsa2_raw", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(fixtures.verifier.isValidSignature(fixtures.requestSignature, for: fixtures.requestContent))
        }
    }

    // Notification verify (form decode + V1 content + verify)
    Benchmark("verify_notification", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.notificationVerifier.verify(formBody: fixtures.notificationBody))
        }
    }

    // The GBK notification vector (values decoded from GBK, content encoded back) and a V2 one (servicemarket)
    Benchmark("verify_notification_gbk", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.notificationVerifier.verify(formBody: fixtures.gbkNotificationBody))
        }
    }

    Benchmark("verify_notification_v2", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.notificationVerifier.verify(formBody: fixtures.v2NotificationBody))
        }
    }

    // Certificate SN from PEM (read + parse + SN)
    Benchmark("cert_sn_from_pem", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try CertificateSN.sn(ofCertificateFile: fixtures.appCertificatePEM))
        }
    }

    // Root SN of alipayRootCert.crt (4 certificates)
    Benchmark("cert_root_sn_4_certs", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try CertificateSN.rootSN(of: fixtures.rootBundlePEM))
        }
    }

    // Chain trust, parsed leaf + intermediate under parsed roots
    Benchmark("cert_chain_trust", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(CertificateChain.verify(fixtures.alipayChain, roots: fixtures.roots, at: fixtures.validInstant))
        }
    }

    // Registry key lookup by alipay_cert_sn
    Benchmark("cert_registry_lookup", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.registry.publicKey(forSN: "7513daaaa48aa3ba2e4018d84402479c"))
        }
    }

    // Response extract, 1 KB JSON
    Benchmark("response_extract_1kb", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ResponseExtractor.extract(fixtures.smallResponse, method: "alipay.trade.query"))
        }
    }

    // Response extract + verify, 1 KB JSON
    Benchmark("response_verify_1kb", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.responseVerifier.verify(fixtures.smallResponse, method: "alipay.trade.query"))
        }
    }

    // Response extract, 1 MB JSON
    Benchmark("response_extract_1mb", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ResponseExtractor.extract(fixtures.largeResponse, method: "alipay.trade.query"))
        }
    }

    // Response extract + verify, 1 MB JSON
    Benchmark("response_verify_1mb", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.responseVerifier.verify(fixtures.largeResponse, method: "alipay.trade.query"))
        }
    }

    // v3 sign, POST with a JSON body (nonce, content, RSA2, header)
    Benchmark("v3_sign_post_json", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.v3Signer.sign(
                method: "POST", requestURI: "/v3/alipay/open/public/account/create", body: fixtures.v3Body))
        }
    }

    // v3 verify-request (header parse, content, RSA2 verify)
    Benchmark("v3_verify_request", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.v3RequestVerifier.verify(
                authorization: fixtures.v3Header, method: "POST", requestURI: "/v3/alipay/open/public/account/create",
                body: fixtures.v3Body))
        }
    }

    // Scaling: 10x the input should cost about 10x the time (linear, not quadratic).
    for n in [10_000, 100_000] {
        let body = Array(((0..<n).map { "k\($0)=v%E6%B5%8B\($0)" }.joined(separator: "&") + "&charset=utf-8").utf8)
        // n brackets in all: n/1000 sibling arrays, each 500 deep (the JSON readers refuse more than 512 levels).
        let deep500 = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        let nested = Array(("{\"alipay_trade_query_response\":{\"code\":\"10000\",\"d\":["
            + Array(repeating: deep500, count: n / 1000).joined(separator: ",") + "]},\"sign\":\"AAAA\"}").utf8)
        let label = n == 10_000 ? "10k" : "100k"
        let scaleConfig = Benchmark.Configuration(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(2), maxIterations: 200)
        Benchmark("scale_params_\(label)", configuration: scaleConfig) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(SignContent.utf8Bytes(try FormBody.decode(body).parameters))
            }
        }
        Benchmark("scale_nesting_\(label)", configuration: scaleConfig) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try ResponseExtractor.extract(nested, method: "alipay.trade.query"))
            }
        }
    }
}
