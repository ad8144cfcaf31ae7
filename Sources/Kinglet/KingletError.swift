import GGUF
import Grammar
import Models
import Templates
import Tokenizers

/// Errors of the Kinglet API. Each description is one line that says what to do.
public enum KingletError: Error, Sendable, CustomStringConvertible {
    case modelNotFound(String)
    case modelNotFetched(name: String, path: String)
    case file(GGUFError)
    case model(ModelError)
    case tokenizer(TokenizerError)
    case template(TemplateError)
    case grammar(GrammarError)
    case noChatTemplate(path: String)
    /// The model came without a tokenizer, and text was given.
    case noTokenizer(path: String)
    case promptTooLong(tokens: Int, context: Int)
    case emptyPrompt
    /// A chat turn was asked for while the previous answer was still streaming.
    case sessionBusy
    /// The model with its context needs more memory than the limit allows.
    case exceedsMemoryLimit(MemoryPlan, limit: Int)

    public var description: String {
        switch self {
        case .modelNotFound(let path):
            return "no model at '\(path)': give a .gguf path or a store name (\(ModelStore.catalog.map(\.name).joined(separator: ", ")))"
        case .modelNotFetched(let name, let path):
            return "model '\(name)' is not in the store (\(path)); fetch it with: kinglet pull \(name)"
        case .file(let error): return error.description
        case .model(let error): return error.description
        case .tokenizer(let error): return error.description
        case .template(let error): return "chat template: \(error.description)"
        case .grammar(let error): return error.description
        case .noChatTemplate(let path):
            return "\(path) has no chat template (a base model?); use --raw for plain completion or --template FILE.jinja"
        case .noTokenizer(let path):
            return "\(path) has no tokenizer (no tokenizer.json, or a GGUF without tokenizer.ggml.*), so it takes token ids only: kinglet logits --ids 1,2,3"
        case .promptTooLong(let tokens, let context):
            return "the prompt is \(tokens) tokens but the context holds \(context); shorten it or raise --context"
        case .emptyPrompt:
            return "the prompt is empty"
        case .sessionBusy:
            return "this chat session is still answering; wait for the answer's end (or cancel it) before the next turn"
        case .exceedsMemoryLimit(let plan, let limit):
            return "the model needs \(plan) but the memory limit is \(MemoryPlan.format(limit)); lower --context or raise --memory-limit"
        }
    }
}
