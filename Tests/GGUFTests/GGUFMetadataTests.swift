// Pins down the typed metadata accessors: which value types each accepts, and missing vs mismatched keys.
import Testing
import GGUF

@Suite struct GGUFMetadataTests {
    static let metadata: GGUFMetadata = {
        var metadata = GGUFMetadata()
        metadata.set("name", .string("qwen2"))
        metadata.set("u8", .uint8(7))
        metadata.set("i16", .int16(-3))
        metadata.set("u64.big", .uint64(.max))
        metadata.set("i64", .int64(-1 << 40))
        metadata.set("f32", .float32(0.5))
        metadata.set("f64", .float64(1e-6))
        metadata.set("flag", .bool(true))
        metadata.set("tokens", .array(.strings(["a", "b"])))
        metadata.set("ids", .array(.int32s([1, -2])))
        metadata.set("u64s.big", .array(.uint64s([1, .max])))
        metadata.set("u16s", .array(.uint16s([3, 65535])))
        metadata.set("scores", .array(.float32s([0.25, -1])))
        metadata.set("doubles", .array(.float64s([2.5])))
        metadata.set("nested", .array(.arrays([.int32s([1])])))
        return metadata
    }()

    @Test func requiredAccessorsReadMatchingTypes() throws {
        let m = Self.metadata
        #expect(m.keys.first == "name" && m.count == 15)
        #expect(try m.string("name") == "qwen2")
        #expect(try m.integer("u8") == 7)
        #expect(try m.integer("i16") == -3)
        #expect(try m.integer("i64") == -1 << 40)
        #expect(try m.float("f32") == 0.5)
        #expect(try m.float("f64") == Float(1e-6))
        #expect(try m.float("i16") == -3)
        #expect(try m.float("u64.big") == Float(UInt64.max))
        #expect(try m.bool("flag"))
        #expect(try m.strings("tokens") == ["a", "b"])
        #expect(try m.integers("ids") == [1, -2])
        #expect(try m.integers("u16s") == [3, 65535])
        #expect(try m.floats("scores") == [0.25, -1])
        #expect(try m.floats("doubles") == [2.5])
        #expect(try m.floats("ids") == [1, -2])
        #expect(try m.floats("u64s.big") == [1, Float(UInt64.max)])
    }

    @Test func missingKeysThrowOrReturnNil() throws {
        let m = Self.metadata
        #expect(throws: GGUFError.missingKey("absent")) { try m.string("absent") }
        #expect(throws: GGUFError.missingKey("absent")) { try m.integer("absent") }
        #expect(throws: GGUFError.missingKey("absent")) { try m.float("absent") }
        #expect(throws: GGUFError.missingKey("absent")) { try m.bool("absent") }
        #expect(throws: GGUFError.missingKey("absent")) { try m.strings("absent") }
        #expect(throws: GGUFError.missingKey("absent")) { try m.integers("absent") }
        #expect(throws: GGUFError.missingKey("absent")) { try m.floats("absent") }
        #expect(try m.optionalString("absent") == nil)
        #expect(try m.optionalInteger("absent") == nil)
        #expect(try m.optionalFloat("absent") == nil)
        #expect(try m.optionalBool("absent") == nil)
        #expect(try m.optionalStrings("absent") == nil)
        #expect(try m.optionalIntegers("absent") == nil)
        #expect(try m.optionalFloats("absent") == nil)
        #expect(try m.optionalInteger("u8") == 7)
        #expect(m["absent"] == nil)
    }

    @Test func wrongTypesThrowEvenWhenOptional() {
        let m = Self.metadata
        #expect(throws: GGUFError.typeMismatch(key: "u8", expected: "string", found: "uint8")) { try m.string("u8") }
        #expect(throws: GGUFError.typeMismatch(key: "flag", expected: "integer", found: "bool")) { try m.optionalInteger("flag") }
        #expect(throws: GGUFError.typeMismatch(key: "f32", expected: "integer", found: "float32")) { try m.integer("f32") }
        #expect(throws: GGUFError.typeMismatch(key: "name", expected: "number", found: "string")) { try m.optionalFloat("name") }
        #expect(throws: GGUFError.typeMismatch(key: "flag", expected: "number", found: "bool")) { try m.float("flag") }
        #expect(throws: GGUFError.typeMismatch(key: "u8", expected: "bool", found: "uint8")) { try m.optionalBool("u8") }
        #expect(throws: GGUFError.typeMismatch(key: "ids", expected: "array of string", found: "array of int32")) {
            try m.optionalStrings("ids")
        }
        #expect(throws: GGUFError.typeMismatch(key: "scores", expected: "array of integer", found: "array of float32")) {
            try m.integers("scores")
        }
        #expect(throws: GGUFError.typeMismatch(key: "tokens", expected: "array of number", found: "array of string")) {
            try m.optionalFloats("tokens")
        }
        #expect(throws: GGUFError.typeMismatch(key: "u8", expected: "array of number", found: "uint8")) { try m.floats("u8") }
        #expect(throws: GGUFError.typeMismatch(key: "nested", expected: "array of integer", found: "array of array")) {
            try m.integers("nested")
        }
    }

    @Test func integersBeyondIntAreOutOfRange() {
        let m = Self.metadata
        #expect(throws: GGUFError.valueOutOfRange(key: "u64.big")) { try m.integer("u64.big") }
        #expect(throws: GGUFError.valueOutOfRange(key: "u64s.big")) { try m.optionalIntegers("u64s.big") }
    }

    @Test func setKeepsFirstPosition() {
        var m = GGUFMetadata()
        m.set("a", .uint8(1))
        m.set("b", .uint8(2))
        m.set("a", .uint8(3))
        #expect(m.keys == ["a", "b"] && m["a"] == .uint8(3))
    }
}
