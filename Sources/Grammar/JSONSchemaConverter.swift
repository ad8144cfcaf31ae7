// JSON Schema to GBNF, after llama.cpp's common/json-schema-to-grammar.cpp: every sentence of the
// grammar must validate against the schema, so any keyword that constrains values and is not
// enforced here is an error rather than silently ignored.

import Templates

struct JSONSchemaConverter {
    /// The schema being converted, which `$ref` pointers resolve against.
    private var root: TemplateValue = .none
    private var rules: [(name: String, body: String)] = []
    private var usedNames: Set<String> = Set(JSONGrammar.primitives.map(\.name) + ["root"])
    private var refRules: [String: String] = [:]
    private var depth = 0

    /// GBNF whose `root` rule generates exactly the JSON texts the converter can guarantee valid for `schema`.
    static func gbnf(for schema: TemplateValue) throws(GrammarError) -> String {
        try gbnf(rules: [("root", schema)])
    }

    /// GBNF defining each named rule as the JSON texts valid for its schema (each schema's `$ref`s
    /// resolve within it), with helper rules under fresh names and the JSON primitives.
    static func gbnf(rules named: [(name: String, schema: TemplateValue)]) throws(GrammarError) -> String {
        var converter = JSONSchemaConverter()
        converter.usedNames.formUnion(named.map(\.name))
        var rules: [(name: String, body: String)] = []
        for (name, schema) in named {
            converter.root = schema
            converter.refRules = [:]
            rules.append((name, try converter.visit(schema, path: "#")))
        }
        rules += converter.rules
        return (rules.map { "\($0.name) ::= \($0.body)" } + [JSONGrammar.primitiveRules]).joined(separator: "\n") + "\n"
    }

    private init() {}

