// `GenerationParameters.grammar` takes a `Grammar`: re-exported so that `import Kinglet` is all an app needs.
@_exported import Grammar
