import Foundation
import SiamTrain

/// The presets the new-run dialog offers, read from runs/presets.
enum PresetCatalog {
    static func choices() -> [PresetChoice] {
        let dir = Presets.defaultDirectory()
        return Presets.available(in: dir).compactMap { name in
            guard let c = try? Presets.load(nameOrPath: name, presetsDir: dir) else { return nil }
            let summary = "\(c.data.source) \(c.data.imageSize)px, D=\(c.model.dim) depth \(c.model.depth), batch \(c.train.batchSize)"
            return PresetChoice(name: name, summary: summary, fields: [
                PresetField(key: "optimizer.lr", label: "lr", value: String(c.optimizer.lr)),
                PresetField(key: "schedule.epochs", label: "epochs", value: String(c.schedule.epochs)),
                PresetField(key: "train.steps", label: "steps", value: c.train.steps.map(String.init) ?? ""),
                PresetField(key: "train.batch_size", label: "batch", value: String(c.train.batchSize)),
            ])
        }
    }
}
