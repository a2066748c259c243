import AlipaySign
import BenchFixtures
import Benchmark

let benchmarks: @Sendable () -> Void = {
    let fixtures: Fixtures
    do { fixtures = try Fixtures() } catch { fatalError("fixtures: \(error)") }
    let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal, .instructions]
    let config = Benchmark.Configuration(metrics: metrics, maxDuration: .seconds(2), maxIterations: 1_000_000)

    Benchmark("Canonical content, 10-parameter request", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(SignContent.utf8Bytes(fixtures.request))
        }
    }

    Benchmark("RSA2 sign, 10-parameter request (content + sign + base64)", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.signer.signRequest(fixtures.request))
        }
    }

    Benchmark("RSA2 verify (raw signature over content bytes)", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(fixtures.verifier.isValidSignature(fixtures.requestSignature, for: fixtures.requestContent))
        }
    }

    Benchmark("Notification verify (form decode + V1 content + verify)", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.notificationVerifier.verify(formBody: fixtures.notificationBody))
        }
    }

    Benchmark("Certificate SN from PEM (read + parse + SN)", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try CertificateSN.sn(ofCertificateFile: fixtures.appCertificatePEM))
        }
    }

    Benchmark("Root SN of alipayRootCert.crt (4 certificates)", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try CertificateSN.rootSN(of: fixtures.rootBundlePEM))
        }
    }

    Benchmark("Chain trust, parsed leaf + intermediate under parsed roots", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(CertificateChain.verify(fixtures.alipayChain, roots: fixtures.roots, at: fixtures.validInstant))
        }
    }

    Benchmark("Registry key lookup by alipay_cert_sn", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.registry.publicKey(forSN: "7513daaaa48aa3ba2e4018d84402479c"))
        }
    }

    Benchmark("Response extract, 1 KB JSON", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ResponseExtractor.extract(fixtures.smallResponse, method: "alipay.trade.query"))
        }
    }

    Benchmark("Response extract + verify, 1 KB JSON", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.responseVerifier.verify(fixtures.smallResponse, method: "alipay.trade.query"))
        }
    }

    Benchmark("Response extract, 1 MB JSON", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ResponseExtractor.extract(fixtures.largeResponse, method: "alipay.trade.query"))
        }
    }

    Benchmark("Response extract + verify, 1 MB JSON", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.responseVerifier.verify(fixtures.largeResponse, method: "alipay.trade.query"))
        }
    }

    Benchmark("v3 sign, POST with a JSON body (nonce, content, RSA2, header)", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.v3Signer.sign(
                method: "POST", requestURI: "/v3/alipay/open/public/account/create", body: fixtures.v3Body))
        }
    }

    Benchmark("v3 verify-request (header parse, content, RSA2 verify)", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixtures.v3RequestVerifier.verify(
                authorization: fixtures.v3Header, method: "POST", requestURI: "/v3/alipay/open/public/account/create",
                body: fixtures.v3Body))
        }
    }
}
