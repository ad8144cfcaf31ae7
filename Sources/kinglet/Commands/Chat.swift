import ArgumentParser
import Dispatch
import Foundation
import Kinglet
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension KingletCommand {
    struct Chat: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Chat with a model in the terminal, one turn after another.",
            discussion: """
            Type a message and press Enter; the answer streams back. End a line with \\ to go on \
            on the next one, or put several lines between \"\"\" and \"\"\". /help lists the commands \
            (/set, /show, /save, /load, /clear, /bye). Ctrl-C stops an answer; Ctrl-D or /bye exits. \
            When standard input is not a terminal, its lines are read as they come, without a prompt.
            """)

        @OptionGroup var model: ModelOptions

        @OptionGroup(title: "Sampling and stopping") var generation: GenerationOptions

        @Option(help: "System message that starts the conversation.")
        var system: String?

        func run() async throws {
            let parameters = try generation.parameters()
            let lm = try model.load()
            let session: ChatSession
            do { session = try ChatSession(model: lm, system: system) } catch { throw CommandFailure.from(error) }
            let terminal = Terminal()
            defer { terminal?.restore() }
            let reader: any LineReader
            if let terminal {
                reader = LineEditor(terminal: terminal, historyFile: ModelStore.home.appendingPathComponent("chat_history"))
            } else {
                reader = PlainLineReader()
            }
            let chat = ChatLoop(session: session, parameters: parameters, reader: reader, terminal: terminal,
                                verbose: model.verbose)
            await chat.run()
        }
    }
}

/// The read–answer loop of `kinglet chat`: reads messages and commands, streams answers.
final class ChatLoop {
    private let session: ChatSession
    private var parameters: GenerationParameters
    private var reader: any LineReader
    /// nil when standard input is not a terminal: no prompt, no line editing.
    private let terminal: Terminal?
    private let verbose: Bool
    private let answer = StreamingAnswer()
    /// Kept alive for the whole chat: a released source stops delivering.
    private var signalSources: [any DispatchSourceSignal] = []
    /// After Ctrl-C, the message count at which the cancelled answer's thread will have recorded it.

    init(session: ChatSession, parameters: GenerationParameters, reader: any LineReader, terminal: Terminal?, verbose: Bool) {
        self.session = session
        self.parameters = parameters
        self.reader = reader
        self.terminal = terminal
        self.verbose = verbose
    }

    func run() async {
        catchSignals()
        if terminal != nil {
            writeOut("Chatting with \(URL(fileURLWithPath: session.model.path).lastPathComponent). /help for commands, Ctrl-D or /bye to exit.\n")
        }
        var interruptedAtEmptyPrompt = false
        while true {
            let input = readMessage()
            if case .interrupt(discarded: false) = input {
                if interruptedAtEmptyPrompt { return }
                writeOut("Use Ctrl-D or /bye to exit.\n")
                interruptedAtEmptyPrompt = true
                continue
            }
            interruptedAtEmptyPrompt = false
            switch input {
            case .endOfFile: return
            case .interrupt: continue
            case .message(let text, let isCommand):
                if text.allSatisfy(\.isWhitespace) { continue }
                await session.waitUntilIdle()   // a cancelled answer joins the conversation first
                if isCommand {
                    guard perform(command: text) else { return }
                } else {
                    await respond(to: text)
                }
            }
        }
    }

    // MARK: Input

    private enum Message {
        /// `isCommand`: a single line starting with `/` (a message built of several lines never is one).
        case message(String, isCommand: Bool)
        case interrupt(discarded: Bool)
        case endOfFile
    }

