import GGUF

/// Quantization names as llama.cpp and Ollama print them ("Q4_K_M").
public enum Quantization {
    /// The name of a GGUF `general.file_type` (llama.cpp's `llama_ftype`, mirrored by
    /// gguf-py's `LlamaFileType`), or nil for an id that names no type.
    public static func name(fileType: Int) -> String? {
        switch fileType {
        case 0: "F32"
        case 1: "F16"
        case 2: "Q4_0"
        case 3: "Q4_1"
        case 7: "Q8_0"
        case 8: "Q5_0"
        case 9: "Q5_1"
        case 10: "Q2_K"
        case 11: "Q3_K_S"
        case 12: "Q3_K_M"
        case 13: "Q3_K_L"
        case 14: "Q4_K_S"
        case 15: "Q4_K_M"
        case 16: "Q5_K_S"
        case 17: "Q5_K_M"
        case 18: "Q6_K"
        case 19: "IQ2_XXS"
        case 20: "IQ2_XS"
        case 21: "Q2_K_S"
        case 22: "IQ3_XS"
        case 23: "IQ3_XXS"
        case 24: "IQ1_S"
        case 25: "IQ4_NL"
        case 26: "IQ3_S"
        case 27: "IQ3_M"
        case 28: "IQ2_S"
        case 29: "IQ2_M"
        case 30: "IQ4_XS"
        case 31: "IQ1_M"
        case 32: "BF16"
        case 36: "TQ1_0"
        case 37: "TQ2_0"
        case 38: "MXFP4_MOE"
        case 39: "NVFP4"
        case 40: "Q1_0"
        default: nil
        }
    }

    /// The file's quantization: the name of its `general.file_type`, or else the tensor
    /// type holding the most weights (files written without `file_type` exist).
    public static func name(of file: GGUFFile) -> String {
        if let fileType = (try? file.metadata.optionalInteger("general.file_type")) ?? nil,
           let name = name(fileType: fileType) {
            return name
        }
        var elements: [GGMLType: Int] = [:]
        for tensor in file.tensors { elements[tensor.type, default: 0] += tensor.elementCount }
        return elements.max { ($0.value, $1.key.name) < ($1.value, $0.key.name) }?.key.name ?? "unknown"
    }
}
