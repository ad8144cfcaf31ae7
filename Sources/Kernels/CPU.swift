// Run-time choice between the copies of the kernels this build holds.
//
// On x86-64 the package compiles these sources twice (see Package.swift): `Kernels` for Haswell
// (AVX2, FMA, F16C: x86-64-v3, the baseline every x86 build needs) and `KernelsAVX512` for AVX-512
// VNNI. The hot entry points — `Dot.dot`, `Dot.dots`, `Quantize.row`, `Ops.attend`, `Ops.rmsNorm`,
// `Ops.softmax`, `Ops.swiGLU` — begin with one line that forwards to `AVX512` below when
// `KernelPath.active` is `.avx512`; the variant is compiled with `KERNELS_VARIANT`, which leaves
// that line (and this file) out, so its copies are plain leaf kernels. Elsewhere (arm64, …) there
// is one generic copy and nothing to choose.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(KernelsAVX512)
import KernelsAVX512
#endif

/// The compiled copy of the kernels this process runs.
public enum KernelPath: String, Sendable, CaseIterable, CustomStringConvertible {
    /// x86-64 with AVX-512 F/CD/BW/DQ/VL and VNNI (Intel Cascade Lake / Ice Lake and later, AMD Zen 4 and later).
    case avx512 = "avx512-vnni"
    /// x86-64-v3: AVX2, FMA, F16C, BMI1/2 (Intel Haswell, AMD Excavator/Zen and later). The x86 baseline.
    case avx2
    /// Any other architecture: the kernels compiled for the target's default features.
    case generic

    public var description: String {
        switch self {
        case .avx512: "x86-64 AVX-512 VNNI"
        case .avx2: "x86-64 AVX2 FMA F16C"
        case .generic: "portable, no CPU-specific variant"
        }
    }

    /// The paths this build holds, best first.
    public static var compiled: [KernelPath] {
        #if canImport(KernelsAVX512)
        [.avx512, .avx2]
        #elseif arch(x86_64)
        [.avx2]
        #else
        [.generic]
        #endif
    }

    /// Whether this machine can run `self`.
    public var isSupported: Bool {
        compiledHere && CPUFeatures.host.isSuperset(of: requiredFeatures)
    }

    private var compiledHere: Bool { Self.compiled.contains(self) }

    /// The `/proc/cpuinfo` flags the compiler may use for this path: `-march=haswell` (plus the
    /// AVX-512 flags of `KernelsAVX512` for `.avx512`).
    public var requiredFeatures: CPUFeatures {
        switch self {
        case .generic: []
        case .avx2: .haswell
        case .avx512: CPUFeatures.haswell.union(.avx512VNNI)
        }
    }

    /// The path this process uses, chosen on first use: the best one the CPU supports, unless
    /// `KINGLET_CPU` (`avx2`, `avx512` or `auto`) asks for another (for tests and benchmarks).
    public static let active: KernelPath = {
        let (path, warning) = choose(request: getenv("KINGLET_CPU").map { String(cString: $0) })
        if let warning {
            let line = "kinglet: \(warning)\n"
            _ = line.utf8.withContiguousStorageIfAvailable { write(2, $0.baseAddress, $0.count) }
        }
        return path
    }()

    /// The path for a `KINGLET_CPU` value (nil: not set), and why the request was not honoured.
    static func choose(request: String?) -> (KernelPath, warning: String?) {
        let best = compiled.first { $0.isSupported } ?? compiled.last!
        #if arch(x86_64)
        if !best.isSupported {
            fatalError("this build of Kinglet needs an x86-64 CPU with AVX2, FMA and F16C (x86-64-v3);"
                       + " this one has only: \(CPUFeatures.host)")
        }
        #endif
        guard let request, !request.isEmpty, request != "auto" else { return (best, nil) }
        let wanted: KernelPath? = switch request.lowercased() {
        case "avx512", "avx512-vnni", "avx512vnni": .avx512
        case "avx2", "haswell": .avx2
        case "generic": .generic
        default: nil
        }
        guard let wanted else { return (best, "KINGLET_CPU=\(request) is not one of avx2, avx512, auto; using \(best.rawValue)") }
        guard wanted.isSupported else {
            return (best, "KINGLET_CPU=\(request) is not available on this machine; using \(best.rawValue)")
        }
        return (wanted, nil)
    }
}

