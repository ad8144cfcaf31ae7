import Foundation
import GGUF
import Templates
import Tokenizers

/// A model's chat template with the BOS/EOS strings it is rendered with, as Hugging Face's
/// `apply_chat_template` renders it.
public struct ChatFormat: Sendable {
    public let template: ChatTemplate
    public let bosToken: String
    public let eosToken: String

    public init(template: ChatTemplate, bosToken: String = "", eosToken: String = "") {
        self.template = template
        self.bosToken = bosToken
        self.eosToken = eosToken
    }

    /// The format a GGUF file declares (`tokenizer.chat_template`), or nil when it has none.
    ///
    /// - Throws: `KingletError.template` when the template does not parse.
    public init?(file: GGUFFile, tokenizer: Tokenizer) throws(KingletError) {
        let source: String?
        do { source = try file.metadata.optionalString("tokenizer.chat_template") } catch { throw .file(error) }
        guard let source else { return nil }
        try self.init(source: source, tokenizer: tokenizer)
    }

    /// A template given as text (`--template FILE`), rendered with `tokenizer`'s BOS/EOS strings.
    public init(source: String, tokenizer: Tokenizer?) throws(KingletError) {
        do { template = try ChatTemplate(source) } catch { throw .template(error) }
        bosToken = tokenizer?.bosToken.flatMap { tokenizer?.vocabularyEntry($0) } ?? ""
        eosToken = tokenizer?.eosToken.flatMap { tokenizer?.vocabularyEntry($0) } ?? ""
    }

    /// The prompt text for `messages` (each a JSON-like object with `role`, `content`, …).
    public func render(messages: [TemplateValue], tools: [TemplateValue]? = nil, addGenerationPrompt: Bool = true,
                       extra: [String: TemplateValue] = [:], now: Date? = nil) throws(KingletError) -> String {
        do {
            return try template.render(messages: messages, tools: tools, addGenerationPrompt: addGenerationPrompt,
                                       bosToken: bosToken, eosToken: eosToken, extra: extra, now: now)
        } catch {
            throw .template(error)
        }
    }

    /// A conversation of an optional system message and one user message.
    public static func messages(user: String, system: String? = nil) -> [TemplateValue] {
        var messages: [TemplateValue] = []
        if let system { messages.append(["role": .string("system"), "content": .string(system)]) }
        messages.append(["role": .string("user"), "content": .string(user)])
        return messages
    }
}