    /// One message: a line, lines joined by a trailing `\`, or lines between `"""` and `"""` (as Ollama).
    private func readMessage() -> Message {
        var lines: [String] = []
        var quoted = false
        while true {
            switch reader.read(prompt: lines.isEmpty && !quoted ? ">>> " : "... ") {
            case .endOfFile: return .endOfFile
            case .interrupt(let discarded): return .interrupt(discarded: discarded || !lines.isEmpty || quoted)
            case .line(var line):
                if quoted {
                    guard line.hasSuffix("\"\"\"") else { lines.append(line); continue }
                    lines.append(String(line.dropLast(3)))
                    return .message(lines.joined(separator: "\n"), isCommand: false)
                }
                if lines.isEmpty, line.hasPrefix("\"\"\"") {
                    let rest = line.dropFirst(3)
                    if rest.count >= 3, rest.hasSuffix("\"\"\"") { return .message(String(rest.dropLast(3)), isCommand: false) }
                    quoted = true
                    if !rest.isEmpty { lines.append(String(rest)) }
                    continue
                }
                if line.hasSuffix("\\") {
                    line.removeLast()
                    lines.append(line)
                    continue
                }
                let isCommand = lines.isEmpty && line.trimmingCharacters(in: .whitespaces).hasPrefix("/")
                lines.append(line)
                return .message(lines.joined(separator: "\n"), isCommand: isCommand)
            }
        }
    }

    // MARK: Answers

    private enum Outcome: Sendable {
        case finished(GenerationSummary)
        case cancelled
        case failed(any Error)
    }

    /// Streams the answer to `text`; Ctrl-C (SIGINT, the terminal being out of raw mode) cancels it.
    private func respond(to text: String) async {
        let events = session.respond(to: text, parameters: parameters)
        let task = Task { () -> (Outcome, wroteText: Bool) in
            var wroteText = false
            func write(_ piece: String) {
                writeOut(piece)
                if !piece.isEmpty { wroteText = true }
            }
            var summary: GenerationSummary?
            do {
                for try await event in events {
                    switch event {
                    case .token(let token): write(token.text)
                    case .text(let rest): write(rest)
                    case .done(let done): summary = done
                    }
                }
            } catch {
                return (.failed(error), wroteText)
            }
            // A cancelled task's stream just ends, without `.done`.
            return (summary.map(Outcome.finished) ?? .cancelled, wroteText)
        }
        answer.begin { task.cancel() }
        terminal?.enterQuiet()  // after `begin`, so that the SIGINT of an early Ctrl-C finds the answer
        let (outcome, wroteText) = await task.value
        answer.end()
        terminal?.restore()
        switch outcome {
        case .finished(let summary):
            writeOut("\n")
            if summary.stopReason == .contextFull {
                writeError("note: the context is full (\(session.model.contextLength) tokens), so the answer stops here; /clear starts over\n")
            }
            if verbose { writeError(summary.report + "\n") }
        case .cancelled:
            writeOut("^C\n")
        case .failed(let error):
            if wroteText { writeOut("\n") }
            var message = "error: \(error)"
            if case .promptTooLong? = error as? KingletError { message += " (/clear forgets the conversation)" }
            writeError(message + "\n")
        }
    }

