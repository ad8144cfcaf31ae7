#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GGUF
import Kernels

/// A Hugging Face checkpoint directory (`config.json` plus `model.safetensors`, or sharded
/// `model-0000x-of-0000y.safetensors` with `model.safetensors.index.json`), presented under
/// GGUF tensor names and metadata keys as llama.cpp's converter would write them.
///
/// Matrices are views into the mapped safetensors files, in their stored type (F32, F16 or
/// BF16), with GGUF dimensions (the reverse of PyTorch's shape). The converter's value changes
/// are made once at load, into small owned F32 vectors: Gemma 3's and Qwen3.5's norm weights
/// become `1 + w`, Qwen3.5's `A_log` becomes `ssm_a = −exp(A_log)`; Llama 3's `rope_freqs`
/// are computed from `rope_scaling`. What the converter reorders (Llama's q/k rows, Qwen3.5's
/// value heads) stays in transformers' order, which `layout` (`.huggingFace`) tells the
/// architecture. Vision towers and multi-token-prediction heads are skipped.
///
/// ```swift
/// let checkpoint = try HuggingFaceCheckpoint(directory: "Qwen3-0.6B")
/// let model = try ArchitectureRegistry.load(checkpoint)
/// ```
public final class HuggingFaceCheckpoint: WeightSource, @unchecked Sendable {
    // @unchecked Sendable: every property is a `let` set in init; the views point into
    // read-only mappings and owned buffers that are never written after init.

    /// The directory the checkpoint was read from.
    public let directory: String
    /// `config.json`'s `model_type` (`"llama"`, `"gemma3"`, …).
    public let modelType: String
    public let metadata: GGUFMetadata
    public var layout: TensorLayout { .huggingFace }
    /// Every tensor's GGUF name, in the order llama.cpp's converter writes them.
    public let tensorNames: [String]

    /// The `model_type` values Kinglet loads.
    public static var supportedModelTypes: [String] { HuggingFaceModelType.all.keys.sorted() }

    private let files: [SafetensorsFile]   // keeps the mappings alive
    private let owned: OwnedBuffers
    private let views: [String: TensorView]

    /// Opens the checkpoint in `directory` and checks every tensor it presents.
    ///
    /// - Throws: `ModelError.unsupportedArchitecture` for a `model_type` Kinglet does not run,
    ///   `.invalidHyperparameter` naming a missing or unusable `config.json` key,
    ///   `.safetensors` for an unreadable file, `.unsupportedTensorType` for a tensor stored other
    ///   than F32/F16/BF16, and `.invalidCheckpoint` for a missing file, a shard index that
    ///   disagrees with the shards, or a tensor no Kinglet architecture reads.
    public init(directory: String) throws(ModelError) {
        self.directory = directory
        let config = try HuggingFaceConfig(Self.readJSON(directory, "config.json"))
        guard let type = HuggingFaceModelType.all[config.modelType] else {
            throw .unsupportedArchitecture(config.modelType, supported: Self.supportedModelTypes)
        }
        modelType = config.modelType
        var metadata = GGUFMetadata()
        try type.metadata(config, &metadata)
        self.metadata = metadata
        files = try Self.openShards(directory)

        let layers = try config.count("num_hidden_layers")
        let tied = try config.optionalBool("tie_word_embeddings") ?? type.tiedByDefault
        let owned = OwnedBuffers()
        var views: [String: TensorView] = [:]
        for file in files {
            for tensor in file.tensors {
                guard let target = try Self.ggufName(of: tensor.name, type, layers: layers, tied: tied, in: directory) else { continue }
                guard views[target] == nil else {
                    throw .invalidCheckpoint(directory, reason: "two tensors map to '\(target)' (the second is '\(tensor.name)')")
                }
                views[target] = try Self.view(tensor, in: file, as: target, zeroCenteredNorm: type.zeroCenteredNorms,
                                              owned: owned, directory: directory)
            }
        }
        for (name, values) in try type.generatedTensors(config) {
            let floats = owned.allocate(values.count)
            floats.initialize(from: values, count: values.count)
            views[name] = TensorView(name: name, dimensions: [values.count], type: .f32,
                                     bytes: UnsafeRawBufferPointer(start: floats, count: values.count * 4))
        }
        self.owned = owned
        self.views = views
        tensorNames = views.keys.sorted { Self.ggufOrder($0) < Self.ggufOrder($1) }
    }

