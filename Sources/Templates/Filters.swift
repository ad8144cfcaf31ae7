// jinja2's built-in filters plus Hugging Face's `tojson` (ensure_ascii off, insertion order).

import Foundation

extension Interpreter {
    /// jinja2's built-in filter names (for the `filter` test and error messages); the ones
    /// chat templates do not use (urlize, wordwrap, xmlattr …) are not implemented.
    static let filterNames: Set<String> = [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
        "filesizeformat", "first", "float", "forceescape", "format", "groupby", "indent", "int", "items", "join",
        "last", "length", "list", "lower", "map", "max", "min", "pprint", "random", "reject", "rejectattr",
        "replace", "reverse", "round", "safe", "select", "selectattr", "slice", "sort", "string", "striptags",
        "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "urlencode", "urlize", "wordcount",
        "wordwrap", "xmlattr",
    ]

    /// `a.b.0`-style attribute path, looked up like `x['a']['b'][0]`.
    func resolve(_ v: Value, path: Value, line: Int) throws(TemplateError) -> Value {
        if let i = path.integer { return try item(v, .int(i), line: line) }
        var cur = v
        for part in path.str.split(separator: ".", omittingEmptySubsequences: false) {
            cur = try item(cur, Int(part).map(Value.int) ?? .string(String(part)), line: line)
        }
        return cur
    }

    func list(_ v: Value, line: Int) throws(TemplateError) -> [Value] { try v.iterate(line: line) }

    /// Sort key comparison, case-insensitive for strings unless asked otherwise.
    func sortCompare(_ a: Value, _ b: Value, caseSensitive: Bool, line: Int) throws(TemplateError) -> Int {
        if !caseSensitive, case .string(let x) = a, case .string(let y) = b {
            return try compare(.string(x.lowercased()), .string(y.lowercased()), op: "<", line: line)
        }
        return try compare(a, b, op: "<", line: line)
    }

    func stableSort(_ items: [Value], reverse: Bool, key: (Value) throws(TemplateError) -> Value,
                    caseSensitive: Bool, line: Int) throws(TemplateError) -> [Value] {
        var keyed: [(key: Value, value: Value)] = []
        for item in items { keyed.append((try key(item), item)) }
        // Insertion sort keeps typed throws simple and is stable; template lists are short.
        var sorted: [(key: Value, value: Value)] = []
        for entry in keyed {
            var i = sorted.count
            while i > 0 {
                let c = try sortCompare(sorted[i - 1].key, entry.key, caseSensitive: caseSensitive, line: line)
                if reverse ? c < 0 : c > 0 { i -= 1 } else { break }
            }
            sorted.insert(entry, at: i)
        }
        return sorted.map(\.value)
    }

