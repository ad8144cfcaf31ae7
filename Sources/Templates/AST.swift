// The parsed template: statements (`Node`) holding expressions (`Expr`).

struct Argument: Sendable {
    var name: String?
    var value: Expr
}

indirect enum Expr: Sendable {
    case none
    case bool(Bool)
    case integer(Int)
    case float(Double)
    case string(String)
    case name(String)
    case list([Expr])
    case tuple([Expr])
    case dict([(key: Expr, value: Expr)])
    case attribute(Expr, String)
    case item(Expr, Expr)
    case slice(Expr, start: Expr?, stop: Expr?, step: Expr?)
    case call(Expr, [Argument])
    case filter(Expr, name: String, [Argument], line: Int)
    case test(Expr, name: String, [Argument], negated: Bool, line: Int)
    case unary(String, Expr)
    case binary(String, Expr, Expr)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case not(Expr)
    case conditional(test: Expr, then: Expr, otherwise: Expr?)
}

/// Where `set` and `for` store values: a name, `ns.attr`, or a tuple of names.
enum Target: Sendable {
    case name(String)
    case attribute(String, String)
    case tuple([String])
}

struct MacroDef: Sendable {
    var name: String
    var parameters: [(name: String, defaultValue: Expr?)]
    var body: [Node]
}

indirect enum Node: Sendable {
    case text(String)
    case output(Expr, line: Int)
    case conditional(branches: [(test: Expr, body: [Node])], otherwise: [Node], line: Int)
    case loop(target: Target, iterable: Expr, filter: Expr?, body: [Node], otherwise: [Node], line: Int)
    case set(Target, Expr, line: Int)
    case setBlock(Target, filters: [(name: String, args: [Argument])], body: [Node], line: Int)
    case macro(MacroDef, line: Int)
    case callBlock(call: Expr, caller: MacroDef, line: Int)
    case filterBlock(filters: [(name: String, args: [Argument])], body: [Node], line: Int)
    /// `{% with a = 1 %}…{% endwith %}`: the assignments live only in the body.
    case with(assignments: [(target: Target, value: Expr)], body: [Node], line: Int)
    case breakLoop(line: Int)
    case continueLoop(line: Int)
}
