// The variables the feature tests render with (the same ones the Python side used to make their expectations).

import Templates

let sampleContextJSON = """
{"xs": [3, 1, 2], "d": {"b": 1, "a": 2}, "s": "  Hello World  ", "n": 7, "f": 2.5,
 "users": [{"name": "ann", "role": "admin", "age": 31}, {"name": "Bob", "role": "user"},
           {"name": "cy", "role": "user", "age": 19}],
 "empty": [], "none": null, "t": true}
"""

func renderSample(_ source: String) throws -> String {
    guard case .object(let o) = try TemplateValue.parseJSON(sampleContextJSON) else { return "" }
    var context: [String: TemplateValue] = [:]
    for e in o.entries { context[e.key] = e.value }
    return try ChatTemplate(source).render(context)
}