    func applyFilter(_ name: String, _ v: Value, _ args: [Value], _ kwargs: Object, line: Int) throws(TemplateError) -> Value {
        func arg(_ i: Int, _ key: String) -> Value? {
            if i < args.count { return args[i] }
            return kwargs[key]
        }
        func flag(_ i: Int, _ key: String) -> Bool { arg(i, key)?.truthy ?? false }
        func undefinedError() -> TemplateError {
            if case .undefined(let n) = v { return .runtime(line: line, message: "'\(n)' is undefined") }
            return .runtime(line: line, message: "filter '\(name)' cannot be applied to '\(v.typeName)'")
        }
        switch name {
        case "safe": return v
        case "escape", "e":
            return .string(v.str.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&#34;")
                .replacingOccurrences(of: "'", with: "&#39;"))
        case "string": return .string(v.str)
        case "default", "d":
            let fallback = arg(0, "default_value") ?? .string("")
            return v.isUndefined || (flag(1, "boolean") && !v.truthy) ? fallback : v
        case "length", "count":
            switch v {
            case .undefined: return .int(0)
            case .string(let s): return .int(s.unicodeScalars.count)
            case .array(let a), .tuple(let a): return .int(a.count)
            case .object(let o): return .int(o.count)
            default: throw .runtime(line: line, message: "object of type '\(v.typeName)' has no len()")
            }
        case "tojson":
            var indent: String? = nil
            switch arg(0, "indent") {
            case .int(let n)?: indent = String(repeating: " ", count: max(0, min(n, 64)))
            case .string(let s)?: indent = s
            default: break
            }
            var out = ""
            var value = v
            if flag(3, "sort_keys") { value = sortKeys(v) }
            try JSONWriter(indent: indent, line: line).writeChecked(value, into: &out, level: 0)
            if let seps = arg(2, "separators")?.elements, seps.count == 2 {
                // Custom separators: re-emit with them (rare; only the default pair is common).
                out = try customSeparators(value, indent: indent, item: seps[0].str, key: seps[1].str, line: line)
            }
            return .string(out)
        case "trim": return .string(Interpreter.strip(v.str, arg(0, "chars"), leading: true, trailing: true))
        case "upper": return .string(v.str.uppercased())
        case "lower": return .string(v.str.lowercased())
        case "capitalize": return .string(Interpreter.capitalize(v.str))
        case "title": return .string(jinjaTitle(v.str))
        case "replace":
            return .string(try Interpreter.replace(v.str, arg(0, "old")?.str ?? "", arg(1, "new")?.str ?? "",
                                               count: arg(2, "count")?.integer ?? -1))
        case "first": return try list(v, line: line).first ?? .undefined("first")
        case "last": return try list(v, line: line).last ?? .undefined("last")
        case "list": return .array(try list(v, line: line))
        case "items":
            switch v {
            case .undefined: return .array([])
            case .object(let o): return .array(o.entries.map { .tuple([.string($0.key), $0.value]) })
            default: throw .runtime(line: line, message: "'\(v.typeName)' object has no attribute 'items'")
            }
        case "dictsort":
            guard case .object(let o) = v else { throw undefinedError() }
            let byValue = arg(1, "by")?.str == "value"
            let pairs = o.entries.map { Value.tuple([.string($0.key), $0.value]) }
            return .array(try stableSort(pairs, reverse: flag(2, "reverse"), key: { p throws(TemplateError) in
                if let kv = p.elements { return kv[byValue ? 1 : 0] }
                return p
            }, caseSensitive: flag(0, "case_sensitive"), line: line))
        case "join":
            var items = try list(v, line: line)
            if let attr = arg(1, "attribute") {
                var mapped: [Value] = []
                for item in items { mapped.append(try resolve(item, path: attr, line: line)) }
                items = mapped
            }
            do { return .string(try Interpreter.join(items, separator: arg(0, "d")?.str ?? "")) }
            catch { throw .runtime(line: line, message: error.message) }
        case "map":
            var out: [Value] = []
            if let attr = kwargs["attribute"] {
                for item in try list(v, line: line) {
                    let r = try resolve(item, path: attr, line: line)
                    out.append(r.isUndefined ? (kwargs["default"] ?? r) : r)
                }
            } else if let filterName = args.first?.str {
                for item in try list(v, line: line) {
                    out.append(try applyFilter(filterName, item, Array(args.dropFirst()), kwargs, line: line))
                }
            } else {
                out = try list(v, line: line)
            }
            return .array(out)
        case "select", "reject":
            var out: [Value] = []
            for item in try list(v, line: line) {
                let ok = args.isEmpty ? item.truthy : try applyTest(args[0].str, item, Array(args.dropFirst()), line: line)
                if ok == (name == "select") { out.append(item) }
            }
            return .array(out)
        case "selectattr", "rejectattr":
            guard let attr = args.first else { throw .runtime(line: line, message: "\(name) needs an attribute") }
            var out: [Value] = []
            for item in try list(v, line: line) {
                let field = try resolve(item, path: attr, line: line)
                let ok = args.count < 2 ? field.truthy : try applyTest(args[1].str, field, Array(args.dropFirst(2)), line: line)
                if ok == (name == "selectattr") { out.append(item) }
            }
            return .array(out)
        case "unique":
            var out: [Value] = [], seen: [Value] = []
            let caseSensitive = flag(0, "case_sensitive")
            for item in try list(v, line: line) {
                var key = try arg(1, "attribute").map { (a: Value) throws(TemplateError) in try resolve(item, path: a, line: line) } ?? item
                if !caseSensitive, case .string(let s) = key { key = .string(s.lowercased()) }
                if !seen.contains(where: { Value.equal($0, key) }) { seen.append(key); out.append(item) }
            }
            return .array(out)
        case "sort":
            let attr = arg(2, "attribute")
            return .array(try stableSort(try list(v, line: line), reverse: flag(0, "reverse"), key: { (x: Value) throws(TemplateError) in
                try attr.map { (a: Value) throws(TemplateError) in try resolve(x, path: a, line: line) } ?? x
            }, caseSensitive: flag(1, "case_sensitive"), line: line))
        case "reverse":
            if case .string(let s) = v { return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed()))) }
            return .array(try list(v, line: line).reversed())
        case "min", "max":
            let items = try stableSort(try list(v, line: line), reverse: name == "max", key: { $0 },
                                       caseSensitive: flag(0, "case_sensitive"), line: line)
            return items.first ?? .undefined(name)
        case "sum":
            var total: Value = arg(1, "start") ?? .int(0)
            for item in try list(v, line: line) {
                let x = try arg(0, "attribute").map { (a: Value) throws(TemplateError) in try resolve(item, path: a, line: line) } ?? item
                total = try arithmetic("+", total, x, line: line)
            }
            return total
        case "int":
            let fallback = arg(0, "default") ?? .int(0)
            switch v {
            case .int, .bool: return .int(v.integer ?? 0)
            case .double(let d): return d.isFinite && abs(d) < 9e18 ? .int(Int(d)) : fallback
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespaces)
                if let i = Int(t) { return .int(i) }
                if let d = Double(t), d.isFinite, abs(d) < 9e18 { return .int(Int(d)) }
                return fallback
            default: return fallback
            }
        case "float":
            let fallback = arg(0, "default") ?? .double(0)
            if let d = v.number { return .double(d) }
            if case .string(let s) = v, let d = Double(s.trimmingCharacters(in: .whitespaces)) { return .double(d) }
            return fallback
        case "abs":
            switch v {
            case .int(let i): return .int(i == Int.min ? i : abs(i))
            case .bool(let b): return .int(b ? 1 : 0)
            case .double(let d): return .double(abs(d))
            default: throw undefinedError()
            }
        case "round":
            let precision = arg(0, "precision")?.integer ?? 0
            let method = arg(1, "method")?.str ?? "common"
            guard let x = v.number else { throw undefinedError() }
            if case .int = v, method == "common" { return v }
            let scale = pow(10.0, Double(max(-300, min(precision, 300))))
            let rule: FloatingPointRoundingRule = method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrEven
            return .double((x * scale).rounded(rule) / scale)
        case "indent":
            let width = arg(0, "width") ?? .int(4)
            let padLength: Int
            if case .string(let p) = width { padLength = p.utf8.count } else { padLength = max(0, min(width.integer ?? 4, 256)) }
            let lineCount = v.str.utf8.reduce(1) { $1 == 10 ? $0 + 1 : $0 }
            let (extra, overflow) = lineCount.multipliedReportingOverflow(by: padLength)
            guard !overflow, v.str.utf8.count + extra <= Value.maxSize else {
                throw .runtime(line: line, message: "indent result too large")
            }
            return .string(indent(v.str, width: width, first: flag(1, "first"), blank: flag(2, "blank")))
        case "format":
            do { return .string(try Interpreter.printf(v.str, args)) }
            catch { throw .runtime(line: line, message: "format: \(error.message)") }
        case "attr": return try attribute(v, arg(0, "name")?.str ?? "", line: line)
        case "batch":
            guard let size = arg(0, "linecount")?.integer, size > 0 else { throw .runtime(line: line, message: "batch needs a positive size") }
            let items = try list(v, line: line)
            var out: [Value] = []
            for start in stride(from: 0, to: items.count, by: size) {
                var chunk = Array(items[start..<min(start + size, items.count)])
                if let fill = arg(1, "fill_with"), chunk.count < size { chunk += Array(repeating: fill, count: size - chunk.count) }
                out.append(.array(chunk))
            }
            return .array(out)
        case "center":
            let width = min(arg(0, "width")?.integer ?? 80, Value.maxSize)
            let s = v.str, n = s.unicodeScalars.count
            guard width > n else { return .string(s) }
            let left = (width - n) / 2 + ((width - n) % 2 == 1 && width % 2 == 1 ? 1 : 0)
            return .string(String(repeating: " ", count: left) + s + String(repeating: " ", count: width - n - left))
        case "wordcount": return .int(v.str.split(whereSeparator: { $0.isWhitespace || $0.isPunctuation }).count)
        default:
            let reason = Interpreter.filterNames.contains(name) ? "filter '\(name)' is not supported" : "no filter named '\(name)'"
            throw .runtime(line: line, message: reason)
        }
    }

    private func sortKeys(_ v: Value) -> Value {
        switch v {
        case .array(let a), .tuple(let a): return .array(a.map(sortKeys))
        case .object(let o): return .object(Object(o.keys.sorted { compareKeys($0, $1) }.compactMap { k in o[k].map { (k, sortKeys($0)) } }))
        default: return v
        }
    }

    private func compareKeys(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
    }

    private func customSeparators(_ v: Value, indent: String?, item: String, key: String, line: Int) throws(TemplateError) -> String {
        func write(_ v: Value, _ level: Int) throws(TemplateError) -> String {
            let nl = indent.map { "\n" + String(repeating: $0, count: level + 1) } ?? ""
            let close = indent.map { "\n" + String(repeating: $0, count: level) } ?? ""
            switch v {
            case .array(let a) where !a.isEmpty, .tuple(let a) where !a.isEmpty:
                var parts: [String] = []
                for x in a { parts.append(try write(x, level + 1)) }
                return "[" + nl + parts.joined(separator: item + nl) + close + "]"
            case .object(let o) where !o.isEmpty:
                var parts: [String] = []
                for e in o.entries {
                    var k = ""
                    JSONWriter.quote(e.key, into: &k)
                    parts.append(k + key + (try write(e.value, level + 1)))
                }
                return "{" + nl + parts.joined(separator: item + nl) + close + "}"
            default:
                var out = ""
                try JSONWriter(indent: indent, line: line).writeChecked(v, into: &out, level: 0)
                return out
            }
        }
        return try write(v, 0)
    }

    /// jinja2's `title`: upper-case the first letter of each word split at `-`, spaces, `(`, `{`, `[`, `<`.
    private func jinjaTitle(_ s: String) -> String {
        var out = "", atStart = true
        for c in s.unicodeScalars {
            let isBreak = Lexer.isSpace(c) || "-({[<".unicodeScalars.contains(c)
            out += isBreak ? String(c) : atStart ? String(c).uppercased() : String(c).lowercased()
            atStart = isBreak
        }
        return out
    }

    /// jinja2's `indent(width, first, blank)`.
    private func indent(_ s: String, width: Value, first: Bool, blank: Bool) -> String {
        let pad: String
        if case .string(let p) = width { pad = p } else { pad = String(repeating: " ", count: max(0, min(width.integer ?? 4, 256))) }
        let lines = Lexer.normalizeNewlines(s + "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { String(String.UnicodeScalarView($0)) }
        var rv: String
        if blank {
            rv = lines.joined(separator: "\n" + pad)
        } else {
            rv = lines[0]
            let rest = lines.dropFirst()
            if !rest.isEmpty { rv += "\n" + rest.map { $0.isEmpty ? $0 : pad + $0 }.joined(separator: "\n") }
        }
        return first ? pad + rv : rv
    }
}
