// Evaluates expressions with Python semantics: attribute/item lookup falling back to
// undefined, arithmetic and comparison rules, and calls.

import Foundation

extension Interpreter {
    func eval(_ e: Expr, _ scope: Scope, _ line: Int) throws(TemplateError) -> Value {
        try enter(line: line)
        defer { nesting -= 1 }
        switch e {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .integer(let i): return .int(i)
        case .float(let d): return .double(d)
        case .string(let s): return .string(s)
        case .name(let n): return scope.lookup(n) ?? .undefined(n)
        case .list(let items), .tuple(let items):
            var values: [Value] = []
            for item in items { values.append(try eval(item, scope, line)) }
            if case .tuple = e { return .tuple(values) }
            return .array(values)
        case .dict(let pairs):
            var o = Object()
            for p in pairs {
                let k = try eval(p.key, scope, line)
                o[k.str] = try eval(p.value, scope, line)
            }
            return .object(o)
        case .attribute(let target, let name):
            return try attribute(try eval(target, scope, line), name, line: line)
        case .item(let target, let index):
            return try item(try eval(target, scope, line), try eval(index, scope, line), line: line)
        case .slice(let target, let start, let stop, let step):
            let v = try eval(target, scope, line)
            func opt(_ x: Expr?) throws(TemplateError) -> Int? {
                guard let x else { return nil }
                let value = try eval(x, scope, line)
                if case .none = value { return nil }
                guard let i = value.integer else { throw .runtime(line: line, message: "slice indices must be integers") }
                return i
            }
            return try slice(v, try opt(start), try opt(stop), try opt(step), line: line)
        case .call(let callee, let args):
            let f = try eval(callee, scope, line)
            let (positional, keywords) = try evalArguments(args, scope, line)
            return try bounded(try callValue(f, positional, keywords, line: line), line: line)
        case .filter(let target, let name, let args, let fline):
            let v = try eval(target, scope, line)
            let (positional, keywords) = try evalArguments(args, scope, line)
            return try bounded(try applyFilter(name, v, positional, keywords, line: max(line, fline)), line: line)
        case .test(let target, let name, let args, let negated, let tline):
            let v = try eval(target, scope, line)
            let (positional, _) = try evalArguments(args, scope, line)
            return .bool(try applyTest(name, v, positional, line: max(line, tline)) != negated)
        case .unary(let op, let operand):
            let v = try eval(operand, scope, line)
            switch v {
            case .int(let i): return .int(op == "-" ? 0 &- i : i)
            case .bool(let b): return .int(op == "-" ? (b ? -1 : 0) : (b ? 1 : 0))
            case .double(let d): return .double(op == "-" ? -d : d)
            default: throw .runtime(line: line, message: "bad operand type for unary \(op): '\(v.typeName)'")
            }
        case .binary(let op, let l, let r):
            return try bounded(try binary(op, try eval(l, scope, line), try eval(r, scope, line), line: line), line: line)
        case .and(let l, let r):
            let a = try eval(l, scope, line)
            return a.truthy ? try eval(r, scope, line) : a
        case .or(let l, let r):
            let a = try eval(l, scope, line)
            return a.truthy ? a : try eval(r, scope, line)
        case .not(let x):
            return .bool(!(try eval(x, scope, line).truthy))
        case .conditional(let test, let then, let otherwise):
            if try eval(test, scope, line).truthy { return try eval(then, scope, line) }
            guard let otherwise else { return .undefined("conditional") }
            return try eval(otherwise, scope, line)
        }
    }

    /// Rejects strings and lists past `Value.maxSize`, so doubling in a loop fails instead of exhausting memory.
    func bounded(_ v: Value, line: Int) throws(TemplateError) -> Value {
        switch v {
        case .string(let s) where s.utf8.count > Value.maxSize:
            throw .runtime(line: line, message: "string result larger than \(Value.maxSize) bytes")
        case .array(let a) where a.count > Value.maxSize / 4, .tuple(let a) where a.count > Value.maxSize / 4:
            throw .runtime(line: line, message: "list result longer than \(Value.maxSize / 4) items")
        default:
            return v
        }
    }

    func evalArguments(_ args: [Argument], _ scope: Scope, _ line: Int) throws(TemplateError) -> ([Value], Object) {
        var positional: [Value] = []
        var keywords = Object()
        for a in args {
            let v = try eval(a.value, scope, line)
            if let n = a.name { keywords[n] = v } else { positional.append(v) }
        }
        return (positional, keywords)
    }

    func callValue(_ f: Value, _ positional: [Value], _ keywords: Object, line: Int) throws(TemplateError) -> Value {
        guard case .callable(let c) = f else {
            if case .undefined(let name) = f { throw .runtime(line: line, message: "'\(name)' is undefined") }
            throw .runtime(line: line, message: "'\(f.typeName)' object is not callable")
        }
        do {
            return try c.call(positional, keywords)
        } catch {
            if case .runtime(0, let message) = error { throw .runtime(line: line, message: message) }
            throw error
        }
    }

