// Python methods templates call on values: str (strip, split, startswith…), dict (items,
// get…). Mutating methods are absent, as in jinja2's ImmutableSandboxedEnvironment.

import Foundation

extension Interpreter {
    /// The bound method `v.name`, or nil when Python has no such (safe) method.
    func method(_ v: Value, _ name: String) -> Value? {
        let known: Set<String>
        switch v {
        case .string: known = Interpreter.stringMethods
        case .object: known = ["items", "keys", "values", "get", "copy"]
        case .array, .tuple: known = ["index", "count", "copy"]
        default: return nil
        }
        guard known.contains(name) else { return nil }
        return .callable(Callable(name: name) { args, kwargs throws(TemplateError) in
            try Interpreter.callMethod(v, name, args, kwargs)
        })
    }

    static let stringMethods: Set<String> = [
        "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "upper", "lower",
        "title", "capitalize", "replace", "find", "rfind", "index", "count", "join", "format", "isdigit",
        "isalpha", "isalnum", "isspace", "isupper", "islower", "zfill", "swapcase",
    ]

    /// Errors from methods carry line 0; `callValue` replaces it with the caller's line.
    static func callMethod(_ v: Value, _ name: String, _ args: [Value], _ kwargs: Object) throws(TemplateError) -> Value {
        func arg(_ i: Int, _ key: String) -> Value? {
            if i < args.count { return args[i] }
            return kwargs[key]
        }
        switch v {
        case .object(let o):
            switch name {
            case "items": return .array(o.entries.map { .tuple([.string($0.key), $0.value]) })
            case "keys": return .array(o.keys.map { .string($0) })
            case "values": return .array(o.values)
            case "get": return o[arg(0, "key")?.str ?? ""] ?? arg(1, "default") ?? .none
            default: return v
            }
        case .array(let a), .tuple(let a):
            switch name {
            case "count": return .int(a.filter { Value.equal($0, args.first ?? .none) }.count)
            case "index":
                guard let i = a.firstIndex(where: { Value.equal($0, args.first ?? .none) }) else {
                    throw .runtime(line: 0, message: "value is not in list")
                }
                return .int(i)
            default: return v
            }
        case .string(let s):
            return try stringMethod(s, name, arg)
        default:
            throw .runtime(line: 0, message: "'\(v.typeName)' object has no attribute '\(name)'")
        }
    }

    static func stripSet(_ chars: Value?) -> (Unicode.Scalar) -> Bool {
        if case .string(let c)? = chars { let set = Set(c.unicodeScalars); return { set.contains($0) } }
        return Lexer.isSpace
    }

