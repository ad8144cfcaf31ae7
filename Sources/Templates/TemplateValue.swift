// The public value type callers pass in (messages, tools, extra variables).

import Foundation

/// A string-keyed dictionary that remembers insertion order, as Python dicts do.
public struct OrderedObject<Value>: Sendable where Value: Sendable {
    public private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    public init() {}

    public init(_ pairs: [(String, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Key/value pairs in insertion order.
    public var entries: [(key: String, value: Value)] {
        keys.compactMap { k in storage[k].map { (k, $0) } }
    }

    public var values: [Value] { entries.map(\.value) }
}

extension OrderedObject: Equatable where Value: Equatable {
    /// Like Python dict equality: same keys and values, order ignored.
    public static func == (a: Self, b: Self) -> Bool { a.storage == b.storage }
}

/// A template variable: JSON-like data plus jinja2's `undefined`.
public enum TemplateValue: Sendable, Equatable {
    case undefined
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([TemplateValue])
    case object(OrderedObject<TemplateValue>)

    /// Converts `JSONSerialization` output (NSNumber booleans become `.bool`).
    /// Key order of dictionaries is not preserved by Foundation; use `parseJSON` when it matters.
    public init(json: Any) {
        switch json {
        case let s as String: self = .string(s)
        case let n as NSNumber:
            let type = String(cString: n.objCType)
            if type == "c" || type == "B" { self = .bool(n.boolValue) }
            else if type == "d" || type == "f" { self = .double(n.doubleValue) }
            else { self = .int(n.intValue) }
        case let a as [Any]: self = .array(a.map(TemplateValue.init(json:)))
        case let d as [String: Any]:
            self = .object(OrderedObject(d.sorted { $0.key < $1.key }.map { ($0.key, TemplateValue(json: $0.value)) }))
        case is NSNull: self = .none
        default: self = .none
        }
    }

    /// Parses JSON text keeping object keys in document order.
    public static func parseJSON(_ text: String) throws -> TemplateValue {
        var parser = JSONParser(text)
        return try parser.parseDocument()
    }

    /// Serializes as Python's `json.dumps(value, ensure_ascii=False)` would.
    public func jsonString(indent: String? = nil) -> String {
        var out = ""
        JSONWriter(indent: indent).write(interpreterValue(self), into: &out, level: 0)
        return out
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .none }
    public init(arrayLiteral elements: TemplateValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self = .object(OrderedObject(elements)) }
}

/// Inside `TemplateValue`, `Value` names the dictionary-literal associated type, hence this helper.
func interpreterValue(_ v: TemplateValue) -> Value { Value(v) }
