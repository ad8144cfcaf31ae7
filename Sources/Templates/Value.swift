// The interpreter's value: template data plus namespaces, macros and functions, with
// Python's truthiness, equality and str()/repr() formatting.

import Foundation

typealias Object = OrderedObject<Value>

/// `namespace(...)`: the one mutable object jinja2 lets a template assign attributes on.
final class Namespace {
    var object: Object
    init(_ object: Object) { self.object = object }
}

/// The `loop` variable of a `for`: fields are computed on access, so an iteration costs one allocation.
final class LoopState {
    let items: [Value]
    var index = 0
    init(items: [Value]) { self.items = items }

    func attribute(_ name: String) -> Value {
        let n = items.count
        switch name {
        case "index": return .int(index + 1)
        case "index0": return .int(index)
        case "revindex": return .int(n - index)
        case "revindex0": return .int(n - index - 1)
        case "first": return .bool(index == 0)
        case "last": return .bool(index == n - 1)
        case "length": return .int(n)
        case "depth": return .int(1)
        case "depth0": return .int(0)
        case "previtem": return index > 0 ? items[index - 1] : .undefined("loop.previtem")
        case "nextitem": return index + 1 < n ? items[index + 1] : .undefined("loop.nextitem")
        case "cycle":
            let i = index
            return .callable(Callable(name: "loop.cycle") { args, _ throws(TemplateError) in
                args.isEmpty ? .undefined("cycle") : args[i % args.count]
            })
        default: return .undefined("loop.\(name)")
        }
    }
}

/// A macro or built-in function. `call` receives positional and keyword arguments.
final class Callable {
    let name: String
    let call: (_ positional: [Value], _ keywords: Object) throws(TemplateError) -> Value
    init(name: String, call: @escaping (_ positional: [Value], _ keywords: Object) throws(TemplateError) -> Value) {
        self.name = name
        self.call = call
    }
}

/// `@unchecked Sendable` only so it can sit in `OrderedObject`: values live inside one
/// render call (one interpreter, one thread) and never cross isolation domains.
enum Value: @unchecked Sendable {
    /// A missing variable/attribute; the payload names it for error messages.
    case undefined(String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    /// A Python tuple: `(a, b)`, `dict.items()` pairs, `varargs`. Prints as `(a, b)`.
    case tuple([Value])
    case object(Object)
    case namespace(Namespace)
    case callable(Callable)
    case loop(LoopState)

    init(_ v: TemplateValue) {
        switch v {
        case .undefined: self = .undefined("value")
        case .none: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map(Value.init))
        case .object(let o): self = .object(Object(o.entries.map { ($0.key, Value($0.value)) }))
        }
    }

    var isUndefined: Bool { if case .undefined = self { return true } else { return false } }

