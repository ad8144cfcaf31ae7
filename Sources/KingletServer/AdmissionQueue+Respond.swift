import Hummingbird
import NIOCore

extension AdmissionQueue {
    /// Server-sent events written by `body` once a slot is free; the slot is held until the stream ends.
    func stream(_ body: @escaping @Sendable (EventStream) async -> Void) async throws(OpenAIError) -> Response {
        let slot = try await acquire()
        return Response(status: .ok, headers: EventStream.headers, body: ResponseBody { writer in
            defer { slot.release() }
            await body(EventStream(writer))
        })
    }

    /// The JSON body `complete` returns once a slot is free, cancelled (a 499) when the client hangs up first.
    /// - Parameter id: the response's id, for the log.
    func respond<Body: Encodable & Sendable>(id: String, channel: any Channel,
                                             complete: @escaping @Sendable () async throws -> Body) async throws -> Response {
        let slot = try await acquire()
        defer { slot.release() }
        do {
            return try jsonResponse(try await untilHangUp(channel, complete))
        } catch is ClientDisconnected {
            recordCancellation()
            serverLog("\(id): the client went away before the answer was complete; generation cancelled")
            throw OpenAIError(.init(code: 499, reasonPhrase: "Client Closed Request"), "the client closed the connection")
        }
    }

    /// What to tell a streaming client after `error` cut its stream short: nothing when the client went away
    /// (counted as a cancellation; leaving the generation stream already stopped its generation), else the
    /// failure, logged.
    /// - Parameter generated: tokens generated before, for the log.
    func failure(cuttingShort id: String, after generated: Int, _ error: any Error) -> OpenAIError? {
        if error is EventStream.ClientGone {
            recordCancellation()
            serverLog("\(id): the client went away after \(generated) generated tokens; generation cancelled")
            return nil
        }
        let failure = OpenAIError.from(error)
        serverLog("\(id): failed: \(failure.message)")
        return failure
    }
}
