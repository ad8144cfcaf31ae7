// The README's Swift example, compiled and run here; the test fails when the README's copy drifts from this one.
import Foundation
import Kinglet
import Testing

struct ReadmeExampleTests {
    /// Everything between the markers is what README.md shows, verbatim.
    func example() async throws -> ChatSession {
        // README example begins
        let model = try LanguageModel("qwen2.5-coder:0.5b", options: .init(contextLength: 2048))
        let chat = try ChatSession(model: model, system: "You are a concise coding assistant.")
        let parameters = GenerationParameters(maxTokens: 64, sampling: .init(temperature: 0.2), seed: 42, stop: ["\n\n\n"])
        for try await event in chat.respond(to: "Write a Swift function that reverses a string.", parameters: parameters) {
            switch event {
            case .token(let token): print(token.text, terminator: "")
            case .text(let rest): print(rest, terminator: "")
            case .done(let summary): print("\n[\(summary.stopReason), \(Int(summary.decodeTokensPerSecond)) tok/s]")
            }
        }
        // README example ends
        return chat
    }

    @Test func theReadmeShowsThisExample() throws {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let lines = source.components(separatedBy: "\n")
        let begin = try #require(lines.firstIndex { $0.hasSuffix("// README example begins") })
        let end = try #require(lines.firstIndex { $0.hasSuffix("// README example ends") })
        let body = lines[(begin + 1)..<end].map { String($0.dropFirst(8)) }.joined(separator: "\n")
        let readme = try String(contentsOf: TestEnvironment.repository.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(body), "README.md's Swift example differs from ReadmeExampleTests.example:\n\(body)")
    }

    @Test func theExampleRuns() async throws {
        _ = try TestEnvironment.modelPath("qwen2.5-coder:0.5b")
        let chat = try await example()
        let answer = try #require(chat.messages.last)
        #expect(answer.role == "assistant")
        #expect(answer.content.contains("func"))
    }
}
