import Foundation
import MetricsStore
import SiamTrain

/// The files siamon owns and no output option may overwrite: the metrics database with its -wal, -shm and
/// -journal files, everything inside a run folder (checkpoints, steps.jsonl, the latest pointer) and the
/// presets. Paths are compared after resolving symlinks and `..`, so `runs/x/../siamon.sqlite` or a link to the
/// database is caught as well. Any existing SQLite database, checkpoint or steps.jsonl elsewhere (another runs
/// folder) is refused by its content or name.
enum OwnedFiles {
    static let databaseSuffixes = ["", "-wal", "-shm", "-journal"]

    /// Throws a one-line `CLIError` when `path` (given to `flag`) would overwrite a file siamon owns, is a
    /// folder, or (with `folderMustExist`, for commands that do not create it) lies in a missing or
    /// read-only folder.
    static func refuse(_ path: String, flag: String, runsDirectory: String, folderMustExist: Bool = true,
                       presetsDirectory: String = Presets.defaultDirectory().path) throws {
        let target = resolved(path)
        if let why = ownership(target, runs: resolved(runsDirectory), presets: resolved(presetsDirectory)) {
            throw CLIError("\(flag) \(path): \(why), which siamon owns; write the output to a path outside the run folders and the database")
        }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDir), isDir.boolValue {
            throw CLIError("\(flag) \(path): is a folder; give a file path")
        }
        let folder = (target as NSString).deletingLastPathComponent
        guard folderMustExist else { return }
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue,
              FileManager.default.isWritableFile(atPath: folder) else {
            throw CLIError("\(flag) \(path): folder \(folder) does not exist or is not writable; create it first")
        }
    }

    /// Why `target` is owned, or nil. Every argument is an already resolved absolute path.
    static func ownership(_ target: String, runs: String, presets: String) -> String? {
        let database = runs + "/siamon.sqlite"
        if let s = databaseSuffixes.first(where: { target == database + $0 }) {
            return s.isEmpty ? "this is the metrics database \(database)" : "this is the metrics database's \(s.dropFirst()) file"
        }
        if isInside(target, presets) { return "this is inside the presets folder \(presets)" }
        if isInside(target, runs) {
            let rest = target.dropFirst(runs.count + 1)
            if let slash = rest.firstIndex(of: "/") { return "this is inside the run folder \(runs)/\(rest[..<slash])" }
        }
        let name = (target as NSString).lastPathComponent
        if FileManager.default.fileExists(atPath: target),
           name == "steps.jsonl" || (name.hasPrefix("checkpoint-") && name.hasSuffix(".safetensors")) {
            return "this is an existing run file (\(name))"
        }
        if isSQLite(target) { return "this is an existing SQLite database" }
        return nil
    }

    /// Throws when `dir` is the runs folder or inside it: for commands that replace a whole database there.
    static func refuseRunsFolder(_ dir: String, flag: String) throws {
        let d = resolved(dir), runs = resolved(RunsLocation.directory(flag: nil))
        guard d == runs || isInside(d, runs) else { return }
        throw CLIError("\(flag) \(dir): this is the runs folder \(runs) or inside it, and this command deletes and rewrites siamon.sqlite there; pass a scratch folder such as /tmp/sb")
    }

    static func isInside(_ path: String, _ dir: String) -> Bool {
        dir != "/" && path.hasPrefix(dir + "/")
    }

    /// The absolute path with symlinks and `..` resolved: the whole path when it exists, else its folder
    /// resolved plus the last component (an output file usually does not exist yet).
    static func resolved(_ path: String) -> String {
        let absolute = (path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path)
        if let r = realPath(absolute) { return r }
        let url = URL(fileURLWithPath: absolute).standardized
        let parent = url.deletingLastPathComponent().path
        return (realPath(parent) ?? parent) + "/" + url.lastPathComponent
    }

    private static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    private static func isSQLite(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, let f = fopen(path, "rb") else { return false }
        defer { fclose(f) }
        var header = [UInt8](repeating: 0, count: 16)
        return fread(&header, 1, 16, f) == 16 && header == Array("SQLite format 3\0".utf8)
    }
}
