// Drives `kinglet chat` as a user would: through tmux (a real pseudo-terminal) for line
// editing, history, Ctrl-C and Ctrl-D; through a pipe for scripted use.
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct ChatCLITests {
    static let model = "qwen2.5-coder:0.5b"

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-chat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func savedMessages(_ url: URL) throws -> [[String: String]] {
        let data = try Data(contentsOf: url)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: String]], "\(url.path)")
    }

    @Test func pipedInputIsAnsweredLineByLine() throws {
        let model = try TestEnvironment.modelPath(Self.model)
        let dir = try temporaryDirectory()
        let saved = dir.appendingPathComponent("chat.json")
        let input = """
        Say hello.
        /set temperature abc
        /set top-k 5
        \"\"\"Repeat these two words: apple
        banana\"\"\"
        /frobnicate
        /save \(saved.path)
        /show
        /bye
        Never read.

        """
        let result = try TestEnvironment.runKinglet(["chat", "-m", model, "--temperature", "0", "-n", "16", "-t", "2"], stdin: input)
        #expect(result.status == 0, "\(result.err)")
        #expect(!result.out.contains(">>>"), "no prompt without a terminal: \(result.out)")
        #expect(result.out.lowercased().contains("hello"), "\(result.out)")
        #expect(result.err.contains("error: temperature must be a number ≥ 0; got 'abc'"), "\(result.err)")
        #expect(result.out.contains("Set top_k to 5."), "\(result.out)")
        #expect(result.err.contains("unknown command /frobnicate"), "\(result.err)")
        #expect(result.out.contains("Saved 4 messages to \(saved.path)."), "\(result.out)")
        #expect(result.out.contains("temperature 0.0 · top_k 5"), "/show: \(result.out)")
        #expect(result.out.range(of: #"context +\d+ / 4096 tokens used, 4 messages"#, options: .regularExpression) != nil, "\(result.out)")

        let messages = try savedMessages(saved)
        #expect(messages.map { $0["role"] ?? "" } == ["user", "assistant", "user", "assistant"])
        #expect(messages[0]["content"] == "Say hello.")
        #expect(messages[2]["content"] == "Repeat these two words: apple\nbanana")
        #expect(messages[3]["content"]?.lowercased().contains("apple") == true, "\(messages)")

        // /load replaces the conversation: what was said before is kept, new turns add to it.
        let second = dir.appendingPathComponent("second.json")
        let reloaded = try TestEnvironment.runKinglet(
            ["chat", "-m", model, "--temperature", "0", "-n", "4", "-t", "2"],
            stdin: "Hi.\n/load \(saved.path)\nOk.\n/save \(second.path)\n/load \(dir.path)/missing.json\n")
        #expect(reloaded.status == 0, "\(reloaded.err)")
        #expect(reloaded.out.contains("Loaded 4 messages from \(saved.path)."), "\(reloaded.out)")
        #expect(reloaded.err.contains("error: cannot read \(dir.path)/missing.json"), "\(reloaded.err)")
        let continued = try savedMessages(second)
        #expect(continued.count == 6)
        #expect(Array(continued.prefix(4)) == messages)
        #expect(continued[4]["content"] == "Ok.")
    }

    @Test func terminalChatEditsKeepsHistoryAndStopsOnControlC() throws {
        let model = try TestEnvironment.modelPath(Self.model)
        let binary = try TestEnvironment.kingletBinary.path
        let home = try temporaryDirectory()
        let tmux = try Tmux()
        defer { tmux.kill() }
        // The shell prints the terminal's settings before and after the chat, and its exit status.
        // It ignores SIGINT itself (as an interactive shell would, by running the chat as its own
        // foreground job) so that Ctrl-C reaches only the chat.
        let command = "trap '' INT; stty -a; echo stty-end; KINGLET_HOME=\(Tmux.quote(home.path)) \(Tmux.quote(binary)) chat "
            + "-m \(Tmux.quote(model)) --temperature 0 -n 60 --system 'You are a helpful assistant.'; "
            + "echo \"exit=$?\"; stty -a; echo stty-end; sleep 60"
        try tmux.start(command)
        try tmux.waitForPrompt(after: "/bye to exit", timeout: 60)

        // Line editing, checked through a file name: every key below must land for the name to be right.
        let name = home.appendingPathComponent("chät.json").path
        try tmux.type("garbage")
        try tmux.keys("C-u")
        try tmux.type("/save \(home.path)/wrong")
        try tmux.keys("C-w")                              // → "/save "
        try tmux.type("\(home.path)/chüX.json")
        try tmux.keys("Left", "Left", "Left", "Left", "Left", "BSpace", "BSpace")   // "X", then "ü" (2 bytes) as one
        try tmux.type("ät")
        try tmux.keys("C-a", "Right", "DC")               // "/ave …"
        try tmux.type("s")
        try tmux.keys("End")
        try tmux.type("~~")
        try tmux.keys("Left", "C-k", "BSpace", "Enter")   // Ctrl-K takes one "~", backspace the other
        try tmux.waitForPrompt(after: "Saved 1 message to \(name).", timeout: 10)
        #expect(try savedMessages(URL(fileURLWithPath: name)) == [["role": "system", "content": "You are a helpful assistant."]])

        // Two turns: the second only makes sense with the first.
        try tmux.type("What is 2+2? Answer with one number.")
        try tmux.keys("Enter")
        let first = try tmux.waitForPrompt(after: "What is 2+2? Answer with one number.", timeout: 60)
        #expect(first.contains("4"), "\(first)")
        // "Now double it" has a clear answer: "8" leads the next-token logits by 2.4 in llama.cpp and
        // here alike ("Multiply that number by 10" was a 0.18-logit near-tie between "4" and "1").
        try tmux.type("Now double it. Answer with one number.")
        try tmux.keys("Enter")
        let second = try tmux.waitForPrompt(after: "Now double it. Answer with one number.", timeout: 60)
        #expect(second.contains("8"), "\(second)")

        // Ctrl-C while a long answer streams: the prompt comes back at once, the chat goes on.
        try tmux.type("/set max_tokens 2000")
        try tmux.keys("Enter")
        try tmux.waitForPrompt(after: "Set max_tokens to 2000.", timeout: 10)
        try tmux.type("Write a very long story about a dragon.")
        try tmux.keys("Enter")
        try tmux.wait(timeout: 30, "the story to start") { screen in
            !screen.components(separatedBy: "about a dragon.").last!.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
        let interrupted = ContinuousClock.now
        try tmux.keys("C-c")
        let stopped = try tmux.waitForPrompt(after: "about a dragon.", timeout: 10)
        #expect(ContinuousClock.now - interrupted < .seconds(5), "the answer stops at once")
        #expect(stopped.contains("^C"), "\(stopped)")

        // The conversation holds both turns and the story so far; /clear keeps only the system message.
        let before = home.appendingPathComponent("before.json"), after = home.appendingPathComponent("after.json")
        try tmux.type("/save \(before.path)")
        try tmux.keys("Enter")
        try tmux.waitForPrompt(after: "Saved 7 messages", timeout: 10)
        let turns = try savedMessages(before)
        #expect(turns.map { $0["role"] ?? "" } == ["system", "user", "assistant", "user", "assistant", "user", "assistant"])
        #expect(turns[6]["content"]?.isEmpty == false, "the cancelled answer so far")
        try tmux.type("/clear")
        try tmux.keys("Enter")
        try tmux.waitForPrompt(after: "Cleared the conversation.", timeout: 10)
        try tmux.type("/save \(after.path)")
        try tmux.keys("Enter")
        try tmux.waitForPrompt(after: "Saved 1 message to \(after.path).", timeout: 10)
        #expect(try savedMessages(after) == [["role": "system", "content": "You are a helpful assistant."]])

        // History: up recalls earlier lines, down comes back, Ctrl-U empties the line.
        try tmux.keys("Up", "Up")
        try tmux.wait(timeout: 5, "up-arrow to recall /clear") { $0.lastLine == ">>> /clear" }
        try tmux.keys("Down")
        try tmux.wait(timeout: 5, "down-arrow to bring back the last line") { $0.lastLine == ">>> /save \(after.path)" }
        try tmux.keys("C-u")
        try tmux.wait(timeout: 5, "Ctrl-U to empty the line") { $0.lastLine == ">>>" }

        // Ctrl-C at an empty prompt only explains; Ctrl-D leaves with the terminal as it was.
        try tmux.keys("C-c")
        try tmux.waitForPrompt(after: "Use Ctrl-D or /bye to exit.", timeout: 5)
        try tmux.keys("C-d")
        let end = try tmux.wait(timeout: 10, "the chat to exit") { $0.components(separatedBy: "stty-end").count == 3 }
        let parts = end.components(separatedBy: "stty-end")
        let (initial, final) = (parts[0].trimmingCharacters(in: .whitespacesAndNewlines), parts[1].components(separatedBy: "exit=").last!)
        #expect(final.hasPrefix("0\n"), "exit status: \(final)")
        #expect(final.dropFirst(2).trimmingCharacters(in: .whitespacesAndNewlines) == initial, "the terminal's settings restored")
        #expect(initial.contains(" icanon") && initial.contains(" echo "), "a cooked terminal to start with: \(initial)")
        let history = try String(contentsOf: home.appendingPathComponent("chat_history"), encoding: .utf8)
        #expect(history.contains("What is 2+2? Answer with one number.\n"), "\(history)")
        #expect(!history.contains("garbage"), "a line cleared by Ctrl-U is not history")
    }
}

