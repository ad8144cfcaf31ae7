// Robustness: random and mutated templates only ever throw TemplateError — never crash, hang or trap.

import Foundation
import Templates
import Testing

@Suite struct FuzzTests {
    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static let fragments = [
        "{{", "}}", "{%", "%}", "{#", "#}", "{%-", "-%}", "{{-", "-}}", " if ", " for ", " in ", " endif ", " endfor ",
        " set ", " = ", " macro ", " endmacro ", " call ", " endcall ", " filter ", " endfilter ", " raw ", " endraw ",
        "x", "messages", "loop.index", "ns.a", "namespace(a=1)", "(", ")", "[", "]", "{", "}", ",", ":", ".", "|",
        "tojson", "length", "trim", "'str'", "\"q\"", "1", "2.5", "-", "+", "*", "//", "**", "%", "~", " is ", " not ",
        " and ", " or ", " defined ", "\n", "  ", "raise_exception('r')", "else", "elif", "range(3)", "items()",
        "x[1:]", "caller()", "'\\u00e9'", "é", "🙂", "\\", "'", "\"", "break", "continue", "none", "true",
    ]

    static let context: [String: TemplateValue] = [
        "x": .array([.int(1), .string("a"), .object(OrderedObject([("k", .string("v"))]))]),
        "messages": .array([.object(OrderedObject([("role", .string("user")), ("content", .string("hi"))]))]),
    ]

    private func exercise(_ source: String) {
        do {
            let t = try ChatTemplate(source)
            _ = try t.render(Self.context)
        } catch {
            // Any TemplateError is fine: the typed throw guarantees nothing else escapes.
            #expect(!error.description.isEmpty)
        }
    }

    @Test func randomFragmentSoup() {
        var rng = Rng(state: 0x9E37_79B9_7F4A_7C15)
        for _ in 0..<400 {
            var source = ""
            for _ in 0..<(1 + rng.below(24)) { source += Self.fragments[rng.below(Self.fragments.count)] }
            exercise(source)
        }
    }

    @Test func mutatedConformanceTemplates() throws {
        let dir = Reference.conformanceDirectory.appendingPathComponent("templates")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jinja") }.sorted()
        #expect(!names.isEmpty)
        var rng = Rng(state: 0xD1B5_4A32_D192_ED03)
        for name in names {
            let source = Array(try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8).unicodeScalars)
            for _ in 0..<15 {
                var s = source
                for _ in 0..<(1 + rng.below(4)) where !s.isEmpty {
                    let i = rng.below(s.count)
                    switch rng.below(3) {
                    case 0: s.remove(at: i)
                    case 1: s.insert(contentsOf: Self.fragments[rng.below(Self.fragments.count)].unicodeScalars, at: i)
                    default: s.removeSubrange(i..<min(s.count, i + rng.below(40)))
                    }
                }
                exercise(String(String.UnicodeScalarView(s)))
            }
        }
    }
}

@Suite struct ResourceBoundTests {
    /// The parser and interpreter nesting limits keep the worst case inside a 4 MiB thread
    /// stack even in a debug build (release needs under 256 KiB).
    @Test func worstCaseNestingFitsASmallStack() {
        let nested = String(repeating: "[", count: 45) + "f(n + 1)" + String(repeating: "]", count: 45)
        let done = DispatchSemaphore(value: 0)
        let results = Results()
        let thread = Thread {
            let deep = String(repeating: "[", count: 5000) + "1" + String(repeating: "]", count: 5000)
            results.parseFailed = (try? ChatTemplate("{{ \(deep) }}")) == nil
            do {
                let t = try ChatTemplate("{% macro f(n) %}{% if n < 1000 %}{{ \(nested) }}{% endif %}{% endmacro %}{{ f(0) }}")
                _ = try t.render([:])
            } catch {
                results.renderFailed = true
            }
            done.signal()
        }
        thread.stackSize = 4 << 20
        thread.start()
        done.wait()
        #expect(results.parseFailed)
        #expect(results.renderFailed)
    }

    final class Results: @unchecked Sendable {
        var parseFailed = false
        var renderFailed = false
    }

    @Test func nestedLoopsHitTheWorkBudget() throws {
        let t = try ChatTemplate("{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}")
        #expect(throws: TemplateError.self) { try t.render([:]) }
    }

    @Test func deeplyNestedValuesPrintWithoutExhaustingTheStack() throws {
        let t = try ChatTemplate("{% set ns = namespace(x=[]) %}{% for i in range(2000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x | length }}{{ (ns.x | string) | length > 0 }}")
        #expect(try t.render([:]) == "1True")
    }
}

@Suite struct SizeBoundTests {
    static let explosive = [
        "{% set ns = namespace(s='ab') %}{% for i in range(80) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
        "{% set ns = namespace(x=[1]) %}{% for i in range(80) %}{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x | length }}",
        "{{ 'abc' * 100000000000 }}",
        "{{ [1, 2] * 100000000000 }}",
        "{% set ns = namespace(s='abcdefgh') %}{% for i in range(30) %}{% set ns.s = ns.s.replace('', ns.s) %}{% endfor %}",
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = [ns.s, ns.s] | join(ns.s) %}{% endfor %}",
        "{{ 'x' | center(999999999999) }}{{ 'x'.zfill(999999999999) }}",
    ]

    @Test(arguments: explosive.indices)
    func runawayGrowthFailsCleanly(_ i: Int) throws {
        let t = try ChatTemplate(Self.explosive[i])
        #expect(throws: TemplateError.self) { try t.render([:]) }
    }
}
