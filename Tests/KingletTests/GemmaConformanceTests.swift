// Pins down that Gemma 3 270M Q4_K_M produces llama.cpp's tokens and logits (shared/conformance/greedy).
import Foundation
import GGUF
import Kinglet
@testable import Models
import Testing

@Suite(.serialized) struct GemmaConformanceTests {
    static let recordsFile = "greedy-gemma-3-270m-q4_k_m.jsonl"
    /// Logit gap under which two candidates count as a near-tie. Gemma's logits move more
    /// with summation order than Qwen's: its residual stream is large (embeddings scaled by
    /// √640, norm weights up to ~300), so a different rounding of one Q8 activation block
    /// shifts logits by tenths. A llama.cpp build for another CPU (llama-cpp-python 0.3.36)
    /// differs from this reference by up to 1.2 in the top 10; Kinglet by 0.70.
    static let nearTie: Float = 0.8

    let model: LanguageModel
    let records: [GreedyRecord]

    init() throws {
        model = try LanguageModel(try TestEnvironment.modelPath("gemma3:270m"),
                                  options: .init(threads: 2, contextLength: 512))
        records = try GreedyRecord.load(Self.recordsFile)
    }

    @Test func promptTokenizationIsExact() throws {
        #expect(records.count == 6)
        for record in records {
            #expect(record.prompt_ids.first == 2, "\(record.prompt_id) starts with BOS")
            let ids = model.tokenizer.encode(record.rendered_prompt, addBOS: record.add_bos, parseSpecial: record.parse_special)
            #expect(ids == record.prompt_ids, "\(record.prompt_id)")
        }
    }

    /// Layers 5, 11 and 17 attend globally; the other 15 use a 512-position window.
    @Test func everySixthLayerIsGlobal() throws {
        let file = try GGUFFile(contentsOf: model.path)
        #expect(try file.metadata.integer("gemma3.attention.sliding_window") == 512)
        let decoder = try #require(try ArchitectureRegistry.load(file) as? TransformerDecoder)
        let local = decoder.localLayers
        #expect(local.count == 18)
        #expect(local.indices.filter { !local[$0] } == [5, 11, 17])
    }

    @Test func teacherForcedTopOneAgrees() throws {
        try GreedyConformance.expectTeacherForcedTopOne(model, records, nearTie: Self.nearTie)
    }

    @Test func nextTokenTopTenLogitsAgree() throws {
        try GreedyConformance.expectTopTenLogits(model, records, within: Self.nearTie)
    }

    /// Prefill then one token at a time gives the logits of one batch over the same tokens.
    @Test func decodingTokenByTokenEqualsOneBatch() throws {
        let record = try #require(records.first { $0.prompt_id == "c07_chat_en" })
        let tokens = record.prompt_ids + record.gen_ids.prefix(8)
        var batched: [[Float]] = []
        try ModelContext(model: model).append(tokens) { _, logits in batched.append(Array(logits)) }
        let context = ModelContext(model: model)
        try context.append(record.prompt_ids)
        var stepwise = [Array(context.lastLogits)]
        for token in record.gen_ids.prefix(8) {
            try context.append([token])
            stepwise.append(Array(context.lastLogits))
        }
        let last = Array(batched[(record.prompt_ids.count - 1)...])
        #expect(last.count == stepwise.count)
        for (a, b) in zip(last, stepwise) {
            #expect(a == b, "batching must not change the arithmetic")
        }
    }

    @Test func freeRunningGreedyMatchesReference() async throws {
        let matches = try await GreedyConformance.freeRunningMatches(model, records)
        // The others diverge at a near-tie the teacher-forced test reports (gaps ≤ 0.38). With the
        // llama.cpp-shaped lane sums of the integer kernels (2026-11-23) two records match, one
        // fewer than before: which near-tie flips is a matter of float summation order.
        #expect(matches.count >= 2)
    }
}
