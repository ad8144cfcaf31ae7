// Runs Python jinja2, set up exactly as Hugging Face's apply_chat_template, to get expected renderings.

import Foundation
import TestSupport

struct ReferenceFailure: Error, CustomStringConvertible {
    var description: String
}

enum Reference {
    /// The fixed "now" both sides format with `strftime_now`: 2026-11-22 12:00:00 local time.
    static let now: Date = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        return calendar.date(from: DateComponents(year: 2026, month: 11, day: 22, hour: 12)) ?? Date(timeIntervalSince1970: 0)
    }()

    /// `$KINGLET_CONFORMANCE`, else `shared/conformance` beside the repository.
    static var conformanceDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["KINGLET_CONFORMANCE"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        let file = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        return file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/conformance")
    }

    static var python: String { ReferencePython.path }

    /// Mirrors transformers' `_compile_jinja_template` and `render_jinja_template`.
    static let script = #"""
    import json, sys
    from datetime import datetime
    import jinja2
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    NOW = datetime(2026, 11, 22, 12, 0, 0)

    def strftime_now(fmt):
        return NOW.strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now

    job = json.load(open(sys.argv[1], encoding="utf-8"))
    if "snippets" in job:
        out = []
        for source in job["snippets"]:
            try:
                out.append({"output": env.from_string(source).render(**job["context"])})
            except Exception as e:
                out.append({"error": type(e).__name__ + ": " + str(e)})
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False)
        sys.exit(0)
    results = {}
    for name, source in job["templates"].items():
        per_case = {}
        try:
            template = env.from_string(source)
        except Exception as e:
            results[name] = {"__compile__": {"error": type(e).__name__ + ": " + str(e)}}
            continue
        for case in job["cases"]:
            context = dict(messages=case["messages"], tools=case.get("tools"), documents=None,
                           add_generation_prompt=case["add_generation_prompt"],
                           bos_token=job["bos_token"], eos_token=job["eos_token"])
            context.update(case.get("extra", {}))
            try:
                per_case[case["name"]] = {"output": template.render(**context)}
            except Exception as e:
                per_case[case["name"]] = {"error": type(e).__name__ + ": " + str(e)}
        results[name] = per_case
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False)
    """#

    /// Renders each snippet with `contextJSON` as its variables; nil output where jinja2 raised.
    static func renderSnippets(_ snippets: [String], contextJSON: String) throws -> [String?] {
        let snippetsText = String(decoding: try JSONSerialization.data(withJSONObject: snippets), as: UTF8.self)
        let job = "{\"snippets\": " + snippetsText + ", \"context\": " + contextJSON + "}"
        let decoded = try run(job: job) as? [[String: String]] ?? []
        return decoded.map { $0["output"] }
    }

    /// template name → case name → (output or error message).
    static func render(templates: [String: String], casesJSON: String, bos: String, eos: String)
        throws -> [String: [String: (output: String?, error: String?)]] {
        // The cases go in as raw text: JSONSerialization would reorder object keys.
        let head: [String: Any] = ["templates": templates, "bos_token": bos, "eos_token": eos]
        let headText = String(decoding: try JSONSerialization.data(withJSONObject: head), as: UTF8.self)
        let job = String(headText.dropLast()) + ", \"cases\": " + casesJSON + "}"
        let decoded = try run(job: job) as? [String: [String: [String: String]]] ?? [:]
        return decoded.mapValues { $0.mapValues { ($0["output"], $0["error"]) } }
    }

    /// Runs the reference script on `job` (JSON text) and returns its parsed JSON answer.
    private static func run(job: String) throws -> Any {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scriptURL = dir.appendingPathComponent("reference.py")
        let input = dir.appendingPathComponent("input.json"), output = dir.appendingPathComponent("output.json")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        try Data(job.utf8).write(to: input)

        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ReferenceFailure(description: "no Python at \(python): run scripts/python-env (or set KINGLET_PYTHON)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scriptURL.path, input.path, output.path]
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        let errorText = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReferenceFailure(description: "reference renderer failed (is jinja2 installed? run scripts/python-env): \(errorText)")
        }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: output))
    }
}
