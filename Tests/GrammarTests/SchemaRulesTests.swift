// Pins down GBNF composed with JSON Schema rules (`Grammar(gbnf:schemaRules:root:)`): each schema's
// `$ref`s resolve within that schema even when two use the same definition names.
import Testing
import Templates
@testable import Grammar

@Suite struct SchemaRulesTests {
    @Test func schemasWithTheSameDefinitionNamesStayApart() throws {
        let number = try TemplateValue.parseJSON(##"{"$defs": {"item": {"type": "integer"}}, "type": "array", "items": {"$ref": "#/$defs/item"}}"##)
        let word = try TemplateValue.parseJSON(##"{"$defs": {"item": {"enum": ["x", "y"]}}, "type": "array", "items": {"$ref": "#/$defs/item"}}"##)
        let grammar = try Grammar(gbnf: #"pair_of ::= "(" left_side " " right_side ")""#,
                                  schemaRules: [("left_side", number), ("right_side", word)], root: "pair_of")
        #expect(matches(grammar, #"([1, 2] ["x"])"#))
        #expect(!matches(grammar, #"(["x"] [1])"#))
        #expect(!matches(grammar, #"([1] ["z"])"#))
    }

    @Test func literalsEscapeWhatGBNFWouldRead() throws {
        let text = "a \"quoted\"\\ line\nand\ttab"
        let grammar = try Grammar(gbnf: "root ::= \(Grammar.literal(text))")
        #expect(matches(grammar, text))
    }
}
