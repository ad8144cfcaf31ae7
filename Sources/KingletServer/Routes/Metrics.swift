import Hummingbird

/// `GET /metrics` (with `--metrics`): the Prometheus text exposition, the slot gauges read at scrape time.
struct MetricsRoute: Sendable {
    let metrics: ServerMetrics
    let admission: AdmissionQueue

    func respond() -> Response {
        let counts = admission.counts
        metrics.setAdmission(active: counts.active, waiting: counts.waiting)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
}
