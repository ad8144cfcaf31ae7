import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Writes server-sent events (`data: {json}\n\n`, with an `event:` line when named) to a response body.
///
/// A failed write means the client went away: it is reported as `ClientGone`, so the
/// caller stops generating (leaving the generation stream cancels it) and tells it apart
/// from a generation error, which is still sent to a listening client as an error event.
struct EventStream {
    var writer: any ResponseBodyWriter
    private let encoder = JSONEncoder.openAI

    init(_ writer: any ResponseBodyWriter) {
        self.writer = writer
    }

    struct ClientGone: Error {}

    mutating func send(_ value: some Encodable) async throws {
        try await send(event: nil, value)
    }

    /// An event with a name line first (`event: message_start`), as Anthropic's Messages API streams them.
    mutating func send(event name: String?, _ value: some Encodable) async throws {
        let json: Data
        do { json = try encoder.encode(value) } catch { throw OpenAIError.server("cannot encode a chunk: \(error)") }
        var buffer = ByteBuffer()
        if let name { buffer.writeString("event: \(name)\n") }
        buffer.writeString("data: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        try await write(buffer)
    }

    /// The last event, `data: [DONE]`, and the end of the body.
    mutating func finish() async throws {
        try await write(ByteBuffer(string: "data: [DONE]\n\n"))
        try await close()
    }

    /// The end of the body.
    mutating func close() async throws {
        do { try await writer.finish(nil) } catch { throw ClientGone() }
    }

    /// An error after the stream started, in OpenAI's error shape (the clients raise it).
    mutating func send(error: OpenAIError) async throws {
        var buffer = ByteBuffer()
        buffer.writeString("data: ")
        buffer.writeBytes(error.body)
        buffer.writeString("\n\n")
        try await write(buffer)
    }

    private mutating func write(_ buffer: ByteBuffer) async throws {
        do { try await writer.write(buffer) } catch { throw ClientGone() }
    }

    /// The response headers of an event stream.
    static var headers: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return headers
    }
}

/// `prefix` (`chatcmpl-`, `msg_`) + 24 random letters and digits.
func responseID(_ prefix: String) -> String {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    return prefix + String((0..<24).map { _ in alphabet.randomElement()! })
}

/// A JSON response with `status`.
func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws(OpenAIError) -> Response {
    let data: Data
    do { data = try JSONEncoder.openAI.encode(value) } catch { throw .server("cannot encode the response: \(error)") }
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
}

/// Server-side log lines (standard error): one per finished, failed or abandoned generation.
func serverLog(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
