// Python str and dict methods templates call (strip, split, startswith, items, get …).

import Templates
import Testing

@Suite struct MethodTests {
    /// Expected strings were produced by Python jinja2 3.1 configured as Hugging Face does
    /// (trim_blocks, lstrip_blocks), rendering with the variables in TestSupport.swift.
    static let cases: [(template: String, expected: String)] = [
        ("{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a b c'.split(' ', 1) }}",
         "Hello World|Hello World  |  Hello World|['a', 'b', '', 'c']|['a', 'b']|['a', 'b c']"),
        ("{{ 'Hello'.startswith('He') }}{{ 'Hello'.endswith(('x', 'lo')) }}{{ 'abc'.upper() }}{{ 'ABC'.lower() }}{{ 'hello wORLD'.title() }}{{ 'aXbX'.replace('X', '-') }}{{ 'hello'.find('l') }}{{ 'hello'.find('z') }}",
         "TrueTrueABCabcHello Worlda-b-2-1"),
        ("{{ '{} and {}'.format('a', 'b') }}|{{ 'xxhixx'.strip('x') }}|{{ 'a\\nb'.splitlines() }}|{{ 'a-b-c'.rsplit('-', 1) }}",
         "a and b|hi|['a', 'b']|['a-b', 'c']"),
        ("{{ d.items() | list | length }}{{ d.keys() | list }}{{ d.values() | list }}{{ d.get('a') }}{{ d.get('z', 'dz') }}{{ d.get('z') }}",
         "2['b', 'a'][1, 2]2dzNone"),
        ("{% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}{{ d.items is defined }}{{ s.nosuch is defined }}",
         "b1a2TrueFalse"),
    ]

    @Test(arguments: cases.indices)
    func rendersLikeJinja2(_ i: Int) throws {
        let (template, expected) = Self.cases[i]
        #expect(try renderSample(template) == expected, "template: \(template.debugDescription)")
    }
}
