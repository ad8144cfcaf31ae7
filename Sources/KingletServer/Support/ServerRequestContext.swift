import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core storage plus the connection,
/// so a non-streaming generation can stop when its client hangs up.
struct ServerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Thrown when the client closed its connection before the answer was ready.
struct ClientDisconnected: Error {}

/// Runs `body` until it returns or the client hangs up, whichever comes first; on a hang-up
/// `body` is cancelled (which stops its generation before the next token).
///
/// Hummingbird allows half-closed connections, so a client's close shows only as the end of
/// its input (`ChannelEvent.inputClosed`); a handler at the front of the pipeline watches for it
/// while `body` runs.
func untilHangUp<Result: Sendable>(
    _ channel: any Channel, _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    let hungUp = channel.eventLoop.makePromise(of: Bool.self)
    let name = "kinglet.hang-up-\(UInt64.random(in: .min ... .max))"
    do {
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(HangUpDetector(hungUp), name: name, position: .first)
        }.get()
    } catch {
        hungUp.succeed(false)
        return try await body()   // the channel is already gone or busy closing: just answer
    }
    return try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            _ = try await hungUp.futureResult.get()
            return nil
        }
        defer {
            group.cancelAll()
            // Removing the detector resolves `hungUp` (as false) so its waiting task ends.
            channel.pipeline.removeHandler(name: name).whenComplete { _ in hungUp.succeed(false) }
        }
        while let first = try await group.next() {
            if let result = first { return result }
            if try await hungUp.futureResult.get() { throw ClientDisconnected() }
        }
        throw ClientDisconnected()
    }
}

/// Resolves its promise with true when the peer closes its side or the channel goes inactive,
/// with false when removed first.
private final class HangUpDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<Bool>
    private var resolved = false

    init(_ promise: EventLoopPromise<Bool>) {
        self.promise = promise
    }

    private func resolve(_ value: Bool) {
        guard !resolved else { return }
        resolved = true
        promise.succeed(value)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { resolve(true) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        resolve(true)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        resolve(false)
    }
}
