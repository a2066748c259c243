// swift-tools-version:6.0
// libFuzzer targets, kept apart from the main package: `make fuzz` (or `make fuzz-short`) builds this package with
// -sanitize=fuzzer,address applied to every Swift target (so that the library is instrumented too) and runs each
// target for a bounded time over seeds made from vectors/.
import PackageDescription

let package = Package(
    name: "AlipaySignFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "AlipaySign", path: "..")],
    targets: [
        .executableTarget(
            name: "alipay-fuzz",
            dependencies: [
                .product(name: "AlipaySign", package: "AlipaySign"),
                .product(name: "AlipayConformance", package: "AlipaySign"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])],
            // lld: gold crashes reporting the duplicate main that libFuzzer brings.
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
