// Pins down that Qwen2.5-Coder-0.5B Q4_K_M produces llama.cpp's tokens and logits (shared/conformance/greedy).
import Foundation
import Kinglet
import Testing

@Suite(.serialized) struct QwenConformanceTests {
    static let recordsFile = "greedy-qwen2.5-coder-0.5b-instruct-q4_k_m.jsonl"
    /// Logit gap under which two candidates count as a near-tie (the bound).
    static let nearTie: Float = 0.3

    let model: LanguageModel
    let records: [GreedyRecord]

    init() throws {
        model = try LanguageModel(try TestEnvironment.modelPath("qwen2.5-coder:0.5b"),
                                  options: .init(threads: 2, contextLength: 512))
        records = try GreedyRecord.load(Self.recordsFile)
    }

    @Test func promptTokenizationIsExact() throws {
        #expect(records.count == 12)
        for record in records {
            let ids = model.tokenizer.encode(record.rendered_prompt, addBOS: record.add_bos, parseSpecial: record.parse_special)
            #expect(ids == record.prompt_ids, "\(record.prompt_id)")
        }
    }

    @Test func chatPromptsRenderTheModelsTemplateExactly() throws {
        let chats = records.filter { $0.messages != nil }
        #expect(chats.count == 6)
        for record in chats {
            let messages = try record.messageValues()
            let text = try model.chatFormat().render(messages: messages)
            #expect(text == record.rendered_prompt, "\(record.prompt_id)")
            #expect(try model.chatPrompt(messages: messages) == record.prompt_ids, "\(record.prompt_id)")
        }
    }

    @Test func teacherForcedTopOneAgrees() throws {
        try GreedyConformance.expectTeacherForcedTopOne(model, records, nearTie: Self.nearTie)
    }

    @Test func nextTokenTopTenLogitsAgree() throws {
        try GreedyConformance.expectTopTenLogits(model, records, within: Self.nearTie)
    }

    @Test func freeRunningGreedyMatchesReference() async throws {
        let matches = try await GreedyConformance.freeRunningMatches(model, records)
        // llama.cpp itself reproduces 9 of 12 with flash attention switched on.
        #expect(matches.count >= 9)
    }
}
