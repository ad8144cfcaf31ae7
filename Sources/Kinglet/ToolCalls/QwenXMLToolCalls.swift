import Foundation
import Grammar
import Templates

/// The XML-style calls of Qwen3-Coder and Qwen3.5, one tag per argument with the value as raw text:
///
///     <tool_call>
///     <function=get_weather>
///     <parameter=city>
///     Paris
///     </parameter>
///     </function>
///     </tool_call>
///
/// Values are untyped in the text, so they are read by the declared type of their parameter (as vLLM's
/// qwen3_coder parser does): strings stay text, other types are parsed as JSON (Python's `True`/`None`
/// accepted, as the templates write them), and a value that does not parse stays text.
public struct QwenXMLToolCalls: ToolCallFormat {
    public let openingTag = "<tool_call>"
    public let closingTag = "</tool_call>"
    public let separator = "\n"

    public init() {}

    public func parseCall(_ body: Substring, tools: [ToolFunction]) -> ToolCall? {
        var rest = body.drop { $0.isWhitespace }
        guard rest.hasPrefix("<function="), let nameEnd = rest.firstIndex(of: ">") else { return nil }
        let name = String(rest[rest.index(rest.startIndex, offsetBy: 10)..<nameEnd])
        guard !name.isEmpty, !name.contains(where: \.isNewline) else { return nil }
        let tool = tools.first { $0.name == name }
        rest = rest[rest.index(after: nameEnd)...]
        var arguments = OrderedObject<TemplateValue>()
        while true {
            rest = rest.drop { $0.isWhitespace }
            if rest.hasPrefix("</function>") {
                return rest.dropFirst(11).allSatisfy(\.isWhitespace)
                    ? ToolCall(name: name, arguments: TemplateValue.object(arguments).jsonString()) : nil
            }
            guard rest.hasPrefix("<parameter="), let argumentEnd = rest.firstIndex(of: ">") else { return nil }
            let argument = String(rest[rest.index(rest.startIndex, offsetBy: 11)..<argumentEnd])
            guard !argument.isEmpty, !argument.contains(where: \.isNewline) else { return nil }
            rest = rest[rest.index(after: argumentEnd)...]
            // The value ends at its closing tag; like vLLM, also at the next tag when the model forgot it.
            let ends = ["</parameter>", "\n<parameter=", "\n</function>"].compactMap { rest.range(of: $0)?.lowerBound }
            guard let valueEnd = ends.min() else { return nil }
            var value = rest[..<valueEnd]
            if value.hasPrefix("\n") { value = value.dropFirst() }
            if value.hasSuffix("\n") { value = value.dropLast() }
            arguments[argument] = Self.value(String(value), schema: tool?.parameter(argument))
            rest = rest[valueEnd...]
            if rest.hasPrefix("</parameter>") { rest = rest.dropFirst(12) }
        }
    }

    /// `text` read as the type `schema` declares.
    static func value(_ text: String, schema: TemplateValue?) -> TemplateValue {
        guard let type = schema.flatMap(Self.type), type != "string" else { return .string(text) }
        switch text.trimmingCharacters(in: .whitespacesAndNewlines) {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .none
        case let trimmed:
            if let value = try? TemplateValue.parseJSON(trimmed), value.isFiniteJSON { return value }
            return .string(text)
        }
    }

    /// The declared type of a parameter (the first of a list), if any.
    private static func type(_ schema: TemplateValue) -> String? {
        guard case .object(let object) = schema else { return nil }
        switch object["type"] {
        case .string(let type)?: return type
        case .array(let types)?: if case .string(let type)? = types.first { return type }
        default: break
        }
        return nil
    }

    /// `\n<function=NAME>\n`, then each declared parameter in order (optional ones may be left out) as
    /// `<parameter=ARG>\nVALUE\n</parameter>\n`, then `</function>\n`: the text the templates render.
    /// A string value is raw text without `</` (or one of its `enum`), a boolean `true` or `True` (and the
    /// same for false), any other value JSON valid for its schema.
    public func callGrammar(for tool: ToolFunction, rule: String) throws(GrammarError) -> (gbnf: String, schemaRules: [(name: String, schema: TemplateValue)]) {
        var lines: [String] = [], schemaRules: [(name: String, schema: TemplateValue)] = [], sequence: [String] = []
        guard case .object(let parameters) = tool.parameters else {
            throw .invalidSchema(message: "the parameters of a function must be an object schema", path: "#")
        }
        var required: Set<String> = []
        if case .array(let names)? = parameters["required"] { for case .string(let name) in names { required.insert(name) } }
        var properties: [(key: String, value: TemplateValue)] = []
        if case .object(let map)? = parameters["properties"] { properties = map.entries }
        for (index, property) in properties.enumerated() {
            let parameterRule = "\(rule)_\(index)", valueRule = "\(rule)_\(index)_value"
            lines.append("\(parameterRule) ::= \(Grammar.literal("<parameter=\(property.key)>\n")) \(valueRule) \(Grammar.literal("\n</parameter>\n"))")
            let path = "#/properties/\(property.key)"
            if case .object(let schema) = property.value, Self.type(property.value) == "string" {
                lines.append(try Self.rawString(schema, rule: valueRule, path: path))
            } else if case .object(let schema) = property.value, schema["type"] == "boolean", schema["enum"] == nil, schema["const"] == nil {
                // The templates write values with Python's `str`, so a boolean is `True`; JSON's `true` is read too.
                lines.append(#"\#(valueRule) ::= "true" | "false" | "True" | "False""#)
            } else if case .object(var schema) = property.value {
                // `$ref`s inside a parameter point into the definitions of the whole parameters schema.
                for key in ["$defs", "definitions"] where schema[key] == nil { schema[key] = parameters[key] }
                schemaRules.append((valueRule, .object(schema)))
            } else {
                throw .invalidSchema(message: "a parameter's schema must be an object", path: path)
            }
            sequence.append(required.contains(property.key) ? parameterRule : "\(parameterRule)?")
        }
        let open = Grammar.literal("\n<function=\(tool.name)>\n"), close = Grammar.literal("</function>\n")
        lines.insert("\(rule) ::= \(open) \(sequence.joined(separator: " ")) \(close)", at: 0)
        return (lines.joined(separator: "\n"), schemaRules)
    }

    /// GBNF for a string parameter written raw: one of its `enum` (or its `const`), else free text.
    /// - Throws: `.unsupportedSchema` for the string keywords raw text cannot be held to (`maxLength`, `format`, …).
    private static func rawString(_ schema: OrderedObject<TemplateValue>, rule: String, path: String) throws(GrammarError) -> String {
        for key in schema.keys where !["type", "description", "title", "default", "examples", "enum", "const"].contains(key) {
            throw .unsupportedSchema(keyword: key, path: path)
        }
        var values: [TemplateValue] = []
        if let value = schema["const"] { values = [value] } else if case .array(let list)? = schema["enum"] { values = list }
        guard !values.isEmpty else { return gbnfText(rule: rule) }
        var literals: [String] = []
        for value in values {
            guard case .string(let text) = value else { throw .invalidSchema(message: "a string's enum holds a non-string", path: path) }
            literals.append(Grammar.literal(text))
        }
        return "\(rule) ::= \(literals.joined(separator: " | "))"
    }
}
