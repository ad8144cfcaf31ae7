// The feature tests' expected strings still equal what Python jinja2 renders today (so the tables stay honest).

import Testing

@Suite struct FeatureTableTests {
    @Test func expectationsMatchLiveJinja2() throws {
        let tables: [(String, [(template: String, expected: String)])] = [
            ("WhitespaceTests", WhitespaceTests.cases), ("ExpressionTests", ExpressionTests.cases),
            ("MethodTests", MethodTests.cases), ("FilterTests", FilterTests.cases),
            ("JinjaTestTests", JinjaTestTests.cases), ("StatementTests", StatementTests.cases),
        ]
        let all = tables.flatMap { table in table.1.map { (table.0, $0.template, $0.expected) } }
        let live = try Reference.renderSnippets(all.map(\.1), contextJSON: sampleContextJSON)
        try #require(live.count == all.count)
        for ((suite, template, expected), got) in zip(all, live) {
            #expect(got == expected, "\(suite): jinja2 now renders \(template.debugDescription) as \(got.debugDescription)")
        }
    }
}