    public func weight(named name: String) -> TensorView? {
        views[name]
    }

    // MARK: Files

    /// The safetensors files: the shards the index names, or the one `model.safetensors`.
    private static func openShards(_ directory: String) throws(ModelError) -> [SafetensorsFile] {
        func open(_ name: String) throws(ModelError) -> SafetensorsFile {
            let path = directory + "/" + name
            do { return try SafetensorsFile(contentsOf: path) } catch { throw .safetensors(error, file: path) }
        }
        let indexName = "model.safetensors.index.json"
        guard isRegularFile(directory + "/" + indexName) else {
            guard isRegularFile(directory + "/model.safetensors") else {
                throw .invalidCheckpoint(directory, reason: "no model.safetensors or \(indexName) (only safetensors checkpoints load)")
            }
            return [try open("model.safetensors")]
        }
        guard let weightMap = try readJSON(directory, indexName).object?["weight_map"]?.object else {
            throw .invalidCheckpoint(directory, reason: "\(indexName) has no weight_map object")
        }
        var shardOf: [String: String] = [:]
        for (tensor, file) in weightMap {
            // Shard names are plain file names in the directory: nothing may point elsewhere.
            guard let name = file.string, !name.isEmpty, !name.contains("/"), name != "..", name != "." else {
                throw .invalidCheckpoint(directory, reason: "\(indexName) names \(file.kind) for '\(tensor)', not a file in the directory")
            }
            shardOf[tensor] = name
        }
        var files: [SafetensorsFile] = []
        for name in Set(shardOf.values).sorted() {
            let file = try open(name)
            for tensor in file.tensors where shardOf[tensor.name] != name {
                throw .invalidCheckpoint(directory, reason: "\(name) holds '\(tensor.name)', which \(indexName) places elsewhere")
            }
            files.append(file)
        }
        let found = files.reduce(0) { $0 + $1.tensors.count }
        guard found == shardOf.count else {
            let missing = shardOf.first { tensor, name in files.first { $0.tensor(named: tensor) != nil } == nil }
            throw .invalidCheckpoint(directory, reason: "\(indexName) lists '\(missing?.key ?? "?")', which its shard \(missing?.value ?? "") lacks")
        }
        return files
    }

