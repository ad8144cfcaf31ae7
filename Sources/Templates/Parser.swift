// Builds the statement tree from tokens: if/for/set/macro/call/filter blocks, following
// jinja2's grammar (expressions are in Parser+Expressions.swift).

struct Parser {
    var tokens: [Token]
    var index = 0
    /// Nesting depth of expressions and blocks, bounded so hostile input cannot overflow the stack.
    var depth = 0
    static let maxDepth = 100

    init(tokens: [Token]) { self.tokens = tokens }

    var current: Token { tokens[min(index, tokens.count - 1)] }
    func peek(_ offset: Int = 1) -> Token { tokens[min(index + offset, tokens.count - 1)] }
    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    func error(_ message: String, at token: Token? = nil) -> TemplateError {
        let t = token ?? current
        return .syntax(line: t.line, column: t.column, message: message)
    }

    func isName(_ name: String) -> Bool { current.kind == .name(name) }
    func isOp(_ op: String) -> Bool { current.kind == .op(op) }

    mutating func skipName(_ name: String) -> Bool {
        if isName(name) { advance(); return true }
        return false
    }

    mutating func skipOp(_ op: String) -> Bool {
        if isOp(op) { advance(); return true }
        return false
    }

    mutating func expectOp(_ op: String) throws(TemplateError) {
        guard skipOp(op) else { throw error("expected '\(op)', got \(describe(current))") }
    }

    mutating func expectName() throws(TemplateError) -> String {
        guard case .name(let n) = current.kind else { throw error("expected a name, got \(describe(current))") }
        advance()
        return n
    }

