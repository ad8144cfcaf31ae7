// Shared by the grammar and generation tests: Python's `jsonschema` as the independent validator.
import Foundation

public enum JSONSchemaReference {
    /// Validates every instance text against its schema (Draft 2020-12, duplicate keys rejected) in one
    /// Python process; returns one line per invalid instance, empty when all are valid.
    public static func invalidInstances(_ cases: [(schema: String, instances: [String])]) throws -> [String] {
        let payload = try JSONSerialization.data(withJSONObject: cases.map { [$0.schema, $0.instances] as [Any] })
        let output = try ReferencePython.run(script, input: payload)
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static let script = #"""
import json, sys
import jsonschema

def unique_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)

bad = []
for i, (schema_text, instances) in enumerate(json.load(sys.stdin)):
    schema = json.loads(schema_text)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for text in instances:
        try:
            errors = list(validator.iter_errors(json.loads(text, object_pairs_hook=unique_keys)))
            if errors:
                bad.append(f"schema {i}: {text!r}: {errors[0].message}")
        except ValueError as e:
            bad.append(f"schema {i}: {text!r}: not JSON: {e}")
print("\n".join(bad))
"""#
}
