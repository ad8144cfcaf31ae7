// jinja2 tests (`is defined`, `is string`, `is equalto` …) with Python's type rules.

import Templates
import Testing

@Suite struct JinjaTestTests {
    /// Expected strings were produced by Python jinja2 3.1 configured as Hugging Face does
    /// (trim_blocks, lstrip_blocks), rendering with the variables in TestSupport.swift.
    static let cases: [(template: String, expected: String)] = [
        ("{{ x is defined }}{{ n is defined }}{{ x is undefined }}{{ none is none }}{{ n is not none }}",
         "FalseTrueTrueTrueTrue"),
        ("{{ 's' is string }}{{ n is string }}{{ n is number }}{{ f is number }}{{ t is number }}{{ n is integer }}{{ f is float }}{{ t is boolean }}{{ n is boolean }}{{ t is integer }}",
         "TrueFalseTrueTrueTrueTrueTrueTrueFalseFalse"),
        ("{{ d is mapping }}{{ xs is mapping }}{{ xs is iterable }}{{ 's' is iterable }}{{ n is iterable }}{{ xs is sequence }}{{ d is sequence }}{{ none is iterable }}",
         "TrueFalseTrueTrueFalseTrueTrueFalse"),
        ("{{ t is true }}{{ 1 is true }}{{ false is false }}{{ n is equalto 7 }}{{ n is eq 7 }}{{ n is ne 7 }}{{ n is gt 3 }}{{ n is lt 3 }}{{ 2 is in xs }}{{ 'ab' is lower }}{{ 'AB' is upper }}",
         "TrueFalseTrueTrueTrueFalseTrueFalseTrueTrueTrue"),
    ]

    @Test(arguments: cases.indices)
    func rendersLikeJinja2(_ i: Int) throws {
        let (template, expected) = Self.cases[i]
        #expect(try renderSample(template) == expected, "template: \(template.debugDescription)")
    }
}
