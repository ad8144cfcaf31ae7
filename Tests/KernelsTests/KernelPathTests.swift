// Both compiled copies of the kernels against the scalar references, in one process: the baseline
// (`Kernels`' own leaf code: Haswell on x86-64, generic elsewhere) and, on a CPU that has it, the
// AVX-512 VNNI copy (`KernelsAVX512`) that `KernelPath.active` picks there. The other kernel tests
// go through the dispatching entry points, so they test whichever path is active; scripts/test
// runs them a second time with KINGLET_CPU=avx2 on an AVX-512 machine.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Kernels
import TestSupport
#if canImport(KernelsAVX512)
import KernelsAVX512
#endif

/// One compiled copy's leaf kernels, called without going through the dispatch.
struct KernelCopy: Sendable, CustomStringConvertible {
    let path: KernelPath
    let dot: @Sendable (Kernels.WeightFormat, UnsafeRawPointer, UnsafeRawPointer, Int) -> Float
    let dots: @Sendable (Kernels.WeightFormat, UnsafeRawPointer, UnsafeRawPointer, Int, Int, Int, UnsafeMutablePointer<Float>) -> Void
    let quantize: @Sendable (UnsafePointer<Float>, Int, Kernels.WeightFormat, UnsafeMutableRawPointer, Kernels.Quantize.Style) -> Void

    var description: String { path.rawValue }

    /// The copies this build holds that this CPU can run.
    static let runnable: [KernelCopy] = {
        var copies = [KernelCopy(
            path: KernelPath.compiled.last!,
            dot: { format, w, a, count in format.block.dot(w, a, count: count) },
            dots: { format, w, a, stride, tokens, count, out in
                format.block.dots(w, a, activationStride: stride, tokens: tokens, count: count, into: out, outputStride: 1)
            },
            quantize: { x, count, format, dst, style in
                switch format {
                case .q8_0: Q8_0.quantize(x, dst, count: count, style: style)
                case .q8_1: Q8_1.quantize(x, dst, count: count, style: style)
                case .q8_K: Q8K.quantize(x, dst, count: count)
                default: dst.copyMemory(from: x, byteCount: count * 4)
                }
            })]
        #if canImport(KernelsAVX512)
        if KernelPath.avx512.isSupported {
            @Sendable func variant(_ f: Kernels.WeightFormat) -> KernelsAVX512.WeightFormat { .init(rawValue: f.rawValue)! }
            copies.append(KernelCopy(
                path: .avx512,
                dot: { format, w, a, count in KernelsAVX512.Dot.dot(variant(format), w, a, count: count) },
                dots: { format, w, a, stride, tokens, count, out in
                    KernelsAVX512.Dot.dots(variant(format), w, a, activationStride: stride, tokens: tokens, count: count,
                                           into: out, outputStride: 1)
                },
                quantize: { x, count, format, dst, style in
                    KernelsAVX512.Quantize.row(x, count: count, to: variant(format), dst,
                                               style: style == .reference ? .reference : .x86Runtime)
                }))
        }
        #endif
        return copies
    }()
}

@Suite struct KernelPathTests {
    @Test func theActivePathIsCompiledAndSupported() {
        #expect(KernelPath.compiled.contains(KernelPath.active))
        #expect(KernelPath.active.isSupported)
        #if arch(x86_64)
        #expect(CPUFeatures.host.isSuperset(of: .haswell), "the x86 baseline needs AVX2/FMA/F16C: \(CPUFeatures.host)")
        #expect(KernelPath.compiled.contains(.avx512), "the x86-64 build holds the AVX-512 copy")
        #else
        #expect(KernelPath.compiled == [.generic])
        #endif
    }

    /// KINGLET_CPU decides the path, so a run with KINGLET_CPU=avx2 really tests the baseline.
    @Test func theEnvironmentChoosesThePath() {
        let best = KernelPath.compiled.first { $0.isSupported }!
        #expect(KernelPath.choose(request: nil).0 == best)
        #expect(KernelPath.choose(request: "auto").0 == best)
        #expect(KernelPath.choose(request: "nonsense") == (best, "KINGLET_CPU=nonsense is not one of avx2, avx512, auto; using \(best.rawValue)"))
        #if arch(x86_64)
        #expect(KernelPath.choose(request: "avx2").0 == .avx2)
        #expect(KernelPath.choose(request: "avx512").0 == (KernelPath.avx512.isSupported ? .avx512 : .avx2))
        #endif
        // The process-wide choice follows the variable this test run was started with.
        let requested = getenv("KINGLET_CPU").map { String(cString: $0) }
        #expect(KernelPath.active == KernelPath.choose(request: requested).0)
    }

