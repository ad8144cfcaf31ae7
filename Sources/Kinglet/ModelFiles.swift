import Foundation
import GGUF
import Models
import Tokenizers

/// What a model path holds: the weights, and the tokenizer and chat template that came with them.
///
/// A `.gguf` file carries all three (`tokenizer.ggml.*`, `tokenizer.chat_template`). A Hugging
/// Face checkpoint directory has them in `tokenizer.json`, `tokenizer_config.json` (or
/// `chat_template.jinja`) and `generation_config.json`, whose `eos_token_id`s also end generation.
/// Either may lack a tokenizer (weight-only test models); the model then runs on token ids only.
struct ModelFiles {
    var source: any WeightSource
    var tokenizer: Tokenizer?
    var chatTemplate: String?

    /// Opens the `.gguf` file or checkpoint directory at `path`.
    static func open(_ path: String) throws(KingletError) -> ModelFiles {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return try checkpoint(path)
        }
        let file: GGUFFile
        do { file = try GGUFFile(contentsOf: path) } catch { throw .file(error) }
        let model: String?, template: String?
        do {
            model = try file.metadata.optionalString("tokenizer.ggml.model")
            template = try file.metadata.optionalString("tokenizer.chat_template")
        } catch { throw .file(error) }
        guard let model, model != "none" else { return ModelFiles(source: file, tokenizer: nil, chatTemplate: template) }
        let tokenizer: Tokenizer
        do { tokenizer = try Tokenizer(gguf: file.metadata) } catch { throw .tokenizer(error) }
        return ModelFiles(source: withoutTokenizerArrays(file), tokenizer: tokenizer, chatTemplate: template)
    }

    /// `file` without the tokenizer's arrays, which the tokenizer now holds in its own compact
    /// tables: as `[String]`s they would stay resident as long as the weights (about 6 MB for a
    /// 150k vocabulary). The vocabulary's size, which the model reads from the token list when
    /// `<arch>.vocab_size` is absent, is kept under that key.
    private static func withoutTokenizerArrays(_ file: GGUFFile) -> GGUFFile {
        var metadata = file.metadata
        if let arch = try? metadata.optionalString("general.architecture"), metadata["\(arch).vocab_size"] == nil,
           let tokens = (try? metadata.optionalStrings("tokenizer.ggml.tokens")) ?? nil {
            metadata.set("\(arch).vocab_size", .uint32(UInt32(tokens.count)))
        }
        for key in Tokenizer.ggufArrayKeys { metadata.remove(key) }
        return file.replacingMetadata(metadata)
    }

    private static func checkpoint(_ directory: String) throws(KingletError) -> ModelFiles {
        let source: HuggingFaceCheckpoint
        do { source = try HuggingFaceCheckpoint(directory: directory) } catch { throw .model(error) }
        let url = URL(fileURLWithPath: directory)
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("tokenizer.json").path) else {
            return ModelFiles(source: source, tokenizer: nil, chatTemplate: nil)
        }
        let (tokenizer, config): (Tokenizer, HuggingFaceTokenizerConfig)
        do { (tokenizer, config) = try Tokenizer.huggingFace(directory: url) } catch { throw .tokenizer(error) }
        // Newer transformers save the template beside tokenizer_config.json rather than in it.
        let template = config.chatTemplate
            ?? (try? String(contentsOf: url.appendingPathComponent("chat_template.jinja"), encoding: .utf8))
        return ModelFiles(source: source, tokenizer: tokenizer.addingEndOfGeneration(generationEndTokens(url)),
                          chatTemplate: template)
    }

    /// `generation_config.json`'s `eos_token_id` (one id or a list); none when the file is absent or says nothing.
    private static func generationEndTokens(_ directory: URL) -> [Int32] {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent("generation_config.json").path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        switch object["eos_token_id"] {
        case let id as Int: return [Int32(truncatingIfNeeded: id)]
        case let ids as [Int]: return ids.map { Int32(truncatingIfNeeded: $0) }
        default: return []
        }
    }
}
