import Foundation

/// The parts of a Hugging Face `tokenizer.json` this module reads, decoded as stored.
///
/// Keys this module ignores (`decoder`, `truncation`, `padding`, …) are not declared, so they
/// may hold anything.
struct HuggingFaceTokenizerFile: Decodable {
    var addedTokens: [AddedTokenEntry]?
    var normalizer: Normalizer?
    var preTokenizer: PreTokenizerEntry?
    var postProcessor: PostProcessor?
    var model: Model

    enum CodingKeys: String, CodingKey {
        case addedTokens = "added_tokens"
        case normalizer
        case preTokenizer = "pre_tokenizer"
        case postProcessor = "post_processor"
        case model
    }

    struct AddedTokenEntry: Decodable {
        var id: Int
        var content: String
        var special: Bool
        var singleWord: Bool?
        var lstrip: Bool?
        var rstrip: Bool?

        enum CodingKeys: String, CodingKey {
            case id, content, special, lstrip, rstrip
            case singleWord = "single_word"
        }
    }

    /// `NFC`, `Replace`, `Prepend`, a `Sequence` of them, or another type (rejected when loading).
    struct Normalizer: Decodable {
        var type: String
        var normalizers: [Normalizer]?
        /// `Replace`: `{"String": …}` or `{"Regex": …}`.
        var pattern: [String: String]?
        /// `Replace`: the replacement.
        var content: String?
        /// `Prepend`: the prefix.
        var prepend: String?

        /// This normalizer and those inside it, in order.
        var flattened: [Normalizer] {
            type == "Sequence" ? (normalizers ?? []).flatMap(\.flattened) : [self]
        }
    }

    /// `ByteLevel`, `Split` or a `Sequence` of them.
    struct PreTokenizerEntry: Decodable {
        var type: String
        var pretokenizers: [PreTokenizerEntry]?
        /// `Split`: `{"Regex": …}` or `{"String": …}`.
        var pattern: [String: String]?
        var behavior: String?
        var invert: Bool?
        var addPrefixSpace: Bool?
        var useRegex: Bool?

        enum CodingKeys: String, CodingKey {
            case type, pretokenizers, pattern, behavior, invert
            case addPrefixSpace = "add_prefix_space"
            case useRegex = "use_regex"
        }
    }

    /// `TemplateProcessing`, `ByteLevel` or a `Sequence` of them; only the single-sequence
    /// template's leading special token matters here (it is the BOS the model adds).
    struct PostProcessor: Decodable {
        var type: String
        var processors: [PostProcessor]?
        var single: [TemplatePiece]?

        struct TemplatePiece: Decodable {
            var specialToken: SpecialToken?

            struct SpecialToken: Decodable {
                var id: String
            }

            enum CodingKeys: String, CodingKey {
                case specialToken = "SpecialToken"
            }
        }

        /// The special token the single-sequence template starts with, if any.
        var leadingSpecialToken: String? {
            if let first = single?.first { return first.specialToken?.id }
            for processor in processors ?? [] {
                if let token = processor.leadingSpecialToken { return token }
            }
            return nil
        }
    }

    /// `model`, without `vocab`: `HuggingFaceVocabularyScanner` reads that.
    struct Model: Decodable {
        var type: String?
        var merges: [Merge]?
        var byteFallback: Bool?
        var ignoreMerges: Bool?
        var unknownToken: String?

        enum CodingKeys: String, CodingKey {
            case type, merges
            case unknownToken = "unk_token"
            case byteFallback = "byte_fallback"
            case ignoreMerges = "ignore_merges"
        }
    }

    /// A merge rule, stored as `"left right"` (older files) or `["left", "right"]` (whose parts
    /// may hold spaces).
    struct Merge: Decodable {
        /// `"left right"`, as GGUF stores merges.
        var text: String
        /// The two parts; nil when a string rule has no space to split at.
        var pair: (left: String, right: String)?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self.text = text
                let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                pair = parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
            } else {
                let parts = try container.decode([String].self)
                guard parts.count == 2 else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "a merge pair has \(parts.count) entries")
                }
                text = parts[0] + " " + parts[1]
                pair = (parts[0], parts[1])
            }
        }
    }
}

/// `tokenizer_config.json`: the special tokens, BOS/EOS flags and chat template of a Hugging
/// Face model.
public struct HuggingFaceTokenizerConfig: Sendable, Decodable {
    public var bosToken: String?
    public var eosToken: String?
    public var padToken: String?
    /// The Jinja chat template (the `default` one when the file lists several).
    public var chatTemplate: String?
    /// `add_bos_token`; nil when the file does not say (the post-processor then decides).
    public var addBOS: Bool?
    /// `add_eos_token`; nil when the file does not say.
    public var addEOS: Bool?

    public init(bosToken: String? = nil, eosToken: String? = nil, padToken: String? = nil, chatTemplate: String? = nil,
                addBOS: Bool? = nil, addEOS: Bool? = nil) {
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.padToken = padToken
        self.chatTemplate = chatTemplate
        self.addBOS = addBOS
        self.addEOS = addEOS
    }

    /// Decodes a `tokenizer_config.json`.
    /// - Throws: `TokenizerError.invalidTokenizerJSON` when it is not the expected JSON.
    public init(json: Data) throws(TokenizerError) {
        do {
            self = try JSONDecoder().decode(Self.self, from: json)
        } catch {
            throw .invalidTokenizerJSON(file: "tokenizer_config.json", reason: String(describing: error))
        }
    }

    enum CodingKeys: String, CodingKey {
        case bosToken = "bos_token"
        case eosToken = "eos_token"
        case padToken = "pad_token"
        case chatTemplate = "chat_template"
        case addBOS = "add_bos_token"
        case addEOS = "add_eos_token"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        bosToken = try container.decodeIfPresent(TokenText.self, forKey: .bosToken)?.content
        eosToken = try container.decodeIfPresent(TokenText.self, forKey: .eosToken)?.content
        padToken = try container.decodeIfPresent(TokenText.self, forKey: .padToken)?.content
        addBOS = try container.decodeIfPresent(Bool.self, forKey: .addBOS)
        addEOS = try container.decodeIfPresent(Bool.self, forKey: .addEOS)
        if let text = try? container.decodeIfPresent(String.self, forKey: .chatTemplate) {
            chatTemplate = text
        } else if let named = try container.decodeIfPresent([NamedTemplate].self, forKey: .chatTemplate) {
            chatTemplate = (named.first { $0.name == "default" } ?? named.first)?.template
        }
    }

    /// A special token given as its text or as an added-token object (`{"content": …}`).
    private struct TokenText: Decodable {
        var content: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                content = nil
            } else if let text = try? container.decode(String.self) {
                content = text
            } else {
                content = try container.decode(Object.self).content
            }
        }

        private struct Object: Decodable {
            var content: String
        }
    }

    private struct NamedTemplate: Decodable {
        var name: String
        var template: String
    }
}
