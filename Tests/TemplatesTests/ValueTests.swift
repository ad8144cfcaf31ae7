// TemplateValue: the ordered JSON parser, JSON output matching Python's json.dumps, and the render API.

import Foundation
import Templates
import Testing

@Suite struct ValueTests {
    @Test func parseJSONKeepsKeyOrder() throws {
        let v = try TemplateValue.parseJSON(#"{"z": 1, "a": [true, null, 1.5, "é\n\u00e9\ud83d\ude00"], "m": {}}"#)
        guard case .object(let o) = v else { Issue.record("not an object"); return }
        #expect(o.keys == ["z", "a", "m"])
        #expect(o["a"] == .array([.bool(true), .none, .double(1.5), .string("é\né😀")]))
        #expect(v.jsonString() == #"{"z": 1, "a": [true, null, 1.5, "é\né😀"], "m": {}}"#)
        #expect(v.jsonString(indent: "  ") == "{\n  \"z\": 1,\n  \"a\": [\n    true,\n    null,\n    1.5,\n    \"é\\né😀\"\n  ],\n  \"m\": {}\n}")
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "1 2", "{\"a\":}", "[", "-"])
    func parseJSONRejectsMalformed(_ text: String) {
        #expect(throws: JSONError.self) { try TemplateValue.parseJSON(text) }
    }

    @Test func initFromJSONSerialization() throws {
        let any = try JSONSerialization.jsonObject(with: Data(#"{"b": [1, 2.5, true, null, "x"]}"#.utf8))
        #expect(TemplateValue(json: any) == .object(OrderedObject([("b", .array([.int(1), .double(2.5), .bool(true), .none, .string("x")]))])))
    }

    @Test func convenienceRenderPassesHuggingFaceVariables() throws {
        let t = try ChatTemplate("""
            {{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m.content }}{{ eos_token }}{% endfor %}\
            {{ tools is none }}{{ documents is none }}{% if add_generation_prompt %}<assistant>{% endif %}\
            {{ enable_thinking }}{{ strftime_now('%Y-%m-%d %b %-d') }}
            """)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let now = calendar.date(from: DateComponents(year: 2026, month: 3, day: 5, hour: 9))
        let out = try t.render(messages: [["role": "user", "content": "hi"]], addGenerationPrompt: true,
                               bosToken: "<s>", eosToken: "</s>", extra: ["enable_thinking": false], now: now)
        #expect(out == "<s><user>hi</s>TrueTrue<assistant>False2026-03-05 Mar 5")
    }

    @Test func undefinedStaysApartFromNone() throws {
        let t = try ChatTemplate("{{ a is defined }}{{ a is none }}|{{ b is defined }}{{ b is none }}|{{ b }}|{{ a }}")
        #expect(try t.render(["a": .none]) == "TrueTrue|FalseFalse||None")
    }

    @Test func renderingIsRepeatableAndConcurrent() async throws {
        let t = try ChatTemplate("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}")
        let outputs = await withTaskGroup(of: String.self) { group in
            for k in 0..<8 {
                group.addTask {
                    (try? t.render(["messages": .array(Array(repeating: .int(0), count: k))])) ?? "error"
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(outputs) == Set((0..<8).map(String.init)))
    }
}
