import Foundation
import Testing
import Tensor
@testable import SiamTrain

@Suite("Loader")
struct LoaderTests {
    static func config(batch: Int = 16, seed: UInt64 = 7) -> RunConfig {
        DataFixtures.fmnistTiny(batch: batch, seed: seed, source: "synthetic")
    }
    static let source = SyntheticShapes(seed: 1, count: 200, size: 28, channels: 1)

    static func same(_ a: Batch, _ b: Batch) -> Bool {
        a.x1.array == b.x1.array && a.x2.array == b.x2.array && a.mask == b.mask && a.geometry == b.geometry
            && a.labels == b.labels && a.sourceIndex == b.sourceIndex
            && zip(a.crops, b.crops).allSatisfy { $0.view1 == $1.view1 && $0.view2 == $1.view2 }
    }

    @Test func sameSeedSameBatchesDifferentSeedDifferent() throws {
        let a = try BatchBuilder(source: Self.source, config: Self.config())
        let b = try BatchBuilder(source: Self.source, config: Self.config())
        let c = try BatchBuilder(source: Self.source, config: Self.config(seed: 8))
        for step in [0, 1, 12, 13, 40] {
            #expect(Self.same(a.build(step: step), b.build(step: step)), "step \(step)")
            #expect(!Self.same(a.build(step: step), c.build(step: step)), "step \(step)")
        }
        #expect(!Self.same(a.build(step: 0), a.build(step: 1)))
    }

    @Test func epochsAreSeededShufflesWithDropLast() throws {
        let b = try BatchBuilder(source: Self.source, config: Self.config())
        #expect(b.stepsPerEpoch == 12)   // 200 / 16, remainder dropped
        let epoch0 = (0..<12).flatMap { b.indices(step: $0) }
        #expect(Set(epoch0).count == 192 && epoch0.allSatisfy { (0..<200).contains($0) })
        #expect(Set(b.order(epoch: 0)) == Set(0..<200))
        #expect(b.order(epoch: 0) != b.order(epoch: 1))
        #expect(b.indices(step: 12) == Array(b.order(epoch: 1)[0..<16]))
        #expect(epoch0 != Array(0..<192))
    }

    @Test func batchContentsAreWellFormed() throws {
        let cfg = Self.config()
        let batch = try BatchBuilder(source: Self.source, config: cfg).build(step: 3)
        #expect(batch.size == 16 && batch.patches == 49 && batch.x1.count == 16 * 28 * 28)
        for s in 0..<16 {
            #expect(batch.mask[(s * 49)..<((s + 1) * 49)].reduce(0) { $0 + Int($1) } == 29)
            #expect(batch.labels[s] == Self.source.label(batch.sourceIndex[s]))
        }
        // Normalised range: (0 − 0.286)/0.353 … (1 − 0.286)/0.353.
        let lo = (0 - 0.2860) / 0.3530 as Float, hi = (1 - 0.2860) / 0.3530 as Float
        #expect(batch.x1.array.allSatisfy { $0 >= lo - 1e-5 && $0 <= hi + 1e-5 })
        #expect(batch.x1.array != batch.x2.array)
    }

    @Test func loaderMatchesBuilderAndResumes() throws {
        let cfg = Self.config()
        let builder = try BatchBuilder(source: Self.source, config: cfg)
        let loader = try BatchLoader(source: Self.source, config: cfg)
        var fromStart = [Batch]()
        for _ in 0..<15 { fromStart.append(loader.next()) }   // crosses the epoch boundary at 12
        loader.stop()
        for k in 0..<15 { #expect(Self.same(fromStart[k], builder.build(step: k)), "step \(k)") }
        let resumed = try BatchLoader(source: Self.source, config: cfg, startStep: 11)
        for k in 11..<15 { #expect(Self.same(resumed.next(), fromStart[k]), "resumed step \(k)") }
        resumed.stop()
        #expect(loader.waitSeconds >= 0 && loader.stepsPerEpoch == 12)
        // After stop, next() still answers (synchronously) with the following step.
        #expect(Self.same(resumed.next(), builder.build(step: 15)))
        #expect(Self.same(try BatchLoader(source: Self.source, config: cfg, startStep: 15).next(), builder.build(step: 15)))
    }

    @Test func stopIsPromptAndIdempotent() throws {
        let loader = try BatchLoader(source: Self.source, config: Self.config(), capacity: 2)
        _ = loader.next()
        Thread.sleep(forTimeInterval: 0.05)   // let the worker fill the queue and block
        let t0 = Date()
        loader.stop(); loader.stop()
        #expect(Date().timeIntervalSince(t0) < 2)
    }

    @Test func configErrors() {
        var cfg = Self.config(batch: 500)
        #expect(throws: DataError.self) { try BatchBuilder(source: Self.source, config: cfg) }
        cfg = Self.config(); cfg.data.imageSize = 30
        #expect(throws: DataError.badConfig(key: "data.image_size", detail: "30 is not a multiple of model.patch_size 4")) {
            try BatchBuilder(source: Self.source, config: cfg)
        }
        cfg = Self.config(); cfg.data.mean = [0.5, 0.5, 0.5]
        #expect(throws: DataError.self) { try BatchBuilder(source: Self.source, config: cfg) }
    }

    /// One fmnist-tiny batch (B = 256, 28 px, 1 channel) from the real dataset; prints the time.
    @Test func fmnistTinyBatchBuildTime() throws {
        guard FileManager.default.fileExists(atPath: FashionMNIST.defaultRoot + "/train-images-idx3-ubyte.gz") else { return }
        let source = try FashionMNIST(split: .train)
        let builder = try BatchBuilder(source: source, config: DataFixtures.fmnistTiny())
        _ = builder.build(step: 0)   // warms the epoch-order cache
        let t0 = DispatchTime.now().uptimeNanoseconds
        let reps = 3
        for k in 1...reps { _ = builder.build(step: k) }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 / Double(reps)
        print("fmnist-tiny batch build (B=256, 28 px, 1 ch): \(String(format: "%.1f", ms)) ms per batch")
        #expect(builder.stepsPerEpoch == 234)
        #expect(ms < 20_000)
    }
}
