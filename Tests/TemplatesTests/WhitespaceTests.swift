// Whitespace control: `-` markers, trim_blocks, lstrip_blocks, comments, raw, newline normalisation — as jinja2 applies them.

import Templates
import Testing

@Suite struct WhitespaceTests {
    /// Expected strings were produced by Python jinja2 3.1 configured as Hugging Face does
    /// (trim_blocks, lstrip_blocks), rendering with the variables in TestSupport.swift.
    static let cases: [(template: String, expected: String)] = [
        ("a\n{% if t %}\n  x\n{% endif %}\nb",
         "a\n  x\nb"),
        ("a  {%- if t -%}  x  {%- endif -%}  b",
         "axb"),
        ("  {% if t %}x{% endif %}  \n",
         "x  "),
        ("a\n    {{ n }}\n  {# c #}\nb",
         "a\n    7\nb"),
        ("{% raw %}{{ x }}{% if %}{% endraw %}",
         "{{ x }}{% if %}"),
        ("line1\r\nline2\n\n",
         "line1\nline2\n"),
        ("{{- '  a  ' -}}  |  {{ 'b' }}",
         "  a  |  b"),
        ("{% for x in xs %}\n{{ x }}\n{% endfor %}\n",
         "3\n1\n2\n"),
        ("  {{ 'v' }}\n  {% set q = 1 %}\n  z",
         "  v\n  z"),
        ("x {%+ if t %}y{% endif %}\n  {#- c -#}  z",
         "x yz"),
        ("{% if t %}  \t{% endif %}|",
         "  \t|"),
        ("{% if t +%}\nx{% endif %}|{# c +#}\nz|{% if t -%}\n  x{% endif %}",
         "\nx|\nz|x"),
        ("a\n  {%- if t %}\n    b\n  {%+ endif %}\n  {{- 'c' }}  \n  {% for x in xs -%}\n    {{ x }}\n  {%- endfor %}\nend",
         "a    b\n  c  \n312end"),
        ("a\n  {% raw %}\n  {{ x }}\n  {% endraw %}\nb|{% raw -%}  y  {%- endraw %}|{% raw %}z{% endraw +%}\n!",
         "a\n\n  {{ x }}\nb|y|z\n!"),
    ]

    @Test(arguments: cases.indices)
    func rendersLikeJinja2(_ i: Int) throws {
        let (template, expected) = Self.cases[i]
        #expect(try renderSample(template) == expected, "template: \(template.debugDescription)")
    }
}