    #if canImport(KernelsAVX512)
    /// `AVX512.format` casts between the two copies of `WeightFormat`.
    @Test func theVariantsFormatsCastCaseForCase() {
        #expect(Kernels.WeightFormat.allCases.count == KernelsAVX512.WeightFormat.allCases.count)
        for format in Kernels.WeightFormat.allCases {
            #expect(AVX512.format(format).rawValue == format.rawValue, "\(format)")
        }
    }
    #endif

    @Test func cpuinfoFlagsParse() {
        let zen4 = "fpu vme sse2 fma cx16 movbe popcnt f16c abm bmi1 avx2 bmi2 avx512f avx512dq avx512cd avx512bw avx512vl avx512_vnni gfni"
        let features = CPUFeatures(cpuinfoFlags: zen4)
        #expect(features.isSuperset(of: CPUFeatures.haswell.union(.avx512VNNI)))
        let haswell = CPUFeatures(cpuinfoFlags: "fpu sse2 fma movbe popcnt f16c abm bmi1 avx2 bmi2")
        #expect(haswell == .haswell)
        // Skylake-SP: AVX-512 but no VNNI, so the baseline path.
        let skylake = CPUFeatures(cpuinfoFlags: "fma movbe popcnt f16c abm bmi1 avx2 bmi2 avx512f avx512dq avx512cd avx512bw avx512vl")
        #expect(!skylake.contains(.avx512vnni) && skylake.isSuperset(of: .haswell))
        #expect(CPUFeatures(cpuinfoFlags: "avx avx512_vnnix") == [])
    }

    @Test(arguments: KernelCopy.runnable, Kernels.WeightFormat.allCases.filter { $0 != .q8_1 && $0 != .q8_K })
    func dotMatchesTheScalarReference(_ copy: KernelCopy, _ format: Kernels.WeightFormat) {
        var rng = SplitMix64(seed: 0x9A7B + UInt64(format.rawValue))
        let activationFormat = format.activationFormat
        for blocks in format.blockSize == 256 ? [1, 3, 9] : [1, 9, 40] {
            let count = blocks * format.blockSize, tokens = 3
            let w = TestData.row(format, count: count, &rng)
            let rows = (0..<tokens).map { _ in
                let x = TestData.activations(count: count, &rng)
                var a = [UInt8](repeating: 0, count: activationFormat.rowBytes(count))
                x.withUnsafeBufferPointer { xp in
                    a.withUnsafeMutableBytes { copy.quantize(xp.baseAddress!, count, activationFormat, $0.baseAddress!, .reference) }
                }
                return a
            }
            let packed = rows.flatMap { $0 }
            var many = [Float](repeating: .nan, count: tokens)
            w.withRaw { wp in
                packed.withRaw { ap in
                    many.withUnsafeMutableBufferPointer { copy.dots(format, wp, ap, rows[0].count, tokens, count, $0.baseAddress!) }
                }
            }
            for t in 0..<tokens {
                let got = w.withRaw { wp in rows[t].withRaw { copy.dot(format, wp, $0, count) } }
                expectClose(got, Reference.dot(format, w, rows[t], count: count), "\(copy) \(format), \(blocks) blocks")
                #expect(many[t].bitPattern == got.bitPattern, "\(copy) \(format): dots differs from dot, token \(t)")
            }
        }
    }

    @Test(arguments: KernelCopy.runnable)
    func quantizersMatchTheScalarReference(_ copy: KernelCopy) {
        var rng = SplitMix64(seed: 0x0A11)
        let x = TestData.activations(count: 1024, &rng)
        func run(_ format: Kernels.WeightFormat, _ style: Kernels.Quantize.Style) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: format.rowBytes(x.count))
            x.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBytes { copy.quantize(xp.baseAddress!, x.count, format, $0.baseAddress!, style) }
            }
            return out
        }
        #expect(run(.q8_0, .reference) == Reference.quantizeQ8_0(x), "\(copy) q8_0")
        #expect(run(.q8_0, .x86Runtime) == Reference.quantizeQ8_0(x, x86Runtime: true), "\(copy) q8_0 x86")
        #expect(run(.q8_1, .reference) == Reference.quantizeQ8_1(x), "\(copy) q8_1")
        #expect(run(.q8_1, .x86Runtime) == Reference.quantizeQ8_1(x, x86Runtime: true), "\(copy) q8_1 x86")
        #expect(run(.q8_K, .reference) == Reference.quantizeQ8K(x), "\(copy) q8_K")
    }
}
