// swift-tools-version:6.0
import PackageDescription

/// `ALIPAY_SIGN_CORE_ONLY=1` leaves out the local gateway (its targets, its tests and the server dependencies:
/// SwiftNIO, Hummingbird, AsyncHTTPClient and BoringSSL under it). `make sanitize` builds this way, so that
/// AddressSanitizer instruments the library, the conformance module and the CLI, where the unsafe code is,
/// without a second build of the whole server stack. Nothing else sets it.
let coreOnly = Context.environment["ALIPAY_SIGN_CORE_ONLY"] == "1"

let package = Package(
    name: "AlipaySign",
    // Linux is the target; on macOS, Synchronization.Mutex needs 15.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AlipaySign", targets: ["AlipaySign"]),
        .library(name: "AlipayConformance", targets: ["AlipayConformance"]),
        .executable(name: "alipay-sign", targets: ["alipay-sign"]),
        // The local gateway: its own executable, so that the CLI's other subcommands do not load SwiftNIO and
        // Foundation at start-up; `alipay-sign gateway` hands over to it.
        .executable(name: "alipay-sign-gateway", targets: ["alipay-sign-gateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // DocC: `make docs` (swift package generate-documentation); nothing at run time.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // The local gateway's server.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // OpenSSL 3 libcrypto, the system's. Only Sources/AlipaySign/Backend imports it (and CLibXML2).
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        // libxml2, the system's: well-formedness and element offsets of XML responses.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]
        ),
        .target(
            name: "AlipaySign",
            dependencies: ["COpenSSL", "CLibXML2"]
        ),
        // Captured traffic, per-API rules (data files under Rules/), diagnostics. Depends on the core, never the reverse.
        .target(
            name: "AlipayConformance",
            dependencies: ["AlipaySign"],
            // Rules/*.json are the data; `make rules` embeds them (Checks/BundledRules.swift), so that no resource
            // bundle, and so no full Foundation, is needed at start-up.
            exclude: ["Rules"]
        ),
        // The local gateway: plays Alipay for SDK clients and notify endpoints. Depends on the core and the
        // conformance module (its parameter checks), never the reverse.
        .target(
            name: "AlipayGateway",
            dependencies: [
                "AlipaySign",
                "AlipayConformance",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "alipay-sign-gateway",
            dependencies: [
                "AlipayGateway",
                "AlipaySign",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "alipay-sign",
            dependencies: [
                "AlipaySign",
                "AlipayConformance",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The vector files' paths and schemas, shared by both test targets.
        .target(
            name: "VectorSupport",
            path: "Tests/VectorSupport"
        ),
        .testTarget(
            name: "AlipaySignTests",
            // CLibXML2: one test checks that the library leaves the host's libxml2 error handler in place.
            dependencies: ["AlipaySign", "VectorSupport", "CLibXML2"]
        ),
        .testTarget(
            name: "AlipayConformanceTests",
            dependencies: ["AlipayConformance", "AlipaySign", "VectorSupport"]
        ),
        .testTarget(
            name: "AlipayGatewayTests",
            dependencies: [
                "AlipayGateway", "AlipaySign", "AlipayConformance", "VectorSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "AlipaySignCLITests",
            dependencies: ["alipay-sign", "VectorSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

if coreOnly {
    let gateway: Set<String> = ["AlipayGateway", "alipay-sign-gateway", "AlipayGatewayTests"]
    package.products.removeAll { $0.name == "alipay-sign-gateway" }
    package.targets.removeAll { gateway.contains($0.name) }
    let serverPackages = ["hummingbird", "async-http-client", "swift-service-lifecycle", "swift-log", "swift-http-types"]
    package.dependencies.removeAll { dependency in
        guard case .sourceControl(_, let location, _) = dependency.kind else { return false }
        return serverPackages.contains { location.hasSuffix("/" + $0) }
    }
}
