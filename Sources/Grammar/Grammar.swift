// Grammar-constrained decoding: GBNF grammars and JSON Schema compiled to a token-level constraint.
