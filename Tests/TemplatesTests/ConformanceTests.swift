// Every shared conformance template × every corpus conversation renders byte-identical to
// Python jinja2 configured as Hugging Face's apply_chat_template (or both raise).

import Foundation
import Templates
import Testing

/// Templates this interpreter cannot render yet, with the reason. The test asserts each
/// still fails somewhere, so the list cannot go stale.
let knownUnsupported: [String: String] = [:]

struct ConformanceFixture: Sendable {
    var templates: [String: String]
    var reference: [String: [String: (output: String?, error: String?)]]
    var cases: [(name: String, value: TemplateValue)]

    static let bos = "<s>", eos = "</s>"

    static let shared: Result<ConformanceFixture, ReferenceFailure> = {
        do {
            let dir = Reference.conformanceDirectory.appendingPathComponent("templates")
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jinja") }
            guard !files.isEmpty else { throw ReferenceFailure(description: "no templates in \(dir.path) (set KINGLET_CONFORMANCE)") }
            var templates: [String: String] = [:]
            for f in files {
                templates[String(f.dropLast(6))] = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            }
            let casesJSON = Corpus.json.replacingOccurrences(of: "\"TOOLS\"", with: Corpus.tools)
                .replacingOccurrences(of: "\"COMPLEX_TOOLS\"", with: Corpus.complexTools)
            guard case .array(let items) = try TemplateValue.parseJSON(casesJSON) else {
                throw ReferenceFailure(description: "corpus is not a JSON array")
            }
            let cases = items.compactMap { item -> (String, TemplateValue)? in
                guard case .object(let o) = item, case .string(let n)? = o["name"] else { return nil }
                return (n, item)
            }
            let reference = try Reference.render(templates: templates, casesJSON: casesJSON, bos: bos, eos: eos)
            return .success(ConformanceFixture(templates: templates, reference: reference, cases: cases))
        } catch let e as ReferenceFailure {
            return .failure(e)
        } catch {
            return .failure(ReferenceFailure(description: "\(error)"))
        }
    }()

    static var templateNames: [String] {
        let dir = Reference.conformanceDirectory.appendingPathComponent("templates")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        let names = files.filter { $0.hasSuffix(".jinja") }.map { String($0.dropLast(6)) }.sorted()
        return names.isEmpty ? ["<no templates found>"] : names
    }

    /// Renders one case with the public convenience API.
    static func renderSwift(_ template: ChatTemplate, _ value: TemplateValue) throws(TemplateError) -> String {
        guard case .object(let o) = value else { return "" }
        var messages: [TemplateValue] = []
        if case .array(let m)? = o["messages"] { messages = m }
        var tools: [TemplateValue]? = nil
        if case .array(let t)? = o["tools"] { tools = t }
        var extra: [String: TemplateValue] = [:]
        if case .object(let e)? = o["extra"] { for entry in e.entries { extra[entry.key] = entry.value } }
        return try template.render(messages: messages, tools: tools, addGenerationPrompt: o["add_generation_prompt"] == .bool(true),
                                   bosToken: bos, eosToken: eos, extra: extra, now: Reference.now)
    }
}

/// Where two renderings first differ, with some context on each side.
func firstDifference(_ expected: String, _ actual: String) -> String {
    let e = Array(expected.unicodeScalars), a = Array(actual.unicodeScalars)
    var i = 0
    while i < min(e.count, a.count), e[i] == a[i] { i += 1 }
    func context(_ s: [Unicode.Scalar]) -> String {
        let lo = max(0, i - 40), hi = min(s.count, i + 40)
        return String(String.UnicodeScalarView(s[lo..<hi])).debugDescription
    }
    return "first difference at scalar \(i) (expected \(e.count) scalars, got \(a.count))\n  expected: \(context(e))\n  actual:   \(context(a))"
}

@Suite("Conformance with Python jinja2")
struct ConformanceTests {
    @Test("template renders like jinja2", arguments: ConformanceFixture.templateNames)
    func template(_ name: String) throws {
        let fixture = try ConformanceFixture.shared.get()
        let source = try #require(fixture.templates[name], "template \(name) missing")
        let reference = try #require(fixture.reference[name], "no reference renderings for \(name)")
        var failures: [String] = []
        var passed = 0, bothRaised = 0
        let template: ChatTemplate
        do {
            template = try ChatTemplate(source)
        } catch {
            failures.append("parse: \(error)")
            return try check(name, failures: failures, passed: 0, bothRaised: 0, total: fixture.cases.count)
        }
        for (caseName, value) in fixture.cases {
            let expected = try #require(reference[caseName], "no reference for \(name)/\(caseName)")
            let actual: Result<String, TemplateError>
            do { actual = .success(try ConformanceFixture.renderSwift(template, value)) } catch { actual = .failure(error) }
            switch (expected.output, actual) {
            case (let want?, .success(let got)):
                if want == got { passed += 1 } else { failures.append("\(caseName): \(firstDifference(want, got))") }
            case (nil, .failure(let error)):
                // raise_exception must surface as .raised with the same message; other jinja2
                // errors (TypeError, UndefinedError…) as .runtime.
                let pythonError = expected.error ?? ""
                let prefix = "TemplateError: "
                let sameKind: Bool
                if pythonError.hasPrefix(prefix) {
                    sameKind = error == .raised(message: String(pythonError.dropFirst(prefix.count)))
                } else if case .runtime = error { sameKind = true } else { sameKind = false }
                if sameKind { passed += 1; bothRaised += 1 }
                else { failures.append("\(caseName): both raise, but jinja2 raised \(pythonError.debugDescription) and Kinglet \(error)") }
            case (let want?, .failure(let error)):
                failures.append("\(caseName): jinja2 rendered \(want.count) characters but Kinglet threw: \(error)")
            case (nil, .success(let got)):
                failures.append("\(caseName): jinja2 raised (\(expected.error ?? "?")) but Kinglet rendered: \(got.prefix(200).debugDescription)")
            }
        }
        try check(name, failures: failures, passed: passed, bothRaised: bothRaised, total: fixture.cases.count)
    }

    private func check(_ name: String, failures: [String], passed: Int, bothRaised: Int, total: Int) throws {
        print("conformance \(name): \(passed)/\(total) cases match jinja2 (\(passed - bothRaised) byte-identical renderings, \(bothRaised) raise in both)")
        if let reason = knownUnsupported[name] {
            print("conformance \(name): KNOWN UNSUPPORTED (\(reason)); \(failures.count) cases differ")
            #expect(!failures.isEmpty, "\(name) is listed as known-unsupported (\(reason)) but now passes: remove it from the list")
            return
        }
        for f in failures { Issue.record("\(name) — \(f)") }
    }

    @Test("the reference renderer and corpus are available")
    func fixtureLoads() throws {
        let fixture = try ConformanceFixture.shared.get()
        #expect(fixture.templates.count >= 20)
        #expect(fixture.cases.count >= 20)
    }
}
