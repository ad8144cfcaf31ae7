// Pins down the reader against gguf-py's GGUFReader on a real model: tensor table, metadata, tensor bytes.
import Foundation
import Testing
import GGUF
import TestSupport

@Suite struct GGUFReferenceTests {
    static let modelName = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"

    /// Dumps what gguf-py sees as JSON: tensors (with their first and last bytes) and every key-value pair.
    static let script = """
        import json, sys
        from gguf import GGUFReader
        r = GGUFReader(sys.argv[1])
        def type_name(f):
            if f.types[0].name == 'ARRAY':
                return 'array of ' + f.types[1].name.lower()
            return f.types[0].name.lower()
        kv = []
        for key, f in r.fields.items():
            if key.startswith('GGUF.'):
                continue
            nested = len(f.types) > 2
            kv.append([key, type_name(f), None if nested else f.contents()])
        tensors = []
        for t in r.tensors:
            raw = t.data.reshape(-1).view('uint8')
            tensors.append([t.name, [int(d) for d in t.shape], t.tensor_type.name, int(t.data_offset),
                            int(t.n_bytes), raw[:16].tobytes().hex(), raw[-16:].tobytes().hex()])
        version = int(r.fields['GGUF.version'].parts[-1][0])
        json.dump(dict(version=version, alignment=int(r.alignment), data_offset=int(r.data_offset),
                       kv=kv, tensors=tensors), sys.stdout)
        """

    @Test func matchesGGUFPy() throws {
        let python = ReferencePython.path
        let model = ReferencePython.kingletHome.appendingPathComponent("models/" + Self.modelName).path
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: model) else {
            Issue.record("""
                Reference check needs \(model) and a Python with gguf at \(python): \
                run scripts/fetch-model and scripts/python-env (or set KINGLET_HOME / KINGLET_PYTHON)
                """)
            return
        }

        let start = ContinuousClock.now
        let file = try GGUFFile(contentsOf: model)
        let parseTime = ContinuousClock.now - start
        let reference = try Self.runReference(python: python, model: model)

        #expect(parseTime < .seconds(2), "parsing the header took \(parseTime)")
        #expect(Int(file.version) == reference["version"] as? Int)
        #expect(file.alignment == reference["alignment"] as? Int)
        #expect(file.dataOffset == reference["data_offset"] as? Int)
        try Self.compareTensors(file, try #require(reference["tensors"] as? [[Any]]))
        try Self.compareMetadata(file.metadata, try #require(reference["kv"] as? [[Any]]))

        // Spot checks through the typed accessors.
        #expect(try file.metadata.string("general.architecture") == "qwen2")
        #expect(try file.metadata.strings("tokenizer.ggml.tokens").count == 151_936)
        #expect(file.tensors.count == 291)
    }

    static func compareTensors(_ file: GGUFFile, _ reference: [[Any]]) throws {
        #expect(file.tensors.count == reference.count)
        for (tensor, row) in zip(file.tensors, reference) {
            #expect(tensor.name == row[0] as? String)
            #expect(tensor.dimensions == row[1] as? [Int], "\(tensor.name)")
            #expect(tensor.type.name == row[2] as? String, "\(tensor.name)")
            #expect(tensor.offset == row[3] as? Int, "\(tensor.name)")
            #expect(tensor.byteCount == row[4] as? Int, "\(tensor.name)")
            let bytes = file.bytes(of: tensor)
            #expect(hex(bytes.prefix(16)) == row[5] as? String, "\(tensor.name)")
            #expect(hex(bytes.suffix(16)) == row[6] as? String, "\(tensor.name)")
            #expect(file.tensor(named: tensor.name) == tensor)
        }
    }

    static func compareMetadata(_ metadata: GGUFMetadata, _ reference: [[Any]]) throws {
        #expect(metadata.keys == reference.map { $0[0] as? String ?? "?" })
        for row in reference {
            let key = try #require(row[0] as? String)
            let value = try #require(metadata[key], "\(key)")
            #expect(value.typeName == row[1] as? String, "\(key)")
            guard !(row[2] is NSNull) else { continue }
            switch value {
            case .string(let string):
                #expect(string == row[2] as? String, "\(key)")
            case .bool(let bool):
                #expect(bool == (row[2] as? NSNumber)?.boolValue, "\(key)")
            case .array(.strings(let strings)):
                #expect(strings == row[2] as? [String], "\(key)")
            case .array(.bools(let bools)):
                #expect(bools == (row[2] as? [NSNumber])?.map(\.boolValue), "\(key)")
            case .array(let array):
                #expect(numbers(array) == (row[2] as? [NSNumber])?.map(\.doubleValue), "\(key)")
            default:
                #expect(number(value) == (row[2] as? NSNumber)?.doubleValue, "\(key)")
            }
        }
    }

    /// A scalar number as a Double; float32 and the integers in real files convert exactly.
    static func number(_ value: GGUFValue) -> Double? {
        switch value {
        case .uint8(let v): Double(v)
        case .int8(let v): Double(v)
        case .uint16(let v): Double(v)
        case .int16(let v): Double(v)
        case .uint32(let v): Double(v)
        case .int32(let v): Double(v)
        case .uint64(let v): Double(v)
        case .int64(let v): Double(v)
        case .float32(let v): Double(v)
        case .float64(let v): v
        default: nil
        }
    }

    static func numbers(_ array: GGUFArray) -> [Double]? {
        switch array {
        case .uint8s(let a): a.map(Double.init)
        case .int8s(let a): a.map(Double.init)
        case .uint16s(let a): a.map(Double.init)
        case .int16s(let a): a.map(Double.init)
        case .uint32s(let a): a.map(Double.init)
        case .int32s(let a): a.map(Double.init)
        case .uint64s(let a): a.map(Double.init)
        case .int64s(let a): a.map(Double.init)
        case .float32s(let a): a.map(Double.init)
        case .float64s(let a): a
        default: nil
        }
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func runReference(python: String, model: String) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, model]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // Read before waiting: the dump is megabytes, more than a pipe buffers.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "gguf-py reference exited with \(process.terminationStatus)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
