// jinja2's tests (`x is defined`, `x is string`, `x is equalto 3` …).

extension Interpreter {
    static let testNames: Set<String> = [
        "defined", "undefined", "none", "boolean", "true", "false", "integer", "float", "number", "string",
        "mapping", "iterable", "sequence", "callable", "sameas", "escaped", "odd", "even", "divisibleby",
        "equalto", "eq", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt", "greaterthan", ">",
        "ge", ">=", "in", "lower", "upper", "filter", "test",
    ]

    func applyTest(_ name: String, _ v: Value, _ args: [Value], line: Int) throws(TemplateError) -> Bool {
        let other = args.first ?? .undefined("argument")
        func number() throws(TemplateError) -> Int {
            guard let i = v.integer else { throw .runtime(line: line, message: "test '\(name)' needs an integer") }
            return i
        }
        switch name {
        case "defined": return !v.isUndefined
        case "undefined": return v.isUndefined
        case "none": if case .none = v { return true } else { return false }
        case "boolean": if case .bool = v { return true } else { return false }
        case "true": if case .bool(true) = v { return true } else { return false }
        case "false": if case .bool(false) = v { return true } else { return false }
        case "integer": if case .int = v { return true } else { return false }
        case "float": if case .double = v { return true } else { return false }
        case "number": return v.number != nil
        case "string": if case .string = v { return true } else { return false }
        case "mapping": if case .object = v { return true } else { return false }
        case "iterable", "sequence":
            switch v {
            case .undefined, .string, .array, .tuple, .object: return true
            default: return false
            }
        case "callable": if case .callable = v { return true } else { return false }
        case "sameas":
            switch (v, other) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.namespace(let a), .namespace(let b)): return a === b
            default: return false
            }
        case "escaped": return false
        case "odd": return try number() % 2 != 0
        case "even": return try number() % 2 == 0
        case "divisibleby":
            guard let d = other.integer, d != 0 else { throw .runtime(line: line, message: "divisibleby needs a non-zero integer") }
            return try number() % d == 0
        case "equalto", "eq", "==": return Value.equal(v, other)
        case "ne", "!=": return !Value.equal(v, other)
        case "lt", "lessthan", "<": return try compare(v, other, op: "<", line: line) < 0
        case "le", "<=": return try compare(v, other, op: "<=", line: line) <= 0
        case "gt", "greaterthan", ">": return try compare(v, other, op: ">", line: line) > 0
        case "ge", ">=": return try compare(v, other, op: ">=", line: line) >= 0
        case "in": return try contains(other, v, line: line)
        case "lower": if case .string(let s) = v { return s == s.lowercased() } else { return false }
        case "upper": if case .string(let s) = v { return s == s.uppercased() } else { return false }
        case "filter": return Interpreter.filterNames.contains(v.str)
        case "test": return Interpreter.testNames.contains(v.str)
        default: throw .runtime(line: line, message: "no test named '\(name)'")
        }
    }
}
