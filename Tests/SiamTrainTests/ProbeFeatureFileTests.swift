import Foundation
import SiamTrain
import Tensor
import Testing

/// `siamon probe --save-features`: the features probe-v1 saw round-trip through the project's safetensors
/// reader bit for bit, so a probe of the saved file gives the same numbers.
@Suite("probe features file")
struct ProbeFeatureFileTests {
    static func tempPath() -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("features-\(UInt32.random(in: 0...UInt32.max)).safetensors").path
    }

    static func bits(_ s: FeatureSet) -> [UInt32] {
        (0..<s.count * s.dim).map { s.features.pointer[$0].bitPattern }
    }

    @Test func encoderAndPixelFeaturesRoundTrip() throws {
        let (runs, _) = try ProbeCommandTests.runsFolder(step: 3)
        defer { try? FileManager.default.removeItem(at: runs) }
        let t = try ProbeTarget.resolve("r1", runsDirectory: runs.path, presetsDir: ProbeCommandTests.presets)
        let splits = try ProbeRun.splits(data: t.config.data, limitTrain: 300, limitTest: 100)
        let enc = try ProbeRun.encoder(try t.network(), splits: splits, seed: 0)
        let px = try ProbeRun.pixels(splits: splits, seed: 0)
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FeatureFile.write(path: path, kinds: [.init(name: "encoder", train: enc.train, test: enc.test),
                                                  .init(name: "pixels", train: px.train, test: px.test)],
                              metadata: ["weights": t.weightsPath])

        let file = try SafetensorsFile.read(path: path)
        #expect(file.names == ["encoder.test.features", "encoder.test.labels", "encoder.train.features",
                               "encoder.train.labels", "pixels.test.features", "pixels.test.labels",
                               "pixels.train.features", "pixels.train.labels"])
        #expect(file.metadata["format"] == FeatureFile.format && file.metadata["kinds"] == "encoder,pixels"
                && file.metadata["protocol"] == "probe-v1" && file.metadata["weights"] == t.weightsPath)
        #expect(try file.info("encoder.train.features").shape == [300, 32] && file.info("encoder.train.labels").dtype == "I64")
        #expect(try file.info("pixels.test.features").shape == [100, 784])

        for (name, o) in [("encoder", enc), ("pixels", px)] {
            let back = try FeatureFile.read(path: path, kind: name)
            #expect(back.train.dim == o.dim && back.train.labels == o.train.labels && back.test.labels == o.test.labels)
            #expect(Self.bits(back.train) == Self.bits(o.train) && Self.bits(back.test) == Self.bits(o.test), "\(name)")
            // The labels are the dataset's (not all one class), and the saved features give the same probe numbers.
            #expect(Set(back.train.labels).count == 10)
            let again = try ProbeV1.evaluate(train: back.train, test: back.test, classes: 10, seed: 0)
            #expect(again.linear == o.result.linear && again.knn == o.result.knn, "\(name): \(again) vs \(o.result)")
        }
    }

    @Test func missingKindOrInconsistentFileIsAnError() throws {
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let f = FloatBuffer(count: 6)
        let set = try FeatureSet(features: f, dim: 2, labels: [0, 1, 2])
        try FeatureFile.write(path: path, kinds: [.init(name: "encoder", train: set, test: set)])
        #expect(throws: (any Error).self) { try FeatureFile.read(path: path, kind: "pixels") }
        // Labels that do not match the feature rows.
        try SafetensorsFile.write(path: path, tensors: [
            NamedTensor(name: "encoder.train.features", shape: [3, 2], storage: .f32(UnsafePointer(f.pointer))),
            .int64("encoder.train.labels", shape: [2], [0, 1]),
            NamedTensor(name: "encoder.test.features", shape: [3, 2], storage: .f32(UnsafePointer(f.pointer))),
            .int64("encoder.test.labels", shape: [3], [0, 1, 2]),
        ])
        do {
            _ = try FeatureFile.read(path: path, kind: "encoder")
            Issue.record("inconsistent file accepted")
        } catch let e as ProbeError {
            #expect(e.description.hasPrefix("probe: ") && e.description.contains("encoder.train.labels"), "\(e)")
        }
    }
}
