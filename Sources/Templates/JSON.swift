// Ordered JSON in and Python-`json.dumps`-compatible JSON out (what HF's `tojson` filter emits).

/// Malformed JSON text passed to `TemplateValue.parseJSON`.
public struct JSONError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

struct JSONParser {
    private let bytes: [UInt8]
    private var pos = 0
    private var depth = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    private func fail(_ message: String) -> JSONError { JSONError(offset: pos, message: message) }

    private mutating func skipSpace() {
        while pos < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[pos]) { pos += 1 }
    }

    mutating func parseDocument() throws(JSONError) -> TemplateValue {
        let v = try parseValue()
        skipSpace()
        guard pos == bytes.count else { throw fail("trailing characters") }
        return v
    }

    private mutating func literal(_ word: String, _ value: TemplateValue) throws(JSONError) -> TemplateValue {
        let w = Array(word.utf8)
        guard pos + w.count <= bytes.count, Array(bytes[pos..<pos + w.count]) == w else { throw fail("unexpected token") }
        pos += w.count
        return value
    }

    mutating func parseValue() throws(JSONError) -> TemplateValue {
        skipSpace()
        guard pos < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[pos] {
        case UInt8(ascii: "{"):
            depth += 1
            defer { depth -= 1 }
            guard depth < 512 else { throw fail("nested too deeply") }
            pos += 1
            var object = OrderedObject<TemplateValue>()
            skipSpace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(object) }
            while true {
                skipSpace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try parseString()
                skipSpace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                pos += 1
                object[key] = try parseValue()
                skipSpace()
                guard pos < bytes.count else { throw fail("unterminated object") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                guard bytes[pos] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                pos += 1
                return .object(object)
            }
        case UInt8(ascii: "["):
            depth += 1
            defer { depth -= 1 }
            guard depth < 512 else { throw fail("nested too deeply") }
            pos += 1
            var items: [TemplateValue] = []
            skipSpace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            while true {
                items.append(try parseValue())
                skipSpace()
                guard pos < bytes.count else { throw fail("unterminated array") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                guard bytes[pos] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
                pos += 1
                return .array(items)
            }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .none)
        default: return try parseNumber()
        }
    }

    private mutating func parseNumber() throws(JSONError) -> TemplateValue {
        let start = pos
        var isFloat = false
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { isFloat = true }
            else if !(b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || (0x30...0x39).contains(b)) { break }
            pos += 1
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        if !isFloat, let i = Int(text) { return .int(i) }
        guard !text.isEmpty, let d = Double(text) else { throw fail("invalid number") }
        return .double(d)
    }

    private mutating func hex4() throws(JSONError) -> UInt32 {
        guard pos + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[pos..<pos + 4], as: UTF8.self), radix: 16) else {
            throw fail("bad \\u escape")
        }
        pos += 4
        return v
    }

    private mutating func parseString() throws(JSONError) -> String {
        pos += 1
        var out = [UInt8]()
        while pos < bytes.count {
            let b = bytes[pos]
            pos += 1
            if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard b == UInt8(ascii: "\\") else { out.append(b); continue }
            guard pos < bytes.count else { break }
            let e = bytes[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var v = try hex4()
                if (0xD800..<0xDC00).contains(v), pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                    pos += 2
                    let low = try hex4()
                    v = (0xDC00..<0xE000).contains(low) ? 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(v).map(Character.init) ?? "\u{FFFD}").utf8))
            default: out.append(e)
            }
        }
        throw fail("unterminated string")
    }
}

/// Python `json.dumps(x, ensure_ascii=False, indent=indent)`: separators `", "`/`": "`,
/// or `","`/`": "` with an indent; keys in insertion order.
struct JSONWriter {
    var indent: String?
    var line = 0

    func write(_ v: Value, into out: inout String, level: Int) {
        try? writeChecked(v, into: &out, level: level)
    }

    func writeChecked(_ v: Value, into out: inout String, level: Int) throws(TemplateError) {
        guard level < 512 else { throw .runtime(line: line, message: "tojson: value nested too deeply") }
        guard out.utf8.count <= Value.maxSize else { throw .runtime(line: line, message: "tojson: output too large") }
        switch v {
        case .none: out += "null"
        case .undefined:
            throw .runtime(line: line, message: "Object of type Undefined is not JSON serializable")
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isNaN ? "NaN" : d.isInfinite ? (d < 0 ? "-Infinity" : "Infinity") : Value.pythonFloat(d)
        case .string(let s): JSONWriter.quote(s, into: &out)
        case .array(let a), .tuple(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in a.enumerated() {
                out += i == 0 ? newline(level + 1) : separator(level + 1)
                try writeChecked(item, into: &out, level: level + 1)
            }
            out += newline(level) + "]"
        case .object(let o):
            try writeObject(o, into: &out, level: level)
        case .namespace(let n):
            try writeObject(n.object, into: &out, level: level)
        case .callable, .loop:
            throw .runtime(line: line, message: "Object of type function is not JSON serializable")
        }
    }

    private func writeObject(_ o: Object, into out: inout String, level: Int) throws(TemplateError) {
        if o.isEmpty { out += "{}"; return }
        out += "{"
        for (i, e) in o.entries.enumerated() {
            out += i == 0 ? newline(level + 1) : separator(level + 1)
            JSONWriter.quote(e.key, into: &out)
            out += ": "
            try writeChecked(e.value, into: &out, level: level + 1)
        }
        out += newline(level) + "}"
    }

    private func newline(_ level: Int) -> String {
        guard let indent else { return "" }
        return "\n" + String(repeating: indent, count: level)
    }

    private func separator(_ level: Int) -> String {
        indent == nil ? ", " : "," + newline(level)
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if c.value < 0x20 {
                    let hex = String(c.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        out += "\""
    }
}
