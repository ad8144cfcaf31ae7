import Hummingbird
import Kinglet


/// `GET /metrics` (with `--metrics`): the Prometheus text exposition, the slot and batch gauges read at scrape time.
struct MetricsRoute: Sendable {
    let metrics: ServerMetrics
    let admission: AdmissionQueue
    let scheduler: BatchScheduler

    func respond() -> Response {
        let counts = admission.counts
        metrics.setAdmission(active: counts.active, waiting: counts.waiting)
        metrics.setBatch(scheduler.statistics)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
}
