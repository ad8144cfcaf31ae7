import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The store's HTTP client: one AsyncHTTPClient for the duration of a pull, with a
/// connect timeout and a read (stall) timeout but no limit on a whole download.
struct StoreHTTP: Sendable {
    let client: HTTPClient

    /// Runs `body` with a fresh client and shuts the client down afterwards.
    static func with<T: Sendable>(_ body: (StoreHTTP) async throws(StoreError) -> T) async throws(StoreError) -> T {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(20), read: .seconds(60))
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result: Result<T, StoreError>
        do { result = .success(try await body(StoreHTTP(client: client))) } catch { result = .failure(error) }
        try? await client.shutdown()
        return try result.get()
    }

    /// The body of `url` as text (an index page; at most 16 MB).
    func text(_ url: String) async throws(StoreError) -> String {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "text/html")
        do {
            let response = try await client.execute(request, timeout: .seconds(60))
            if response.status == .notFound { return "" }
            guard response.status == .ok else { throw StoreError.httpStatus(url: url, status: Int(response.status.code)) }
            let body = try await response.body.collect(upTo: 16 << 20)
            return String(buffer: body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .network(url: url, reason: Self.reason(error))
        }
    }

    /// The size of `url` from a HEAD request, or nil if the server does not say (or does
    /// not answer HEAD: the size is then only for progress, and the GET decides).
    func size(_ url: String) async throws(StoreError) -> Int64? {
        var request = HTTPClientRequest(url: url)
        request.method = .HEAD
        do {
            let response = try await client.execute(request, timeout: .seconds(60))
            guard response.status == .ok else { return nil }
            return response.headers.first(name: "Content-Length").flatMap { Int64($0) }
        } catch {
            throw .network(url: url, reason: Self.reason(error))
        }
    }

    /// The answer to a GET of `url`, from byte `offset` on when it is above 0.
    enum Answer {
        /// The whole file (status 200): the server sent everything, from byte 0.
        case whole(HTTPClientResponse.Body, length: Int64?)
        /// The bytes from the requested offset on (status 206).
        case rest(HTTPClientResponse.Body, total: Int64?)
        /// The offset is at or past the end (status 416).
        case offsetPastEnd(total: Int64?)
    }

    /// Starts a GET of `url`, asking for the bytes from `offset` on when it is above 0.
    func get(_ url: String, from offset: Int64) async throws(StoreError) -> Answer {
        var request = HTTPClientRequest(url: url)
        if offset > 0 { request.headers.add(name: "Range", value: "bytes=\(offset)-") }
        do {
            let response = try await client.execute(request, deadline: .distantFuture)
            let contentRange = response.headers.first(name: "Content-Range")
            switch response.status {
            case .ok:
                return .whole(response.body, length: response.headers.first(name: "Content-Length").flatMap { Int64($0) })
            case .partialContent where offset > 0:
                // "bytes 100-199/200": the range must start where the partial file ends.
                guard let contentRange, let start = Self.rangeStart(contentRange), start == offset else {
                    throw StoreError.network(url: url, reason: "the server sent an unexpected range (\(contentRange ?? "none"))")
                }
                return .rest(response.body, total: Self.rangeTotal(contentRange))
            case .rangeNotSatisfiable:
                return .offsetPastEnd(total: contentRange.flatMap(Self.rangeTotal))
            default:
                throw StoreError.httpStatus(url: url, status: Int(response.status.code))
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .network(url: url, reason: Self.reason(error))
        }
    }

    static func rangeStart(_ header: String) -> Int64? {
        guard let spec = header.split(separator: " ").last, let dash = spec.firstIndex(of: "-") else { return nil }
        return Int64(spec[..<dash])
    }

    static func rangeTotal(_ header: String) -> Int64? {
        header.split(separator: "/").last.flatMap { Int64($0) }
    }

    /// A short reason for a transport error.
    static func reason(_ error: any Error) -> String {
        if error is CancellationError { return "cancelled" }
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout: return "no data for 60 s"
            case .connectTimeout: return "connecting timed out"
            case .remoteConnectionClosed: return "the connection closed"
            default: break
            }
        }
        let text = String(describing: error)
        return text.count > 160 ? String(text.prefix(160)) + "…" : text
    }
}
