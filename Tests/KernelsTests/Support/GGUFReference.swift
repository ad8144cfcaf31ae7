// Runs the NumPy reference implementations of the `gguf` PyPI package (gguf-py, the converter
// llama.cpp ships) in one Python process, for the dequantizer and quantizer tests.
import Foundation
import Kernels
import TestSupport

struct ReferenceError: Error, CustomStringConvertible {
    var description: String
}

enum GGUFReference {
    /// One request: `dequantize` a row of `type`, or `quantize` float32 bytes to `type`.
    struct Job {
        var op: String
        var format: WeightFormat
        var input: [UInt8]
    }

    struct Output {
        /// The bytes each job produced (float32 values for `dequantize`), in job order.
        var results: [[UInt8]]
        /// gguf-py's GGML_QUANT_SIZES: (weights, bytes) per block, keyed by ggml type name.
        var sizes: [String: [Int]]
    }

    static let setupHint = "run scripts/python-env to create the reference venv (numpy + gguf)"

    /// The reference Python (`ReferencePython.path`), checked to exist.
    static func pythonPath() throws -> String {
        let python = ReferencePython.path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ReferenceError(description: "no Python at \(python): \(setupHint)")
        }
        return python
    }

    static func run(_ jobs: [Job]) throws -> Output {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("kinglet-kernels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        var input = Data()
        var manifest: [[String: Any]] = []
        for job in jobs {
            manifest.append(["op": job.op, "type": job.format.name.uppercased(), "offset": input.count, "length": job.input.count])
            input.append(contentsOf: job.input)
        }
        let inputURL = dir.appendingPathComponent("input.bin")
        let manifestURL = dir.appendingPathComponent("jobs.json")
        let outputURL = dir.appendingPathComponent("output.bin")
        try input.write(to: inputURL)
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try pythonPath())
        process.arguments = ["-c", script, inputURL.path, manifestURL.path, outputURL.path]
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw ReferenceError(description: "cannot start \(process.executableURL!.path) (\(error)): \(setupHint)")
        }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let hint = process.terminationStatus == 3 ? ": \(setupHint)" : ""
            throw ReferenceError(description: "reference script failed (status \(process.terminationStatus))\(hint)\n\(err)")
        }
        guard let json = try JSONSerialization.jsonObject(with: out) as? [String: Any],
              let index = json["results"] as? [[Int]], let sizes = json["sizes"] as? [String: [Int]]
        else { throw ReferenceError(description: "unreadable reference output: \(String(decoding: out, as: UTF8.self))") }
        let bytes = [UInt8](try Data(contentsOf: outputURL))
        return Output(results: index.map { Array(bytes[$0[0]..<($0[0] + $0[1])]) }, sizes: sizes)
    }

    /// argv: input.bin jobs.json output.bin. Exit status 3 means numpy or gguf is missing.
    static let script = #"""
import json, sys
try:
    import numpy as np
    from gguf import GGMLQuantizationType as T, GGML_QUANT_SIZES
    from gguf import quants
except ImportError as error:
    sys.stderr.write(f"{error}\n")
    sys.exit(3)

data = open(sys.argv[1], "rb").read()
jobs = json.load(open(sys.argv[2]))
out = open(sys.argv[3], "wb")
index = []
for job in jobs:
    raw = np.frombuffer(data, dtype=np.uint8, count=job["length"], offset=job["offset"])
    qtype = T[job["type"]]
    if job["op"] == "dequantize":
        if qtype == T.Q8_1:
            # gguf-py has no Q8_1 dequantizer (and lists the retired 40-byte layout); ggml-common.h:
            # fp16 d, fp16 s, int8 qs[32], value = d * q.
            blocks = raw.reshape(-1, 36)
            d = blocks[:, 0:2].copy().view(np.float16).astype(np.float32)
            result = blocks[:, 4:].copy().view(np.int8).astype(np.float32) * d
        elif qtype == T.Q8_K:
            # Nor for Q8_K: f32 d, int8 qs[256], int16 bsums[16], value = d * q.
            blocks = raw.reshape(-1, 292)
            d = blocks[:, 0:4].copy().view(np.float32)
            result = d * blocks[:, 4:260].copy().view(np.int8).astype(np.float32)
        else:
            result = quants.dequantize(raw, qtype)
        result = np.ascontiguousarray(result, dtype=np.float32).reshape(-1)
    elif job["op"] == "quantize":
        result = np.ascontiguousarray(quants.quantize(raw.view(np.float32), qtype)).reshape(-1)
    else:
        raise ValueError(job["op"])
    start = out.tell()
    out.write(result.tobytes())
    index.append([start, out.tell() - start])
out.close()
sizes = {t.name: list(GGML_QUANT_SIZES[t]) for t in T if t in GGML_QUANT_SIZES}
json.dump({"results": index, "sizes": sizes}, sys.stdout)
"""#
}
