// Grammar-constrained decoding: GBNF grammars and JSON Schema compiled to a token-level constraint.

import Templates

/// A compiled grammar: rules of byte-level elements, ready to drive `GrammarMatcher`s.
///
/// Compile once per request (or keep one for a fixed format such as `Grammar.json`): matchers of the
/// same grammar share its lazily built automaton, so masks get cheaper as states repeat.
///
/// ```swift
/// let grammar = try Grammar(gbnf: #"root ::= "yes" | "no""#)
/// var matcher = GrammarMatcher(grammar: grammar, vocabulary: vocabulary)
/// matcher.mask(logits)            // then sample, then:
/// try matcher.accept(token)
/// ```
public struct Grammar: Sendable {
    let automaton: Automaton

    /// Compiles llama.cpp GBNF (grammars/README.md): `name ::= alternatives`, "literals", [classes], `.`,
    /// groups, `*` `+` `?` `{m}` `{m,}` `{m,n}` and `#` comments. Classes and `.` match Unicode code points.
    /// - Throws: `GrammarError.syntax` (with line:column), `.undefinedRule`, `.missingRoot`, `.leftRecursion`.
    public init(gbnf: String, root: String = "root") throws(GrammarError) {
        var parser = GBNFParser(gbnf)
        let (rules, rootID) = try parser.parse(root: root)
        automaton = Automaton(Program(rules, root: rootID))
    }

    /// JSON mode (OpenAI `response_format: json_object`): one JSON object, whitespace bounded as in
    /// llama.cpp's json-schema-to-grammar so small models cannot loop on spaces, and nothing after it.
    public static var json: Grammar { jsonGrammar }

    /// Compiles a JSON Schema (a `TemplateValue` keeping property order, which becomes generation order).
    /// - Throws: `GrammarError.unsupportedSchema` for keywords that constrain values but cannot be
    ///   enforced (`pattern`, `multipleOf`, ...), `.invalidSchema` for malformed schemas.
    public init(jsonSchema: TemplateValue) throws(GrammarError) {
        try self.init(gbnf: try JSONSchemaConverter.gbnf(for: jsonSchema))
    }

    /// Parses JSON Schema text (keeping property order) and compiles it as `init(jsonSchema:)` does.
    public init(jsonSchemaText: String) throws(GrammarError) {
        let schema: TemplateValue
        do {
            schema = try TemplateValue.parseJSON(jsonSchemaText)
        } catch {
            throw .invalidJSON("\(error)")
        }
        try self.init(jsonSchema: schema)
    }

    /// Compiles GBNF that uses rules defined by JSON Schemas: each `(name, schema)` of `schemaRules`
    /// becomes a rule `name` generating the JSON texts valid for `schema` (its `$ref`s resolve within
    /// it), and the JSON primitives (`ws`, `json-string`, …) are defined too.
    ///
    /// The schemas' helper rules get fresh names made of letters, digits and `-`; name the rules of
    /// `gbnf` with an `_` (`tool_call`) so the two can never clash.
    /// - Throws: what `init(gbnf:root:)` and `init(jsonSchema:)` throw.
    public init(gbnf: String, schemaRules: [(name: String, schema: TemplateValue)], root: String = "root") throws(GrammarError) {
        try self.init(gbnf: gbnf + "\n" + JSONSchemaConverter.gbnf(rules: schemaRules), root: root)
    }

    /// `text` as a GBNF string literal, quotes included.
    public static func literal(_ text: String) -> String {
        JSONSchemaConverter.literal(text)
    }

    /// The GBNF a JSON Schema compiles to, for inspecting what the model will be held to.
    public static func gbnf(jsonSchema: TemplateValue) throws(GrammarError) -> String {
        try JSONSchemaConverter.gbnf(for: jsonSchema)
    }
}

private let jsonGrammar: Grammar = {
    do {
        return try Grammar(gbnf: JSONGrammar.mode)
    } catch {
        fatalError("built-in JSON grammar does not compile: \(error)")   // a programmer mistake, caught by tests
    }
}()

/// GBNF building blocks for JSON, shared by JSON mode and JSON Schema (after llama.cpp's
/// json-schema-to-grammar PRIMITIVE_RULES, with `ws` bounded the same way).
enum JSONGrammar {
    /// Rule name -> body, for every primitive a schema can use.
    static let primitives: [(name: String, body: String)] = [
        ("ws", #"| " " | "\n" [ \t]{0,20}"#),
        ("json-char", #"[^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" json-hex-char)"#),
        // \u escapes of surrogates are excluded, so every json-char is exactly one code point (minLength).
        ("json-hex-char", #"[0-9a-cA-Ce-fE-F] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2}"#),
        ("json-string", #""\"" json-char* "\"""#),
        ("json-integral", #""0" | [1-9] [0-9]{0,15}"#),
        ("json-integer", #""-"? json-integral"#),
        ("json-number", #""-"? json-integral ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,16})?"#),
        ("json-boolean", #""true" | "false""#),
        ("json-null", #""null""#),
        ("json-value", "json-object | json-array | json-string | json-number | json-boolean | json-null"),
        ("json-object", #""{" ws ( json-string ws ":" ws json-value ws ( "," ws json-string ws ":" ws json-value ws )* )? "}""#),
        ("json-array", #""[" ws ( json-value ws ( "," ws json-value ws )* )? "]""#),
    ]

    static var primitiveRules: String { primitives.map { "\($0.name) ::= \($0.body)" }.joined(separator: "\n") }

    static let mode = "root ::= json-object\n" + primitiveRules
}
