// Executes statements: output, if/for/set, macros, call and filter blocks, with jinja2's
// scoping (a `for` body and a macro get their own scope; `if` does not).

import Foundation

final class Scope {
    var vars: [String: Value] = [:]
    let parent: Scope?
    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> Value? {
        var s: Scope? = self
        while let scope = s {
            if let v = scope.vars[name] { return v }
            s = scope.parent
        }
        return nil
    }
}

/// How a block finished: normally, or through `{% break %}` / `{% continue %}`.
enum Flow { case normal, breakLoop, continueLoop }

final class Interpreter {
    let globals: Scope
    let now: Date
    /// Active macro calls, bounded so a recursive macro cannot overflow the stack.
    var callDepth = 0
    static let maxCallDepth = 40
    /// Nesting of expressions and blocks being evaluated (across macro calls), bounded for the same reason.
    var nesting = 0
    static let maxNesting = 250
    /// Scopes captured by macros (and so in a reference cycle with them until `tearDown`).
    var macroScopes: [Scope] = []

    func enter(line: Int) throws(TemplateError) {
        nesting += 1
        if nesting > Interpreter.maxNesting {
            throw .runtime(line: line, message: "template nests too deeply (over \(Interpreter.maxNesting) levels of expressions, blocks and macro calls)")
        }
    }
    /// Output size bound (bytes of UTF-8) so a runaway template fails instead of exhausting memory.
    static let maxOutput = Value.maxSize
    /// Loop iterations and macro calls so far, bounded so nested loops cannot run for hours.
    /// 5M leaves room for real templates' O(n²) message scans (gemma-4: ~3,000 messages).
    var steps = 0
    static let maxSteps = 5_000_000

    func step(line: Int) throws(TemplateError) {
        steps += 1
        if steps > Interpreter.maxSteps { throw .runtime(line: line, message: "template exceeded \(Interpreter.maxSteps) loop iterations and calls") }
    }

    init(context: [String: Value], now: Date) {
        self.now = now
        globals = Scope(parent: nil)
        globals.vars = context
        installGlobals()
    }

