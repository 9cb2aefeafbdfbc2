import Foundation
import Tensor

/// Checkpoints of a run directory runs/<name>/:
/// - `checkpoint-<step>.safetensors`: the weights under the official state-dict names (online and `mm_` target),
///   so the file loads into the official PyTorch model as it is;
/// - `checkpoint-<step>.optim.safetensors`: AdamW moments named `m.<name>` and `v.<name>`, with metadata
///   (`step`, `format_version`, and what the caller adds: `config`, `data_seed`, `data_position`, ...);
/// - `latest`: a text file naming the newest complete checkpoint ("checkpoint-<step>").
/// Every file is written atomically (temp + fsync + rename + directory fsync) in the order weights, optimizer,
/// pointer, so a crash at any point leaves the previous checkpoint complete and `latest` pointing at it.
public enum Checkpoint {
    public static let formatVersion = "1"

    /// Metadata keys. `step` and `format_version` are written by `save`; the others are the caller's.
    public enum Key {
        public static let step = "step"
        public static let formatVersion = "format_version"
        public static let kind = "kind"
        public static let config = "config"
        public static let dataSeed = "data_seed"
        public static let dataPosition = "data_position"
    }

    public static func weightsName(step: Int) -> String { "checkpoint-\(step).safetensors" }
    public static func optimizerName(step: Int) -> String { "checkpoint-\(step).optim.safetensors" }
    public static let pointerName = "latest"

    /// A checkpoint read back and validated.
    public struct Loaded: Sendable {
        public let step: Int
        public let weights: SafetensorsFile
        public let optimizer: SafetensorsFile
        /// The optimizer file's metadata (step, format_version, config, data_seed, ...).
        public var metadata: [String: String] { optimizer.metadata }
        /// Set when `latest(in:)` could not use the `latest` pointer and picked the newest valid checkpoint instead.
        public var note: String? = nil
    }

    /// AdamW state as `m.<name>` / `v.<name>` tensors for `save`.
    public static func moments(_ entries: [(name: String, m: TensorView, v: TensorView)]) -> [NamedTensor] {
        entries.flatMap { [NamedTensor("m." + $0.name, $0.m), NamedTensor("v." + $0.name, $0.v)] }
    }

