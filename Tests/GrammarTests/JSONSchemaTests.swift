import Testing
import Templates
@testable import Grammar
import TestSupport

@Suite struct JSONSchemaTests {
    /// One schema per supported feature; all keywords appear at least once.
    static let schemas: [String] = [
        ##"{"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name", "age"]}"##,
        ##"{"type": "object", "properties": {"a": {"type": "boolean"}, "b": {"type": "null"}, "c": {"type": "number"}, "d": {"type": "string"}}, "required": ["c"]}"##,
        ##"{"type": "object", "properties": {"user": {"type": "object", "properties": {"id": {"type": "integer", "minimum": 1}, "email": {"type": "string", "format": "email"}, "address": {"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": "string", "minLength": 5, "maxLength": 5}}, "required": ["city"], "additionalProperties": false}}, "required": ["id", "address"]}}, "required": ["user"]}"##,
        ##"{"type": "array", "items": {"type": "integer", "minimum": -3, "maximum": 3}, "minItems": 2, "maxItems": 4}"##,
        ##"{"type": "object", "properties": {"color": {"enum": ["red", "green", "blue", null, 42]}, "kind": {"const": "fixed"}}, "required": ["color", "kind"]}"##,
        ##"{"anyOf": [{"type": "string", "maxLength": 3}, {"type": "integer", "exclusiveMinimum": 10, "exclusiveMaximum": 20}, {"type": "array", "items": {"type": "boolean"}, "maxItems": 2}]}"##,
        ##"{"oneOf": [{"type": "object", "properties": {"kind": {"const": "circle"}, "r": {"type": "number"}}, "required": ["kind", "r"], "additionalProperties": false}, {"type": "object", "properties": {"kind": {"const": "square"}, "side": {"type": "integer", "minimum": 0}}, "required": ["kind", "side"], "additionalProperties": false}]}"##,
        ##"{"$defs": {"node": {"type": "object", "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}}, "required": ["value"], "additionalProperties": false}}, "$ref": "#/$defs/node"}"##,
        ##"{"definitions": {"name": {"type": "string", "minLength": 1, "maxLength": 8}}, "type": "object", "properties": {"first": {"$ref": "#/definitions/name"}, "last": {"$ref": "#/definitions/name"}}, "required": ["last"]}"##,
        ##"{"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}, "c": {"type": "integer"}, "d": {"type": "integer"}}, "required": ["c"], "additionalProperties": false}"##,
        ##"{"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"], "additionalProperties": {"type": "string", "maxLength": 4}}"##,
        ##"{"type": "object", "properties": {"year": {"type": "integer", "minimum": 1900, "maximum": 2100}, "neg": {"type": "integer", "minimum": -1234, "maximum": -17}, "big": {"type": "integer", "minimum": 99990}, "small": {"type": "integer", "maximum": -5}}, "required": ["year", "neg", "big", "small"]}"##,
        ##"{"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}], "items": {"type": "null"}, "maxItems": 5}"##,
        ##"{"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}, {"properties": {"b": {"type": "integer", "minimum": 0, "maximum": 9}}, "required": ["b"]}]}"##,
        ##"{"type": ["string", "null", "integer"], "minLength": 2, "maxLength": 6, "minimum": 5, "maximum": 500}"##,
        ##"{"type": "object", "properties": {"when": {"type": "string", "format": "date-time"}, "day": {"type": "string", "format": "date"}, "id": {"type": "string", "format": "uuid"}, "t": {"type": "string", "format": "time"}}, "required": ["when", "day", "id", "t"], "title": "T", "description": "d", "$schema": "https://json-schema.org/draft/2020-12/schema", "examples": [], "default": {}}"##,
        ##"{}"##,
        ##"{"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}, "minItems": 1}, "meta": {"type": "object", "additionalProperties": true}, "any": true}, "required": ["tags", "meta", "any"]}"##,
        ##"{"type": "object", "properties": {"name": {"type": "string"}}, "additionalProperties": {"type": "integer"}}"##,
    ]

