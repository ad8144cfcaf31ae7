import Hummingbird

/// `GET /v1/models`: the loaded model.
struct ModelsRoute: Sendable {
    let served: ServedModel

    func respond() throws -> Response {
        try jsonResponse(ModelList(data: [.init(id: served.id, created: served.created)]))
    }
}
