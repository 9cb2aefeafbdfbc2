import Foundation

/// The committed presets in runs/presets/NAME.json (docs/architecture.md §4, docs/method.md §12).
///
/// Where they are found (`defaultDirectory()`), first match wins:
/// 1. `$SIAMON_PRESETS`, if set;
/// 2. `./runs/presets` under the current directory (running from the repository root);
/// 3. `runs/presets` in an ancestor of the executable's folder (e.g. `.build/debug/siamon` run from elsewhere
///    finds the repository it was built in);
/// 4. otherwise `./runs/presets`, so the error message names the place a user expects.
public enum Presets {
    /// Loads a preset by name (runs/presets/NAME.json) or by path (anything containing "/" or ending in ".json"),
    /// strictly decoded and validated.
    public static func load(nameOrPath: String, presetsDir: URL = defaultDirectory()) throws -> RunConfig {
        let isPath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".json")
        let url = isPath ? URL(fileURLWithPath: nameOrPath) : presetsDir.appendingPathComponent(nameOrPath + ".json")
        let source = "preset \(url.lastPathComponent)"
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue else {
            if isDir.boolValue {
                throw ConfigError.unreadable(source: "preset \(url.path)", detail: "it is a folder, not a preset file; pass a .json file or a preset name")
            }
            if isPath { throw ConfigError.unreadable(source: "preset \(url.path)", detail: "no such file") }
            let names = available(in: presetsDir)
            throw ConfigError.presetNotFound(name: nameOrPath, directory: presetsDir.path, available: names,
                                             suggestion: DidYouMean.suggest(nameOrPath, among: names))
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConfigError.unreadable(source: "preset \(url.path)", detail: "permission denied or not a regular file")
        }
        return try RunConfig.decode(json: Array(data), source: source)
    }

    /// Preset names (file names without ".json") in `dir`, sorted; empty when the folder is missing.
    public static func available(in dir: URL) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) }.sorted()
    }

    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment,
                                        currentDirectory: String = FileManager.default.currentDirectoryPath,
                                        executable: String? = executablePath()) -> URL {
        if let env = environment["SIAMON_PRESETS"], !env.isEmpty { return URL(fileURLWithPath: env) }
        let here = URL(fileURLWithPath: currentDirectory).appendingPathComponent("runs/presets")
        if isDirectory(here) { return here }
        if let exe = executable {
            var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("runs/presets")
                if isDirectory(candidate) { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return here
    }

    /// The running executable, resolved through /proc/self/exe on Linux.
    public static func executablePath() -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first
    }

    static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }
}