/// A private tmux server (its own socket) with one session, for driving a command on a pseudo-terminal.
struct Tmux {
    let executable: String
    let socket = "kinglet-test-\(UUID().uuidString.prefix(8))"
    let session = "chat"

    struct Failure: Error, CustomStringConvertible { let description: String }

    init() throws {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let found = path.map({ "\($0)/tmux" }).first(where: FileManager.default.isExecutableFile) else {
            throw Failure(description: "tmux is needed for the terminal chat test: apt-get install tmux (scripts/test installs it)")
        }
        executable = found
    }

    /// Single-quoted for the shell.
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// -u and a UTF-8 locale: keys and the screen carry non-ASCII text as is, not as "_".
    var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"]) { $1 }
    }

    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-u", "-L", socket] + arguments
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed: \(text)") }
        return text
    }

    /// Starts the server with the session. Not through `Process`: on Linux it learns that a child
    /// exited when a socket it gave the child closes, and the tmux server, forked from the
    /// client, keeps that socket open for its whole life.
    func start(_ command: String) throws {
        let arguments = [executable, "-u", "-L", socket, "new-session", "-d", "-x", "200", "-y", "50", "-s", session, command]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0)=\($1)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        guard posix_spawn(&pid, executable, nil, nil, argv, envp) == 0 else { throw Failure(description: "cannot start tmux") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else { throw Failure(description: "tmux new-session failed (wait status \(status))") }
    }

    /// Types `text` literally (no key names).
    func type(_ text: String) throws { try run(["send-keys", "-t", session, "-l", text]) }

    /// Presses keys by tmux name (`Enter`, `C-c`, `Left`…).
    func keys(_ names: String...) throws { try run(["send-keys", "-t", session] + names) }

    /// The pane with its scrollback, wrapped lines joined.
    func screen() throws -> String { try run(["capture-pane", "-p", "-J", "-t", session, "-S", "-2000"]) }

    @discardableResult
    func wait(timeout seconds: Double, _ what: String, until done: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if done(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Failure(description: "timed out after \(seconds)s waiting for \(what); the screen:\n\(last)")
    }

    /// Waits until `marker` was printed and an empty prompt followed it; returns what came in between.
    @discardableResult
    func waitForPrompt(after marker: String, timeout: Double) throws -> String {
        let screen = try wait(timeout: timeout, "a prompt after '\(marker)'") { screen in
            screen.contains(marker) && screen.components(separatedBy: marker).last!.lastLine == ">>>"
        }
        let after = screen.components(separatedBy: marker).last!
        return String(after.trimmingCharacters(in: .whitespacesAndNewlines).dropLast(3))
    }

    /// Ends the pane's processes (whatever signals they ignore) and the server.
    func kill() {
        if let pid = try? run(["list-panes", "-t", session, "-F", "#{pane_pid}"]).split(separator: "\n").first.flatMap({ pid_t($0) }) {
            Glibc.kill(-pid, SIGKILL)  // the pane's shell leads a process group holding the chat
        }
        _ = try? run(["kill-server"])
    }
}

extension String {
    /// The last non-blank line, trailing blanks dropped (as capture-pane shows a prompt).
    var lastLine: String {
        let lines = split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.last { !$0.isEmpty } ?? ""
    }
}
