import ArgumentParser
import Models

extension KingletCommand {
    struct Convert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a Hugging Face checkpoint directory as a GGUF file (weights only).",
            discussion: """
                Matrices become --type (f32, f16 or q8_0); vectors and norms stay f32; the rows llama.cpp's \
                converter reorders are reordered the same way, so llama.cpp reads the file too. The file \
                carries no tokenizer (run it with token ids, e.g. kinglet logits --ids). Written to a \
                temporary file and renamed, so a failure never leaves a partial OUTPUT.
                """)

        @Argument(help: "The checkpoint directory (config.json and *.safetensors).")
        var directory: String

        @Option(name: .shortAndLong, help: "The GGUF file to write.")
        var output: String

        @Option(help: "Matrix type: f32, f16 or q8_0.")
        var type: GGUFConversion.MatrixType = .f16

        func run() async throws {
            do {
                let checkpoint = try HuggingFaceCheckpoint(directory: directory)
                try GGUFConversion.write(checkpoint, to: output, type: type)
                writeOut("wrote \(output): \(checkpoint.modelType), \(checkpoint.tensorNames.count) tensors, \(type)\n")
            } catch {
                throw CommandFailure(error.description)
            }
        }
    }
}

extension GGUFConversion.MatrixType: ExpressibleByArgument {
    public init?(argument: String) {
        guard let match = Self.allCases.first(where: { "\($0)" == argument.lowercased() }) else { return nil }
        self = match
    }
}
