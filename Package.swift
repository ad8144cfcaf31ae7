// swift-tools-version: 6.1
import PackageDescription

// Kernels (and the model code that runs per element) need a target CPU: without one, Swift emits
// baseline x86-64 where a SIMD FMA becomes a libcall (50x slower). See ../shared/specs/swift-kernels.md §1.
// On x86-64 the baseline is Haswell (x86-64-v3: AVX2, FMA, F16C), so one build runs on any AVX2 machine;
// `KernelsAVX512` compiles the same kernel sources again for AVX-512 VNNI, and `Kernels` picks one of
// the two at run time (Sources/Kernels/CPU.swift). Other architectures get the generic baseline.
// `-mtune` changes only instruction choice and scheduling, never the instruction set: tuned for AMD
// Zen 3 / Zen 4 (the project's machines), LLVM keeps `vpdpwssd` fused instead of splitting it into
// `vpmaddwd` + `vpaddd` and schedules the kernels better (measured in BENCHMARKS.md: 0.5B prompt
// 170 → 200 tok/s and decode 51 → 58 tok/s on 2 threads; the AVX2 copy's 0.5B decode 47 → 57).
#if arch(x86_64)
let targetCPUFlags = ["-Xcc", "-march=haswell", "-Xcc", "-mtune=znver3"]
#else
let targetCPUFlags: [String] = []
#endif
let hotLoopFlags: [SwiftSetting] = [
    .unsafeFlags(targetCPUFlags + ["-Xllvm", "-unroll-threshold=500"]),
]

// The AVX-512 VNNI variant: exactly the features Intel Ice Lake/Cascade Lake and later and AMD Zen 4
// and later share, and exactly what `CPUFeatures` checks before choosing it.
let avx512Flags: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=haswell", "-Xcc", "-mavx512f", "-Xcc", "-mavx512cd", "-Xcc", "-mavx512bw",
                  "-Xcc", "-mavx512dq", "-Xcc", "-mavx512vl", "-Xcc", "-mavx512vnni", "-Xcc", "-mtune=znver4",
                  "-Xllvm", "-unroll-threshold=500"]),
    .define("KERNELS_VARIANT"),
    .define("AVX512VNNI"),
]

// LLVM's x86 vector intrinsics as Swift functions (`-parse-stdlib` makes `Builtin` visible). They are
// `@_transparent`, so they compile into their callers for the callers' CPU; the AVX-512 ones live in
// their own module, built with the variant's flags and imported only by the variant.
let intrinsicFlags: [SwiftSetting] = [.unsafeFlags(["-parse-stdlib"] + targetCPUFlags)]

#if arch(x86_64)
let kernelVariants: [Target] = [
    // Sources/KernelsAVX512/Kernels is a symlink to Sources/Kernels: the same files, compiled again.
    .target(name: "SIMDIntrinsicsVNNI", dependencies: ["SIMDIntrinsics"],
            swiftSettings: [.unsafeFlags(["-parse-stdlib"])] + avx512Flags),
    .target(name: "KernelsAVX512", dependencies: ["SIMDIntrinsics", "SIMDIntrinsicsVNNI"],
            exclude: ["Kernels/CPU.swift"], swiftSettings: avx512Flags),
]
let kernelVariantNames: [Target.Dependency] = ["KernelsAVX512"]
#else
let kernelVariants: [Target] = []
let kernelVariantNames: [Target.Dependency] = []
#endif

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
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(name: "GGUF"),
        .target(name: "SIMDIntrinsics", swiftSettings: intrinsicFlags),
        .target(name: "Kernels", dependencies: ["SIMDIntrinsics"] + kernelVariantNames, swiftSettings: hotLoopFlags),
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
            dependencies: ["Kinglet", "Templates", "Tokenizers", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Prometheus", package: "swift-prometheus")],
            // In the binary itself, so a copied `kinglet` still serves its OpenAPI document.
            resources: [.embedInCode("openapi.json")]
        ),
        .executableTarget(
            name: "kinglet",
            dependencies: ["Kinglet", "KingletServer", "Kernels", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // What several test targets share: a seeded generator and the Python references.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Counts heap allocations by interposing malloc in the test binary (Linux).
        .target(name: "MallocCounter", path: "Tests/MallocCounter"),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "TestSupport"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"] + kernelVariantNames, swiftSettings: hotLoopFlags),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "GGUF", "TestSupport"]),
        .testTarget(name: "TemplatesTests", dependencies: ["Templates", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "GGUF", "Kernels", "TestSupport", "MallocCounter"]),
        .testTarget(name: "GrammarTests", dependencies: ["Grammar", "Templates", "TestSupport"]),
        .testTarget(
            name: "KingletTests",
            dependencies: [
                "Kinglet", "KingletServer", "GGUF", "Tokenizers", "Templates", "Models", "TestSupport", "MallocCounter",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            exclude: ["Server/openai_client_checks.py", "Server/raw_http_checks.py", "Server/disconnect_checks.py",
                      "Server/tool_call_checks.py", "Server/openai_support.py",
                      "Server/openapi_checks.py", "Server/schemathesis_checks.py", "Server/schemathesis_hooks.py",
                      "Server/metrics_checks.py", "Server/load_checks.py", "Server/anthropic_checks.py",
                      "Checkpoints/tiny_checkpoint.py"]
        ),
    ] + kernelVariants
)
