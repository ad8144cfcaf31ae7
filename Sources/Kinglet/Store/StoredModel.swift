import Foundation

/// One model file in the store, as `kinglet list` shows it; read from the GGUF header only.
public struct StoredModel: Sendable {
    /// The store name for a catalog model, otherwise the file name.
    public let name: String
    public let path: String
    public let size: Int64
    public let modified: Date
    /// "Q4_K_M" (see `Quantization.name(of:)`); nil when the header cannot be read.
    public let quantization: String?
    /// The GGUF `general.architecture` ("qwen2"); nil when the header cannot be read.
    public let family: String?
}
