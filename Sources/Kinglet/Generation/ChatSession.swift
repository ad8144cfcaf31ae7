import Synchronization
import Templates

/// One message of a conversation.
public struct ChatMessage: Sendable, Codable, Equatable {
    /// `system`, `user`, `assistant` or `tool`, as chat templates expect.
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: "system", content: content) }
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: "user", content: content) }
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: "assistant", content: content) }

    /// The message as a chat template sees it.
    public var templateValue: TemplateValue { ["role": .string(role), "content": .string(content)] }
}

/// A conversation with a model that keeps its KV cache between turns, so each
/// turn evaluates only the tokens the previous ones did not already cover.
///
/// ```swift
/// let chat = try ChatSession(model: model, system: "You are terse.")
/// for try await event in chat.respond(to: "Name a prime.") {
///     if case .token(let token) = event { print(token.text, terminator: "") }
/// }
/// ```
///
/// One turn runs at a time: `respond` while an answer is still streaming fails
/// with `KingletError.sessionBusy`. Different sessions of one model may run at once.
public final class ChatSession: Sendable {
    public let model: LanguageModel
    public let format: ChatFormat
    private let state: Mutex<State>

    private struct State {
        var messages: [ChatMessage]
        /// The cache of the conversation so far; nil while a turn has it.
        var context: Handoff<ModelContext>?
    }

    /// Starts a conversation, optionally with a system message, in `format` (default: the model's own).
    public init(model: LanguageModel, system: String? = nil, format: ChatFormat? = nil) throws(KingletError) {
        self.model = model
        if let format { self.format = format } else { self.format = try model.chatFormat() }
        let messages = system.map { [ChatMessage.system($0)] } ?? []
        state = Mutex(State(messages: messages, context: Handoff(ModelContext(model: model))))
    }

    /// The conversation so far.
    public var messages: [ChatMessage] { state.withLock { $0.messages } }

    /// Replaces the conversation (to clear it, or to load a saved one). The cache is kept:
    /// the next turn reuses whatever prefix the new conversation shares with the old.
    ///
    /// - Throws: `KingletError.sessionBusy` while a turn runs (its answer would overwrite the change).
    public func replaceMessages(_ messages: [ChatMessage]) throws(KingletError) {
        try state.withLock { state throws(KingletError) in
            guard state.context != nil else { throw .sessionBusy }
            state.messages = messages
        }
    }

    /// Whether a turn is running: its answer streaming, or a cancelled one still stopping.
    public var isAnswering: Bool { state.withLock { $0.context == nil } }

    /// Returns when no turn is running; after a cancel, once the answer so far has joined the conversation.
    ///
    /// A cancelled generation stops before its next token, so this waits at most one forward pass.
    public func waitUntilIdle() async {
        while isAnswering { try? await Task.sleep(for: .milliseconds(2)) }
    }

    /// Adds a user message and streams the model's answer, which joins the conversation
    /// when the stream ends (also when it is cancelled: the answer so far was seen).
    public func respond(to user: String, parameters: GenerationParameters = .init()) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let turn: (prompt: [Int32], conversationEnd: Int?, context: Handoff<ModelContext>, messages: [ChatMessage])
        do {
            turn = try state.withLock { state throws(KingletError) in
                guard let context = state.context else { throw .sessionBusy }
                let messages = state.messages + [.user(user)]
                let prompt = try model.chatPrompt(messages: messages.map(\.templateValue), format: format)
                // Where the conversation ends inside the prompt, so a recurrent model can resume there
                // next turn even if the template renders this turn's answer differently in history.
                var conversationEnd: Int?
                if model.isRecurrent {
                    let history = try model.chatPrompt(messages: messages.map(\.templateValue), format: format,
                                                       addGenerationPrompt: false)
                    if prompt.starts(with: history) { conversationEnd = history.count }
                }
                state.context = nil
                return (prompt, conversationEnd, context, messages)
            }
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        return LanguageModel.stream { [self] cancelled, emit throws(KingletError) in
            let run: GenerationRun
            do throws(KingletError) {
                run = try turn.context.value.generate(prompt: turn.prompt, parameters: parameters, cancelled: cancelled,
                                                      conversationEnd: turn.conversationEnd, emit: emit)
            } catch {
                state.withLock { $0.context = turn.context }
                throw error
            }
            state.withLock {
                $0.messages = turn.messages + [.assistant(run.text)]
                $0.context = turn.context
            }
            emit(.done(run.summary))
        }
    }
}

/// Carries a value that is not `Sendable` to another thread.
///
/// Safe only when the sender gives the value up: `ChatSession` keeps its context
/// in `Handoff` while no turn runs, hands it to exactly one generation thread
/// (taking it out of its state under the lock), and gets it back when that thread is done.
struct Handoff<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