    /// SIGINT stops a streaming answer. Otherwise SIGINT (from a pipe's reader, or `kill`),
    /// SIGTERM and SIGHUP end the chat with the terminal's settings restored. At the prompt
    /// the terminal is in raw mode, where Ctrl-C is a byte that the line editor handles.
    private func catchSignals() {
        let queue = DispatchQueue(label: "kinglet.chat.signals")
        let answer = self.answer, terminal = self.terminal
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)  // or the default action would end the process first
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if number == SIGINT, answer.cancel() { return }
                // A stray SIGINT between the answer and the prompt must not end an interactive chat.
                if number == SIGINT, terminal != nil { return }
                terminal?.restore()
                exit(128 + number)
            }
            source.resume()
            signalSources.append(source)
        }
    }

    // MARK: Commands

    static let help = """
    Type a message and press Enter. End a line with \\ to continue it, or put lines between \"\"\" and \"\"\".
      /set NAME VALUE   change a parameter: \(ChatSettings.names.joined(separator: ", ")),
                        or /set system TEXT for the system message
      /show             the model, context use and parameters
      /clear            forget the conversation (the system message stays)
      /save FILE        write the conversation as JSON (an array of {role, content})
      /load FILE        replace the conversation with a saved one
      /help             this list
      /bye, /exit       leave (also Ctrl-D)
    Ctrl-C stops an answer; at the prompt it clears the line.
    """

    /// Runs a `/` command; false when it ends the chat.
    private func perform(command line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let name = String(trimmed.prefix { !$0.isWhitespace })
        let argument = trimmed.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        switch name {
        case "/bye", "/exit", "/quit":
            return false
        case "/help", "/?":
            writeOut(Self.help + "\n")
        case "/clear":
            replaceMessages(Array(session.messages.prefix { $0.role == "system" }.prefix(1)))
            writeOut("Cleared the conversation.\n")
        case "/save":
            save(to: argument)
        case "/load":
            load(from: argument)
        case "/set":
            set(argument)
        case "/show":
            show()
        default:
            writeError("error: unknown command \(name); /help lists the commands\n")
        }
        return true
    }

    /// The chat waits for every turn to be recorded before it reads a command, so the session is idle here.
    private func replaceMessages(_ messages: [ChatMessage]) {
        do { try session.replaceMessages(messages) } catch { writeError("error: \(error)\n") }
    }

    private func save(to path: String) {
        guard !path.isEmpty else { return writeError("error: /save needs a file name, as /save chat.json\n") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        let messages = session.messages
        do {
            try encoder.encode(messages).write(to: URL(fileURLWithPath: expandTilde(path)))
            writeOut("Saved \(plural(messages.count, "message")) to \(path).\n")
        } catch {
            writeError("error: cannot write \(path): \(error.localizedDescription)\n")
        }
    }

    private func load(from path: String) {
        guard !path.isEmpty else { return writeError("error: /load needs a file name, as /load chat.json\n") }
        guard let data = FileManager.default.contents(atPath: expandTilde(path)) else {
            return writeError("error: cannot read \(path)\n")
        }
        /// The shape of an OpenAI/Ollama request, accepted as well as the bare array.
        struct Request: Decodable { let messages: [ChatMessage] }
        let decoder = JSONDecoder()
        guard let messages = (try? decoder.decode([ChatMessage].self, from: data)) ?? (try? decoder.decode(Request.self, from: data).messages) else {
            return writeError("error: \(path) is not a saved conversation (a JSON array of {\"role\", \"content\"} objects)\n")
        }
        replaceMessages(messages)
        writeOut("Loaded \(plural(messages.count, "message")) from \(path).\n")
    }

    private func set(_ argument: String) {
        let name = String(argument.prefix { !$0.isWhitespace })
        let value = argument.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !value.isEmpty else {
            return writeError("error: /set wants a name and a value, as /set temperature 0.2; names: \(ChatSettings.names.joined(separator: ", ")), system\n")
        }
        if name == "system" {
            var messages = session.messages
            if messages.first?.role == "system" { messages[0].content = value } else { messages.insert(.system(value), at: 0) }
            replaceMessages(messages)
            return writeOut("Set the system message.\n")
        }
        do {
            try ChatSettings.set(name, to: value, in: &parameters)
            writeOut("Set \(ChatSettings.canonical(name)) to \(value).\n")
        } catch {
            writeError("error: \(error)\n")
        }
    }

    private func show() {
        let model = session.model
        let messages = session.messages
        let used = messages.isEmpty ? 0 : (try? model.chatPrompt(messages: messages.map(\.templateValue), format: session.format).count) ?? 0
        var lines = [
            "model       \(model.path) (\(model.architectureName), \(model.options.threads) threads)",
            "context     \(used) / \(model.contextLength) tokens used, \(plural(messages.count, "message"))",
        ]
        if let system = messages.first(where: { $0.role == "system" }) { lines.append("system      \(system.content)") }
        lines.append("parameters  " + ChatSettings.describe(parameters))
        writeOut(lines.joined(separator: "\n") + "\n")
    }

    private func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    private func expandTilde(_ path: String) -> String {
        NSString(string: path).expandingTildeInPath
    }
}

/// How the SIGINT handler reaches the answer that is streaming.
final class StreamingAnswer: Sendable {
    private let cancelAnswer = Mutex<(@Sendable () -> Void)?>(nil)

    func begin(cancel: @escaping @Sendable () -> Void) { cancelAnswer.withLock { $0 = cancel } }
    func end() { cancelAnswer.withLock { $0 = nil } }

