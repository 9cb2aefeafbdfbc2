import Foundation
import Tensor
import ViT

/// What `siamon probe` evaluates: a run's checkpoint (runs/RUN, the latest or a given step) or a weights
/// `.safetensors` file, plus the config that builds its network.
///
/// The config comes from, first match wins: an explicit `--preset`; the run config recorded in the
/// checkpoint's optimizer file (for a FILE, its sibling `*.optim.safetensors`); the `fmnist-tiny` preset.
public struct ProbeTarget {
    public static let defaultPreset = "fmnist-tiny"

    /// The run's name when a run was named (its probe is then recorded in the store).
    public let runName: String?
    public let weightsPath: String
    public let weights: SafetensorsFile
    /// The checkpoint's step (from the file's metadata for a FILE; 0 when it has none).
    public let step: Int
    public let config: RunConfig
    /// Where the config came from, for the log ("checkpoint metadata", "preset fmnist-tiny").
    public let configOrigin: String
    /// Why a fallback was taken (e.g. the `latest` pointer was damaged), if one was.
    public let note: String?

    /// A FILE is an argument ending in `.safetensors` or containing "/"; anything else names a run.
    public static func isFile(_ argument: String) -> Bool {
        argument.hasSuffix(".safetensors") || argument.contains("/")
    }

    public static func resolve(_ argument: String, runsDirectory: String, checkpoint: Int? = nil, preset: String? = nil,
                               presetsDir: URL = Presets.defaultDirectory()) throws -> ProbeTarget {
        if let c = checkpoint, c < 0 { throw ProbeError.input("--checkpoint must be >= 0, got \(c)") }
        if isFile(argument) {
            if checkpoint != nil { throw ProbeError.input("--checkpoint applies to a RUN, not to a file (\(argument))") }
            return try file(argument, preset: preset, presetsDir: presetsDir)
        }
        return try run(argument, runsDirectory: runsDirectory, checkpoint: checkpoint, preset: preset, presetsDir: presetsDir)
    }

    static func run(_ name: String, runsDirectory: String, checkpoint: Int?, preset: String?,
                    presetsDir: URL) throws -> ProbeTarget {
        let dir = URL(fileURLWithPath: runsDirectory).appendingPathComponent(name)
        var isDir: ObjCBool = false
        guard !name.isEmpty, FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw ProbeError.noRun(name: name, directory: runsDirectory)
        }
        let loaded: Checkpoint.Loaded
        if let step = checkpoint {
            do { loaded = try Checkpoint.load(dir: dir, step: step) } catch {
                let steps = Checkpoint.steps(in: dir).map(String.init).joined(separator: ", ")
                throw ProbeError.noCheckpoint(run: name, directory: dir.path,
                                              detail: "\(error); steps on disk: \(steps.isEmpty ? "none" : steps)")
            }
        } else {
            guard let l = Checkpoint.latest(in: dir) else {
                let steps = Checkpoint.steps(in: dir)
                let detail = steps.isEmpty ? "no checkpoint-<step>.safetensors files"
                    : "checkpoints \(steps.map(String.init).joined(separator: ", ")) are all incomplete or damaged"
                throw ProbeError.noCheckpoint(run: name, directory: dir.path, detail: detail)
            }
            loaded = l
        }
        let path = dir.appendingPathComponent(Checkpoint.weightsName(step: loaded.step)).path
        let (config, origin) = try chooseConfig(preset: preset, metadata: loaded.metadata, source: path, presetsDir: presetsDir)
        return ProbeTarget(runName: name, weightsPath: path, weights: loaded.weights, step: loaded.step, config: config,
                           configOrigin: origin, note: loaded.note)
    }

    static func file(_ path: String, preset: String?, presetsDir: URL) throws -> ProbeTarget {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw ProbeError.input("no weights file \(path); pass a RUN name or an existing .safetensors file")
        }
        let weights = try SafetensorsFile.read(path: path)
        var metadata: [String: String] = [:]
        var note: String?
        if path.hasSuffix(".safetensors") && !path.hasSuffix(".optim.safetensors") {
            let optim = String(path.dropLast(".safetensors".count)) + ".optim.safetensors"
            if FileManager.default.fileExists(atPath: optim) {
                do { metadata = try SafetensorsFile.read(path: optim).metadata } catch {
                    note = "ignoring \(optim): \(error)"
                }
            }
        }
        let (config, origin) = try chooseConfig(preset: preset, metadata: metadata, source: path, presetsDir: presetsDir)
        let step = weights.metadata[Checkpoint.Key.step].flatMap { FileIntegers.parse($0) } ?? 0
        return ProbeTarget(runName: nil, weightsPath: path, weights: weights, step: step, config: config,
                           configOrigin: origin, note: note)
    }

    static func chooseConfig(preset: String?, metadata: [String: String], source: String,
                             presetsDir: URL) throws -> (RunConfig, String) {
        if let p = preset { return (try Presets.load(nameOrPath: p, presetsDir: presetsDir), "preset \(p)") }
        if let json = metadata[Checkpoint.Key.config] {
            return (try RunConfig.decode(json: json, source: "the config recorded with \(source)"), "checkpoint metadata")
        }
        return (try Presets.load(nameOrPath: defaultPreset, presetsDir: presetsDir), "preset \(defaultPreset) (default)")
    }

    /// The network of `config` with these weights loaded (every online tensor must be present, shapes equal).
    public func network() throws(ProbeError) -> SiameseNetwork {
        let net = SiameseNetwork(shape: config.networkShape, seed: config.train.seed)
        do { try StateDictIO.load(net, from: weights) } catch {
            throw .weights(path: weightsPath, detail: "\(error)")
        }
        return net
    }
}