    /// Python truthiness.
    var truthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a), .tuple(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        case .namespace, .callable, .loop: return true
        }
    }

    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .tuple: return "tuple"
        case .object: return "dict"
        case .namespace: return "Namespace"
        case .callable: return "function"
        case .loop: return "LoopContext"
        }
    }

    /// The number, for arithmetic (bool counts as int, as in Python).
    var number: Double? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    var integer: Int? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return i
        default: return nil
        }
    }

    /// Python `==`.
    static func equal(_ a: Value, _ b: Value, depth: Int = 0) -> Bool {
        if depth > 300 { return false }
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let x), .string(let y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.array(let x), .array(let y)), (.tuple(let x), .tuple(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1, depth: depth + 1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.entries.allSatisfy { e in y[e.key].map { equal(e.value, $0, depth: depth + 1) } ?? false }
        case (.namespace(let x), .namespace(let y)): return x === y
        case (.callable(let x), .callable(let y)): return x === y
        case (.loop(let x), .loop(let y)): return x === y
        default:
            if let i = a.integer, let j = b.integer { return i == j }
            if let x = a.number, let y = b.number { return x == y }
            return false
        }
    }

    /// Python `str(value)`.
    var str: String {
        switch self {
        case .undefined: return ""
        case .string(let s): return s
        default: return repr
        }
    }

    /// Python `repr(value)`, as lists and dicts print their items.
    var repr: String {
        var budget = Value.maxSize + 1
        return repr(depth: 0, budget: &budget)
    }

    /// Largest string (bytes) a template may build, and 4x the longest list; far above any
    /// real prompt (a million tokens is ~4 MiB). Beyond it rendering fails instead of exhausting memory.
    static let maxSize = 16 << 20

    /// Nesting beyond a few hundred levels, or text beyond `budget` bytes, prints as `...`
    /// instead of exhausting the stack or memory (the output-size check then rejects it).
    func repr(depth: Int, budget: inout Int) -> String {
        if depth > 300 || budget <= 0 { return "..." }
        let text = reprItems(depth: depth, budget: &budget)
        budget -= text.utf8.count
        return text
    }

    private func reprItems(depth: Int, budget: inout Int) -> String {
        func items(_ a: [Value], _ budget: inout Int) -> String {
            var parts: [String] = []
            for v in a {
                if budget <= 0 { parts.append("..."); break }
                parts.append(v.repr(depth: depth + 1, budget: &budget))
            }
            return parts.joined(separator: ", ")
        }
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return Value.pythonFloat(d)
        case .string(let s): return Value.pythonRepr(s)
        case .array(let a): return "[" + items(a, &budget) + "]"
        case .tuple(let a): return "(" + items(a, &budget) + (a.count == 1 ? ",)" : ")")
        case .object(let o):
            var parts: [String] = []
            for e in o.entries {
                if budget <= 0 { parts.append("..."); break }
                parts.append(Value.pythonRepr(e.key) + ": " + e.value.repr(depth: depth + 1, budget: &budget))
            }
            return "{" + parts.joined(separator: ", ") + "}"
        case .namespace(let n): return "<Namespace " + Value.object(n.object).repr(depth: depth + 1, budget: &budget) + ">"
        case .callable(let c): return "<function \(c.name)>"
        case .loop(let l): return "<LoopContext \(l.index + 1)/\(l.items.count)>"
        }
    }

    /// Python's `repr(float)`: shortest round-trip digits, positional for 1e-4 <= |x| < 1e16.
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description gives the shortest round-trip digits; re-layout them.
        var s = "\(abs(d))"
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(s[s.index(after: e)...]) ?? 0
            s = String(s[..<e])
        }
        var intPart = s, fracPart = ""
        if let dot = s.firstIndex(of: ".") {
            intPart = String(s[..<dot])
            fracPart = String(s[s.index(after: dot)...])
        }
        var digits = intPart + fracPart
        var pointPos = intPart.count + exponent  // decimal point after this many digits
        while digits.count > 1, digits.first == "0" { digits.removeFirst(); pointPos -= 1 }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let sci = pointPos - 1
        var out: String
        if sci < -4 || sci >= 16 {
            out = String(digits.prefix(1))
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += (sci < 0 ? "e-" : "e+") + (abs(sci) < 10 ? "0" : "") + String(abs(sci))
        } else if pointPos <= 0 {
            out = "0." + String(repeating: "0", count: -pointPos) + digits
        } else if pointPos >= digits.count {
            out = digits + String(repeating: "0", count: pointPos - digits.count) + ".0"
        } else {
            let i = digits.index(digits.startIndex, offsetBy: pointPos)
            out = digits[..<i] + "." + digits[i...]
        }
        return d < 0 ? "-" + out : out
    }

    /// Python's `repr(str)`: single quotes unless the text has `'` and no `"`.
    static func pythonRepr(_ s: String) -> String {
        let quote: Unicode.Scalar = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String.UnicodeScalarView()
        out.append(quote)
        for c in s.unicodeScalars {
            switch c {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case quote: out.append("\\"); out.append(c)
            default:
                if c.value < 0x20 || (0x7F...0xA0).contains(c.value) || c.value == 0xAD {
                    out.append(contentsOf: String(format: "\\x%02x", c.value).unicodeScalars)
                } else if c.properties.generalCategory == .lineSeparator || c.properties.generalCategory == .paragraphSeparator
                            || c.properties.generalCategory == .unassigned || c.properties.generalCategory == .surrogate
                            || c.properties.generalCategory == .privateUse || c.properties.generalCategory == .format
                            || (c.properties.generalCategory == .spaceSeparator && c != " ") {
                    let hex = String(c.value, radix: 16)
                    let width = c.value > 0xFFFF ? 8 : 4
                    out.append(contentsOf: ("\\" + (width == 8 ? "U" : "u") + String(repeating: "0", count: width - hex.count) + hex).unicodeScalars)
                } else {
                    out.append(c)
                }
            }
        }
        out.append(quote)
        return String(out)
    }

    /// The items a `for` loop visits.
    func iterate(line: Int) throws(TemplateError) -> [Value] {
        switch self {
        case .undefined: return []
        case .array(let a), .tuple(let a): return a
        case .object(let o): return o.keys.map { .string($0) }
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        default: throw .runtime(line: line, message: "'\(typeName)' object is not iterable")
        }
    }
}

extension Value {
    var isTuple: Bool { if case .tuple = self { return true } else { return false } }

    /// The items of a list or tuple.
    var elements: [Value]? {
        switch self {
        case .array(let a), .tuple(let a): return a
        default: return nil
        }
    }
}