    /// Cancels the streaming answer; false when none is streaming.
    func cancel() -> Bool {
        guard let cancel = cancelAnswer.withLock({ $0 }) else { return false }
        cancel()
        return true
    }
}

/// The generation parameters `/set` changes, by llama.cpp/Ollama names, with the same bounds as the flags.
enum ChatSettings {
    static let names = ["temperature", "top_k", "top_p", "min_p", "typical", "repeat_penalty", "repeat_last_n",
                        "presence_penalty", "frequency_penalty", "seed", "max_tokens"]

    struct Invalid: Error, CustomStringConvertible { let description: String }

    /// `top-k` and `TOP_K` are `top_k`; Ollama's `num_predict` is `max_tokens`.
    static func canonical(_ name: String) -> String {
        let name = name.lowercased().replacingOccurrences(of: "-", with: "_")
        return name == "num_predict" ? "max_tokens" : name
    }

    static func set(_ name: String, to value: String, in parameters: inout GenerationParameters) throws(Invalid) {
        let name = canonical(name)
        func number(_ rule: String, _ valid: (Float) -> Bool) throws(Invalid) -> Float {
            guard let number = Float(value), number.isFinite, valid(number) else {
                throw Invalid(description: "\(name) must be \(rule); got '\(value)'")
            }
            return number
        }
        func integer(_ rule: String, _ valid: (Int) -> Bool) throws(Invalid) -> Int {
            guard let number = Int(value), valid(number) else { throw Invalid(description: "\(name) must be \(rule); got '\(value)'") }
            return number
        }
        switch name {
        case "temperature": parameters.sampling.temperature = try number("a number ≥ 0") { $0 >= 0 }
        case "top_k": parameters.sampling.topK = try integer("a whole number ≥ 0 (0: off)") { $0 >= 0 }
        case "top_p": parameters.sampling.topP = try number("within 0…1 (1: off)") { (0...1).contains($0) }
        case "min_p": parameters.sampling.minP = try number("within 0…1 (0: off)") { (0...1).contains($0) }
        case "typical": parameters.sampling.typicalP = try number("within 0…1 (1: off)") { (0...1).contains($0) }
        case "repeat_penalty": parameters.sampling.repeatPenalty = try number("a number > 0 (1: off)") { $0 > 0 }
        case "repeat_last_n": parameters.sampling.repeatLastN = try integer("a whole number ≥ -1 (-1: whole context)") { $0 >= -1 }
        case "presence_penalty": parameters.sampling.presencePenalty = try number("a number") { _ in true }
        case "frequency_penalty": parameters.sampling.frequencyPenalty = try number("a number") { _ in true }
        case "max_tokens": parameters.maxTokens = try integer("a whole number ≥ 0") { $0 >= 0 }
        case "seed":
            if value == "random" || value == "none" { parameters.seed = nil; return }
            guard let seed = UInt64(value) else { throw Invalid(description: "seed must be a whole number ≥ 0 or 'random'; got '\(value)'") }
            parameters.seed = seed
        default:
            throw Invalid(description: "unknown parameter '\(name)'; /set takes \(names.joined(separator: ", ")), system")
        }
    }

    /// One line with every setting, by the names `/set` takes.
    static func describe(_ parameters: GenerationParameters) -> String {
        let s = parameters.sampling
        let values: [(String, String)] = [
            ("temperature", "\(s.temperature)"), ("top_k", "\(s.topK)"), ("top_p", "\(s.topP)"), ("min_p", "\(s.minP)"),
            ("typical", "\(s.typicalP)"), ("repeat_penalty", "\(s.repeatPenalty)"), ("repeat_last_n", "\(s.repeatLastN)"),
            ("presence_penalty", "\(s.presencePenalty)"), ("frequency_penalty", "\(s.frequencyPenalty)"),
            ("seed", parameters.seed.map(String.init) ?? "random"), ("max_tokens", "\(parameters.maxTokens)"),
        ]
        var line = values.map { "\($0) \($1)" }.joined(separator: " · ")
        if !parameters.stop.isEmpty { line += " · stop \(parameters.stop.map { "\"\($0)\"" }.joined(separator: ", "))" }
        return line
    }
}
