// Builds Hugging Face tokenizer.json files from the real Qwen2.5 and Gemma 3 GGUF vocabularies with
// Python `tokenizers`: the independent reference Tokenizer(tokenizerJSON:) is checked against.
import Foundation
import TestSupport

enum HuggingFaceReference {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static var python: String { ReferencePython.path }

    /// `tokenizer.json` for the Qwen2.5 GGUF, made once per test run.
    static let qwenTokenizerJSON: Result<Data, any Error> = Result {
        try make("qwen2", from: Fixtures.qwenModelName, fetch: "scripts/fetch-model")
    }

    /// `tokenizer.json` for the Gemma 3 GGUF (SentencePiece), made once per test run.
    static let gemmaTokenizerJSON: Result<Data, any Error> = Result {
        try make("sentencepiece", from: Fixtures.gemmaModelName, fetch: "scripts/fetch-model gemma3:270m")
    }

    /// Runs the script on `$KINGLET_HOME/models/<file>` and returns the tokenizer.json it writes.
    private static func make(_ kind: String, from file: String, fetch: String) throws -> Data {
        let model = Fixtures.kingletHome.appendingPathComponent("models/\(file)")
        guard FileManager.default.fileExists(atPath: model.path) else {
            throw Failure(description: "model file \(model.path) is missing: run \(fetch) to download it")
        }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "no Python at \(python): run scripts/python-env (or set KINGLET_PYTHON)")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kinglet-hf-tokenizer-\(kind)-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scriptURL = directory.appendingPathComponent("make_hf_tokenizer.py")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scriptURL.path, kind, model.path, directory.appendingPathComponent("tokenizer.json").path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: """
                making tokenizer.json with Python `tokenizers` failed (run scripts/python-env to install it):
                \(String(decoding: message, as: UTF8.self))
                """)
        }
        return try Data(contentsOf: directory.appendingPathComponent("tokenizer.json"))
    }

    static let script = #"""
"""Writes a Hugging Face tokenizer.json built from a GGUF vocabulary.

Usage: make_hf_tokenizer.py qwen2|sentencepiece <model.gguf> <out/tokenizer.json>

qwen2: byte-level BPE from the normal tokens and merges, NFC, Split(Qwen2 regex, isolated)
then ByteLevel, and the control/user-defined tokens as added tokens. Control tokens are special
except the FIM ones; user-defined ones are not (as Tokenizer(gguf:) decides).

sentencepiece: BPE with byte fallback over all tokens, merges from the scores as transformers'
SentencePieceExtractor makes them, spaces replaced by U+2581; control tokens added as special,
user-defined ones as non-special.
"""
import sys

import gguf
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers

QWEN2_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
               r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
FIM = {"<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"}


def array(fields, key):
    field = fields[key]
    return [field.parts[i] for i in field.data]


def qwen2(tokens, types, fields):
    merges = [tuple(bytes(m).decode("utf-8").split(" ", 1)) for m in array(fields, "tokenizer.ggml.merges")]
    vocab = {t: i for i, t in enumerate(tokens) if types[i] == 1}
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=merges, byte_fallback=False))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tokenizer.decoder = decoders.ByteLevel()
    for i, t in enumerate(tokens):
        if types[i] in (3, 4):
            special = types[i] == 3 and t not in FIM
            tokenizer.add_tokens([AddedToken(t, special=special, normalized=False)])
            if tokenizer.token_to_id(t) != i:
                sys.exit(f"added token {t!r} got id {tokenizer.token_to_id(t)}, expected {i}")
    return tokenizer


def sentencepiece(tokens, types, fields):
    scores = [s[0].item() for s in array(fields, "tokenizer.ggml.scores")]
    vocab = {t: i for i, t in enumerate(tokens)}
    merges = []
    for i, piece in enumerate(tokens):
        if types[i] not in (1, 4):
            continue
        local = [(piece[:k], piece[k:], scores[i]) for k in range(1, len(piece))
                 if piece[:k] in vocab and piece[k:] in vocab]
        local.sort(key=lambda m: (vocab[m[0]], vocab[m[1]]))
        merges.extend(local)
    merges.sort(key=lambda m: (-m[2], vocab[m[0]], vocab[m[1]]))
    unknown = tokens[int(array(fields, "tokenizer.ggml.unknown_token_id")[0][0])]
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[(a, b) for a, b, _ in merges], unk_token=unknown,
                                     fuse_unk=True, byte_fallback=True))
    tokenizer.normalizer = normalizers.Replace(" ", "\u2581")
    tokenizer.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse()])
    tokenizer.add_tokens([AddedToken(t, special=types[i] == 3, normalized=False)
                          for i, t in enumerate(tokens) if types[i] in (3, 4)])
    return tokenizer


def main(kind, path, out):
    fields = gguf.GGUFReader(path).fields
    tokens = [bytes(t).decode("utf-8") for t in array(fields, "tokenizer.ggml.tokens")]
    types = [int(t[0]) for t in array(fields, "tokenizer.ggml.token_type")]
    build = {"qwen2": qwen2, "sentencepiece": sentencepiece}[kind]
    build(tokens, types, fields).save(out)


if __name__ == "__main__":
    main(*sys.argv[1:])
"""#
}
