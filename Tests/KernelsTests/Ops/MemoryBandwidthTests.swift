// Pins down the bandwidth probe behind `kinglet bench`'s roofline: it returns a real rate on any thread count (no timing bounds).
import Kernels
import Testing

@Suite struct MemoryBandwidthTests {
    @Test(arguments: [1, 2])
    func readsAtAPositiveFiniteRate(threads: Int) {
        // 64 MiB: twice this machine's L3, small enough for a unit test.
        let bytesPerSecond = MemoryBandwidth.read(threads: threads, bytes: 64 << 20, passes: 2)
        #expect(bytesPerSecond.isFinite && bytesPerSecond > 0, "\(bytesPerSecond)")
    }

    @Test func aBufferSmallerThanOneStepStillReads() {
        #expect(MemoryBandwidth.read(threads: 2, bytes: 1, passes: 1) > 0)
    }
}
