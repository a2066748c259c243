// swift-tools-version:6.1
// Benchmarks, kept apart so that the library never depends on the harness.
import PackageDescription

let package = Package(
    name: "AlipaySignBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "AlipaySign", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The inputs every benchmark uses: one place, so that the benchmarks and compare.sh measure the same thing.
        .target(name: "BenchFixtures", dependencies: [.product(name: "AlipaySign", package: "AlipaySign")]),
        .executableTarget(
            name: "SigningBenchmarks",
            dependencies: [
                "BenchFixtures",
                .product(name: "AlipaySign", package: "AlipaySign"),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/SigningBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // Plain ops/s loops for compare.sh, side by side with `openssl speed`.
        .executableTarget(
            name: "throughput",
            dependencies: ["BenchFixtures", .product(name: "AlipaySign", package: "AlipaySign")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