    /// `obj.name`: jinja2 tries the Python attribute (methods) first, then the item.
    func attribute(_ v: Value, _ name: String, line: Int) throws(TemplateError) -> Value {
        switch v {
        case .undefined(let n):
            throw .runtime(line: line, message: "'\(n)' is undefined (while looking up '\(name)')")
        case .object(let o):
            if let m = method(v, name) { return m }
            return o[name] ?? .undefined(name)
        case .namespace(let ns):
            return ns.object[name] ?? .undefined(name)
        case .loop(let l):
            return l.attribute(name)
        default:
            return method(v, name) ?? .undefined(name)
        }
    }

    /// `obj[key]`: the item first, then (for string keys) the attribute.
    func item(_ v: Value, _ key: Value, line: Int) throws(TemplateError) -> Value {
        switch (v, key) {
        case (.undefined(let n), _):
            throw .runtime(line: line, message: "'\(n)' is undefined (while looking up '\(key.str)')")
        case (.object(let o), .string(let k)):
            return o[k] ?? method(v, k) ?? .undefined(k)
        case (.object(let o), _):
            return o[key.str] ?? .undefined(key.str)
        case (.namespace(let ns), .string(let k)):
            return ns.object[k] ?? .undefined(k)
        case (.loop(let l), .string(let k)):
            return l.attribute(k)
        case (.array(let a), _), (.tuple(let a), _):
            guard let i = key.integer else {
                if case .string(let k) = key { return method(v, k) ?? .undefined(k) }
                throw .runtime(line: line, message: "list indices must be integers, not \(key.typeName)")
            }
            let j = i < 0 ? i + a.count : i
            return a.indices.contains(j) ? a[j] : .undefined("list[\(i)]")
        case (.string(let s), _):
            guard let i = key.integer else {
                if case .string(let k) = key { return method(v, k) ?? .undefined(k) }
                throw .runtime(line: line, message: "string indices must be integers")
            }
            let scalars = Array(s.unicodeScalars)
            let j = i < 0 ? i + scalars.count : i
            return scalars.indices.contains(j) ? .string(String(scalars[j])) : .undefined("str[\(i)]")
        case (_, .string(let k)):
            return method(v, k) ?? .undefined(k)
        default:
            return .undefined(key.str)
        }
    }