    /// Writes checkpoint `step` into `dir` (created if missing), points `latest` at it, and keeps the newest
    /// `keep` checkpoints (never deleting the newest valid one). Returns the weights file's URL.
    @discardableResult
    public static func save(dir: URL, step: Int, weights: [NamedTensor], optimizer: [NamedTensor],
                            metadata: [String: String] = [:], keep: Int = 3) throws -> URL {
        guard step >= 0 else { throw CheckpointError.invalidArgument(dir: dir.path, detail: "step \(step) is negative") }
        guard keep >= 1 else { throw CheckpointError.invalidArgument(dir: dir.path, detail: "keep must be >= 1, got \(keep)") }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw CheckpointError.invalidArgument(dir: dir.path, detail: "cannot create the run directory")
        }
        let stamp = [Key.step: String(step), Key.formatVersion: formatVersion]
        let weightsURL = dir.appendingPathComponent(weightsName(step: step))
        try SafetensorsFile.write(path: weightsURL.path, tensors: weights, metadata: stamp.merging([Key.kind: "weights"]) { a, _ in a })
        var optimMeta = metadata
        for (k, v) in stamp { optimMeta[k] = v }
        optimMeta[Key.kind] = "optimizer"
        try SafetensorsFile.write(path: dir.appendingPathComponent(optimizerName(step: step)).path, tensors: optimizer, metadata: optimMeta)
        try AtomicFile.write(path: dir.appendingPathComponent(pointerName).path, text: "checkpoint-\(step)\n")
        prune(dir: dir, keep: keep)
        return weightsURL
    }

    /// Loads and validates checkpoint `step` (both files, and the step recorded in each).
    public static func load(dir: URL, step: Int) throws -> Loaded {
        let w = try read(dir.appendingPathComponent(weightsName(step: step)), step: step)
        let o = try read(dir.appendingPathComponent(optimizerName(step: step)), step: step)
        return Loaded(step: step, weights: w, optimizer: o)
    }

    private static func read(_ url: URL, step: Int) throws -> SafetensorsFile {
        guard FileManager.default.fileExists(atPath: url.path) else { throw CheckpointError.missingFile(path: url.path) }
        let file = try SafetensorsFile.read(path: url.path)
        if let v = file.metadata[Key.formatVersion], v != formatVersion {
            throw CheckpointError.newerFormat(path: url.path, found: v)
        }
        guard file.metadata[Key.step] == String(step) else {
            throw CheckpointError.stepMismatch(path: url.path, expected: step, found: file.metadata[Key.step] ?? "none")
        }
        return file
    }

    /// The checkpoint `latest` names; when the pointer is missing, garbled or names a damaged checkpoint,
    /// the newest checkpoint that loads (with `note` saying why). Nil when the directory has none that loads.
    public static func latest(in dir: URL) -> Loaded? {
        let pointerPath = dir.appendingPathComponent(pointerName).path
        var why = "no latest pointer"
        if let data = FileManager.default.contents(atPath: pointerPath) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("checkpoint-"), let step = FileIntegers.parse(text.dropFirst("checkpoint-".count)) {
                do { return try load(dir: dir, step: step) } catch { why = "\(error)" }
            } else {
                why = "latest pointer is not \"checkpoint-<step>\""
            }
        }
        for step in steps(in: dir).reversed() {
            if var loaded = try? load(dir: dir, step: step) {
                loaded.note = "using checkpoint-\(step) because \(why)"
                return loaded
            }
        }
        return nil
    }

    /// Steps that have a weights file in `dir`, ascending (whether or not they are complete).
    public static func steps(in dir: URL) -> [Int] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.compactMap { name -> Int? in
            guard name.hasPrefix("checkpoint-"), name.hasSuffix(".safetensors"), !name.hasSuffix(".optim.safetensors") else { return nil }
            let digits = name.dropFirst("checkpoint-".count).dropLast(".safetensors".count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let s = FileIntegers.parse(digits) else { return nil }
            return weightsName(step: s) == name ? s : nil
        }.sorted()
    }

    /// Keeps the `keep` newest checkpoints plus the newest valid one; removes older ones and stale temporary
    /// files left by a crashed writer. Only checkpoints older than the newest valid one are deleted. Failures to delete are ignored (the next save tries again).
    public static func prune(dir: URL, keep: Int) {
        let all = steps(in: dir)
        let newestValid = all.reversed().first { (try? load(dir: dir, step: $0)) != nil }
        let fm = FileManager.default
        // With no valid checkpoint at all, delete nothing: a reader bug must not cost the user their files.
        let kept = Set(all.suffix(max(keep, 1)))
        for step in all where newestValid != nil && !kept.contains(step) && step < newestValid! {
            try? fm.removeItem(at: dir.appendingPathComponent(weightsName(step: step)))
            try? fm.removeItem(at: dir.appendingPathComponent(optimizerName(step: step)))
        }
        for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] where AtomicFile.isTemporary(name)
            && (name.hasPrefix(".checkpoint-") || name.hasPrefix("." + pointerName + ".")) {
            try? fm.removeItem(at: dir.appendingPathComponent(name))
        }
    }
}

/// Checkpoint-level failures; a damaged file reports the `SafetensorsError` itself.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String)
    case stepMismatch(path: String, expected: Int, found: String)
    case newerFormat(path: String, found: String)
    case invalidArgument(dir: String, detail: String)

    public var description: String {
        switch self {
        case .missingFile(let p): return "checkpoint \(p): missing; the checkpoint is incomplete, load an older one"
        case .stepMismatch(let p, let e, let f): return "checkpoint \(p): metadata says step \(f), the file name says \(e); the file was renamed or damaged"
        case .newerFormat(let p, let f): return "checkpoint \(p): format_version \(f), but this siamon reads format \(Checkpoint.formatVersion); use a newer siamon"
        case .invalidArgument(let d, let detail): return "checkpoint in \(d): \(detail)"
        }
    }
}
