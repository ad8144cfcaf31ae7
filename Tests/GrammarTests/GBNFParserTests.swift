import Testing
@testable import Grammar

/// llama.cpp's grammars/json.gbnf, verbatim.
let llamaJSONGrammar = #"""
root   ::= object
value  ::= object | array | string | number | ("true" | "false" | "null") ws

object ::=
  "{" ws (
            string ":" ws value
    ("," ws string ":" ws value)*
  )? "}" ws

array  ::=
  "[" ws (
            value
    ("," ws value)*
  )? "]" ws

string ::=
  "\"" (
    [^"\\\x7F\x00-\x1F] |
    "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) # escapes
  )* "\"" ws

number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws

# Optional space: by convention, applied in this grammar after literal chars when allowed
ws ::= | " " | "\n" [ \t]{0,20}
"""#

let arithmeticGrammar = #"""
root  ::= (expr "=" ws term "\n")+
expr  ::= term ([-+*/] term)*
term  ::= ident | num | "(" ws expr ")" ws
ident ::= [a-z] [a-z0-9_]* ws
num   ::= [0-9]+ ws
ws    ::= [ \t\n]*
"""#

let listGrammar = #"""
root ::= item+
# Excludes various line break characters
item ::= "- " [^\r\n\x0b\x0c\x85\u2028\u2029]+ "\n"
"""#

@Suite struct GBNFParserTests {
    @Test func llamaCppGrammarsParse() throws {
        let json = try Grammar(gbnf: llamaJSONGrammar)
        #expect(matches(json, #"{"a": [1, 2.5e3, "x\n"], "b": {"c": null}} "#))
        let arithmetic = try Grammar(gbnf: arithmeticGrammar)
        #expect(matches(arithmetic, "x+1 = (a+12)\n"))
        #expect(matches(arithmetic, "a*b = c\nd = 4\n"))
        #expect(!matches(arithmetic, "x = 12 +\n"))
        let list = try Grammar(gbnf: listGrammar)
        #expect(matches(list, "- one\n- twö 😀\n"))
        #expect(!matches(list, "- one\u{2028}\n"))
    }

    @Test func alternativesMayContinueOnNextLines() throws {
        let grammar = try Grammar(gbnf: "root ::= \"a\"\n  | \"b\"   # comment\n  | c\nc ::= \"c\"\n")
        #expect(matches(grammar, "a") && matches(grammar, "b") && matches(grammar, "c"))
        #expect(!matches(grammar, "ab"))
    }

    @Test func customRootAndEscapes() throws {
        let grammar = try Grammar(gbnf: #"start ::= "\x41\u00e9\t\"\\" [\]\-]"#, root: "start")
        #expect(matches(grammar, "Aé\t\"\\]"))
        #expect(matches(grammar, "Aé\t\"\\-"))
        #expect(!matches(grammar, "Aé\t\"\\x"))
    }

    @Test(arguments: [
        ("root ::= foo", GrammarError.undefinedRule("foo", line: 1, column: 10)),
        ("root ::= \"abc\n", .syntax(line: 1, column: 10, message: "unterminated string literal")),
        ("root ::= [a-z", .syntax(line: 1, column: 10, message: "unterminated character class")),
        ("root ::= (\"a\"", .syntax(line: 1, column: 10, message: "'(' is never closed with ')'")),
        ("root ::= \"a\"\nx ::= \"b\" \"\\q\"", .syntax(line: 2, column: 12, message: "unknown escape '\\q'")),
        ("root ::= \"a\"{3,1}", .syntax(line: 1, column: 13, message: "repetition {3,1} has max below min")),
        ("root = \"a\"", .syntax(line: 1, column: 6, message: "expected '::=' after rule name 'root'")),
        ("other ::= \"a\"", .missingRoot("root")),
        ("root ::= expr\nexpr ::= expr \"+\" num | num\nnum ::= [0-9]", .leftRecursion(rule: "expr")),
        ("root ::= a\na ::= b? \"x\"\nb ::= a", .leftRecursion(rule: "a")),
        ("root ::= (\"a\"?)* \"x\"", .leftRecursion(rule: "root")),
    ])
    func malformedGrammarsFailPrecisely(source: String, expected: GrammarError) {
        #expect(throws: expected) { try Grammar(gbnf: source) }
    }

    @Test func errorDescriptionsSayWhatToDo() {
        #expect(GrammarError.undefinedRule("foo", line: 1, column: 10).description
            == "GBNF rule 'foo' used at 1:10 is never defined: add 'foo ::= ...'")
        #expect(GrammarError.syntax(line: 2, column: 3, message: "unterminated string literal").description
            == "GBNF syntax error at 2:3: unterminated string literal")
    }
}
