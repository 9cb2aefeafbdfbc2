import ArgumentParser
import Foundation
import MetricsStore
import SiamTrain
import Tensor

/// `siamon dump-step`: the PyTorch-interop dump of docs/interop.md §2 (weights, batch, one step's result).
struct DumpStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-step",
        abstract: "Write weights, batch and result of one training step for checking against PyTorch.")

    @OptionGroup var config: ConfigOptions
    @Option(help: "The seed for the weights and the batch.") var seed: UInt64 = 0
    @Option(help: "The output folder.") var out: String
    @Option(help: "Batch size (default: the preset's).") var batch: Int?

    func run() throws {
        BlasSetup.reexecIfNeeded()
        var c = try config.load()
        c.train.seed = seed
        if let batch { c = try c.applying(overrides: ["train.batch_size=\(batch)"]) }
        try MemoryCheck.require(c, what: "dump-step")
        let names = ["weights", "batch", "result"].map { URL(fileURLWithPath: out).appendingPathComponent("\($0).safetensors").path }
        for path in names {
            try OwnedFiles.refuse(path, flag: "--out", runsDirectory: RunsLocation.directory(flag: nil), folderMustExist: false)
        }
        let source = try DataSources.make(c.data, split: .train)
        let builder = try BatchBuilder(source: source, config: c)
        let b = builder.build(step: 0)
        let trainer = SiameseTrainer(config: c, stepsPerEpoch: builder.stepsPerEpoch)
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let meta = ["format": "siamon-dump-step", "version": "1", "config": c.json()]
        try SafetensorsFile.write(path: dir.appendingPathComponent("weights.safetensors").path,
                                  tensors: StateDictIO.namedTensors(trainer.network), metadata: meta)
        let momentum = trainer.schedule.emaMomentum(step: 0)
        try writeBatch(b, momentum: momentum, to: dir.appendingPathComponent("batch.safetensors").path, meta: meta)
        let value = trainer.forwardBackward(b, momentum: momentum)
        let norm = GradClip.clip(trainer.network.grads, maxNorm: 0)
        var result: [NamedTensor] = trainer.network.trainableNames.map { NamedTensor("grad." + $0, trainer.network.grads[$0]) }
        let scalars = FloatBuffer([Float(value.loss), Float(norm), Float(value.pos), Float(value.neg)])
        for (i, name) in ["loss", "grad_norm", "loss_pos", "loss_neg"].enumerated() {
            result.append(NamedTensor(name: name, shape: [1], storage: .f32(UnsafePointer(scalars.pointer + i))))
        }
        // NamedTensor borrows raw pointers: keep their owners alive until the write is done.
        try withExtendedLifetime(scalars) {
            try SafetensorsFile.write(path: dir.appendingPathComponent("result.safetensors").path, tensors: result, metadata: meta)
        }
        print("wrote \(dir.path)/{weights,batch,result}.safetensors  B=\(b.size)  loss \(value.loss)  grad_norm \(norm)")
    }

    func writeBatch(_ b: Batch, momentum: Double, to path: String, meta: [String: String]) throws {
        let S = b.imageSize, B = b.size
        let mask = FloatBuffer(b.mask.map { Float($0) })
        let g = b.geometry
        let fields: [(String, [Float])] = [
            ("delta_i", g.map(\.deltaI)), ("delta_j", g.map(\.deltaJ)), ("delta_h", g.map(\.deltaH)),
            ("delta_w", g.map(\.deltaW)), ("flip_delta_j", g.map(\.flipDeltaJ)),
            ("relative_flip", g.map { $0.relativeFlip ? 1 : 0 }), ("momentum", [Float(momentum)]),
        ]
        let buffers = fields.map { FloatBuffer($0.1) }
        var tensors = [NamedTensor("x1", TensorView(pointer: b.x1.pointer, shape: [B, b.channels, S, S])),
                       NamedTensor("x2", TensorView(pointer: b.x2.pointer, shape: [B, b.channels, S, S])),
                       NamedTensor("mask", TensorView(pointer: mask.pointer, shape: [B, b.patches]))]
        for (i, f) in fields.enumerated() {
            tensors.append(NamedTensor(f.0, TensorView(pointer: buffers[i].pointer, shape: [f.1.count])))
        }
        try withExtendedLifetime((mask, buffers)) {
            try SafetensorsFile.write(path: path, tensors: tensors, metadata: meta)
        }
    }
}