    /// Keywords that only annotate (ignored) and keywords that constrain values but are not enforced (errors).
    static let annotations: Set<String> = [
        "description", "title", "default", "$schema", "examples", "$id", "$comment", "deprecated", "readOnly",
        "writeOnly", "$defs", "definitions", "contentMediaType", "contentEncoding", "$anchor", "nullable",
    ]
    static let unsupported: Set<String> = [
        "pattern", "multipleOf", "uniqueItems", "contains", "minContains", "maxContains", "minProperties",
        "maxProperties", "patternProperties", "propertyNames", "dependentRequired", "dependentSchemas",
        "dependencies", "if", "then", "else", "not", "unevaluatedProperties", "unevaluatedItems", "$dynamicRef",
        "$recursiveRef", "contentSchema", "additionalItems",
    ]
    static let numericBounds = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]
    static let formats: [String: String] = [
        "date": #"[0-9]{4} "-" ( "0" [1-9] | "1" [0-2] ) "-" ( "0" [1-9] | [1-2] [0-9] | "3" [0-1] )"#,
        "time": #"( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{3} )? ( "Z" | ( "+" | "-" ) ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] )"#,
        "uuid": #"[0-9a-fA-F]{8} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{12}"#,
    ]

    // MARK: Schemas

    /// A GBNF expression for values valid against `schema` (at JSON pointer `path`).
    private mutating func visit(_ schema: TemplateValue, path: String) throws(GrammarError) -> String {
        depth += 1
        defer { depth -= 1 }
        guard depth < 200 else { throw .invalidSchema(message: "schema nests too deeply (a cycle of allOf/$ref?)", path: path) }
        switch schema {
        case .bool(true): return "json-value"
        case .bool(false): throw .invalidSchema(message: "the false schema allows no value", path: path)
        case .object(let object): return try visitObject(object, path: path)
        default: throw .invalidSchema(message: "a schema must be an object or a boolean", path: path)
        }
    }

    private mutating func visitObject(_ schema: OrderedObject<TemplateValue>, path: String) throws(GrammarError) -> String {
        for key in schema.keys where Self.unsupported.contains(key) {
            throw .unsupportedSchema(keyword: key, path: path)
        }
        if let ref = schema["$ref"] {
            for key in schema.keys where key != "$ref" && !Self.annotations.contains(key) {
                return try visit(.object(try merge(flatten(.object(schema), path: path), path: path)), path: path)
            }
            return try refRule(ref, path: path)
        }
        if schema["allOf"] != nil {
            return try visit(.object(try merge(flatten(.object(schema), path: path), path: path)), path: path)
        }
        for keyword in ["anyOf", "oneOf"] {   // oneOf is generated as anyOf: branches should not overlap
            guard let branches = schema[keyword] else { continue }
            guard case .array(let list) = branches, !list.isEmpty else {
                throw .invalidSchema(message: "\(keyword) must be a non-empty array", path: path)
            }
            var siblings = schema
            siblings[keyword] = nil
            var alternatives: [String] = []
            for (i, branch) in list.enumerated() {
                let branchPath = "\(path)/\(keyword)/\(i)"
                let combined = siblings.keys.allSatisfy(Self.annotations.contains)
                    ? branch : .object(try merge([siblings] + flatten(branch, path: branchPath), path: branchPath))
                alternatives.append(try visit(combined, path: branchPath))
            }
            return group(alternatives)
        }
        if let value = schema["const"] { return literal(value.jsonString()) }
        if let values = schema["enum"] {
            guard case .array(let list) = values else { throw .invalidSchema(message: "enum must be an array", path: path) }
            let types = try self.types(schema, path: path)
            let allowed = list.filter { value in types.contains { Self.value(value, hasType: $0) } }
            guard !allowed.isEmpty else { throw .invalidSchema(message: "no enum value has the schema's type", path: path) }
            return group(allowed.map { literal($0.jsonString()) })
        }
        let alternatives = try types(schema, path: path).map { (type) throws(GrammarError) -> String in
            try self.visit(schema, type: type, path: path)
        }
        return group(alternatives)
    }

    /// The types a schema generates: `type`, else inferred from type-specific keywords, else all.
    private func types(_ schema: OrderedObject<TemplateValue>, path: String) throws(GrammarError) -> [String] {
        switch schema["type"] {
        case .string(let type)?: return [type]
        case .array(let list)?:
            var types: [String] = []
            for case .string(let type) in list { types.append(type) }
            guard types.count == list.count, !types.isEmpty else {
                throw .invalidSchema(message: "type must be a string or a non-empty array of strings", path: path)
            }
            return types.contains("number") ? types.filter { $0 != "integer" } : types
        case nil:
            let has = { (keys: [String]) in keys.contains { schema[$0] != nil } }
            if has(["properties", "additionalProperties", "required"]) { return ["object"] }
            if has(["items", "prefixItems", "minItems", "maxItems"]) { return ["array"] }
            if has(["minLength", "maxLength", "format"]) { return ["string"] }
            if has(Self.numericBounds) { return ["integer"] }   // a subset of numbers, so still valid
            if schema["enum"] != nil || schema["const"] != nil { return ["null", "boolean", "object", "array", "string", "number"] }
            return ["value"]
        default:
            throw .invalidSchema(message: "type must be a string or an array of strings", path: path)
        }
    }

    private mutating func visit(_ schema: OrderedObject<TemplateValue>, type: String, path: String) throws(GrammarError) -> String {
        switch type {
        case "value": return "json-value"
        case "null": return "json-null"
        case "boolean": return "json-boolean"
        case "integer":
            let (low, high) = try integerBounds(schema, path: path)
            if low == nil && high == nil { return "json-integer" }
            return try add("integer", IntegerRange.gbnf(low: low, high: high, path: path))
        case "number":
            if let keyword = Self.numericBounds.first(where: { schema[$0] != nil }) {
                throw .unsupportedSchema(keyword: keyword, path: path)   // only integer bounds compile to digit patterns
            }
            return "json-number"
        case "string": return try string(schema, path: path)
        case "array": return try array(schema, path: path)
        case "object": return try object(schema, path: path)
        default: throw .invalidSchema(message: "unknown type \"\(type)\"", path: path)
        }
    }

    // MARK: Strings and integers

    private mutating func string(_ schema: OrderedObject<TemplateValue>, path: String) throws(GrammarError) -> String {
        let minLength = try count(schema, "minLength", path: path) ?? 0
        let maxLength = try count(schema, "maxLength", path: path)
        if case .string(let format)? = schema["format"] {
            let body: String? = format == "date-time" ? "\(Self.formats["date"]!) \"T\" \(Self.formats["time"]!)" : Self.formats[format]
            if let body {   // other formats are annotations by default (as in jsonschema): plain strings
                if minLength > 0 || maxLength != nil { throw .unsupportedSchema(keyword: "maxLength", path: path) }
                return try add("string-\(format)", "\"\\\"\" \(body) \"\\\"\"")
            }
        }
        if minLength == 0 && maxLength == nil { return "json-string" }
        if let maxLength, maxLength < minLength { throw .invalidSchema(message: "maxLength is below minLength", path: path) }
        return try add("string", "\"\\\"\" json-char{\(minLength),\(maxLength.map(String.init) ?? "")} \"\\\"\"")
    }

    private func integerBounds(_ schema: OrderedObject<TemplateValue>, path: String) throws(GrammarError) -> (Int?, Int?) {
        func number(_ key: String) throws(GrammarError) -> Double? {
            switch schema[key] {
            case nil: return nil
            case .int(let n)?: return Double(n)
            case .double(let d)?: return d
            default: throw .invalidSchema(message: "\(key) must be a number", path: path)
            }
        }
        var low: Double? = try number("minimum"), high: Double? = try number("maximum")
        if let e = try number("exclusiveMinimum") { low = max(low ?? -.infinity, e.rounded(.down) + 1) }
        if let e = try number("exclusiveMaximum") { high = min(high ?? .infinity, e.rounded(.up) - 1) }
        let limit = 9_999_999_999_999_999.0
        let lowInt = low.map { Int(max(-limit, min(limit, $0.rounded(.up)))) }
        let highInt = high.map { Int(max(-limit, min(limit, $0.rounded(.down)))) }
        if let lowInt, let highInt, lowInt > highInt {
            throw .invalidSchema(message: "no integer lies between the minimum and the maximum", path: path)
        }
        return (lowInt, highInt)
    }

    // MARK: Arrays

    private mutating func array(_ schema: OrderedObject<TemplateValue>, path: String) throws(GrammarError) -> String {
        let minItems = try count(schema, "minItems", path: path) ?? 0
        let maxItems = try count(schema, "maxItems", path: path)
        if let maxItems, maxItems < minItems { throw .invalidSchema(message: "maxItems is below minItems", path: path) }
        var prefix: [TemplateValue] = [], prefixKey = "prefixItems"
        var items: TemplateValue? = schema["items"]
        if case .array(let list)? = schema["prefixItems"] {
            prefix = list
        } else if case .array(let list)? = items {   // draft-04 tuple form
            prefix = list
            prefixKey = "items"
            items = nil
        }
        // Exactly the prefix items (cut to maxItems), then as many extra items as minItems needs, or as
        // maxItems allows when `items` gives them a schema.
        let fixed = min(prefix.count, maxItems ?? prefix.count)
        var elements: [String] = []
        for i in 0..<fixed { elements.append(try visit(prefix[i], path: "\(path)/\(prefixKey)/\(i)")) }
        let extraMin = max(0, minItems - fixed)
        var extraMax: Int? = maxItems.map { $0 - fixed }
        var extra = "json-value"
        if let items {
            if case .bool(false) = items {
                extraMax = 0
                if extraMin > 0 { throw .invalidSchema(message: "minItems needs more items than items: false allows", path: path) }
            } else {
                extra = try visit(items, path: "\(path)/items")
            }
        } else if !prefix.isEmpty {
            extraMax = extraMin   // items not given: only what minItems needs
        }
        var body = #""[" ws"#
        for (i, element) in elements.enumerated() { body += (i == 0 ? " " : #" "," ws "#) + element + " ws" }
        if extraMax != 0 {
            let repeats = "{\(extraMin),\(extraMax.map(String.init) ?? "")}"
            if elements.isEmpty {
                let rest = #"( "," ws "# + extra + " ws )" + "{\(max(0, extraMin - 1)),\(extraMax.map { String($0 - 1) } ?? "")}"
                body += " " + (extraMin > 0 ? "\(extra) ws \(rest)" : "( \(extra) ws \(rest) )?")
            } else {
                body += #" ( "," ws "# + extra + " ws )" + repeats
            }
        }
        return try add("array", body + #" "]""#)
    }

    // MARK: Objects

    private mutating func object(_ schema: OrderedObject<TemplateValue>, path: String) throws(GrammarError) -> String {
        var properties: [(name: String, schema: TemplateValue, path: String)] = []
        if let value = schema["properties"] {
            guard case .object(let map) = value else { throw .invalidSchema(message: "properties must be an object", path: path) }
            properties = map.entries.map { ($0.key, $0.value, "\(path)/properties/\(Self.escapePointer($0.key))") }
        }
        var required: Set<String> = []
        if let value = schema["required"] {
            guard case .array(let list) = value else { throw .invalidSchema(message: "required must be an array", path: path) }
            for case .string(let name) in list { required.insert(name) }
        }
        let additional = schema["additionalProperties"]
        if properties.isEmpty && required.isEmpty && (additional == nil || additional == .bool(true)) {
            return "json-object"
        }
        var extraValue: String?
        switch additional {
        case nil, .bool(false)?: extraValue = nil
        case .bool(true)?: extraValue = "json-value"
        case let value?: extraValue = try visit(value, path: "\(path)/additionalProperties")
        }
        // Required names without a property schema take the additionalProperties schema.
        for name in required.sorted() where !properties.contains(where: { $0.name == name }) {
            guard let additional, additional != .bool(false) else {
                throw .invalidSchema(message: "required property \"\(name)\" is not allowed by additionalProperties", path: path)
            }
            properties.append((name, additional, "\(path)/additionalProperties"))
        }
        var pairs: [String] = []
        for property in properties {
            let value = try visit(property.schema, path: property.path)
            pairs.append(#"\#(literal(TemplateValue.string(property.name).jsonString())) ws ":" ws \#(value)"#)
        }
        var extraPair: String?
        if let extraValue {
            let key = try add("key", Self.stringExcluding(properties.map(\.name), rules: &self))
            extraPair = try add("extra-pair", #"\#(key) ws ":" ws \#(extraValue)"#)
        }
        // first[i]: properties i... when none is written yet; later[i]: after one was (so each starts with ",").
        var first = extraPair.map { "( \($0) ws ( \",\" ws \($0) ws )* )?" } ?? ""
        var later = extraPair.map { "( \",\" ws \($0) ws )*" } ?? ""
        for (i, property) in properties.enumerated().reversed() {
            let laterRule = later.isEmpty ? "" : try add("rest", later)
            let firstRule = first.isEmpty ? "" : try add("first", first)
            if required.contains(property.name) {
                first = "\(pairs[i]) ws \(laterRule)"
                later = "\",\" ws \(pairs[i]) ws \(laterRule)"
            } else {
                first = "\(pairs[i]) ws \(laterRule) | \(firstRule)"
                later = "( \",\" ws \(pairs[i]) ws )? \(laterRule)"
            }
        }
        let members = first.isEmpty ? "" : try add("members", first)
        return try add("object", #""{" ws \#(members) "}""#)
    }

    /// A JSON string (without escapes) that differs from every name, as llama.cpp's `_not_strings`:
    /// a trie of the names where each node may leave the trie with any other character.
    static func stringExcluding(_ names: [String], rules: inout JSONSchemaConverter) throws(GrammarError) -> String {
        let plain = #"[^"\\\x00-\x1F]"#
        func node(_ prefix: [Unicode.Scalar], _ names: [[Unicode.Scalar]]) throws(GrammarError) -> String {
            let depth = prefix.count
            let continuing = names.filter { $0.count > depth }
            var next: [Unicode.Scalar] = []
            for name in continuing where !next.contains(name[depth]) { next.append(name[depth]) }
            var alternatives: [String] = []
            let excluded = next.map { Self.classEscape($0) }.joined()
            alternatives.append(#"[^"\\\x00-\x1F\#(excluded)] \#(plain)*"#)
            for c in next {
                let child = try node(prefix + [c], continuing.filter { $0[depth] == c })
                alternatives.append("\(literal(String(c))) \(child)")
            }
            if !names.contains(where: { $0.count == depth }) { alternatives.append("") }
            return try rules.add("key-not", alternatives.joined(separator: " | "))
        }
        let body = try node([], names.map { Array($0.unicodeScalars) })
        return #""\"" \#(body) "\"""#
    }

    // MARK: References and merging

    private mutating func refRule(_ ref: TemplateValue, path: String) throws(GrammarError) -> String {
        guard case .string(let pointer) = ref else { throw .invalidSchema(message: "$ref must be a string", path: path) }
        if let name = refRules[pointer] { return name }
        let target = try resolve(pointer, path: path)
        let name = uniqueName("ref" + (pointer.split(separator: "/").last.map { "-" + String($0) } ?? ""))
        refRules[pointer] = name
        let body = try visit(target, path: pointer)
        rules.append((name, body))
        return name
    }

    private func resolve(_ pointer: String, path: String) throws(GrammarError) -> TemplateValue {
        guard pointer.hasPrefix("#") else { throw .unsupportedSchema(keyword: "$ref", path: path) }   // remote refs
        var value = root
        for part in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch value {
            case .object(let object) where object[key] != nil: value = object[key]!
            case .array(let list) where Int(key).map({ list.indices.contains($0) }) == true: value = list[Int(key)!]
            default: throw .invalidSchema(message: "$ref \(pointer) points nowhere", path: path)
            }
        }
        return value
    }

    /// A schema and its `allOf` parts (refs resolved) as a list of objects to merge.
    private func flatten(_ schema: TemplateValue, path: String, depth: Int = 0) throws(GrammarError) -> [OrderedObject<TemplateValue>] {
        guard depth < 50 else { throw .unsupportedSchema(keyword: "allOf", path: path) }   // recursive allOf/$ref
        switch schema {
        case .bool(true): return []
        case .bool(false): throw .invalidSchema(message: "the false schema allows no value", path: path)
        case .object(var object):
            var parts: [OrderedObject<TemplateValue>] = []
            if case .string(let pointer)? = object["$ref"] {
                object["$ref"] = nil
                parts += try flatten(try resolve(pointer, path: path), path: pointer, depth: depth + 1)
            }
            if let all = object["allOf"] {
                guard case .array(let list) = all else { throw .invalidSchema(message: "allOf must be an array", path: path) }
                object["allOf"] = nil
                for (i, part) in list.enumerated() { parts += try flatten(part, path: "\(path)/allOf/\(i)", depth: depth + 1) }
            }
            return [object] + parts
        default: throw .invalidSchema(message: "a schema must be an object or a boolean", path: path)
        }
    }

    /// One schema requiring everything each part requires (enough for objects split across allOf).
    private func merge(_ parts: [OrderedObject<TemplateValue>], path: String) throws(GrammarError) -> OrderedObject<TemplateValue> {
        var merged = OrderedObject<TemplateValue>()
        let withProperties = parts.filter { $0["properties"] != nil || $0["required"] != nil }.count
        for part in parts {
            if part["additionalProperties"] != nil && withProperties > 1 {
                // {properties: a, additionalProperties: false} & {properties: b} forbids b: not a plain union.
                throw .unsupportedSchema(keyword: "additionalProperties", path: path)
            }
            for (key, value) in part.entries {
                guard let existing = merged[key] else { merged[key] = value; continue }
                if Self.annotations.contains(key) || existing == value { continue }
                switch (key, existing, value) {
                case ("required", .array(let a), .array(let b)):
                    merged[key] = .array(a + b.filter { !a.contains($0) })
                case ("properties", .object(var a), .object(let b)):
                    for (name, schema) in b.entries { a[name] = a[name].map { TemplateValue.object(OrderedObject([("allOf", TemplateValue.array([$0, schema]))])) } ?? schema }
                    merged[key] = .object(a)
                case ("type", _, _):
                    let a = Self.typeList(existing), b = Self.typeList(value)
                    var both = a.filter { b.contains($0) }
                    if a.contains("number") && b.contains("integer") || b.contains("number") && a.contains("integer") {
                        if !both.contains("integer") { both.append("integer") }
                    }
                    guard !both.isEmpty else { throw .invalidSchema(message: "allOf parts have no type in common", path: path) }
                    merged[key] = .array(both.map { .string($0) })
                case ("minimum", .int(let a), .int(let b)), ("minLength", .int(let a), .int(let b)), ("minItems", .int(let a), .int(let b)):
                    merged[key] = .int(max(a, b))
                case ("maximum", .int(let a), .int(let b)), ("maxLength", .int(let a), .int(let b)), ("maxItems", .int(let a), .int(let b)):
                    merged[key] = .int(min(a, b))
                default:
                    throw .unsupportedSchema(keyword: key, path: path)   // two different values we cannot intersect
                }
            }
        }
        return merged
    }

    // MARK: Helpers

    private static func typeList(_ value: TemplateValue) -> [String] {
        switch value {
        case .string(let s): [s]
        case .array(let list): list.compactMap { if case .string(let s) = $0 { s } else { nil } }
        default: []
        }
    }

    private static func value(_ value: TemplateValue, hasType type: String) -> Bool {
        switch (type, value) {
        case ("value", _), ("null", .none), ("boolean", .bool), ("string", .string), ("array", .array),
             ("object", .object), ("integer", .int), ("number", .int), ("number", .double): true
        case ("integer", .double(let d)): d == d.rounded()
        default: false
        }
    }

    private func count(_ schema: OrderedObject<TemplateValue>, _ key: String, path: String) throws(GrammarError) -> Int? {
        switch schema[key] {
        case nil: return nil
        case .int(let n)? where n >= 0: return n
        case .double(let d)? where d >= 0 && d == d.rounded(): return Int(d)
        default: throw .invalidSchema(message: "\(key) must be a non-negative integer", path: path)
        }
    }

    /// Adds `name ::= body` under a fresh name and returns the name.
    mutating func add(_ base: String, _ body: String) throws(GrammarError) -> String {
        let name = uniqueName(base)
        rules.append((name, body))
        return name
    }

    private mutating func uniqueName(_ base: String) -> String {
        let clean = String(base.unicodeScalars.map { c in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) ? Character(c) : "-"
        })
        var name = clean, n = 1
        while usedNames.contains(name) { n += 1; name = "\(clean)\(n)" }
        usedNames.insert(name)
        return name
    }

    private func group(_ alternatives: [String]) -> String {
        alternatives.count == 1 ? alternatives[0] : "( " + alternatives.joined(separator: " | ") + " )"
    }

    /// A GBNF string literal for `text`.
    static func literal(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where c.value < 0x20 || c.value == 0x7F: out += "\\x" + hex(c.value, 2)
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    private func literal(_ text: String) -> String { Self.literal(text) }

    static func classEscape(_ c: Unicode.Scalar) -> String {
        if ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) { return String(c) }
        return "\\U" + hex(c.value, 8)
    }

    private static func hex(_ value: UInt32, _ digits: Int) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    static func escapePointer(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

/// Decimal digit patterns for the integers in a range, without leading zeros or "-0".
enum IntegerRange {
    /// Open ends are capped at 16 digits, like JSON mode's integers.
    static let limit = 9_999_999_999_999_999

    static func gbnf(low: Int?, high: Int?, path: String) throws(GrammarError) -> String {
        var alternatives: [String] = []
        if (low ?? -1) < 0 {   // negatives: "-" then magnitudes
            let smallest = min(high ?? -1, -1)
            alternatives.append(#""-" "# + natural(-smallest, low.map { -$0 } ?? limit))
        }
        if (high ?? 0) >= 0 {
            alternatives.append(natural(max(low ?? 0, 0), high ?? limit))
        }
        return alternatives.joined(separator: " | ")
    }

    /// Non-negative integers in `low...high`.
    static func natural(_ low: Int, _ high: Int) -> String {
        var alternatives: [String] = []
        var power = 1
        for length in 1...String(high).count {
            let from = max(low, length == 1 ? 0 : power), to = min(high, power * 10 - 1)
            if from <= to { alternatives.append(sameLength(Array(String(from)), Array(String(to)))) }
            power *= 10
        }
        return "( " + alternatives.joined(separator: " | ") + " )"
    }

    /// Digit strings of one length between `low` and `high`.
    private static func sameLength(_ low: [Character], _ high: [Character]) -> String {
        let (a, b) = (low[0], high[0])
        if low.count == 1 { return "[\(a)-\(b)]" }
        let rest = low.count - 1
        if a == b { return "\"\(a)\" " + sameLength(Array(low.dropFirst()), Array(high.dropFirst())) }
        let lowRest = Array(low.dropFirst()), highRest = Array(high.dropFirst())
        let lowFull = lowRest.allSatisfy { $0 == "0" }, highFull = highRest.allSatisfy { $0 == "9" }
        var alternatives: [String] = []
        var middleFrom = a.wholeNumberValue!, middleTo = b.wholeNumberValue!
        if !lowFull {
            alternatives.append("\"\(a)\" " + sameLength(lowRest, Array(repeating: "9", count: rest)))
            middleFrom += 1
        }
        if !highFull { middleTo -= 1 }
        if middleFrom <= middleTo { alternatives.append("[\(middleFrom)-\(middleTo)] [0-9]{\(rest)}") }
        if !highFull { alternatives.append("\"\(b)\" " + sameLength(Array(repeating: "0", count: rest), highRest)) }
        return "( " + alternatives.joined(separator: " | ") + " )"
    }
}