    static func strip(_ s: String, _ chars: Value?, leading: Bool, trailing: Bool) -> String {
        let drop = stripSet(chars)
        var scalars = Substring(s).unicodeScalars[...]
        if leading { while let f = scalars.first, drop(f) { scalars.removeFirst() } }
        if trailing { while let l = scalars.last, drop(l) { scalars.removeLast() } }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Python `str.split(sep=None, maxsplit=-1)`.
    static func split(_ s: String, _ sep: Value?, _ maxSplit: Int) throws(TemplateError) -> [String] {
        guard case .string(let separator)? = sep else {
            var parts: [String] = []
            var rest = Substring(s).unicodeScalars[...]
            while true {
                while let f = rest.first, Lexer.isSpace(f) { rest.removeFirst() }
                if rest.isEmpty { break }
                if maxSplit >= 0 && parts.count == maxSplit {
                    var tail = rest
                    while let l = tail.last, Lexer.isSpace(l) { tail.removeLast() }
                    parts.append(String(String.UnicodeScalarView(tail)))
                    break
                }
                let end = rest.firstIndex(where: Lexer.isSpace) ?? rest.endIndex
                parts.append(String(String.UnicodeScalarView(rest[..<end])))
                rest = rest[end...]
            }
            return parts
        }
        guard !separator.isEmpty else { throw .runtime(line: 0, message: "empty separator") }
        var parts: [String] = []
        var rest = s[...]
        while maxSplit < 0 || parts.count < maxSplit, let r = rest.range(of: separator, options: .literal) {
            parts.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }

    private static func stringMethod(_ s: String, _ name: String, _ arg: (Int, String) -> Value?) throws(TemplateError) -> Value {
        func prefixes(_ v: Value?) -> [String] {
            switch v {
            case .string(let p)?: return [p]
            case .array(let a)?, .tuple(let a)?: return a.map(\.str)
            default: return []
            }
        }
        switch name {
        case "strip": return .string(strip(s, arg(0, "chars"), leading: true, trailing: true))
        case "lstrip": return .string(strip(s, arg(0, "chars"), leading: true, trailing: false))
        case "rstrip": return .string(strip(s, arg(0, "chars"), leading: false, trailing: true))
        case "split":
            let parts = try split(s, arg(0, "sep"), arg(1, "maxsplit")?.integer ?? -1)
            return .array(parts.map { .string($0) })
        case "rsplit":
            let parts = try split(s, arg(0, "sep"), -1)
            let maxSplit = arg(1, "maxsplit")?.integer ?? -1
            if maxSplit < 0 || parts.count <= maxSplit + 1 { return .array(parts.map { .string($0) }) }
            let sep = arg(0, "sep")?.str ?? " "
            let head = parts[..<(parts.count - maxSplit)].joined(separator: sep)
            return .array([.string(head)] + parts[(parts.count - maxSplit)...].map { .string($0) })
        case "splitlines":
            if s.isEmpty { return .array([]) }
            return .array(Lexer.normalizeNewlines(s + "\n").split(separator: "\n", omittingEmptySubsequences: false)
                .map { .string(String(String.UnicodeScalarView($0))) })
        case "startswith": return .bool(prefixes(arg(0, "prefix")).contains { s.unicodeScalars.starts(with: $0.unicodeScalars) })
        case "endswith": return .bool(prefixes(arg(0, "suffix")).contains { s.unicodeScalars.reversed().starts(with: $0.unicodeScalars.reversed()) })
        case "upper": return .string(s.uppercased())
        case "lower": return .string(s.lowercased())
        case "swapcase": return .string(String(s.map { $0.isUppercase ? Character($0.lowercased()) : Character($0.uppercased()) }))
        case "title": return .string(pythonTitle(s))
        case "capitalize": return .string(capitalize(s))
        case "replace":
            let old = arg(0, "old")?.str ?? "", new = arg(1, "new")?.str ?? ""
            let count = arg(2, "count")?.integer ?? -1
            return .string(try replace(s, old, new, count: count))
        case "find", "rfind", "index":
            let sub = arg(0, "sub")?.str ?? ""
            let scalars = Array(s.unicodeScalars), needle = Array(sub.unicodeScalars)
            let positions = needle.count <= scalars.count ? Array(0...(scalars.count - needle.count)) : []
            let ordered = name == "rfind" ? positions.reversed() : positions
            if let i = ordered.first(where: { Array(scalars[$0..<$0 + needle.count]) == needle }) { return .int(i) }
            if name == "index" { throw .runtime(line: 0, message: "substring not found") }
            return .int(-1)
        case "count":
            let sub = arg(0, "sub")?.str ?? ""
            return .int(sub.isEmpty ? s.unicodeScalars.count + 1 : s.components(separatedBy: sub).count - 1)
        case "join":
            guard let items = arg(0, "iterable")?.elements else { return .string("") }
            return .string(try Interpreter.join(items, separator: s))
        case "format": return .string(format(s, arg))
        case "isdigit": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType != nil })
        case "isalpha": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic })
        case "isalnum": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        case "isspace": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(Lexer.isSpace))
        case "isupper": return .bool(s.contains { $0.isCased } && s == s.uppercased())
        case "islower": return .bool(s.contains { $0.isCased } && s == s.lowercased())
        case "zfill":
            let width = min(arg(0, "width")?.integer ?? 0, Value.maxSize)
            let n = s.unicodeScalars.count
            return .string(n >= width ? s : String(repeating: "0", count: width - n) + s)
        default: throw .runtime(line: 0, message: "'str' object has no attribute '\(name)'")
        }
    }

    static func replace(_ s: String, _ old: String, _ new: String, count: Int) throws(TemplateError) -> String {
        let occurrences = old.isEmpty ? s.unicodeScalars.count + 1 : s.utf8.count / old.utf8.count
        if new.utf8.count > old.utf8.count, occurrences > 0,
           new.utf8.count - old.utf8.count > (Value.maxSize - s.utf8.count) / occurrences {
            throw .runtime(line: 0, message: "replace result too large")
        }
        if old.isEmpty {
            var out = new
            for c in s.unicodeScalars { out.unicodeScalars.append(c); out += new }
            return out
        }
        var out = "", rest = s[...], n = 0
        while count < 0 || n < count, let r = rest.range(of: old, options: .literal) {
            out += rest[..<r.lowerBound] + new
            rest = rest[r.upperBound...]
            n += 1
        }
        return out + rest
    }

    /// `sep.join(items)`, failing before building a string past `Value.maxSize`.
    static func join(_ items: [Value], separator: String) throws(TemplateError) -> String {
        var parts: [String] = []
        var total = 0
        for item in items {
            let s = item.str
            total += s.utf8.count + separator.utf8.count
            if total > Value.maxSize { throw .runtime(line: 0, message: "join result too large") }
            parts.append(s)
        }
        return parts.joined(separator: separator)
    }

    /// Python's `fmt % args` for `%s`, `%r`, `%d`/`%i`, `%f`/`%.Nf`, `%x` and `%%`.
    static func printf(_ format: String, _ args: [Value]) throws(TemplateError) -> String {
        var out = "", next = 0
        var chars = Substring(format).unicodeScalars[...]
        while let c = chars.first {
            chars.removeFirst()
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            var precision: Int? = nil
            if chars.first == "." {
                chars.removeFirst()
                var digits = ""
                while let d = chars.first, ("0"..."9").contains(d) { digits.unicodeScalars.append(d); chars.removeFirst() }
                precision = Int(digits) ?? 0
            }
            guard let conversion = chars.first else { throw .runtime(line: 0, message: "incomplete format") }
            chars.removeFirst()
            if conversion == "%" { out += "%"; continue }
            guard next < args.count else { throw .runtime(line: 0, message: "not enough arguments for format string") }
            let v = args[next]
            next += 1
            switch conversion {
            case "s": out += v.str
            case "r": out += v.repr
            case "d", "i":
                guard let n = v.number, n.isFinite, abs(n) < 9e18 else { throw .runtime(line: 0, message: "%d format: a real number is required") }
                out += String(Int(n))
            case "f", "F":
                guard let n = v.number else { throw .runtime(line: 0, message: "%f format: a real number is required") }
                out += String(format: "%.\(min(precision ?? 6, 100))f", n)
            case "x":
                guard let n = v.integer else { throw .runtime(line: 0, message: "%x format: an integer is required") }
                out += String(n, radix: 16)
            default: throw .runtime(line: 0, message: "unsupported format character '\(conversion)'")
            }
        }
        guard next == args.count else { throw .runtime(line: 0, message: "not all arguments converted during string formatting") }
        return out
    }

    static func capitalize(_ s: String) -> String {
        guard let first = s.unicodeScalars.first else { return s }
        return String(first).uppercased() + String(String.UnicodeScalarView(s.unicodeScalars.dropFirst())).lowercased()
    }

    /// Python `str.title()`: upper-case a letter that follows a non-cased character.
    static func pythonTitle(_ s: String) -> String {
        var out = "", previousCased = false
        for c in s.unicodeScalars {
            let ch = String(c)
            out += previousCased ? ch.lowercased() : ch.uppercased()
            previousCased = c.properties.isCased
        }
        return out
    }

    /// `str.format` with `{}`, `{0}` and `{name}` fields (no format specs).
    static func format(_ s: String, _ arg: (Int, String) -> Value?) -> String {
        var out = "", auto = 0
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == "{" || c == "}", s.index(after: i) < s.endIndex, s[s.index(after: i)] == c {
                out.append(c); i = s.index(i, offsetBy: 2); continue
            }
            if c == "{", let close = s[i...].firstIndex(of: "}") {
                let field = String(s[s.index(after: i)..<close]).split(separator: ":").first.map(String.init) ?? ""
                let value = field.isEmpty ? arg(auto, "") : Int(field).flatMap { arg($0, "") } ?? arg(Int.max, field)
                if field.isEmpty { auto += 1 }
                out += value?.str ?? ""
                i = s.index(after: close)
                continue
            }
            out.append(c)
            i = s.index(after: i)
        }
        return out
    }
}
