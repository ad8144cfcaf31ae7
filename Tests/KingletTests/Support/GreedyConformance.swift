// The checks every model's conformance suite runs against its llama.cpp greedy reference file.
import Kinglet
import Testing

enum GreedyConformance {
    /// Feeds prompt + reference continuation and expects the argmax at each step to be the reference
    /// token, at least 95 % of the time, the misses being near-ties within `nearTie`.
    static func expectTeacherForcedTopOne(_ model: LanguageModel, _ records: [GreedyRecord], nearTie: Float) throws {
        var exact = 0, total = 0
        var misses: [String] = []
        for record in records {
            let context = ModelContext(model: model)
            let all = record.prompt_ids + record.gen_ids
            let first = record.prompt_ids.count - 1      // logits here predict gen_ids[0]
            try context.append(all) { position, logits in
                guard position >= first, position - first < record.gen_ids.count else { return }
                let expected = record.gen_ids[position - first]
                let got = Sampler.argmax(logits)
                total += 1
                if got == expected {
                    exact += 1
                } else {
                    let gap = logits[Int(got)] - logits[Int(expected)]
                    misses.append("\(record.prompt_id)@\(position - first): got \(got), expected \(expected), gap \(gap)")
                    #expect(gap <= nearTie, "not a near-tie: \(misses.last!)")
                }
            }
        }
        print("teacher-forced top-1: \(exact)/\(total) exact; near-ties: \(misses)")
        #expect(total == records.reduce(0) { $0 + $1.gen_ids.count })
        #expect(Double(exact) >= 0.95 * Double(total), "\(exact)/\(total) exact")
    }

    /// Expects the right next token after each prompt and the reference's top-10 logits within `bound`.
    static func expectTopTenLogits(_ model: LanguageModel, _ records: [GreedyRecord], within bound: Float) throws {
        var worst: Float = 0
        var total: Double = 0, compared = 0
        for record in records {
            let context = ModelContext(model: model)
            try context.append(record.prompt_ids)
            let logits = context.lastLogits
            #expect(Sampler.argmax(logits) == record.top_logprobs[0].id, "\(record.prompt_id)")
            for entry in record.top_logprobs {
                let difference = abs(logits[Int(entry.id)] - entry.logit)
                worst = max(worst, difference)
                total += Double(difference)
                compared += 1
                #expect(difference <= bound, "\(record.prompt_id) id \(entry.id): \(logits[Int(entry.id)]) vs \(entry.logit)")
            }
        }
        // The mean shows drift that stays under the bound (the worst case alone hides it).
        print("top-10 logits: worst |Δ| = \(worst), mean \(total / Double(max(compared, 1)))")
    }

    /// The records whose 32 greedy tokens (and end-of-generation stop) Kinglet reproduces exactly.
    static func freeRunningMatches(_ model: LanguageModel, _ records: [GreedyRecord]) async throws -> [String] {
        var matches: [String] = []
        for record in records {
            var ids: [Int32] = []
            var stop = StopReason.cancelled
            var stopToken: Int32?
            for try await event in model.generate(prompt: record.prompt_ids, parameters: .greedy(maxTokens: 32)) {
                if case .token(let token) = event { ids.append(token.id) }
                if case .done(let summary) = event { (stop, stopToken) = (summary.stopReason, summary.stopToken) }
            }
            if let stopToken { ids.append(stopToken) }   // the end-of-generation token itself is not emitted as text
            if ids == record.gen_ids && (stop == .stop) == record.stopped_at_eog { matches.append(record.prompt_id) }
        }
        print("free-running greedy: \(matches.count)/\(records.count) identical to llama.cpp: \(matches)")
        return matches
    }
}
