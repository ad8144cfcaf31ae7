// Pins down Hugging Face checkpoints against transformers: each tiny random model, loaded from
// the safetensors directory transformers saved, gives transformers' logits at every position;
// so does the GGUF Kinglet's writer makes from it, within the rounding of its matrix type.
import GGUF
import Models
import Testing

@Suite struct HuggingFaceReferenceTests {
    static let models = ["llama", "llama3-tied", "llama-bf16", "mistral", "qwen2", "qwen2-sharded", "qwen3",
                         "gemma3-text", "gemma3-multimodal", "phi3", "smollm3"]

    /// With a Float32 KV cache nothing in attention is rounded, and the bound holds:
    /// max |Δlogit| ≤ 1e-3 absolute against transformers' float32, for float32 weights. Two
    /// roundings stay on purpose because llama.cpp makes them, and its tokens are what Kinglet
    /// matches: BF16 weights multiply BF16-rounded activations (ggml's `vec_dot_type` for BF16;
    /// measured 3.5e-3), and Gemma's GELU is looked up in ggml's Float16 table (measured 2.4e-3).
    static func exactTolerance(_ name: String) -> Float {
        name.hasSuffix("bf16") || name.hasPrefix("gemma3") ? 5e-3 : 1e-3
    }

    /// The other tolerances are relative to the largest |logit| of the reference (up to ~17 here,
    /// ~8 for most models). With llama.cpp's default Float16 cache Kinglet keeps keys, values,
    /// queries and attention weights in Float16 (and Gemma's GELU goes through ggml's Float16 table
    /// either way): each rounding is up to 2⁻¹¹ relative, which measures as up to 1.0e-3 of the
    /// logit range against transformers' float32 (7.8e-3 absolute on Mistral's logits of ~7.6).
    static let checkpointTolerance: Float = 1.5e-3

    /// Per GGUF matrix type, on top of the cache: F32 adds nothing (its logits equal the
    /// checkpoint run's); F16 rounds each weight by up to 2⁻¹¹ (measured up to 2.1e-3 of the
    /// range, 1.8e-2 absolute); Q8_0 rounds each weight to 1/254 of its block's largest magnitude
    /// and, as llama.cpp does, quantizes activations to Q8_0 too, which on these random weights
    /// measures up to 4.8e-2 of the range (0.33 absolute on Phi-3's logits of ~6.9).
    static func tolerance(_ type: GGUFConversion.MatrixType) -> Float {
        switch type {
        case .f32: checkpointTolerance
        case .f16: 3e-3
        case .q8_0: 6e-2
        }
    }

    static let options = LoadOptions(threads: 2, maxBatch: 64)
    static let exactOptions = LoadOptions(threads: 2, maxBatch: 64, cacheElement: .float32)

    @Test(arguments: models)
    func checkpointMatchesTransformers(name: String) throws {
        let reference = try TransformersFixtures.model(name)
        let checkpoint = try HuggingFaceCheckpoint(directory: reference.directory)
        let exact = try allLogits(try ArchitectureRegistry.load(checkpoint, options: Self.exactOptions), reference.ids)
        expectAgreement(exact, reference.logits, absolute: Self.exactTolerance(name), "\(name), Float32 cache")
        let model = try ArchitectureRegistry.load(checkpoint, options: Self.options)
        expectAgreement(try allLogits(model, reference.ids), reference.logits, within: Self.checkpointTolerance, name)
    }

    @Test(arguments: models, GGUFConversion.MatrixType.allCases)
    func convertedGGUFMatchesTransformers(name: String, type: GGUFConversion.MatrixType) throws {
        let reference = try TransformersFixtures.model(name)
        let checkpoint = try HuggingFaceCheckpoint(directory: reference.directory)
        let file = try GGUFFile(bytes: try GGUFConversion.writer(for: checkpoint, type: type).serialized())
        let model = try ArchitectureRegistry.load(file, options: Self.options)
        let logits = try allLogits(model, reference.ids)
        expectAgreement(logits, reference.logits, within: Self.tolerance(type), "\(name) \(type)")
        if type == .f32 {
            let exact = try allLogits(try ArchitectureRegistry.load(file, options: Self.exactOptions), reference.ids)
            expectAgreement(exact, reference.logits, absolute: Self.exactTolerance(name), "\(name) \(type), Float32 cache")
            // Same weights, same arithmetic: only Llama's q/k element order (interleaved after
            // the converter's permutation) changes the order of the q·k sums.
            let direct = try allLogits(try ArchitectureRegistry.load(checkpoint, options: Self.options), reference.ids)
            #expect(maxDifference(logits, direct) <= 1e-5, "\(name): F32 GGUF vs checkpoint max |Δ| = \(maxDifference(logits, direct))")
        }
    }

    @Test func prefillThenDecodeEqualsOnePrefill() throws {
        let reference = try TransformersFixtures.model("mistral")   // its window of 4 is shorter than the prefill
        let model = try ArchitectureRegistry.load(try HuggingFaceCheckpoint(directory: reference.directory), options: Self.options)
        let whole = try allLogits(model, reference.ids)
        let stepwise = try prefillThenDecode(model, reference.ids, prefill: 6).logits
        #expect(maxDifference(whole, stepwise) == 0, "batching must not change the arithmetic")
    }

    /// Logits within `relativeTolerance` of the reference's largest |logit| everywhere, and the
    /// same next token at every position unless transformers' own top two are closer than twice
    /// that (a tie at this precision).
    func expectAgreement(_ got: [[Float]], _ expected: [[Float]], within relativeTolerance: Float, _ label: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
        let range = expected.joined().map(abs).max() ?? 0
        expectAgreement(got, expected, absolute: relativeTolerance * range, label, sourceLocation: sourceLocation)
    }

    /// The same with an absolute bound on |Δlogit|.
    func expectAgreement(_ got: [[Float]], _ expected: [[Float]], absolute tolerance: Float, _ label: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == expected.count && !got.isEmpty, sourceLocation: sourceLocation)
        let range = expected.joined().map(abs).max() ?? 0
        let difference = maxDifference(got, expected)
        #expect(difference <= tolerance, "\(label): max |Δlogit| = \(difference) on logits up to \(range)",
                sourceLocation: sourceLocation)
        for (position, (ours, theirs)) in zip(got, expected).enumerated() {
            let best = theirs.indices.max { theirs[$0] < theirs[$1] }!
            let pick = ours.indices.max { ours[$0] < ours[$1] }!
            #expect(pick == best || theirs[best] - theirs[pick] <= 2 * tolerance,
                    "\(label) position \(position): token \(pick), transformers \(best)", sourceLocation: sourceLocation)
        }
    }
}