/// The x86 instruction-set extensions the kernel paths depend on, named as in Linux's `/proc/cpuinfo`.
public struct CPUFeatures: OptionSet, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let avx2 = CPUFeatures(rawValue: 1 << 0)
    public static let fma = CPUFeatures(rawValue: 1 << 1)
    public static let f16c = CPUFeatures(rawValue: 1 << 2)
    public static let bmi1 = CPUFeatures(rawValue: 1 << 3)
    public static let bmi2 = CPUFeatures(rawValue: 1 << 4)
    public static let lzcnt = CPUFeatures(rawValue: 1 << 5)   // cpuinfo "abm"
    public static let movbe = CPUFeatures(rawValue: 1 << 6)
    public static let popcnt = CPUFeatures(rawValue: 1 << 7)
    public static let avx512f = CPUFeatures(rawValue: 1 << 8)
    public static let avx512cd = CPUFeatures(rawValue: 1 << 9)
    public static let avx512bw = CPUFeatures(rawValue: 1 << 10)
    public static let avx512dq = CPUFeatures(rawValue: 1 << 11)
    public static let avx512vl = CPUFeatures(rawValue: 1 << 12)
    public static let avx512vnni = CPUFeatures(rawValue: 1 << 13)

    /// What `-march=haswell` lets the compiler use.
    public static let haswell: CPUFeatures = [.avx2, .fma, .f16c, .bmi1, .bmi2, .lzcnt, .movbe, .popcnt]
    /// What `KernelsAVX512` adds on top of `haswell`.
    public static let avx512VNNI: CPUFeatures = [.avx512f, .avx512cd, .avx512bw, .avx512dq, .avx512vl, .avx512vnni]

    static let names: [(String, CPUFeatures)] = [
        ("avx2", .avx2), ("fma", .fma), ("f16c", .f16c), ("bmi1", .bmi1), ("bmi2", .bmi2), ("abm", .lzcnt),
        ("movbe", .movbe), ("popcnt", .popcnt), ("avx512f", .avx512f), ("avx512cd", .avx512cd),
        ("avx512bw", .avx512bw), ("avx512dq", .avx512dq), ("avx512vl", .avx512vl), ("avx512_vnni", .avx512vnni),
    ]

    /// The features named in a `/proc/cpuinfo` `flags` line (other names are ignored).
    public init(cpuinfoFlags flags: some StringProtocol) {
        self = []
        let words = Set(String(flags).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
        for (name, feature) in Self.names where words.contains(name) { insert(feature) }
    }

    public var description: String {
        let present = Self.names.filter { contains($0.1) }.map(\.0)
        return present.isEmpty ? "(none of the features Kinglet checks)" : present.joined(separator: " ")
    }

    /// This machine's features (empty off x86-64). The kernel reports only what the OS has
    /// enabled (AVX-512 state saved on context switches), which is what matters here.
    public static let host: CPUFeatures = detect()

    private static func detect() -> CPUFeatures {
        #if arch(x86_64) && os(Linux)
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            if text.hasPrefix("flags"), let colon = text.firstIndex(of: ":") {
                return CPUFeatures(cpuinfoFlags: text[text.index(after: colon)...].dropLast())
            }
        }
        return []
        #elseif arch(x86_64) && canImport(Darwin)
        // macOS (xnu kern_mib.c, cpuid.c): `hw.optional.*` where it exists (it also reflects OS support),
        // the CPUID name lists (`F16C`, `LZCNT`, `AVX512VNNI`, …) for the rest.
        func flag(_ name: String) -> Bool {
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            return sysctlbyname(name, &value, &size, nil, 0) == 0 && value != 0
        }
        func words(_ name: String) -> Set<String> {
            var size = 0
            guard sysctlbyname(name, nil, &size, nil, 0) == 0, size > 0 else { return [] }
            var buffer = [CChar](repeating: 0, count: size + 1)
            guard sysctlbyname(name, &buffer, &size, nil, 0) == 0 else { return [] }
            return Set(String(cString: buffer).lowercased().split(separator: " ").map(String.init))
        }
        let cpuid = words("machdep.cpu.features").union(words("machdep.cpu.leaf7_features"))
            .union(words("machdep.cpu.extfeatures"))
        var features: CPUFeatures = []
        let checks: [(Bool, CPUFeatures)] = [
            (flag("hw.optional.avx2_0"), .avx2), (flag("hw.optional.fma"), .fma), (cpuid.contains("f16c"), .f16c),
            (cpuid.contains("bmi1"), .bmi1), (cpuid.contains("bmi2"), .bmi2), (cpuid.contains("lzcnt"), .lzcnt),
            (cpuid.contains("movbe"), .movbe), (cpuid.contains("popcnt"), .popcnt),
            (flag("hw.optional.avx512f"), .avx512f), (flag("hw.optional.avx512cd"), .avx512cd),
            (flag("hw.optional.avx512bw"), .avx512bw), (flag("hw.optional.avx512dq"), .avx512dq),
            (flag("hw.optional.avx512vl"), .avx512vl), (cpuid.contains("avx512vnni"), .avx512vnni),
        ]
        for (present, feature) in checks where present { features.insert(feature) }
        return features
        #else
        return []
        #endif
    }
}

