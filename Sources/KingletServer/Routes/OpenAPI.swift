import Hummingbird

/// `GET /openapi.json`: the OpenAPI 3.1 document of every route (`openapi.json` beside this folder,
/// compiled into the binary; `OpenAPITests` keeps it true to the routes and their answers).
enum OpenAPIRoute {
    static func respond() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_json)))
    }
}
