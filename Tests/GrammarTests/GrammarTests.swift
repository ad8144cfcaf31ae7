import Testing
@testable import Grammar
