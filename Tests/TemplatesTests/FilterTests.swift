// Built-in filters, including Hugging Face's tojson (insertion order, no ASCII escaping, indent).

import Templates
import Testing

@Suite struct FilterTests {
    /// Expected strings were produced by Python jinja2 3.1 configured as Hugging Face does
    /// (trim_blocks, lstrip_blocks), rendering with the variables in TestSupport.swift.
    static let cases: [(template: String, expected: String)] = [
        ("{{ xs | length }}{{ 'héllo' | length }}{{ d | count }}{{ undefinedvar | length }}",
         "3520"),
        ("{{ xs | join(', ') }}|{{ users | map(attribute='name') | join('/') }}|{{ ['a','b'] | map('upper') | list }}|{{ users | join(',', attribute='role') }}",
         "3, 1, 2|ann/Bob/cy|['A', 'B']|admin,user,user"),
        ("{{ users | selectattr('role', 'equalto', 'user') | map(attribute='name') | list }}|{{ users | rejectattr('age', 'defined') | map(attribute='name') | list }}|{{ users | selectattr('age') | list | length }}",
         "['Bob', 'cy']|['Bob']|2"),
        ("{{ xs | select('odd') | list }}{{ xs | reject('odd') | list }}{{ [0, 1, '', 'a', none] | select | list }}{{ xs | select('gt', 1) | list }}",
         "[3, 1][2][1, 'a'][3, 2]"),
        ("{{ missing | default('dflt') }}|{{ '' | default('dflt') }}|{{ '' | default('dflt', true) }}|{{ none | d('x') }}|{{ missing | default }}|",
         "dflt||dflt|None||"),
        ("{{ s | trim }}|{{ s | upper }}|{{ s | lower }}|{{ 'hello WORLD' | capitalize }}|{{ 'hello-world foo(bar)' | title }}|{{ 'aaa' | replace('a', 'b', 2) }}|{{ missing | trim }}|",
         "Hello World|  HELLO WORLD  |  hello world  |Hello world|Hello-World Foo(Bar)|bba||"),
        ("{{ xs | first }}{{ xs | last }}{{ xs | sort }}{{ xs | sort(reverse=true) }}{{ ['b', 'A', 'c'] | sort }}{{ users | sort(attribute='name') | map(attribute='name') | join }}",
         "32[1, 2, 3][3, 2, 1]['A', 'b', 'c']annBobcy"),
        ("{{ d | dictsort | length }}{{ xs | reverse | list }}{{ 'abc' | reverse }}{{ [1, 2, 1, 'A', 'a'] | unique | list }}{{ d | list }}",
         "2[2, 1, 3]cba[1, 2, 'A']['b', 'a']"),
        ("{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'x' | indent('>>', first=true) }}|{{ 'a\\n\\nb' | indent(blank=true) }}",
         "a\n  b\n\n  c|  a\n  b|>>x|a\n    \n    b"),
        ("{{ '42' | int }}{{ '4.7' | int }}{{ 'x' | int }}{{ '2.5' | float }}{{ 3 | float }}{{ -3 | abs }}{{ 2.567 | round(2) }}{{ 2.5 | round }}{{ 3.5 | round }}{{ 7 | round }}{{ 2.1 | round(0, 'ceil') }}",
         "42402.53.032.572.04.073.0"),
        ("{{ 7 | string }}{{ none | string }}{{ xs | string }}{{ '<b>' | safe }}{{ '<&>' | e }}",
         "7None[3, 1, 2]<b>&lt;&amp;&gt;"),
        ("{{ users[0] | tojson }}|{{ xs | tojson }}|{{ 'é\"\\n<\\u0001' | tojson }}|{{ none | tojson }}|{{ 1.0 | tojson }}|{{ {} | tojson }}|{{ [] | tojson(indent=2) }}|{{ t | tojson }}",
         "{\"name\": \"ann\", \"role\": \"admin\", \"age\": 31}|[3, 1, 2]|\"é\\\"\\n<\\u0001\"|null|1.0|{}|[]|true"),
        ("{{ users[0] | tojson(indent=2) }}|{{ d | tojson(sort_keys=true) }}|{{ {'a': [1, {'b': none}]} | tojson(indent=4) }}|{{ d | tojson(separators=(',', ':')) }}",
         "{\n  \"name\": \"ann\",\n  \"role\": \"admin\",\n  \"age\": 31\n}|{\"a\": 2, \"b\": 1}|{\n    \"a\": [\n        1,\n        {\n            \"b\": null\n        }\n    ]\n}|{\"b\":1,\"a\":2}"),
        ("{{ xs | batch(2) | list }}{{ xs | sum }}{{ xs | min }}{{ xs | max }}{{ users | map(attribute='age', default=0) | list }}",
         "[[3, 1], [2]]613[31, 0, 19]"),
        ("{{ '%s-%d|%.2f|%r|%%' | format('a', 7, 2.5, 'q') }}|{{ '%s and %s' % ('x', 'y') }}|{{ 'v=%s' % xs }}|{{ 'n=%d' % n }}",
         "a-7|2.50|'q'|%|x and y|v=[3, 1, 2]|n=7"),
    ]

    @Test(arguments: cases.indices)
    func rendersLikeJinja2(_ i: Int) throws {
        let (template, expected) = Self.cases[i]
        #expect(try renderSample(template) == expected, "template: \(template.debugDescription)")
    }
}