    /// Random sentences of every schema's grammar validate against the schema in Python `jsonschema`.
    @Test func randomSentencesValidate() throws {
        var cases: [(schema: TemplateValue, instances: [String])] = []
        var rng = SplitMix64(seed: 2024)
        for text in Self.schemas {
            let grammar = try Grammar(jsonSchemaText: text)
            var instances: [String] = []
            for _ in 0..<30 {
                let bytes = try #require(randomSentence(grammar, rng: &rng, softLimit: 80), "dead end in \(text)")
                instances.append(try #require(String(validating: bytes, as: UTF8.self)))
            }
            cases.append((try TemplateValue.parseJSON(text), instances))
        }
        let failures = try JSONSchemaReference.invalidInstances(cases.map { ($0.schema.jsonString(), $0.instances) })
        #expect(failures.isEmpty, "\(failures.count) invalid:\n\(failures.prefix(10).joined(separator: "\n"))")
        #expect(cases.count >= 15 && cases.allSatisfy { $0.instances.count >= 30 })
    }

    @Test func handWrittenInstances() throws {
        let person = try Grammar(jsonSchemaText: Self.schemas[0])
        #expect(matches(person, ##"{"name": "Ada", "age": 36}"##))
        #expect(matches(person, "{\n  \"name\":\"Ada\",\n  \"age\": -1\n}"))
        #expect(!matches(person, ##"{"name": "Ada"}"##))                           // missing required
        #expect(!matches(person, ##"{"age": 36, "name": "Ada"}"##))                // schema order is generation order
        #expect(!matches(person, ##"{"name": "Ada", "age": 36, "x": 1}"##))        // no extra properties
        #expect(!matches(person, ##"{"name": "Ada", "age": 3.5}"##))

        let colors = try Grammar(jsonSchemaText: Self.schemas[4])
        #expect(matches(colors, ##"{"color": null, "kind": "fixed"}"##))
        #expect(!matches(colors, ##"{"color": "pink", "kind": "fixed"}"##))       // wrong enum
        #expect(!matches(colors, ##"{"color": "red", "kind": "other"}"##))        // wrong const

        let optional = try Grammar(jsonSchemaText: Self.schemas[9])
        for text in [##"{"c": 1}"##, ##"{"a": 1, "c": 2}"##, ##"{"a": 1, "b": 2, "c": 3, "d": 4}"##, ##"{"c": 3, "d": 4}"##] {
            #expect(matches(optional, text), "\(text)")
        }
        for text in ["{}", ##"{"a": 1}"##, ##"{"d": 1, "c": 2}"##, ##"{"c": 1,}"##, ##"{, "c": 1}"##, ##"{"c": 1, "e": 2}"##] {
            #expect(!matches(optional, text), "\(text)")
        }

        let extra = try Grammar(jsonSchemaText: Self.schemas[10])
        #expect(matches(extra, ##"{"id": 1, "ab": "xy", "idx": ""}"##))
        #expect(!matches(extra, ##"{"id": 1, "id": "x"}"##))                       // a declared key is not "additional"
        #expect(!matches(extra, ##"{"id": 1, "ab": "toolong"}"##))

        let years = try Grammar(jsonSchemaText: Self.schemas[11])
        #expect(matches(years, ##"{"year": 1999, "neg": -17, "big": 100000, "small": -5}"##))
        #expect(!matches(years, ##"{"year": 2101, "neg": -17, "big": 100000, "small": -5}"##))
        #expect(!matches(years, ##"{"year": 1999, "neg": -16, "big": 100000, "small": -5}"##))
        #expect(!matches(years, ##"{"year": 1999, "neg": -17, "big": 99989, "small": -5}"##))
        #expect(!matches(years, ##"{"year": 1999, "neg": -17, "big": 100000, "small": -4}"##))
        #expect(!matches(years, ##"{"year": 01999, "neg": -17, "big": 100000, "small": -5}"##))

        let tree = try Grammar(jsonSchemaText: Self.schemas[7])
        #expect(matches(tree, ##"{"value": 1, "children": [{"value": 2}, {"value": 3, "children": []}]}"##))
        #expect(!matches(tree, ##"{"value": 1, "children": [{"value": 2}, {}]}"##))
    }

    /// Integer ranges compile to digit patterns that accept exactly the range (checked exhaustively).
    @Test(arguments: [(-120, 37), (0, 0), (7, 7), (-9, -1), (1, 1000), (95, 1234), (-1000, -999)])
    func integerRangesAreExact(low: Int, high: Int) throws {
        let grammar = try Grammar(gbnf: "root ::= " + IntegerRange.gbnf(low: low, high: high, path: "#"))
        for n in (low - 30)...(high + 30) { #expect(matches(grammar, String(n)) == (low...high).contains(n), "\(n)") }
        #expect(!matches(grammar, "-0") && !matches(grammar, "00"))
    }

    @Test(arguments: [
        (##"{"type": "string", "pattern": "^a+$"}"##, GrammarError.unsupportedSchema(keyword: "pattern", path: "#")),
        (##"{"type": "object", "properties": {"x": {"type": "number", "multipleOf": 2}}}"##, .unsupportedSchema(keyword: "multipleOf", path: "#/properties/x")),
        (##"{"type": "array", "uniqueItems": true}"##, .unsupportedSchema(keyword: "uniqueItems", path: "#")),
        (##"{"type": "number", "minimum": 0.5}"##, .unsupportedSchema(keyword: "minimum", path: "#")),
        (##"{"type": "object", "patternProperties": {"^x": {}}}"##, .unsupportedSchema(keyword: "patternProperties", path: "#")),
        (##"{"not": {"type": "string"}}"##, .unsupportedSchema(keyword: "not", path: "#")),
        (##"{"$ref": "https://example.com/schema.json"}"##, .unsupportedSchema(keyword: "$ref", path: "#")),
        (##"{"type": "array", "items": {"$ref": "#/$defs/missing"}}"##, .invalidSchema(message: "$ref #/$defs/missing points nowhere", path: "#/items")),
        (##"{"type": "integer", "minimum": 5, "maximum": 4}"##, .invalidSchema(message: "no integer lies between the minimum and the maximum", path: "#")),
        (##"{"type": "object", "properties": {"a": 1"##, .invalidJSON("invalid JSON at byte 40: unterminated object")),
    ])
    func unsupportedKeywordsAreErrors(schema: String, expected: GrammarError) {
        #expect(throws: expected) { try Grammar(jsonSchemaText: schema) }
    }

    @Test func unsupportedErrorDescription() {
        #expect(GrammarError.unsupportedSchema(keyword: "pattern", path: "#/properties/x").description
            == #"unsupported JSON Schema keyword "pattern" at #/properties/x: remove it or enforce it after generation"#)
    }
}
