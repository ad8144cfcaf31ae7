import GGUF
import Kernels

/// The hyperparameters every decoder-only model has, for sizing caches and reporting.
public struct ModelShape: Sendable, Equatable {
    public var vocabularySize: Int
    public var embeddingLength: Int
    public var layerCount: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDimension: Int
    public var feedForwardLength: Int
    /// The context length the model was trained for.
    public var trainedContextLength: Int

    /// Floats per cached key (or value) row.
    public var kvDimension: Int { kvHeadCount * headDimension }
}

/// How a model is set up to run.
public struct LoadOptions: Sendable {
    /// Threads for the forward pass, the caller included.
    public var threads: Int
    /// Most tokens one forward pass takes; longer prompts are fed in chunks of this size.
    public var maxBatch: Int
    /// What the key/value cache stores: Float16 as llama.cpp by default, or Float for exact attention.
    public var cacheElement: KVCache.Element

    public init(threads: Int = 2, maxBatch: Int = 512, cacheElement: KVCache.Element = .float16) {
        self.threads = threads
        self.maxBatch = maxBatch
        self.cacheElement = cacheElement
    }
}

/// A loaded model: read-only weights plus the scratch space its forward pass reuses.
///
/// Not safe to call from several threads at once; `Kinglet.LanguageModel` serializes calls.
public protocol Architecture: AnyObject {
    /// The GGUF `general.architecture` this was loaded as.
    var name: String { get }
    var shape: ModelShape { get }

    /// A cache for `sequences` sequences of up to `capacity` positions each.
    func makeCache(sequences: Int, capacity: Int) -> KVCache

    /// Bytes one single-token forward pass reads from memory when the token attends to
    /// `contextLength` cached positions (itself included): every weight matrix once, one row
    /// of the token embedding (none more when the output matrix is the embedding), and the
    /// keys and values each layer looks at. The floor of a decode step is this over the
    /// machine's memory bandwidth.
    func decodeBytes(contextLength: Int) -> Int

    /// Runs `batch` and writes the logits of the entries in `batch.outputs` to
    /// `logits` (`[batch.outputs.count, vocabularySize]`).
    func forward(_ batch: Batch, cache: KVCache, logits: UnsafeMutablePointer<Float>) throws(ModelError)
}

/// A model family that can be loaded from a weight source, registered in `ArchitectureRegistry`.
public protocol ArchitectureFamily: Sendable {
    /// GGUF `general.architecture` values this family loads.
    static var ggufNames: [String] { get }
    static func load(_ source: any WeightSource, options: LoadOptions) throws(ModelError) -> any Architecture
}
