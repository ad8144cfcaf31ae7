// Shared comparison helpers for the kernel tests.
import Testing

/// `actual` agrees with a reference dot product up to float rounding.
///
/// The kernels add per-block terms in a different order than the reference (eight blocks per
/// vector lane, FMAs) and multiply the scales in float, so they differ by a few ulps of the terms,
/// not of the possibly cancelled total: the bound is relative to Σ|terms|.
func expectClose(_ actual: Float, _ reference: ReferenceDot, relative: Double = 1e-5,
                 _ comment: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
    let error = abs(Double(actual) - reference.value)
    let bound = relative * reference.magnitude + 1e-30
    #expect(error <= bound, "\(comment()): got \(actual), want \(reference.value) (error \(error), bound \(bound))",
            sourceLocation: sourceLocation)
}

/// Indices where two float arrays differ in bits (both NaN counts as equal).
func bitMismatches(_ a: [Float], _ b: [Float]) -> [Int] {
    precondition(a.count == b.count)
    return a.indices.filter { a[$0].bitPattern != b[$0].bitPattern && !(a[$0].isNaN && b[$0].isNaN) }
}

extension Array where Element == UInt8 {
    /// The bytes read as little-endian float32 values.
    var floats: [Float] {
        stride(from: 0, to: count, by: 4).map {
            Float(bitPattern: UInt32(self[$0]) | UInt32(self[$0 + 1]) << 8 | UInt32(self[$0 + 2]) << 16 | UInt32(self[$0 + 3]) << 24)
        }
    }
}

extension Array where Element == Float {
    var bytes: [UInt8] { withUnsafeBytes { [UInt8]($0) } }
}
