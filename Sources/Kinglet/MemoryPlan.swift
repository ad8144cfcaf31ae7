import GGUF
import Foundation
import Models

/// What running a model takes in memory.
public struct MemoryPlan: Sendable, CustomStringConvertible {
    /// The model file, memory-mapped (pages are shared and loaded on use).
    public let weightBytes: Int
    /// Keys and values for the context.
    public let cacheBytes: Int
    /// Activations and other buffers of the forward pass.
    public let scratchBytes: Int

    public var totalBytes: Int { weightBytes + cacheBytes + scratchBytes }

    /// "1.2 GiB (weights 469 MiB mapped + KV cache 48 MiB + scratch 90 MiB)"
    public var description: String {
        "\(Self.format(totalBytes)) (weights \(Self.format(weightBytes)) mapped + KV cache \(Self.format(cacheBytes)) + scratch \(Self.format(scratchBytes)))"
    }

    /// Bytes in binary units, one decimal.
    public static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}

extension LanguageModel {
    /// The memory one sequence of `contextLength` positions needs.
    public func memoryPlan(contextLength: Int? = nil) -> MemoryPlan {
        let context = contextLength ?? self.contextLength
        let s = shape
        let batch = options.maxBatch
        let activations = batch * (3 * s.embeddingLength + 2 * s.headCount * s.headDimension
                                   + 2 * s.kvDimension + 2 * s.feedForwardLength) * 4
        let scores = context * options.threads * 4
        let logits = ModelContext.logitRows(for: self) * s.vocabularySize * 4
        return MemoryPlan(weightBytes: (source as? GGUFFile)?.fileSize ?? source.weightBytes,
                          cacheBytes: cacheBytesPerSequence + cacheBytesPerPosition * context,
                          scratchBytes: activations + scores + logits)
    }
}
