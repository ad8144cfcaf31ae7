import Templates

/// A function the model may call: OpenAI's `tools[].function`, reduced to what shapes the output.
public struct ToolFunction: Sendable {
    public var name: String
    /// The JSON Schema of the arguments object; `{}` (the default) allows any object.
    public var parameters: TemplateValue

    public init(name: String, parameters: TemplateValue = .object(OrderedObject())) {
        self.name = name
        self.parameters = parameters
    }

    /// The schema of one argument, when `parameters` declares it.
    func parameter(_ argument: String) -> TemplateValue? {
        guard case .object(let schema) = parameters, case .object(let properties)? = schema["properties"] else { return nil }
        return properties[argument]
    }
}

/// A call the model wrote: the function's name and its arguments as the text of a JSON object.
public struct ToolCall: Sendable, Equatable {
    public var name: String
    /// A JSON object, written as Python's `json.dumps` does (`{"city": "Paris"}`), keys in the model's order.
    public var arguments: String

    public init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }
}
