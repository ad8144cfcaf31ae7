// The tensor table: per tensor a name, n_dims u32, n_dims u64 sizes, a ggml type u32
// and a u64 offset relative to the data section. Entries are read first, then resolved
// against the data section once its start (after the padding) is known.
extension GGUFReader {
    /// A tensor info as read, before its offset is checked.
    struct TensorEntry {
        var name: String
        var dimensions: [Int]
        var type: GGMLType
        var byteCount: Int
        var relativeOffset: UInt64
    }

    /// ggml's `GGML_MAX_DIMS`.
    static let maxDimensions = 4

    mutating func readTensorEntries(count: Int) throws(GGUFError) -> [TensorEntry] {
        var entries: [TensorEntry] = []
        entries.reserveCapacity(count)
        var names = Set<String>()
        for _ in 0..<count {
            let entry = try readTensorEntry()
            guard names.insert(entry.name).inserted else { throw .duplicateTensor(entry.name) }
            entries.append(entry)
        }
        return entries
    }

    private mutating func readTensorEntry() throws(GGUFError) -> TensorEntry {
        let name = try cursor.readString()
        let dimensionCount = try cursor.read(UInt32.self)
        guard (1...UInt32(Self.maxDimensions)).contains(dimensionCount) else {
            // Show the sizes when there are few enough to be worth reading.
            let shown = dimensionCount <= 16 ? try? cursor.readArray(of: UInt64.self, count: Int(dimensionCount)) : nil
            throw .badDimensions(tensor: name, dimensions: shown ?? [])
        }
        let raw = try cursor.readArray(of: UInt64.self, count: Int(dimensionCount))
        let rawType = try cursor.read(UInt32.self)
        let relativeOffset = try cursor.read(UInt64.self)

        guard let type = GGMLType(rawValue: rawType) else {
            throw .unknownTensorType(rawType, tensor: name)
        }
        guard let dimensions = Self.checkedDimensions(raw) else {
            throw .badDimensions(tensor: name, dimensions: raw)
        }
        guard dimensions[0] % type.blockSize == 0 else {
            throw .rowNotBlockAligned(tensor: name, rowLength: dimensions[0], type: type)
        }
        // The product fits (checked above), and it is a whole number of blocks.
        guard let byteCount = type.byteCount(elements: dimensions.reduce(1, *)) else {
            throw .badDimensions(tensor: name, dimensions: raw)
        }
        return TensorEntry(
            name: name, dimensions: dimensions, type: type,
            byteCount: byteCount, relativeOffset: relativeOffset)
    }

    /// The sizes as `Int`s if each is at least 1 and their product fits in `Int`.
    static func checkedDimensions(_ raw: [UInt64]) -> [Int]? {
        var product = 1
        var dimensions: [Int] = []
        for size in raw {
            guard size >= 1, let size = Int(exactly: size) else { return nil }
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            guard !overflow else { return nil }
            product = next
            dimensions.append(size)
        }
        return dimensions
    }

    /// Turns entries into tensor infos: each offset aligned, each range inside the file,
    /// no two ranges overlapping.
    static func resolve(
        _ entries: [TensorEntry], dataOffset: Int, alignment: Int, fileSize: Int
    ) throws(GGUFError) -> [GGUFTensorInfo] {
        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            guard entry.relativeOffset % UInt64(alignment) == 0 else {
                throw .misalignedTensor(tensor: entry.name, offset: entry.relativeOffset, alignment: alignment)
            }
            let (start, startOverflow) = UInt64(dataOffset).addingReportingOverflow(entry.relativeOffset)
            let (end, endOverflow) = start.addingReportingOverflow(UInt64(entry.byteCount))
            guard !startOverflow, !endOverflow, end <= UInt64(fileSize) else {
                throw .tensorOutOfBounds(
                    tensor: entry.name, offset: startOverflow ? .max : start,
                    size: entry.byteCount, fileSize: fileSize)
            }
            tensors.append(GGUFTensorInfo(
                name: entry.name, dimensions: entry.dimensions, type: entry.type,
                offset: Int(start), byteCount: entry.byteCount))
        }
        try checkNoOverlap(tensors)
        return tensors
    }

    private static func checkNoOverlap(_ tensors: [GGUFTensorInfo]) throws(GGUFError) {
        let byStart = tensors.sorted { $0.offset < $1.offset }
        // Every byte count is positive, so sorted neighbours are the only candidates.
        for (previous, next) in zip(byStart, byStart.dropFirst())
        where previous.offset + previous.byteCount > next.offset {
            throw .tensorsOverlap(previous.name, next.name)
        }
    }
}
