// Expression grammar with jinja2's precedence: conditional < or < and < not < comparison
// < + - < ~ < * / // % < ** < unary < postfix (. [] ()) and filters/tests.

extension Parser {
    /// An expression, or a bare tuple `a, b` (as in `{{ a, b }}` or `set x = a, b`).
    mutating func parseTuple(withCondition: Bool = true) throws(TemplateError) -> Expr {
        let first = withCondition ? try parseExpression() : try parseOr()
        guard isOp(",") else { return first }
        var items = [first]
        while skipOp(",") {
            if current.kind == .blockEnd || current.kind == .variableEnd || isOp(")") { break }
            items.append(withCondition ? try parseExpression() : try parseOr())
        }
        return .tuple(items)
    }

    mutating func parseExpression() throws(TemplateError) -> Expr {
        try enter()
        defer { depth -= 1 }
        var expr = try parseOr()
        while skipName("if") {
            let test = try parseOr()
            let otherwise = skipName("else") ? try parseExpression() : nil
            expr = .conditional(test: test, then: expr, otherwise: otherwise)
        }
        return expr
    }

    mutating func parseOr() throws(TemplateError) -> Expr {
        var left = try parseAnd()
        while skipName("or") { left = .or(left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws(TemplateError) -> Expr {
        var left = try parseNot()
        while skipName("and") { left = .and(left, try parseNot()) }
        return left
    }

    mutating func parseNot() throws(TemplateError) -> Expr {
        if skipName("not") {
            try enter()
            defer { depth -= 1 }
            return .not(try parseNot())
        }
        return try parseCompare()
    }

    mutating func parseCompare() throws(TemplateError) -> Expr {
        let first = try parseMath1()
        var result: Expr? = nil
        var left = first
        while true {
            var op: String
            if case .op(let o) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                op = o
                advance()
            } else if isName("in") {
                op = "in"
                advance()
            } else if isName("not"), peek().kind == .name("in") {
                op = "not in"
                advance(); advance()
            } else {
                break
            }
            let right = try parseMath1()
            let cmp = Expr.binary(op, left, right)
            result = result.map { .and($0, cmp) } ?? cmp
            left = right
        }
        return result ?? first
    }

    mutating func parseMath1() throws(TemplateError) -> Expr {
        var left = try parseConcat()
        while case .op(let o) = current.kind, o == "+" || o == "-" {
            advance()
            left = .binary(o, left, try parseConcat())
        }
        return left
    }

    mutating func parseConcat() throws(TemplateError) -> Expr {
        var left = try parseMath2()
        while skipOp("~") { left = .binary("~", left, try parseMath2()) }
        return left
    }

    mutating func parseMath2() throws(TemplateError) -> Expr {
        var left = try parsePow()
        while case .op(let o) = current.kind, ["*", "/", "//", "%"].contains(o) {
            advance()
            left = .binary(o, left, try parsePow())
        }
        return left
    }

    mutating func parsePow() throws(TemplateError) -> Expr {
        var left = try parseUnary()
        while skipOp("**") { left = .binary("**", left, try parseUnary()) }
        return left
    }

    mutating func parseUnary(withFilter: Bool = true) throws(TemplateError) -> Expr {
        try enter()
        defer { depth -= 1 }
        var node: Expr
        if case .op(let o) = current.kind, o == "-" || o == "+" {
            advance()
            node = .unary(o, try parseUnary(withFilter: false))
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        return withFilter ? try parseFilterExpr(node) : node
    }

    mutating func parsePrimary() throws(TemplateError) -> Expr {
        let token = current
        switch token.kind {
        case .name(let n):
            advance()
            switch n {
            case "true", "True": return .bool(true)
            case "false", "False": return .bool(false)
            case "none", "None": return .none
            default: return .name(n)
            }
        case .string(var s):
            advance()
            while case .string(let more) = current.kind { s += more; advance() }
            return .string(s)
        case .integer(let n): advance(); return .integer(n)
        case .float(let d): advance(); return .float(d)
        case .op("("):
            advance()
            if skipOp(")") { return .tuple([]) }
            let e = try parseTuple()
            try expectOp(")")
            return e
        case .op("["):
            advance()
            var items: [Expr] = []
            while !isOp("]") {
                items.append(try parseExpression())
                if !skipOp(",") { break }
            }
            try expectOp("]")
            return .list(items)
        case .op("{"):
            advance()
            var pairs: [(key: Expr, value: Expr)] = []
            while !isOp("}") {
                let k = try parseExpression()
                try expectOp(":")
                pairs.append((k, try parseExpression()))
                if !skipOp(",") { break }
            }
            try expectOp("}")
            return .dict(pairs)
        default:
            throw error("unexpected \(describe(token))")
        }
    }

    mutating func parsePostfix(_ start: Expr) throws(TemplateError) -> Expr {
        var node = start
        while true {
            if skipOp(".") {
                switch current.kind {
                case .name(let n): advance(); node = .attribute(node, n)
                case .integer(let i): advance(); node = .item(node, .integer(i))
                default: throw error("expected an attribute name after '.'")
                }
            } else if skipOp("[") {
                node = try parseSubscript(node)
            } else if isOp("(") {
                node = .call(node, try parseCallArguments())
            } else {
                return node
            }
        }
    }

    mutating func parseSubscript(_ target: Expr) throws(TemplateError) -> Expr {
        var parts: [Expr?] = []
        var isSlice = false
        var currentPart: Expr? = nil
        while !isOp("]") {
            if skipOp(":") {
                isSlice = true
                parts.append(currentPart)
                currentPart = nil
            } else {
                if currentPart != nil { throw error("expected ']' or ':' in subscript") }
                currentPart = try parseExpression()
            }
            if current.kind == .eof { throw error("unterminated subscript") }
        }
        try expectOp("]")
        parts.append(currentPart)
        guard isSlice else {
            guard let index = parts[0] else { throw error("empty subscript") }
            return .item(target, index)
        }
        guard parts.count <= 3 else { throw error("too many ':' in slice") }
        return .slice(target, start: parts[0], stop: parts.count > 1 ? parts[1] : nil, step: parts.count > 2 ? parts[2] : nil)
    }

    mutating func parseCallArguments() throws(TemplateError) -> [Argument] {
        try expectOp("(")
        var args: [Argument] = []
        while !isOp(")") {
            if case .name(let n) = current.kind, peek().kind == .op("=") {
                advance(); advance()
                args.append(Argument(name: n, value: try parseExpression()))
            } else {
                if args.contains(where: { $0.name != nil }) { throw error("positional argument after keyword argument") }
                args.append(Argument(name: nil, value: try parseExpression()))
            }
            if !skipOp(",") { break }
        }
        try expectOp(")")
        return args
    }

    mutating func parseFilterExpr(_ start: Expr) throws(TemplateError) -> Expr {
        var node = start
        while true {
            let line = current.line
            if skipOp("|") {
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                let args = isOp("(") ? try parseCallArguments() : []
                node = .filter(node, name: name, args, line: line)
            } else if skipName("is") {
                let negated = skipName("not")
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                var args: [Argument] = []
                if isOp("(") {
                    args = try parseCallArguments()
                } else if startsTestArgument() {
                    let arg = try parsePostfix(try parsePrimary())
                    args = [Argument(name: nil, value: arg)]
                }
                node = .test(node, name: name, args, negated: negated, line: line)
            } else if isOp("(") {
                node = .call(node, try parseCallArguments())
            } else {
                return node
            }
        }
    }

    private func startsTestArgument() -> Bool {
        switch current.kind {
        case .name(let n): return !["else", "or", "and", "is", "if", "in", "not"].contains(n)
        case .string, .integer, .float: return true
        case .op(let o): return o == "[" || o == "{"
        default: return false
        }
    }
}
