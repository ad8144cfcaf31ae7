/// A checkpoint's `config.json`, read as llama.cpp's converter reads it: a multimodal
/// config's `text_config` laid over the top level, so the text model's settings win
/// (`{**hparams, **hparams["text_config"]}` in `conversion/base.py`).
///
/// Every accessor names the key in its error, and a JSON `null` counts as absent (transformers
/// writes `"sliding_window": null` for "none").
struct HuggingFaceConfig {
    /// The top-level `model_type` (`"gemma3"` for a multimodal Gemma 3, `"llama"`, …).
    let modelType: String
    private let values: [String: JSONValue]

    init(_ json: JSONValue) throws(ModelError) {
        guard var values = json.object else {
            throw .invalidHyperparameter("config.json", "must be a JSON object, not \(json.kind)")
        }
        guard let modelType = values["model_type"]?.string else {
            throw .invalidHyperparameter("model_type", "config.json has no model_type string")
        }
        if let text = values["text_config"], text != .null {
            guard let textValues = text.object else {
                throw .invalidHyperparameter("text_config", "must be an object, not \(text.kind)")
            }
            values.merge(textValues) { _, text in text }
        }
        self.modelType = modelType
        self.values = values
    }

    /// The value under `key`; nil when absent or null.
    subscript(key: String) -> JSONValue? {
        guard let value = values[key], value != .null else { return nil }
        return value
    }

    /// A count or size under `key`: a non-negative integer that fits a GGUF `uint32`.
    func count(_ key: String) throws(ModelError) -> Int {
        guard let value = try optionalCount(key) else { throw missing(key) }
        return value
    }

    func optionalCount(_ key: String) throws(ModelError) -> Int? {
        guard let value = self[key] else { return nil }
        guard let integer = value.integer, integer >= 0, integer <= Int(UInt32.max) else {
            throw .invalidHyperparameter(key, "config.json has \(value.kind) there, not a count")
        }
        return integer
    }

    /// An array of counts under `key` (SmolLM3's `no_rope_layers`).
    func optionalCounts(_ key: String) throws(ModelError) -> [Int]? {
        guard let value = self[key] else { return nil }
        guard let array = value.array else {
            throw .invalidHyperparameter(key, "config.json has \(value.kind) there, not an array of counts")
        }
        var counts: [Int] = []
        for element in array {
            guard let integer = element.integer, integer >= 0 else {
                throw .invalidHyperparameter(key, "config.json has \(element.kind) in the array, not a count")
            }
            counts.append(integer)
        }
        return counts
    }

    /// A number under `key` (integers widened).
    func number(_ key: String) throws(ModelError) -> Double {
        guard let value = try optionalNumber(key) else { throw missing(key) }
        return value
    }

    func optionalNumber(_ key: String) throws(ModelError) -> Double? {
        guard let value = self[key] else { return nil }
        guard let number = value.number else {
            throw .invalidHyperparameter(key, "config.json has \(value.kind) there, not a number")
        }
        return number
    }

    func optionalBool(_ key: String) throws(ModelError) -> Bool? {
        guard let value = self[key] else { return nil }
        guard let bool = value.bool else { throw .invalidHyperparameter(key, "config.json has \(value.kind) there, not a bool") }
        return bool
    }

    func optionalStrings(_ key: String) throws(ModelError) -> [String]? {
        guard let value = self[key] else { return nil }
        guard let array = value.array else {
            throw .invalidHyperparameter(key, "config.json has \(value.kind) there, not an array of strings")
        }
        var strings: [String] = []
        for element in array {
            guard let string = element.string else {
                throw .invalidHyperparameter(key, "config.json has \(element.kind) in the array, not a string")
            }
            strings.append(string)
        }
        return strings
    }

    /// The RoPE settings: `rope_parameters` (transformers 5), else the older `rope_scaling`
    /// plus a top-level `rope_theta`. For per-layer-type settings (Gemma 3), `layerType` picks
    /// `"full_attention"` or `"sliding_attention"`.
    func rope(_ layerType: String? = nil) throws(ModelError) -> RopeParameters {
        var key = self["rope_parameters"] == nil ? "rope_scaling" : "rope_parameters"
        var parameters: [String: JSONValue] = [:]
        if let value = self[key] {
            guard let object = value.object else { throw .invalidHyperparameter(key, "must be an object, not \(value.kind)") }
            parameters = object
        }
        if let layerType, let nested = parameters[layerType] {
            key += "." + layerType
            guard let object = nested.object else { throw .invalidHyperparameter(key, "must be an object, not \(nested.kind)") }
            parameters = object
        }
        return RopeParameters(key: key, values: parameters.filter { $0.value != .null }, config: self)
    }

    private func missing(_ key: String) -> ModelError {
        .invalidHyperparameter(key, "config.json has no '\(key)'")
    }
}

/// One set of RoPE settings from `config.json`.
struct RopeParameters {
    /// Where they came from (`rope_parameters`, `rope_parameters.full_attention`, …), for errors.
    let key: String
    let values: [String: JSONValue]
    let config: HuggingFaceConfig

    /// `rope_type` (or the older `type`); `"default"` when absent.
    var type: String {
        values["rope_type"]?.string ?? values["type"]?.string ?? "default"
    }

    /// `rope_theta` here, else at the top level, else `fallback` (the config class's default).
    func theta(default fallback: Double) throws(ModelError) -> Double {
        try inheritedNumber("rope_theta") ?? fallback
    }

    /// The number `name` here, else at the top level of the config (where older configs keep it).
    func inheritedNumber(_ name: String) throws(ModelError) -> Double? {
        if let number = try number(name) { return number }
        return try config.optionalNumber(name)
    }

    func number(_ name: String) throws(ModelError) -> Double? {
        guard let value = values[name] else { return nil }
        guard let number = value.number else { throw .invalidHyperparameter("\(key).\(name)", "must be a number, not \(value.kind)") }
        return number
    }

    /// Throws unless `type` is one of `supported`, naming what Kinglet would compute wrong.
    func require(_ supported: Set<String>) throws(ModelError) {
        guard supported.contains(type) else {
            throw .invalidHyperparameter("\(key).rope_type", "RoPE scaling '\(type)' is not supported for this "
                                         + "architecture (supported: \(supported.sorted().joined(separator: ", ")))")
        }
    }
}
