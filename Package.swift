// swift-tools-version: 6.1
import PackageDescription

// Kernels (and the model code that runs per element) are compiled for the build
// machine's CPU: without a target CPU, Swift emits baseline x86-64 where a SIMD
// FMA becomes a libcall (50x slower). See ../shared/specs/swift-kernels.md §1.
let hotLoopFlags: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=native", "-Xllvm", "-unroll-threshold=500"]),
]

let package = Package(
    name: "Kinglet",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Kinglet", targets: ["Kinglet"]),
        .executable(name: "kinglet", targets: ["kinglet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .target(name: "GGUF"),
        // LLVM's x86 vector intrinsics as Swift functions (`-parse-stdlib` makes `Builtin` visible).
        .target(name: "SIMDIntrinsics", swiftSettings: [.unsafeFlags(["-parse-stdlib", "-Xcc", "-march=native"])]),
        .target(name: "Kernels", dependencies: ["SIMDIntrinsics"],
                swiftSettings: hotLoopFlags + [.define("AVX512VNNI")]),
        .target(name: "Tokenizers", dependencies: ["GGUF"]),
        .target(name: "Templates"),
        .target(name: "Models", dependencies: ["GGUF", "Kernels"], swiftSettings: hotLoopFlags),
        .target(name: "Grammar", dependencies: ["Templates"], swiftSettings: hotLoopFlags),
        .target(
            name: "Kinglet",
            dependencies: [
                "GGUF", "Kernels", "Tokenizers", "Templates", "Models", "Grammar",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: hotLoopFlags
        ),
        .target(
            name: "KingletServer",
            dependencies: ["Kinglet", "Templates", "Tokenizers", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .executableTarget(
            name: "kinglet",
            dependencies: ["Kinglet", "KingletServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // What several test targets share: a seeded generator and the Python references.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Counts heap allocations by interposing malloc in the test binary (Linux).
        .target(name: "MallocCounter", path: "Tests/MallocCounter"),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "TestSupport"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"], swiftSettings: hotLoopFlags),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "GGUF", "TestSupport"]),
        .testTarget(name: "TemplatesTests", dependencies: ["Templates", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "GGUF", "Kernels", "TestSupport"]),
        .testTarget(name: "GrammarTests", dependencies: ["Grammar", "Templates", "TestSupport"]),
        .testTarget(
            name: "KingletTests",
            dependencies: [
                "Kinglet", "GGUF", "Tokenizers", "Templates", "Models", "TestSupport", "MallocCounter",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            exclude: ["Server/openai_client_checks.py", "Server/raw_http_checks.py", "Server/disconnect_checks.py"]
        ),
    ]
)
