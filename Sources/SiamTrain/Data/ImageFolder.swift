import CStb
import Foundation

/// A folder of PNG/JPEG images decoded with stb_image. When the folder has subfolders, each subfolder is a
/// class (sorted names → labels 0, 1, …) and only images inside them are used; otherwise the images directly
/// inside it are used, unlabelled. Images keep their native size (the crop resizes). All files are decoded at
/// init so a bad file fails at once, by name.
public struct ImageFolder: ImageSource {
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]
    public let channels: Int
    public let height: Int
    public let width: Int
    public let name: String
    public let classNames: [String]
    public let files: [String]
    private let images: [Image8]
    private let labels: [Int?]
    public var count: Int { images.count }

    /// `channels`: 1 (grey) or 3 (RGB); stb converts on decode. `cancelled` is polled between files
    /// (`DataError.interrupted`): decoding a large folder is the long part of loading it.
    public init(path: String, channels: Int = 3, cancelled: () -> Bool = { false }) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw DataError.missingFile(path: path, fix: "set data.path to a folder of PNG/JPEG images")
        }
        let entries = try fm.contentsOfDirectory(atPath: path).sorted()
        let subdirs = entries.filter { entry in
            var d: ObjCBool = false
            return !entry.hasPrefix(".") && fm.fileExists(atPath: path + "/" + entry, isDirectory: &d) && d.boolValue
        }
        var files = [String](), labels = [Int?]()
        if subdirs.isEmpty {
            files = ImageFolder.imageFiles(in: path, entries: entries)
            labels = files.map { _ in nil }
        } else {
            for (label, dir) in subdirs.enumerated() {
                let inDir = ImageFolder.imageFiles(in: path + "/" + dir, entries: (try? fm.contentsOfDirectory(atPath: path + "/" + dir).sorted()) ?? [])
                files += inDir
                labels += inDir.map { _ in label }
            }
        }
        guard !files.isEmpty else { throw DataError.emptyFolder(path: path) }
        var decoded: [Image8] = []
        decoded.reserveCapacity(files.count)
        for f in files {
            if cancelled() { throw DataError.interrupted(path: path, done: decoded.count, of: files.count) }
            decoded.append(try ImageFolder.decode(f, channels: channels))
        }
        images = decoded
        self.files = files; self.labels = labels; self.channels = channels
        classNames = subdirs
        height = images[0].height; width = images[0].width
        name = "folder:" + path
    }

    public func image(_ index: Int) -> Image8 { images[index] }
    public func label(_ index: Int) -> Int? { labels[index] }

    static func imageFiles(in dir: String, entries: [String]) -> [String] {
        entries.filter { !$0.hasPrefix(".") && extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .map { dir + "/" + $0 }
    }

    /// Decodes one PNG/JPEG into `channels` channels.
    public static func decode(_ path: String, channels: Int) throws -> Image8 {
        var w: Int32 = 0, h: Int32 = 0, c: Int32 = 0
        guard let ptr = cstb_load(path, &w, &h, &c, Int32(channels)) else {
            let reason = cstb_failure_reason().map { String(cString: $0) } ?? "unknown error"
            throw DataError.undecodable(path: path, reason: reason)
        }
        defer { cstb_free(ptr) }
        let n = Int(w) * Int(h) * channels
        return Image8(width: Int(w), height: Int(h), channels: channels, pixels: Array(UnsafeBufferPointer(start: ptr, count: n)))
    }
}