    mutating func expectBlockEnd() throws(TemplateError) {
        guard current.kind == .blockEnd else { throw error("expected end of block tag, got \(describe(current))") }
        advance()
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .text: return "template text"
        case .variableBegin: return "'{{'"
        case .variableEnd: return "'}}'"
        case .blockBegin: return "'{%'"
        case .blockEnd: return "'%}'"
        case .name(let n): return "'\(n)'"
        case .string: return "a string"
        case .integer, .float: return "a number"
        case .op(let o): return "'\(o)'"
        case .eof: return "end of template"
        }
    }

    mutating func enter() throws(TemplateError) {
        depth += 1
        if depth > Parser.maxDepth { throw error("template nested too deeply") }
    }

    // MARK: statements

    mutating func parseTemplate() throws(TemplateError) -> [Node] {
        let (body, end) = try parseBody(until: [])
        if let end { throw error("unexpected '\(end)'") }
        return body
    }

    /// Parses nodes until a block tag whose first name is in `ends`; leaves the parser
    /// just after that name and returns it (nil at end of input).
    mutating func parseBody(until ends: Set<String>) throws(TemplateError) -> ([Node], String?) {
        try enter()
        defer { depth -= 1 }
        var nodes: [Node] = []
        while true {
            let token = current
            switch token.kind {
            case .eof:
                if !ends.isEmpty { throw error("unexpected end of template, expected one of: \(ends.sorted().joined(separator: ", "))") }
                return (nodes, nil)
            case .text(let s):
                nodes.append(.text(s))
                advance()
            case .variableBegin:
                advance()
                let e = try parseTuple()
                guard current.kind == .variableEnd else { throw error("expected '}}', got \(describe(current))") }
                advance()
                nodes.append(.output(e, line: token.line))
            case .blockBegin:
                advance()
                guard case .name(let keyword) = current.kind else { throw error("expected a statement name") }
                if ends.contains(keyword) { advance(); return (nodes, keyword) }
                advance()
                if let node = try parseStatement(keyword, line: token.line) { nodes.append(contentsOf: node) }
            default:
                throw error("unexpected \(describe(token))")
            }
        }
    }

    mutating func parseStatement(_ keyword: String, line: Int) throws(TemplateError) -> [Node]? {
        switch keyword {
        case "if": return [try parseIf(line: line)]
        case "for": return [try parseFor(line: line)]
        case "set": return [try parseSet(line: line)]
        case "macro":
            let def = try parseMacroSignature(name: try expectName())
            return [.macro(def, line: line)]
        case "call": return [try parseCallBlock(line: line)]
        case "filter":
            let filters = try parseFilterChain()
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endfilter"])
            try expectBlockEnd()
            return [.filterBlock(filters: filters, body: body, line: line)]
        case "with":
            var assignments: [(target: Target, value: Expr)] = []
            while current.kind != .blockEnd {
                let target = try parseTarget()
                try expectOp("=")
                assignments.append((target, try parseExpression()))
                if !skipOp(",") { break }
            }
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endwith"])
            try expectBlockEnd()
            return [.with(assignments: assignments, body: body, line: line)]
        case "break", "continue":
            try expectBlockEnd()
            return [keyword == "break" ? .breakLoop(line: line) : .continueLoop(line: line)]
        case "generation":
            // Hugging Face's AssistantTracker tag: renders its body unchanged.
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endgeneration"])
            try expectBlockEnd()
            return body
        default:
            throw error("unknown statement '\(keyword)'", at: tokens[index - 1])
        }
    }

    mutating func parseIf(line: Int) throws(TemplateError) -> Node {
        var branches: [(test: Expr, body: [Node])] = []
        var otherwise: [Node] = []
        var test = try parseTuple(withCondition: false)
        while true {
            try expectBlockEnd()
            let (body, end) = try parseBody(until: ["elif", "else", "endif"])
            branches.append((test, body))
            if end == "elif" { test = try parseTuple(withCondition: false); continue }
            if end == "else" {
                try expectBlockEnd()
                (otherwise, _) = try parseBody(until: ["endif"])
            }
            try expectBlockEnd()
            return .conditional(branches: branches, otherwise: otherwise, line: line)
        }
    }

    mutating func parseTarget() throws(TemplateError) -> Target {
        let paren = skipOp("(")
        var names = [try expectName()]
        if !paren, names.count == 1, skipOp(".") { return .attribute(names[0], try expectName()) }
        var isTuple = false
        while skipOp(",") {
            isTuple = true
            if case .name(let n) = current.kind, n != "in" { names.append(n); advance() } else { break }
        }
        if paren { try expectOp(")") }
        return isTuple || paren && names.count > 1 ? .tuple(names) : .name(names[0])
    }

    mutating func parseFor(line: Int) throws(TemplateError) -> Node {
        let target = try parseTarget()
        guard skipName("in") else { throw error("expected 'in' in for loop") }
        let iterable = try parseTuple(withCondition: false)
        var filter: Expr? = nil
        if skipName("if") { filter = try parseExpression() }
        _ = skipName("recursive")
        try expectBlockEnd()
        let (body, end) = try parseBody(until: ["else", "endfor"])
        var otherwise: [Node] = []
        if end == "else" {
            try expectBlockEnd()
            (otherwise, _) = try parseBody(until: ["endfor"])
        }
        try expectBlockEnd()
        return .loop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise, line: line)
    }

    mutating func parseSet(line: Int) throws(TemplateError) -> Node {
        let target = try parseTarget()
        if skipOp("=") {
            let value = try parseTuple()
            try expectBlockEnd()
            return .set(target, value, line: line)
        }
        var filters: [(name: String, args: [Argument])] = []
        if isOp("|") { advance(); filters = try parseFilterChain() }
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endset"])
        try expectBlockEnd()
        return .setBlock(target, filters: filters, body: body, line: line)
    }

    /// `name(a, b=default) %} body {% endmacro` (also used for `call(params)` blocks).
    mutating func parseMacroSignature(name: String, end: String = "endmacro") throws(TemplateError) -> MacroDef {
        var params: [(name: String, defaultValue: Expr?)] = []
        if skipOp("(") {
            while !isOp(")") {
                let p = try expectName()
                params.append((p, skipOp("=") ? try parseExpression() : nil))
                if !skipOp(",") { break }
            }
            try expectOp(")")
        }
        if end == "endmacro" {
            try expectBlockEnd()
            let (body, _) = try parseBody(until: [end])
            if case .name = current.kind { advance() }
            try expectBlockEnd()
            return MacroDef(name: name, parameters: params, body: body)
        }
        return MacroDef(name: name, parameters: params, body: [])
    }

    mutating func parseCallBlock(line: Int) throws(TemplateError) -> Node {
        var caller = MacroDef(name: "caller", parameters: [], body: [])
        if isOp("(") { caller = try parseMacroSignature(name: "caller", end: "endcall") }
        let call = try parseExpression()
        guard case .call = call else { throw error("expected a macro call in call block") }
        try expectBlockEnd()
        (caller.body, _) = try parseBody(until: ["endcall"])
        try expectBlockEnd()
        return .callBlock(call: call, caller: caller, line: line)
    }

    /// `name(args) | name …` as in a filter block.
    mutating func parseFilterChain() throws(TemplateError) -> [(name: String, args: [Argument])] {
        var chain: [(name: String, args: [Argument])] = []
        repeat {
            var name = try expectName()
            while skipOp(".") { name += "." + (try expectName()) }
            chain.append((name, isOp("(") ? try parseCallArguments() : []))
        } while skipOp("|")
        return chain
    }
}