#if canImport(KernelsAVX512)
/// Forwarding into the AVX-512 copy. Its `WeightFormat` and `Quantize.Style` are its own types
/// (same cases), converted here.
enum AVX512 {
    /// Whether the entry points forward here: checked on every call, so a plain stored Bool.
    static let enabled = KernelPath.active == .avx512

    /// The same case in the variant's `WeightFormat`. Both enums are compiled from one declaration,
    /// so their layouts agree (KernelPathTests checks every case); a cast saves a call per row
    /// that `init(rawValue:)` across modules would cost.
    @inline(__always)
    static func format(_ format: WeightFormat) -> KernelsAVX512.WeightFormat {
        unsafeBitCast(format, to: KernelsAVX512.WeightFormat.self)
    }

    static func dot(_ format: WeightFormat, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        KernelsAVX512.Dot.dot(self.format(format), weights, activations, count: count)
    }

    static func dots(_ format: WeightFormat, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer,
                     activationStride: Int, tokens: Int, count: Int,
                     into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        KernelsAVX512.Dot.dots(self.format(format), weights, activations, activationStride: activationStride,
                               tokens: tokens, count: count, into: out, outputStride: outputStride)
    }

    static func tile(_ format: WeightFormat, _ weights: UnsafeRawPointer, rowBytes: Int, rows: Int, interleaved: Bool,
                     _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int, count: Int,
                     into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        KernelsAVX512.Dot.tile(self.format(format), weights, rowBytes: rowBytes, rows: rows, interleaved: interleaved,
                               activations, activationStride: activationStride, tokens: tokens, count: count,
                               into: out, outputStride: outputStride)
    }

    static func quantize(_ x: UnsafePointer<Float>, count: Int, to format: WeightFormat, _ dst: UnsafeMutableRawPointer,
                         style: Quantize.Style, interleaved: Bool) {
        let style: KernelsAVX512.Quantize.Style = switch style {
        case .reference: .reference
        case .x86Runtime: .x86Runtime
        }
        KernelsAVX512.Quantize.row(x, count: count, to: self.format(format), dst, style: style, interleaved: interleaved)
    }

    static func attend(query: UnsafePointer<Float>, heads: Int, keys: UnsafePointer<Float16>,
                       values: UnsafePointer<Float16>, valueStride: Int, positions: Range<Int>, headDimension: Int,
                       scale: Float, scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
        KernelsAVX512.Ops.attend(query: query, heads: heads, keys: keys, values: values, valueStride: valueStride,
                                 positions: positions, headDimension: headDimension, scale: scale, scores: scores,
                                 output: output)
    }

    static func attend(query: UnsafePointer<Float>, heads: Int, keys: UnsafePointer<Float>,
                       values: UnsafePointer<Float>, valueStride: Int, positions: Range<Int>, headDimension: Int,
                       scale: Float, scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
        KernelsAVX512.Ops.attend(query: query, heads: heads, keys: keys, values: values, valueStride: valueStride,
                                 positions: positions, headDimension: headDimension, scale: scale, scores: scores,
                                 output: output)
    }

    static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        count: Int, rows: Int, epsilon: Float) {
        KernelsAVX512.Ops.rmsNorm(x, weight: weight, y, count: count, rows: rows, epsilon: epsilon)
    }

    static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int, roundingToHalf: Bool) {
        KernelsAVX512.Ops.softmax(x, count: count, roundingToHalf: roundingToHalf)
    }

    static func swiGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        KernelsAVX512.Ops.swiGLU(gate, up, count: count)
    }
}
#endif
