// Errors: syntax errors carry line and column, runtime errors the template line,
// raise_exception surfaces as .raised, and every failure is a thrown TemplateError.

import Templates
import Testing

@Suite struct ErrorTests {
    /// Templates jinja2 also rejects at render time (its exception shown for reference).
    static let runtimeFailures: [(template: String, jinja2: String)] = [
        ("{% for x in none %}{% endfor %}", "TypeError: 'NoneType' object is not iterable"),
        ("{{ undefinedvar.attr }}", "UndefinedError: 'undefinedvar' is undefined"),
        ("{{ 1 + 'a' }}", "TypeError: unsupported operand type(s) for +: 'int' and 'str'"),
        ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
        ("{% set x.y = 1 %}", "TemplateRuntimeError: cannot assign attribute on non-namespace object"),
        ("{{ 1 + 2 ~ 3 }}", "TypeError: unsupported operand type(s) for +: 'int' and 'str'"),
        ("{{ nosuchfunction() }}", "UndefinedError: 'nosuchfunction' is undefined"),
        ("{{ xs | nosuchfilter }}", "TemplateAssertionError: No filter named 'nosuchfilter'."),
    ]

    @Test(arguments: runtimeFailures.indices)
    func runtimeFailure(_ i: Int) {
        let (template, jinja2) = Self.runtimeFailures[i]
        #expect(throws: TemplateError.self, "jinja2: \(jinja2)") { try renderSample(template) }
    }

    @Test func raiseExceptionIsRaised() throws {
        let t = try ChatTemplate("a\n{% if true %}{{ raise_exception('Only user and assistant roles!') }}{% endif %}")
        #expect(throws: TemplateError.raised(message: "Only user and assistant roles!")) { try t.render([:]) }
    }

    @Test func runtimeErrorNamesTheLine() throws {
        let t = try ChatTemplate("line one\n{% set a = 1 %}\n{{ a + 'x' }}\n")
        do {
            _ = try t.render([:])
            Issue.record("expected an error")
        } catch {
            guard case .runtime(let line, _) = error else { Issue.record("got \(error)"); return }
            #expect(line == 3)
            #expect(error.description.contains("line 3"))
        }
    }

    static let syntaxErrors: [(template: String, line: Int, column: Int)] = [
        ("hello {{ 1 + }}", 1, 14),
        ("a\nb\n{% if x %}unclosed", 3, 19),
        ("{% for x xs %}{% endfor %}", 1, 10),
        ("ok\n  {{ 'unterminated }}", 2, 6),
        ("{% endif %}", 1, 4),
        ("{% frobnicate %}", 1, 4),
        ("{{ x[1:2:3:4] }}", 1, 15),
        ("{# never closed", 1, 1),
        ("{{ a.( }}", 1, 1),
        ("{{ 1 +}}", 1, 7),
    ]

    @Test(arguments: syntaxErrors.indices)
    func syntaxErrorHasPosition(_ i: Int) {
        let (template, line, column) = Self.syntaxErrors[i]
        do {
            _ = try ChatTemplate(template)
            Issue.record("\(template.debugDescription) parsed")
        } catch {
            guard case .syntax(let l, let c, let message) = error else { Issue.record("got \(error)"); return }
            #expect((l, c) == (line, column), "\(template.debugDescription): \(message)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(throws: TemplateError.self) { try ChatTemplate("{{ \(deep) }}") }
        let blocks = String(repeating: "{% if true %}", count: 3000) + String(repeating: "{% endif %}", count: 3000)
        #expect(throws: TemplateError.self) { try ChatTemplate(blocks) }
    }

    @Test func nestingWithinTheLimitRenders() throws {
        let parens = String(repeating: "(", count: 40) + "1" + String(repeating: ")", count: 40)
        #expect(try ChatTemplate("{{ \(parens) }}").render([:]) == "1")
        let nots = String(repeating: "not ", count: 80) + "true"
        #expect(try ChatTemplate("{{ \(nots) }}").render([:]) == "True")
        let ifs = String(repeating: "{% if true %}", count: 80) + "x" + String(repeating: "{% endif %}", count: 80)
        #expect(try ChatTemplate(ifs).render([:]) == "x")
    }

    @Test func unboundedMacroRecursionIsAnError() throws {
        let t = try ChatTemplate("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}")
        #expect(throws: TemplateError.self) { try t.render([:]) }
    }
}
