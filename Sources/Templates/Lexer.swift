// Splits template source into tokens, applying jinja2's whitespace control
// (`{%-`, `-%}`, `+`) with `trim_blocks` and `lstrip_blocks` on, as Hugging Face configures it.

struct Lexer {
    private let src: [Unicode.Scalar]
    private var pos = 0
    private var tokens: [Token] = []
    private let lineStarts: [Int]

    init(_ source: String) {
        src = Lexer.normalizeNewlines(source)
        var starts = [0]
        for (i, c) in src.enumerated() where c == "\n" { starts.append(i + 1) }
        lineStarts = starts
    }

    /// jinja2 joins `source.splitlines()` with "\n": every line break becomes "\n"
    /// and one trailing line break is dropped (`keep_trailing_newline=False`).
    static func normalizeNewlines(_ source: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        let s = Array(source.unicodeScalars)
        var i = 0
        while i < s.count {
            let c = s[i]
            switch c.value {
            case 0x0D:
                out.append("\n")
                if i + 1 < s.count, s[i + 1] == "\n" { i += 1 }
            case 0x0A, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
                out.append("\n")
            default:
                out.append(c)
            }
            i += 1
        }
        if out.last == "\n" { out.removeLast() }
        return out
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20: return true
        default: return c.properties.isWhitespace
        }
    }

    func location(_ index: Int) -> (line: Int, column: Int) {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return (lo + 1, index - lineStarts[lo] + 1)
    }

    private func error(_ message: String, at index: Int) -> TemplateError {
        let loc = location(index)
        return .syntax(line: loc.line, column: loc.column, message: message)
    }

    private func starts(_ s: String, at i: Int) -> Bool {
        var j = i
        for c in s.unicodeScalars {
            guard j < src.count, src[j] == c else { return false }
            j += 1
        }
        return true
    }

    private mutating func emit(_ kind: TokenKind, at index: Int) {
        let loc = location(index)
        tokens.append(Token(kind: kind, line: loc.line, column: loc.column))
    }

    mutating func tokenize() throws(TemplateError) -> [Token] {
        var lineStarting = true
        while pos < src.count {
            // Find the next tag opener.
            var i = pos
            while i + 1 < src.count {
                if src[i] == "{", src[i + 1] == "{" || src[i + 1] == "%" || src[i + 1] == "#" { break }
                i += 1
            }
            if i + 1 >= src.count { i = src.count }
            var text = Array(src[pos..<i])
            let textStart = pos
            guard i < src.count else {
                if !text.isEmpty { emit(.text(String(String.UnicodeScalarView(text))), at: textStart) }
                break
            }
            let kind = src[i + 1]
            let sign: Unicode.Scalar? = i + 2 < src.count && (src[i + 2] == "-" || src[i + 2] == "+") ? src[i + 2] : nil
            if sign == "-" {
                while let last = text.last, Lexer.isSpace(last) { text.removeLast() }
            } else if sign != "+" && kind != "{" {
                let lpos = (text.lastIndex(of: "\n").map { $0 + 1 }) ?? 0
                if lpos > 0 || lineStarting, lpos < text.count, text[lpos...].allSatisfy(Lexer.isSpace) {
                    text.removeSubrange(lpos...)
                }
            }
            if !text.isEmpty { emit(.text(String(String.UnicodeScalarView(text))), at: textStart) }
            pos = i + 2 + (sign == nil ? 0 : 1)
            switch kind {
            case "#": lineStarting = try skipComment(openedAt: i)
            case "%":
                if try lexRaw(openedAt: i) { lineStarting = pos > 0 && src[pos - 1] == "\n"; continue }
                emit(.blockBegin, at: i)
                lineStarting = try lexInside(end: "%", openedAt: i)
            default:
                emit(.variableBegin, at: i)
                lineStarting = try lexInside(end: "}", openedAt: i)
            }
        }
        emit(.eof, at: src.count)
        return tokens
    }

    /// After a tag's closing delimiter: `-` eats all following whitespace, otherwise
    /// trim_blocks eats one newline (block and comment tags only). Returns whether what
    /// was consumed ended with a newline (jinja2's `line_starting`).
    private mutating func finishTag(stripSign: Unicode.Scalar?, trim: Bool) -> Bool {
        if stripSign == "-" {
            while pos < src.count, Lexer.isSpace(src[pos]) { pos += 1 }
        } else if stripSign != "+", trim, pos < src.count, src[pos] == "\n" {
            pos += 1
        }
        return pos > 0 && src[pos - 1] == "\n"
    }

    private mutating func skipComment(openedAt start: Int) throws(TemplateError) -> Bool {
        while pos + 1 < src.count {
            if src[pos] == "#", src[pos + 1] == "}" {
                let sign: Unicode.Scalar? = src[pos - 1] == "-" || src[pos - 1] == "+" ? src[pos - 1] : nil
                pos += 2
                return finishTag(stripSign: sign, trim: true)
            }
            pos += 1
        }
        throw error("unterminated comment", at: start)
    }

    /// `{% raw %}…{% endraw %}`: the body is text, untouched.
    private mutating func lexRaw(openedAt start: Int) throws(TemplateError) -> Bool {
        var j = pos
        while j < src.count, Lexer.isSpace(src[j]) { j += 1 }
        guard starts("raw", at: j) else { return false }
        j += 3
        while j < src.count, Lexer.isSpace(src[j]) { j += 1 }
        var sign: Unicode.Scalar? = nil
        if j < src.count, src[j] == "-" || src[j] == "+" { sign = src[j]; j += 1 }
        guard starts("%}", at: j) else { return false }
        pos = j + 2
        _ = finishTag(stripSign: sign, trim: false)  // jinja2 applies no trim_blocks after `{% raw %}`
        let bodyStart = pos
        var k = pos
        while k + 1 < src.count {
            if src[k] == "{", src[k + 1] == "%" {
                var m = k + 2
                let innerSign: Unicode.Scalar? = m < src.count && (src[m] == "-" || src[m] == "+") ? src[m] : nil
                if innerSign != nil { m += 1 }
                while m < src.count, Lexer.isSpace(src[m]) { m += 1 }
                if starts("endraw", at: m) {
                    m += 6
                    while m < src.count, Lexer.isSpace(src[m]) { m += 1 }
                    var endSign: Unicode.Scalar? = nil
                    if m < src.count, src[m] == "-" || src[m] == "+" { endSign = src[m]; m += 1 }
                    if starts("%}", at: m) {
                        var body = Array(src[bodyStart..<k])
                        if innerSign == "-" {
                            while let l = body.last, Lexer.isSpace(l) { body.removeLast() }
                        } else if innerSign == nil {
                            // lstrip_blocks applies to `{% endraw %}` as to any block tag.
                            let lpos = (body.lastIndex(of: "\n").map { $0 + 1 }) ?? 0
                            let lineStarting = bodyStart > 0 && src[bodyStart - 1] == "\n"
                            if lpos > 0 || lineStarting, lpos < body.count, body[lpos...].allSatisfy(Lexer.isSpace) {
                                body.removeSubrange(lpos...)
                            }
                        }
                        if !body.isEmpty { emit(.text(String(String.UnicodeScalarView(body))), at: bodyStart) }
                        pos = m + 2
                        _ = finishTag(stripSign: endSign, trim: true)
                        return true
                    }
                }
            }
            k += 1
        }
        throw error("unterminated raw block", at: start)
    }

    private static let operators = ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~",
                                    "<", ">", "=", "(", ")", "[", "]", "{", "}", ".", ",", ":", "|"]

    /// Lexes expression tokens up to `-}}`/`}}` or `-%}`/`%}`.
    private mutating func lexInside(end: Unicode.Scalar, openedAt start: Int) throws(TemplateError) -> Bool {
        var depth = 0
        while pos < src.count {
            let c = src[pos]
            if Lexer.isSpace(c) { pos += 1; continue }
            if depth == 0 {
                for sign in (end == "%" ? ["-", "+", ""] : ["-", ""]) where starts(sign + String(end) + "}", at: pos) {
                    pos += sign.unicodeScalars.count + 2
                    emit(end == "%" ? .blockEnd : .variableEnd, at: pos - 2)
                    let s: Unicode.Scalar? = sign.isEmpty ? nil : sign.unicodeScalars.first
                    return finishTag(stripSign: s, trim: end == "%")
                }
            }
            if c == "_" || c.properties.isAlphabetic && c.isASCII {
                let begin = pos
                while pos < src.count, src[pos] == "_" || (src[pos].isASCII && (src[pos].properties.isAlphabetic || ("0"..."9").contains(src[pos]))) { pos += 1 }
                emit(.name(String(String.UnicodeScalarView(src[begin..<pos]))), at: begin)
            } else if ("0"..."9").contains(c) {
                try lexNumber()
            } else if c == "'" || c == "\"" {
                try lexString()
            } else if let op = Lexer.operators.first(where: { starts($0, at: pos) }) {
                if op == "(" || op == "[" || op == "{" { depth += 1 }
                if op == ")" || op == "]" || op == "}" { depth -= 1 }
                emit(.op(op), at: pos)
                pos += op.unicodeScalars.count
            } else {
                throw error("unexpected character '\(c)'", at: pos)
            }
        }
        throw error(end == "%" ? "unterminated block tag" : "unterminated expression", at: start)
    }

    private mutating func lexNumber() throws(TemplateError) {
        let begin = pos
        func digits() { while pos < src.count, ("0"..."9").contains(src[pos]) || src[pos] == "_" { pos += 1 } }
        digits()
        var isFloat = false
        if pos + 1 < src.count, src[pos] == ".", ("0"..."9").contains(src[pos + 1]) { isFloat = true; pos += 1; digits() }
        if pos < src.count, src[pos] == "e" || src[pos] == "E" {
            var j = pos + 1
            if j < src.count, src[j] == "+" || src[j] == "-" { j += 1 }
            if j < src.count, ("0"..."9").contains(src[j]) { isFloat = true; pos = j; digits() }
        }
        let text = String(String.UnicodeScalarView(src[begin..<pos])).replacingOccurrences(of: "_", with: "")
        if isFloat, let d = Double(text) { emit(.float(d), at: begin) }
        else if let n = Int(text) { emit(.integer(n), at: begin) }
        else if let d = Double(text) { emit(.float(d), at: begin) }
        else { throw error("bad number '\(text)'", at: begin) }
    }

    private mutating func lexString() throws(TemplateError) {
        let begin = pos
        let quote = src[pos]
        pos += 1
        var out = String.UnicodeScalarView()
        while pos < src.count {
            let c = src[pos]
            if c == quote { pos += 1; emit(.string(String(out)), at: begin); return }
            if c == "\\", pos + 1 < src.count {
                let e = src[pos + 1]
                pos += 2
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "0": out.append("\0")
                case "a": out.append("\u{07}")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "v": out.append("\u{0B}")
                case "\\", "'", "\"": out.append(e)
                case "\n": break
                case "x", "u", "U":
                    let n = e == "x" ? 2 : e == "u" ? 4 : 8
                    guard pos + n <= src.count,
                          let v = UInt32(String(String.UnicodeScalarView(src[pos..<pos + n])), radix: 16),
                          let s = Unicode.Scalar(v) else { throw error("bad escape in string", at: pos) }
                    out.append(s)
                    pos += n
                default: out.append("\\"); out.append(e)
                }
                continue
            }
            out.append(c)
            pos += 1
        }
        throw error("unterminated string", at: begin)
    }
}
