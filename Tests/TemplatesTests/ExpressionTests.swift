// Expression semantics: precedence, arithmetic, Python str()/repr() formatting, subscripts, slices, comparisons.

import Templates
import Testing

@Suite struct ExpressionTests {
    /// Expected strings were produced by Python jinja2 3.1 configured as Hugging Face does
    /// (trim_blocks, lstrip_blocks), rendering with the variables in TestSupport.swift.
    static let cases: [(template: String, expected: String)] = [
        ("{{ 1 + 2 * 3 }}|{{ 7 // 2 }}|{{ -7 // 2 }}|{{ 7 % -3 }}|{{ 2 ** 10 }}|{{ 7 / 2 }}|{{ 4 / 2 }}|{{ 2 ** 3 ** 2 }}",
         "7|3|-4|-2|1024|3.5|2.0|64"),
        ("{{ 'a' ~ 1 ~ none ~ t }}|{{ (1 + 2) ~ 3 }}|{{ 2 * 3 ~ 4 }}",
         "a1NoneTrue|33|64"),
        ("{{ 0.1 }}|{{ 1.0 }}|{{ 1e20 }}|{{ 1e-5 }}|{{ 123456789.125 }}|{{ 1e16 }}|{{ 1e15 }}|{{ f * 2 }}|{{ 0.1 + 0.2 }}|{{ 0.0001 }}",
         "0.1|1.0|1e+20|1e-05|123456789.125|1e+16|1000000000000000.0|5.0|0.30000000000000004|0.0001"),
        ("{{ xs }}|{{ d }}|{{ none }}|{{ t }}|{{ [1, 'a', none, 2.0, {'k': \"it's\"}] }}|{{ ['a\\nb', 'tab\\t', \"q'\\\"\"] }}",
         "[3, 1, 2]|{'b': 1, 'a': 2}|None|True|[1, 'a', None, 2.0, {'k': \"it's\"}]|['a\\nb', 'tab\\t', 'q\\'\"']"),
        ("{{ xs[0] }}{{ xs[-1] }}{{ xs[1:] }}{{ xs[::-1] }}{{ 'hello'[1:3] }}{{ 'hello'[::2] }}{{ xs[:-1] }}{{ 'héllo'[1] }}",
         "32[1, 2][2, 1, 3]elhlo[3, 1]é"),
        ("{{ d.a }}{{ d['b'] }}{{ d.missing is defined }}{{ users[0].name }}{{ users[5] is defined }}{{ none.x is defined }}",
         "21FalseannFalseFalse"),
        ("{{ 'yes' if n > 5 else 'no' }}|{{ 'x' if false }}|{{ not t }}|{{ t and n }}|{{ none or 'dflt' }}|{{ empty or xs }}",
         "yes||False|7|dflt|[3, 1, 2]"),
        ("{{ 2 in xs }}{{ 5 not in xs }}{{ 'ell' in 'hello' }}{{ 'a' in d }}{{ not 2 in xs }}",
         "TrueTrueTrueTrueFalse"),
        ("{{ 1 < 2 < 3 }}{{ 3 > 2 > 5 }}{{ 'abc' < 'abd' }}{{ [1,2] == [1,2] }}{{ 1 == 1.0 }}{{ t == 1 }}{{ 'a' != 'b' }}",
         "TrueFalseTrueTrueTrueTrueTrue"),
        ("{{ 'a' 'b' }}|{{ \"esc\\n\\t\\u00e9\\x41\" }}|{{ 'it\\'s' }}",
         "ab|esc\n\téA|it's"),
        ("{{ -n }}{{ - f }}{{ +n }}{{ -n | abs }}{{ 10 - -2 }}",
         "-7-2.57712"),
        ("{{ n is even }}{{ n is odd }}{{ 9 is divisibleby 3 }}{{ 'ab' * 3 }}{{ [1] * 2 }}{{ xs + [9] }}",
         "FalseTrueTrueababab[1, 1][3, 1, 2, 9]"),
        ("{{ {'a': 1, 'b': [1, 2]}['b'][1] }}{{ users|length > 2 and users[2].age }}{{ d|length - 1 }}",
         "2191"),
        ("{{ (1, 2) }}{{ (1,) }}{{ () }}{{ d.items() | list }}{{ d | dictsort }}{{ d | items | list }}{{ (1, 2) == [1, 2] }}{{ (1, 'a') + (2,) }}{{ ('x', 'y')[1:] }}",
         "(1, 2)(1,)()[('b', 1), ('a', 2)][('a', 2), ('b', 1)][('b', 1), ('a', 2)]False(1, 'a', 2)('y',)"),
        ("{{ ['é', '\\u200b', '\\u00a0', '🙂', 'e\\u0301', '\\ufeff', '\\u3000', '\\x7f', '\\x85', '\\u2028', '\\U000e0001', '\\ud7ff', 'ok'] }}",
         "['é', '\\u200b', '\\xa0', '🙂', 'é', '\\ufeff', '\\u3000', '\\x7f', '\\x85', '\\u2028', '\\U000e0001', '\\ud7ff', 'ok']"),
        ("{{ 1e300 * 1e10 }}|{{ -1e300 * 1e10 }}|{{ 2 ** 62 }}|{{ 9007199254740993.0 }}|{{ 1.5e-7 }}|{{ 123e-20 }}|{{ 0.5 | round }}|{{ 1.5 | round }}",
         "inf|-inf|4611686018427387904|9007199254740992.0|1.5e-07|1.23e-18|0.0|2.0"),
    ]

    @Test(arguments: cases.indices)
    func rendersLikeJinja2(_ i: Int) throws {
        let (template, expected) = Self.cases[i]
        #expect(try renderSample(template) == expected, "template: \(template.debugDescription)")
    }
}