    func render(_ nodes: [Node], scope: Scope, into out: inout String) throws(TemplateError) -> Flow {
        try enter(line: 0)
        defer { nesting -= 1 }
        for node in nodes {
            switch node {
            case .text(let s):
                out += s
            case .output(let e, let line):
                out += try eval(e, scope, line).str
                if out.utf8.count > Interpreter.maxOutput { throw .runtime(line: line, message: "output too large") }
            case .conditional(let branches, let otherwise, let line):
                var body = otherwise
                for b in branches where try eval(b.test, scope, line).truthy {
                    body = b.body
                    break
                }
                let flow = try render(body, scope: scope, into: &out)
                if flow != .normal { return flow }
            case .loop(let target, let iterable, let filter, let body, let otherwise, let line):
                try runLoop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise,
                            scope: scope, line: line, into: &out)
            case .set(let target, let e, let line):
                try assign(target, try eval(e, scope, line), scope: scope, line: line)
            case .setBlock(let target, let filters, let body, let line):
                var text = ""
                _ = try render(body, scope: scope, into: &text)
                try assign(target, try applyFilters(filters, to: .string(text), scope: scope, line: line), scope: scope, line: line)
            case .macro(let def, _):
                scope.vars[def.name] = .callable(makeMacro(def, closure: scope))
            case .callBlock(let call, let callerDef, let line):
                guard case .call(let callee, let args) = call else { break }
                let caller = makeMacro(callerDef, closure: scope)
                var (positional, keywords) = try evalArguments(args, scope, line)
                keywords["caller"] = .callable(caller)
                out += try callValue(try eval(callee, scope, line), positional, keywords, line: line).str
            case .filterBlock(let filters, let body, let line):
                var text = ""
                _ = try render(body, scope: scope, into: &text)
                out += try applyFilters(filters, to: .string(text), scope: scope, line: line).str
            case .with(let assignments, let body, let line):
                let inner = Scope(parent: scope)
                for a in assignments { try assign(a.target, try eval(a.value, scope, line), scope: inner, line: line) }
                let flow = try render(body, scope: inner, into: &out)
                if flow != .normal { return flow }
            case .breakLoop: return .breakLoop
            case .continueLoop: return .continueLoop
            }
        }
        return .normal
    }

    private func applyFilters(_ filters: [(name: String, args: [Argument])], to value: Value, scope: Scope,
                              line: Int) throws(TemplateError) -> Value {
        var v = value
        for f in filters {
            let (positional, keywords) = try evalArguments(f.args, scope, line)
            v = try applyFilter(f.name, v, positional, keywords, line: line)
        }
        return v
    }

    func assign(_ target: Target, _ value: Value, scope: Scope, line: Int) throws(TemplateError) {
        switch target {
        case .name(let n):
            scope.vars[n] = value
        case .attribute(let n, let attr):
            guard case .namespace(let ns) = scope.lookup(n) ?? .undefined(n) else {
                throw .runtime(line: line, message: "cannot assign attribute on non-namespace object '\(n)'")
            }
            ns.object[attr] = value
        case .tuple(let names):
            let items = try value.iterate(line: line)
            guard items.count == names.count else {
                throw .runtime(line: line, message: "cannot unpack \(items.count) values into \(names.count) names")
            }
            for (n, v) in zip(names, items) { scope.vars[n] = v }
        }
    }

    private func runLoop(target: Target, iterable: Expr, filter: Expr?, body: [Node], otherwise: [Node],
                         scope: Scope, line: Int, into out: inout String) throws(TemplateError) {
        var items = try eval(iterable, scope, line).iterate(line: line)
        if let filter {
            var kept: [Value] = []
            for item in items {
                let filterScope = Scope(parent: scope)
                try assign(target, item, scope: filterScope, line: line)
                if try eval(filter, filterScope, line).truthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            _ = try render(otherwise, scope: scope, into: &out)
            return
        }
        let state = LoopState(items: items)
        for (i, item) in items.enumerated() {
            try step(line: line)
            // Like jinja2, each iteration starts from the enclosing scope: a `set` in the
            // body is visible neither after the loop nor in the next iteration.
            let loopScope = Scope(parent: scope)
            state.index = i
            loopScope.vars["loop"] = .loop(state)
            try assign(target, item, scope: loopScope, line: line)
            if try render(body, scope: loopScope, into: &out) == .breakLoop { break }
        }
    }

    /// Breaks the scope ↔ macro reference cycles once rendering is over, so nothing leaks.
    func tearDown() {
        for scope in macroScopes { scope.vars = [:] }
        globals.vars = [:]
        macroScopes = []
    }

    func makeMacro(_ def: MacroDef, closure: Scope) -> Callable {
        macroScopes.append(closure)
        return Callable(name: def.name) { [unowned self] positional, keywords throws(TemplateError) in
            guard self.callDepth < Interpreter.maxCallDepth else {
                throw .runtime(line: 0, message: "macro '\(def.name)' recursed too deeply")
            }
            try self.step(line: 0)
            self.callDepth += 1
            defer { self.callDepth -= 1 }
            let scope = Scope(parent: closure)
            var extraKeywords = keywords
            for (i, p) in def.parameters.enumerated() {
                if i < positional.count {
                    scope.vars[p.name] = positional[i]
                } else if let v = keywords[p.name] {
                    scope.vars[p.name] = v
                    extraKeywords[p.name] = nil
                } else if let d = p.defaultValue {
                    scope.vars[p.name] = try self.eval(d, scope, 0)
                } else {
                    scope.vars[p.name] = .undefined(p.name)
                }
            }
            if let caller = keywords["caller"] { scope.vars["caller"] = caller; extraKeywords["caller"] = nil }
            scope.vars["varargs"] = .tuple(Array(positional.dropFirst(def.parameters.count)))
            scope.vars["kwargs"] = .object(extraKeywords)
            var text = ""
            _ = try self.render(def.body, scope: scope, into: &text)
            return .string(text)
        }
    }
}
