// Builds safetensors images byte by byte (header JSON written by hand, so tests can also break it).
import Foundation

struct SafetensorsImage {
    struct Entry {
        var name: String
        var dtype: String
        var shape: [Int]
        var data: [UInt8]
    }

    var entries: [Entry] = []
    var metadata: [String: String]? = ["format": "pt"]

    mutating func add(_ name: String, _ shape: [Int], floats: [Float]) {
        entries.append(Entry(name: name, dtype: "F32", shape: shape, data: floats.withUnsafeBytes { Array($0) }))
    }

    /// The header as the reference writer lays it out: entries back to back in the data section.
    var header: String {
        var parts: [String] = []
        if let metadata {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(Self.quoted($0.key)): \(Self.quoted($0.value))" }
            parts.append("\"__metadata__\": {\(pairs.joined(separator: ", "))}")
        }
        var offset = 0
        for entry in entries {
            parts.append("\(Self.quoted(entry.name)): {\"dtype\": \"\(entry.dtype)\", \"shape\": \(entry.shape), "
                         + "\"data_offsets\": [\(offset), \(offset + entry.data.count)]}")
            offset += entry.data.count
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// The file: header length, `header` (this image's own unless given) padded to 8 bytes, data.
    func bytes(header: String? = nil) -> [UInt8] {
        var json = Array((header ?? self.header).utf8)
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var bytes = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) }
        bytes += json
        for entry in entries { bytes += entry.data }
        return bytes
    }

    /// Writes the file to `path`.
    func write(to path: String) throws {
        try Data(bytes()).write(to: URL(fileURLWithPath: path))
    }

    static func quoted(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed)
        return String(decoding: data, as: UTF8.self)
    }
}
