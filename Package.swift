// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "CreditPress",
    // Built and tested on Linux only (Debian 12, Swift 6.x, x86_64): the renderer reads
    // /proc and links Debian's Cairo, Pango and fontconfig. No Apple platform is claimed,
    // because none is built or tested.
    products: [
        .library(name: "CreditRecords", targets: ["CreditRecords"]),
        .library(name: "CreditTrust", targets: ["CreditTrust"]),
        .library(name: "CreditIssuing", targets: ["CreditIssuing"]),
        .executable(name: "creditpress", targets: ["creditpress"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/CoreOffice/XMLCoder.git", from: "0.18.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),

        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // The CPE Monitor web-service client, and the browser tests' WebDriver client.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    // The pipeline, lowest first; each target may import only those named before it (see
    // ARCHITECTURE.md, and ModuleBoundaryTests, which fails on an import that crosses a line).
    targets: [
        // Cairo, Pango and fontconfig from the system (Debian: libcairo2-dev, libpango1.0-dev,
        // libfontconfig-dev); librsvg (Debian: librsvg2-2) is opened at run time, when an
        // SVG is first drawn.
        .systemLibrary(
            name: "CPangoCairo",
            pkgConfig: "pangocairo pangoft2 fontconfig cairo-pdf cairo-png",
            providers: [.apt(["libcairo2-dev", "libpango1.0-dev", "libfontconfig-dev", "librsvg2-2"])]
        ),
        // QR codes (Debian: libqrencode-dev).
        .systemLibrary(name: "CQRCode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // zlib, for PDF streams and the QR payload (Debian: zlib1g-dev).
        .systemLibrary(name: "CSystemZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libcurl's headers, for RFC 3161 time-stamp requests (Debian: libcurl4-openssl-dev);
        // the library itself is opened at run time, when a time-stamp is asked for.
        .systemLibrary(
            name: "CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Checked domain records and the readers of activity, learner, roster and completion
        // files; atomic files, digests. No C library.
        .target(
            name: "CreditRecords",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The prescribed statements: versioned Mustache templates filled from the records.
        .target(
            name: "CreditStatements",
            dependencies: ["CreditRecords", .product(name: "Mustache", package: "swift-mustache")]
        ),
        // The PDF object model: reading a PDF's objects, incremental updates, finishing.
        .target(name: "CreditPDF", dependencies: ["CreditRecords", "CSystemZlib"]),
        // Text through Pango and the page layout: a finished `PageFrame` of placed items.
        .target(
            name: "CreditLayout",
            dependencies: ["CreditRecords", "CreditStatements", "CPangoCairo", "CQRCode",
                           .product(name: "Yams", package: "Yams"),
                           .product(name: "Mustache", package: "swift-mustache"),
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Writers of a laid-out page: PDF and PNG through Cairo, the merged print PDF.
        .target(name: "CreditRender", dependencies: ["CreditRecords", "CreditPDF", "CreditLayout", "CPangoCairo"]),
        // The registry of issued certificates: value types, migrations, SQLite through GRDB.
        .target(
            name: "CreditRegistry",
            dependencies: ["CreditRecords", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Signing and verification: CMS/PAdES, the QR payload (COSE), time-stamps. No Pango.
        .target(
            name: "CreditTrust",
            dependencies: [
                "CreditRecords", "CreditPDF", "CreditRegistry", "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        // Issuing: one path for single certificates, batches, reissues and transcripts.
        .target(
            name: "CreditIssuing",
            dependencies: ["CreditRecords", "CreditStatements", "CreditPDF", "CreditLayout", "CreditRender",
                           "CreditRegistry", "CreditTrust", "CPangoCairo",
                           .product(name: "CSV", package: "CSV.swift"),
                           .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                           .product(name: "Yams", package: "Yams"),
                           .product(name: "Mustache", package: "swift-mustache"),
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Open Badges 3.0 and CLR 2.0 credentials of issued certificates, signed and checked as
        // VC-JWTs (jwt-kit), and the Bitstring Status List that revokes them.
        .target(
            name: "CreditBadges",
            dependencies: ["CreditRecords", "CreditRegistry", "CreditTrust", "CSystemZlib",
                           .product(name: "JWTKit", package: "jwt-kit"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "X509", package: "swift-certificates")]
        ),
        // Reports from the registry's records: ACCME PARS (tab file and XML), CPE Monitor (file
        // and web-service client), CE Broker.
        .target(
            name: "CreditReporting",
            dependencies: ["CreditRecords", "CreditRegistry",
                           .product(name: "XMLCoder", package: "XMLCoder"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        // Reading an upload form's file: the service's upload page and the fuzzer's. No dependency.
        .target(name: "CreditUpload"),
        // The web service: learners claim and download, boards verify (Hummingbird 2).
        .target(
            name: "CreditService",
            dependencies: ["CreditRecords", "CreditStatements", "CreditRender", "CreditRegistry", "CreditTrust", "CreditIssuing", "CreditUpload", "CreditBadges",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Mustache", package: "swift-mustache"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "X509", package: "swift-certificates")]
        ),
        .executableTarget(
            name: "creditpress",
            dependencies: [
                "CreditRecords", "CreditStatements", "CreditPDF", "CreditLayout", "CreditRender",
                "CreditRegistry", "CreditTrust", "CreditIssuing", "CreditService", "CreditBadges", "CreditReporting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        // The fuzz harness: libFuzzer's entry points when built by scripts/fuzz.sh, else a
        // replayer of inputs. It links no Pango or Cairo: it feeds the readers and verify.
        .executableTarget(
            name: "creditpress-fuzz",
            dependencies: ["CreditRecords", "CreditPDF", "CreditTrust", "CreditUpload", "CreditBadges",
                           .product(name: "X509", package: "swift-certificates")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .testTarget(
            name: "CreditPressTests",
            dependencies: [
                "CPangoCairo", "CreditRecords", "CreditStatements", "CreditPDF", "CreditLayout", "CreditRender",
                "CreditRegistry", "CreditTrust", "CreditIssuing", "CreditService", "CreditBadges", "CreditReporting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            exclude: ["Expected", "Fixtures"]
        ),
    ]
)
