// JSON mode and JSON Schema with the real Qwen2.5-Coder-0.5B: every output parses and validates
// (checked by Python's `jsonschema`, an independent validator), greedy and at temperature 1.0.
import Foundation

import Kinglet
import TestSupport
import Testing

@Suite(.serialized) struct JSONSchemaGenerationTests {
    /// A task and the schema its answer must follow.
    struct Case {
        let task: String
        let schema: String
    }

    static let cases: [Case] = [
        Case(task: "Describe a fictional person.",
             schema: #"{"type":"object","properties":{"name":{"type":"string","maxLength":40},"age":{"type":"integer"}},"required":["name","age"]}"#),
        Case(task: "Pick a color for a stop sign.",
             schema: #"{"type":"object","properties":{"color":{"enum":["red","green","blue"]}},"required":["color"]}"#),
        Case(task: "List some prime numbers.",
             schema: #"{"type":"object","properties":{"primes":{"type":"array","items":{"type":"integer"},"minItems":3,"maxItems":5}},"required":["primes"]}"#),
        Case(task: "Give the address of a fictional company.",
             schema: #"{"type":"object","properties":{"company":{"type":"string","maxLength":40},"address":{"type":"object","properties":{"street":{"type":"string","maxLength":40},"city":{"type":"string","maxLength":30},"zip":{"type":"string","maxLength":10}},"required":["street","city","zip"]}},"required":["company","address"]}"#),
        Case(task: "Report whether the build passed.",
             schema: #"{"type":"object","properties":{"passed":{"type":"boolean"},"failures":{"type":"null"}},"required":["passed","failures"]}"#),
        Case(task: "Give the answer to 6 times 7, as a number or as words.",
             schema: #"{"type":"object","properties":{"value":{"anyOf":[{"type":"number"},{"type":"string","maxLength":20}]}},"required":["value"]}"#),
        Case(task: "Describe a book.",
             schema: #"{"type":"object","properties":{"title":{"type":"string","maxLength":30},"subtitle":{"type":"string","maxLength":30},"year":{"type":"integer"}},"required":["title"]}"#),
        Case(task: "Create a few tagged items.",
             schema: #"{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"},"tag":{"type":"string","maxLength":12}},"required":["id","tag"]},"minItems":1,"maxItems":3}"#),
        Case(task: "Report today's weather in Paris.",
             schema: #"{"type":"object","properties":{"temperature":{"type":"number"},"unit":{"enum":["C","F"]}},"required":["temperature","unit"]}"#),
        Case(task: "Describe a line segment in the plane.",
             schema: ##"{"$defs":{"point":{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"}},"required":["x","y"]}},"type":"object","properties":{"from":{"$ref":"#/$defs/point"},"to":{"$ref":"#/$defs/point"}},"required":["from","to"]}"##),
        Case(task: "Rate a restaurant from 1 to 5.",
             schema: #"{"type":"object","properties":{"version":{"const":2},"rating":{"type":"integer","minimum":1,"maximum":5}},"required":["version","rating"]}"#),
        Case(task: "Tag a systems programming article.",
             schema: #"{"type":"object","properties":{"tags":{"type":"array","items":{"enum":["swift","rust","go"]},"maxItems":3}},"required":["tags"]}"#),
    ]

    let model: LanguageModel

    init() throws {
        model = try LanguageModel(try TestEnvironment.modelPath("qwen2.5-coder:0.5b"),
                                  options: .init(threads: 2, contextLength: 1024))
    }

    /// Generates an answer to `task` under `grammar`; returns its text and why it stopped.
    func answer(_ task: String, schema: String?, grammar: Grammar, temperature: Float, seed: UInt64) async throws -> (String, StopReason?) {
        let instruction = schema.map { "\(task) Reply in JSON following this schema: \($0)" } ?? "\(task) Reply in JSON."
        var parameters = GenerationParameters(maxTokens: 300, sampling: .init(temperature: temperature), seed: seed)
        parameters.grammar = grammar
        let run = try await Collected(model.generate(prompt: try model.chatPrompt(instruction), parameters: parameters))
        return (run.text, run.summary?.stopReason)
    }

    @Test func schemaOutputsValidateGreedyAndAtTemperatureOne() async throws {
        var instances: [(schema: String, instance: String)] = []
        for (i, test) in Self.cases.enumerated() {
            let grammar = try Grammar(jsonSchemaText: test.schema)
            for (temperature, seed) in [(Float(0), UInt64(0)), (1.0, UInt64(100 + i)), (1.0, UInt64(200 + i))] {
                let (text, reason) = try await answer(test.task, schema: test.schema, grammar: grammar, temperature: temperature, seed: seed)
                #expect(reason == .stop, "case \(i) at temperature \(temperature) ended with \(String(describing: reason)): \(text)")
                instances.append((test.schema, text))
            }
        }
        try JSONSchemaReference.expectValid(instances)
    }

    @Test func jsonModeAlwaysGivesAnObject() async throws {
        var instances: [(schema: String, instance: String)] = []
        for (task, seed) in [("Describe your favourite programming language.", UInt64(1)), ("List three fruits with their colors.", 2), ("What is 2+2?", 3)] {
            for temperature: Float in [0, 1] {
                let (text, reason) = try await answer(task, schema: nil, grammar: .json, temperature: temperature, seed: seed)
                #expect(reason == .stop, "\(task) at temperature \(temperature): \(text)")
                instances.append((#"{"type":"object"}"#, text))
            }
        }
        try JSONSchemaReference.expectValid(instances)
    }
}

extension JSONSchemaReference {
    /// Records every instance that does not parse and validate under its schema.
    static func expectValid(_ pairs: [(schema: String, instance: String)], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let failures = try invalidInstances(pairs.map { ($0.schema, [$0.instance]) })
        #expect(failures.isEmpty, "\(failures.count) of \(pairs.count) outputs do not validate:\n\(failures.joined(separator: "\n"))",
                sourceLocation: sourceLocation)
    }
}
