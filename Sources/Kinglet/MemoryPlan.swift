import Models

/// What running a model takes in memory.
public struct MemoryPlan: Sendable {
    /// The model file, memory-mapped (pages are shared and loaded on use).
    public let weightBytes: Int
    /// Keys and values for the context.
    public let cacheBytes: Int
    /// Activations and other buffers of the forward pass.
    public let scratchBytes: Int

    public var totalBytes: Int { weightBytes + cacheBytes + scratchBytes }
}

extension LanguageModel {
    /// The memory one sequence of `contextLength` positions needs.
    public func memoryPlan(contextLength: Int? = nil) -> MemoryPlan {
        let context = contextLength ?? self.contextLength
        let s = shape
        let perPosition = KVCache.bytesPerPosition(layers: s.layerCount, kvDimension: s.kvDimension)
        let batch = options.maxBatch
        let activations = batch * (3 * s.embeddingLength + 2 * s.headCount * s.headDimension
                                   + 2 * s.kvDimension + 2 * s.feedForwardLength) * 4
        let scores = context * options.threads * 4
        let logits = ModelContext.logitRows(for: self) * s.vocabularySize * 4
        return MemoryPlan(weightBytes: file.fileSize, cacheBytes: perPosition * context,
                          scratchBytes: activations + scores + logits)
    }
}
