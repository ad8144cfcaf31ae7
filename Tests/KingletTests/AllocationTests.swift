// Decoding a token allocates nothing on the heap once generation is under way: the forward pass,
// the sampling chain (greedy, or penalties, top-k, typical, top-p, min-p and the draw), stop-string
// matching, detokenizing and emitting reuse what they allocated before.
// Counted by interposing malloc (Tests/MallocCounter) on the decoding thread. That thread is worker 0
// of every parallel region, so it runs the same kernel code the other workers run; counting only it
// keeps tests that run models in parallel from being counted too.
import Foundation
@testable import Kinglet
import MallocCounter
import Testing

@Suite(.serialized, .enabled(if: kinglet_malloc_counting_supported() == 1, "counting allocations needs Linux with glibc"))
struct AllocationTests {
    static let measuredTokens = 32

    /// Heap allocations while `measuredTokens` tokens are decoded, after `warmUp` others.
    /// Sampled chains may end the story early, so they ban the end-of-generation tokens (`endless`).
    func allocationsWhileDecoding(_ parameters: GenerationParameters, warmUp: Int = 8, endless: Bool = false) throws -> Int64 {
        let model = try LanguageModel(try TestEnvironment.modelPath("qwen2.5-coder:0.5b"),
                                      options: .init(threads: 2, contextLength: 512))
        var parameters = parameters
        if endless {
            for id in model.tokenizer.endOfGenerationTokens { parameters.sampling.logitBias[id] = -.infinity }
        }
        let context = ModelContext(model: model)
        let prompt = try model.chatPrompt("Write a long story about a lighthouse keeper and her cat.")
        var seen = 0, counted: Int64 = -1
        kinglet_malloc_track_current_thread(1)
        defer { kinglet_malloc_track_current_thread(0) }
        // The window opens after the first `warmUp` tokens and closes `measuredTokens` later, inside
        // the loop, so it covers exactly that many full steps (sample, detokenize, emit, forward).
        let run = try context.generate(prompt: prompt, parameters: parameters, cancelled: CancellationFlag()) { event in
            guard case .token = event else { return }
            seen += 1
            if seen == warmUp { kinglet_malloc_start() }
            if seen == warmUp + Self.measuredTokens { counted = kinglet_malloc_stop() }
        }
        #expect(run.summary.generatedTokens >= warmUp + Self.measuredTokens, "stopped early: \(run.summary.stopReason)")
        return counted
    }

    @Test func counterSeesAllocations() throws {
        kinglet_malloc_track_current_thread(1)
        defer { kinglet_malloc_track_current_thread(0) }
        kinglet_malloc_start()
        let array = [Int](repeating: 7, count: 1000 + Int.random(in: 0..<10))
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 64)
        let count = kinglet_malloc_stop()
        buffer.deallocate()
        #expect(array.count >= 1000)
        #expect(count >= 2, "a Swift array and an aligned buffer were allocated, counter saw \(count)")
    }

    @Test func greedyDecodingAllocatesNothingPerToken() throws {
        let parameters = GenerationParameters(maxTokens: 64, sampling: .init(temperature: 0), stop: ["The End", "\n\n\n"])
        let count = try allocationsWhileDecoding(parameters)
        #expect(count == 0, "\(count) heap allocations in \(Self.measuredTokens) decoded tokens")
    }

    @Test func samplingChainAllocatesNothingPerToken() throws {
        // llama.cpp's defaults (top-k 40, top-p 0.95, min-p 0.05), then a chain without top-k, so
        // typical and top-p work on the whole vocabulary, with every penalty on.
        let chains = [
            SamplingParameters(),
            SamplingParameters(temperature: 1, topK: 0, topP: 0.9, minP: 0, typicalP: 0.95, repeatPenalty: 1.1,
                               presencePenalty: 0.5, frequencyPenalty: 0.5),
        ]
        for sampling in chains {
            let parameters = GenerationParameters(maxTokens: 64, sampling: sampling, seed: 7, stop: ["The End"])
            let count = try allocationsWhileDecoding(parameters, endless: true)
            #expect(count == 0, "\(count) heap allocations in \(Self.measuredTokens) decoded tokens with \(sampling)")
        }
    }
}
