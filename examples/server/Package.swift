// swift-tools-version:6.2
// An example a server developer copies: a Hummingbird 2 application that verifies Alipay's notifications and signs
// gateway calls with AlipaySign. A separate package (like bench/ and fuzz/), so that the library never depends on a
// web framework; it uses only AlipaySign's public API.
import PackageDescription

let package = Package(
    name: "AlipayNotifyServer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "AlipaySign", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // The application: routes and state, a library so that the tests drive it without a socket.
        .target(
            name: "NotifyApp",
            dependencies: [
                .product(name: "AlipaySign", package: "AlipaySign"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // The executable: reads the keys named by environment variables and serves.
        .executableTarget(
            name: "AlipayNotifyServer",
            dependencies: [
                "NotifyApp",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "NotifyAppTests",
            dependencies: [
                "NotifyApp",
                .product(name: "AlipaySign", package: "AlipaySign"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
