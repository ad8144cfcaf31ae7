import Templates
enum JSONSchemaConverter {
    static func gbnf(for schema: TemplateValue) throws(GrammarError) -> String { throw .unsupportedSchema(keyword: "todo", path: "#") }
}
