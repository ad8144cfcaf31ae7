// Statements: for (loop variables, else, filters, break/continue, unpacking), set, namespace, macros, call and filter blocks.

import Templates
import Testing

@Suite struct StatementTests {
    /// Expected strings were produced by Python jinja2 3.1 configured as Hugging Face does
    /// (trim_blocks, lstrip_blocks), rendering with the variables in TestSupport.swift.
    static let cases: [(template: String, expected: String)] = [
        ("{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}",
         "1032TrueFalse3|2121FalseFalse3|3210FalseTrue3|"),
        ("{% for x in xs %}{{ loop.previtem }}-{{ loop.nextitem }},{{ loop.cycle('a', 'b') }};{% endfor %}",
         "-1,a;3-2,b;1-,a;"),
        ("{% for k, v in d | dictsort %}{{ k }}={{ v }};{% endfor %}",
         "a=2;b=1;"),
        ("{% for x in empty %}x{% else %}empty{% endfor %}|{% for x in xs %}{{ x }}{% else %}no{% endfor %}",
         "empty|312"),
        ("{% for x in xs if x > 1 %}{{ x }}{{ loop.last }}{{ loop.length }}{% endfor %}",
         "3False22True2"),
        ("{% for x in xs %}{% if x == 1 %}{% continue %}{% endif %}{% if loop.index > 2 %}{% break %}{% endif %}{{ x }}{% endfor %}",
         "3"),
        ("{% set ns = namespace(total=0, items=[]) %}{% for x in xs %}{% set ns.total = ns.total + x %}{% set ns.items = ns.items + [x] %}{% endfor %}{{ ns.total }}{{ ns.items }}",
         "6[3, 1, 2]"),
        ("{% set v = 1 %}{% for x in xs %}{% set v = x %}{% endfor %}{{ v }}{% if t %}{% set w = 5 %}{% endif %}{{ w }}",
         "15"),
        ("{% if n > 10 %}big{% elif n > 5 %}mid{% else %}small{% endif %}{% if none %}a{% elif 0 %}b{% endif %}",
         "mid"),
        ("{% set a, b = 1, 2 %}{{ a }}{{ b }}{% for p, q in [[1, 2], [3, 4]] %}{{ p + q }}{% endfor %}",
         "1237"),
        ("{% set block %}  inner {{ n }}  {% endset %}[{{ block }}]{% set up | upper %}shout{% endset %}{{ up }}",
         "[  inner 7  ]SHOUT"),
        ("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', punct='?') }} {{ greet() }}",
         "Hi Ann! Hi Bob? Hi !"),
        ("{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}body{% endcall %}",
         "<body>"),
        ("{% macro row(x) %}[{{ caller(x * 2) }}]{% endmacro %}{% call(v) row(3) %}v={{ v }}{% endcall %}",
         "[v=6]"),
        ("{% filter upper %}quiet {{ n }}{% endfilter %}{% filter replace('a', 'o') | upper %}banana{% endfilter %}",
         "QUIET 7BONONO"),
        ("{% for i in range(3) %}{{ i }}{% endfor %}{{ range(1, 7, 2) | list }}{{ range(3, 0, -1) | list }}",
         "012[1, 3, 5][3, 2, 1]"),
        ("{% for x in xs %}{% for y in [10, 20] %}{{ loop.index }}{% endfor %}{{ loop.index }};{% endfor %}",
         "121;122;123;"),
        ("{% macro fact(k) %}{% if k <= 1 %}1{% else %}{{ k * fact(k - 1) | int }}{% endif %}{% endmacro %}{{ fact(5) }}",
         "120"),
        ("{{ dict(a=1, b=2) }}{% set ns = namespace(d={}) %}{{ ns.d }}",
         "{'a': 1, 'b': 2}{}"),
        ("{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3) }}",
         "1(2, 3){}"),
        ("{% for m in users %}{{ m.name }}{% if not loop.last %}, {% endif %}{% endfor %}\n{%- for u in users | selectattr('age', 'defined') %}\n    {{- ' ' ~ u.age }}\n{%- endfor %}",
         "ann, Bob, cy 31 19"),
        ("{% for x in xs %}{% if loop.first %}{% set v = x %}{% endif %}{{ v }},{% endfor %}",
         "3,,,"),
        ("{% set v = 'outer' %}{% for x in xs %}{{ v }}{% set v = x %}{% endfor %}{{ v }}",
         "outerouterouterouter"),
        ("{% macro m() %}{{ gv }}{% endmacro %}{% set gv = 'late' %}{{ m() }}",
         "late"),
        ("{% for x in [1] %}{% macro inner() %}{{ x }}{% endmacro %}{{ inner() }}{% endfor %}",
         "1"),
        ("{% set ns = namespace(a=1) %}{% macro bump() %}{% set ns.a = ns.a + 1 %}{% endmacro %}{{ bump() }}{{ ns.a }}",
         "2"),
        ("{{ xs | map('string') | join('-') }}{{ users | map(attribute='name') | map('upper') | list }}{% if xs %}{% set inner = 1 %}{% endif %}{{ inner }}[{{ loop }}]",
         "3-1-2['ANN', 'BOB', 'CY']1[]"),
        ("{% for a in xs %}{% for b in xs %}{% if b == 2 %}{% break %}{% endif %}{{ a }}{{ b }} {% endfor %}{% endfor %}",
         "33 31 13 11 23 21 "),
        ("{% set a = 'outer' %}{% with a = 'inner', b = n %}{{ a }}{{ b }}{% set c = 1 %}{% endwith %}{{ a }}{{ b }}{{ c }}",
         "inner7outer"),
    ]

    @Test(arguments: cases.indices)
    func rendersLikeJinja2(_ i: Int) throws {
        let (template, expected) = Self.cases[i]
        #expect(try renderSample(template) == expected, "template: \(template.debugDescription)")
    }
}