    func slice(_ v: Value, _ start: Int?, _ stop: Int?, _ step: Int?, line: Int) throws(TemplateError) -> Value {
        let step = step ?? 1
        guard step != 0 else { throw .runtime(line: line, message: "slice step cannot be zero") }
        func indices(_ count: Int) -> [Int] {
            func clamp(_ x: Int?, _ dflt: Int, _ lo: Int, _ hi: Int) -> Int {
                guard var x else { return dflt }
                if x < 0 { x += count }
                return min(max(x, lo), hi)
            }
            if step > 0 {
                let a = clamp(start, 0, 0, count), b = clamp(stop, count, 0, count)
                return a < b ? Array(stride(from: a, to: b, by: step)) : []
            }
            let a = clamp(start, count - 1, -1, count - 1), b = clamp(stop, -1, -1, count - 1)
            return a > b ? Array(stride(from: a, to: b, by: step)) : []
        }
        switch v {
        case .array(let a): return .array(indices(a.count).map { a[$0] })
        case .tuple(let a): return .tuple(indices(a.count).map { a[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for i in indices(scalars.count) { out.append(scalars[i]) }
            return .string(String(out))
        case .undefined(let n): throw .runtime(line: line, message: "'\(n)' is undefined")
        default: throw .runtime(line: line, message: "'\(v.typeName)' object is not subscriptable")
        }
    }

    func binary(_ op: String, _ a: Value, _ b: Value, line: Int) throws(TemplateError) -> Value {
        switch op {
        case "==": return .bool(Value.equal(a, b))
        case "!=": return .bool(!Value.equal(a, b))
        case "<", ">", "<=", ">=":
            let c = try compare(a, b, op: op, line: line)
            switch op {
            case "<": return .bool(c < 0)
            case ">": return .bool(c > 0)
            case "<=": return .bool(c <= 0)
            default: return .bool(c >= 0)
            }
        case "in": return .bool(try contains(b, a, line: line))
        case "not in": return .bool(!(try contains(b, a, line: line)))
        case "~": return .string(a.str + b.str)
        default: return try arithmetic(op, a, b, line: line)
        }
    }

    func contains(_ container: Value, _ x: Value, line: Int) throws(TemplateError) -> Bool {
        switch container {
        case .string(let s):
            guard case .string(let sub) = x else {
                throw .runtime(line: line, message: "'in <string>' requires string as left operand, not \(x.typeName)")
            }
            return sub.isEmpty || s.range(of: sub, options: .literal) != nil
        case .array(let a), .tuple(let a): return a.contains { Value.equal($0, x) }
        case .object(let o): return o[x.str] != nil && { if case .string = x { return true } else { return false } }()
        case .namespace(let ns): return ns.object[x.str] != nil
        case .undefined: return false
        default: throw .runtime(line: line, message: "argument of type '\(container.typeName)' is not iterable")
        }
    }

    /// Python ordering: numbers with numbers, strings by code point, lists element-wise.
    func compare(_ a: Value, _ b: Value, op: String, line: Int) throws(TemplateError) -> Int {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            let xs = Array(x.unicodeScalars), ys = Array(y.unicodeScalars)
            for (p, q) in zip(xs, ys) where p != q { return p.value < q.value ? -1 : 1 }
            return xs.count == ys.count ? 0 : (xs.count < ys.count ? -1 : 1)
        case (.array(let x), .array(let y)), (.tuple(let x), .tuple(let y)):
            for (p, q) in zip(x, y) where !Value.equal(p, q) { return try compare(p, q, op: op, line: line) }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        default:
            if let i = a.integer, let j = b.integer { return i == j ? 0 : (i < j ? -1 : 1) }
            if let x = a.number, let y = b.number { return x == y ? 0 : (x < y ? -1 : 1) }
            throw .runtime(line: line, message: "'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    func arithmetic(_ op: String, _ a: Value, _ b: Value, line: Int) throws(TemplateError) -> Value {
        let unsupported = TemplateError.runtime(line: line,
            message: "unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
        if case .undefined(let n) = a { throw .runtime(line: line, message: "'\(n)' is undefined") }
        if case .undefined(let n) = b { throw .runtime(line: line, message: "'\(n)' is undefined") }
        switch (op, a, b) {
        case ("+", .string(let x), .string(let y)): return .string(x + y)
        case ("%", .string(let format), _):
            do { return .string(try Interpreter.printf(format, b.elements.map { b.isTuple ? $0 : [b] } ?? [b])) }
            catch { throw .runtime(line: line, message: error.message) }
        case ("+", .array(let x), .array(let y)): return .array(x + y)
        case ("+", .tuple(let x), .tuple(let y)): return .tuple(x + y)
        case ("*", .string(let s), _), ("*", _, .string(let s)):
            guard let n = (a.integer ?? b.integer) else { throw unsupported }
            guard n <= 0 || s.utf8.count <= Value.maxSize / n else { throw .runtime(line: line, message: "string repetition too large") }
            return .string(String(repeating: s, count: max(n, 0)))
        case ("*", .array(let x), _):
            guard let n = b.integer else { throw unsupported }
            guard n <= 0 || x.count <= Value.maxSize / 4 / n else { throw .runtime(line: line, message: "list repetition too large") }
            return .array(Array([[Value]](repeating: x, count: max(n, 0)).joined()))
        default: break
        }
        if let i = a.integer, let j = b.integer {
            switch op {
            case "+": let (r, o) = i.addingReportingOverflow(j); if !o { return .int(r) }
            case "-": let (r, o) = i.subtractingReportingOverflow(j); if !o { return .int(r) }
            case "*": let (r, o) = i.multipliedReportingOverflow(by: j); if !o { return .int(r) }
            case "//", "%":
                guard j != 0 else { throw .runtime(line: line, message: "integer division or modulo by zero") }
                if i == Int.min && j == -1 { break }
                var q = i / j, r = i % j
                if r != 0 && (r < 0) != (j < 0) { q -= 1; r += j }
                return .int(op == "//" ? q : r)
            case "**":
                if j >= 0 {
                    var result = 1, overflow = false
                    for _ in 0..<min(j, 64) where !overflow {
                        (result, overflow) = result.multipliedReportingOverflow(by: i)
                    }
                    if !overflow && (j <= 64 || abs(i) <= 1) { return .int(j > 64 && i == -1 ? (j % 2 == 0 ? 1 : -1) : result) }
                }
            default: break
            }
        }
        guard let x = a.number, let y = b.number else { throw unsupported }
        switch op {
        case "+": return .double(x + y)
        case "-": return .double(x - y)
        case "*": return .double(x * y)
        case "/":
            guard y != 0 else { throw .runtime(line: line, message: "division by zero") }
            return .double(x / y)
        case "//":
            guard y != 0 else { throw .runtime(line: line, message: "float floor division by zero") }
            return .double((x / y).rounded(.down))
        case "%":
            guard y != 0 else { throw .runtime(line: line, message: "float modulo") }
            let r = x.truncatingRemainder(dividingBy: y)
            return .double(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        case "**": return .double(pow(x, y))
        default: throw unsupported
        }
    }
}
