import Kernels

/// The two ends of a decoder: the token embedding that starts each entry's residual stream, and
/// the final RMSNorm and vocabulary matrix that turn it into logits (the embedding itself when the
/// file has no `output.weight`: tied embeddings).
struct EmbeddingsAndOutput {
    let tokenEmbedding: WeightMatrix          // [vocab, nEmbd]
    let outputNorm: UnsafePointer<Float>      // [nEmbd]
    let output: WeightMatrix                  // [vocab, nEmbd]; the embedding when tied

    init(_ loader: WeightLoader, shape s: ModelShape) throws(ModelError) {
        let output = try loader.optionalMatrix("output.weight", rows: s.vocabularySize, columns: s.embeddingLength)
        // Only a tied embedding is multiplied by; otherwise it is read a row per token.
        tokenEmbedding = try loader.matrix("token_embd.weight", rows: s.vocabularySize, columns: s.embeddingLength,
                                           products: output == nil)
        outputNorm = try loader.vector("output_norm.weight", count: s.embeddingLength)
        self.output = output ?? tokenEmbedding
    }

    /// What a decode step reads here: the output matrix, and one embedding row unless that is the
    /// same matrix (counted once).
    var decodeBytes: Int {
        output.byteCount + (output.base == tokenEmbedding.base ? 0 : tokenEmbedding.rowBytes)
    }

    /// Each entry's token embedding, as rows of `residual` (`[batch.count, nEmbd]`).
    func embed(_ batch: Batch, into residual: UnsafeMutablePointer<Float>) {
        for (i, token) in batch.tokens.enumerated() {
            tokenEmbedding.dequantizeRow(Int(token), into: residual + i * tokenEmbedding.columns)
        }
    }

    /// The logits of the entries in `batch.outputs` (`[outputs, vocab]`): only those rows go
    /// through the output norm (into `normed`) and the vocabulary matrix.
    func logits(_ batch: Batch, residual: UnsafePointer<Float>, normed: UnsafeMutablePointer<Float>, epsilon: Float,
                into logits: UnsafeMutablePointer<Float>, scratch: ActivationScratch, pool: WorkerPool) {
        let width = output.columns
        for (row, entry) in batch.outputs.enumerated() {
            Ops.rmsNorm(residual + entry * width, weight: outputNorm, normed + row * width, count: width, epsilon: epsilon)
        }
        guard !batch.outputs.isEmpty else { return }
        Ops.matMul(output, normed, logits, tokens: batch.outputs.count, scratch: scratch, pool: pool)
    }
}