    private static func readJSON(_ directory: String, _ name: String) throws(ModelError) -> JSONValue {
        let path = directory + "/" + name
        let file: MappedFile
        do { file = try MappedFile(mapping: path) } catch {
            guard case .cannotOpen(_, let reason) = error else { throw .invalidCheckpoint(directory, reason: "\(name) is a directory") }
            throw .invalidCheckpoint(directory, reason: "cannot read \(name): \(reason)")
        }
        do { return try JSONValue.parse(file.bytes) } catch {
            throw .invalidCheckpoint(directory, reason: "\(name) is not valid JSON")
        }
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    // MARK: Names

    /// The GGUF name of the checkpoint tensor `name`, or nil for one the text model does not use.
    private static func ggufName(of name: String, _ type: HuggingFaceModelType, layers: Int, tied: Bool,
                                 in directory: String) throws(ModelError) -> String? {
        // Skipped: vision towers and projectors, multi-token prediction, cached RoPE tables.
        let skipped = ["visual.", "vision_tower.", "vision_model.", "multi_modal_projector.", "mtp."]
        if skipped.contains(where: { name.hasPrefix($0) || name.contains("." + $0) }) || name.hasSuffix("rotary_emb.inv_freq") {
            return nil
        }
        if name == "lm_head.weight" || name == "language_model.lm_head.weight" {
            return tied ? nil : "output.weight"
        }
        // The text model's tensors sit under `model.`, or under `model.language_model.` /
        // `language_model.model.` in multimodal checkpoints.
        var local = Substring(name)
        for prefix in ["model.language_model.", "language_model.model.", "model."] where local.hasPrefix(prefix) {
            local = local.dropFirst(prefix.count)
            break
        }
        switch local {
        case "embed_tokens.weight": return "token_embd.weight"
        case "norm.weight": return "output_norm.weight"
        default: break
        }
        let parts = local.split(separator: ".", maxSplits: 2)
        if parts.count == 3, parts[0] == "layers", let layer = Int(parts[1]), layer >= 0, layer < layers,
           let suffix = type.layerTensors[String(parts[2])] {
            return "blk.\(layer).\(suffix)"
        }
        throw .invalidCheckpoint(directory, reason: "tensor '\(name)' is not part of a \(type.architecture) text model "
                                 + "as Kinglet reads it; this checkpoint has a variant Kinglet does not run")
    }

    /// Sort key: what comes before the layers, the layers in order, then the output.
    private static func ggufOrder(_ name: String) -> (Int, Int, String) {
        if name.hasPrefix("blk.") {
            let layer = Int(name.split(separator: ".")[1]) ?? 0
            return (1, layer, name)
        }
        return (name.hasPrefix("output") ? 2 : 0, 0, name)
    }

    // MARK: Values

    /// The tensor as GGUF would hold it: dims reversed (size-1 dims dropped from `ssm_conv1d`'s
    /// `[Cc, 1, K]`, as the converter squeezes it), vectors made F32 with the converter's changes.
    private static func view(_ tensor: SafetensorsFile.Tensor, in file: SafetensorsFile, as name: String,
                             zeroCenteredNorm: Bool, owned: OwnedBuffers, directory: String) throws(ModelError) -> TensorView {
        guard let type = tensor.dtype.computeType, let format = WeightFormat(rawValue: type.rawValue) else {
            throw .unsupportedTensorType(tensor.name, type: tensor.dtype.rawValue)
        }
        var shape = tensor.shape
        if name.hasSuffix("ssm_conv1d.weight") { shape.removeAll { $0 == 1 } }
        guard (1...4).contains(shape.count), shape.allSatisfy({ $0 > 0 }) else {
            throw .invalidCheckpoint(directory, reason: "tensor '\(tensor.name)' has shape \(tensor.shape), which no GGUF tensor can hold")
        }
        let bytes = file.bytes(of: tensor)
        let transform: ((Float) -> Float)?
        if name.hasSuffix("ssm_a") {
            transform = { -expf($0) }            // A_log → −exp(A_log)
        } else if zeroCenteredNorm && name.hasSuffix("norm.weight") && !name.hasSuffix("ssm_norm.weight") {
            transform = { 1 + $0 }               // x/rms · (1 + w), as the converter stores it
        } else {
            transform = nil
        }
        let aligned = Int(bitPattern: bytes.baseAddress) % MemoryLayout<Float>.alignment == 0
        guard shape.count == 1, transform != nil || type != .f32 || !aligned else {
            return TensorView(name: name, dimensions: shape.reversed(), type: type, bytes: bytes)
        }
        // Vectors become owned F32: widened once, transformed, and aligned for the kernels.
        let count = shape[0]
        let floats = owned.allocate(count)
        Dequantize.row(format, bytes.baseAddress!, floats, count: count)
        if let transform { for i in 0..<count { floats[i] = transform(floats[i]) } }
        return TensorView(name: name, dimensions: [count], type: .f32, bytes: UnsafeRawBufferPointer(start: floats, count: count * 4))
    }
}
