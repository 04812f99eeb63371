// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "CreditPress",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "CreditPress", targets: ["CreditPress"]),
        .executable(name: "creditpress", targets: ["creditpress"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // Cairo, Pango and fontconfig from the system (Debian: libcairo2-dev, libpango1.0-dev,
        // libfontconfig-dev); librsvg (Debian: librsvg2-2) is opened at run time, when an
        // SVG is first drawn.
        .systemLibrary(
            name: "CPangoCairo",
            pkgConfig: "pangocairo pangoft2 fontconfig cairo-pdf cairo-png",
            providers: [.apt(["libcairo2-dev", "libpango1.0-dev", "libfontconfig-dev", "librsvg2-2"])]
        ),
        // QR codes and zlib (Debian: libqrencode-dev, zlib1g-dev).
        .systemLibrary(
            name: "CQRCode",
            pkgConfig: "libqrencode zlib",
            providers: [.apt(["libqrencode-dev", "zlib1g-dev"])]
        ),
        // libcurl's headers, for RFC 3161 time-stamp requests (Debian: libcurl4-openssl-dev);
        // the library itself is opened at run time, when a time-stamp is asked for.
        .systemLibrary(
            name: "CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "CreditPress",
            dependencies: [
                "CPangoCairo",
                "CQRCode",
                "CCurl",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "creditpress",
            dependencies: [
                "CreditPress",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .testTarget(
            name: "CreditPressTests",
            dependencies: [
                "CreditPress",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            exclude: ["Expected", "Fixtures"]
        ),
    ]
)
