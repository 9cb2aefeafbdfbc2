import Foundation

/// Builds the image source a preset names (`data.source`, `data.path`; docs/architecture.md §4).
public enum DataSources {
    public static let names = ["fashion-mnist", "cifar10", "folder", "synthetic"]
    /// Synthetic sizes: enough images for several batches of the smoke preset.
    public static let syntheticCount: [DataSplit: Int] = [.train: 2048, .test: 512]

    /// `cancelled` is polled while a folder source decodes its files (`DataError.interrupted`).
    public static func make(_ config: DataConfig, split: DataSplit, cancelled: () -> Bool = { false }) throws -> ImageSource {
        switch config.source {
        case "fashion-mnist":
            return try FashionMNIST(root: config.path ?? FashionMNIST.defaultRoot, split: split)
        case "cifar10":
            guard let path = config.path else {
                throw DataError.missingFile(path: "data.path", fix: "set data.path to the cifar-10-batches-bin folder")
            }
            return try CIFAR10(root: path, split: split)
        case "folder":
            guard let path = config.path else {
                throw DataError.missingFile(path: "data.path", fix: "set data.path to a folder of PNG/JPEG images")
            }
            // A folder has no split; a "test" subfolder is used for the test split when present.
            let dir = split == .test && isDirectory(path + "/test") ? path + "/test"
                    : split == .train && isDirectory(path + "/train") ? path + "/train" : path
            return try ImageFolder(path: dir, channels: config.channels == 1 ? 1 : 3, cancelled: cancelled)
        case "synthetic":
            return SyntheticShapes(seed: split == .train ? 1 : 2, count: syntheticCount[split]!,
                                   size: config.imageSize, channels: config.channels == 1 ? 1 : 3)
        default:
            throw DataError.unknownSource(name: config.source)
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &d) && d.boolValue
    }
}
