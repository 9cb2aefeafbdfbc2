import Foundation

/// Which journal a database file gets. WAL needs shared memory between every process that opens the file,
/// which network and FUSE filesystems do not give (docs/store.md §1), so there we use a rollback journal.
public enum JournalMode: String, Sendable, Equatable {
    case wal = "WAL"
    case delete = "DELETE"
}

/// Finds the filesystem type of a folder from /proc/self/mounts (Glibc's Swift module does not export
/// statfs, and the mount table also names FUSE subtypes such as fuse.sshfs).
public enum FileSystemCheck {
    static let unsafeTypes: Set<String> = [
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "lustre", "afs", "ceph", "gpfs", "virtiofs",
        "beegfs", "wekafs", "fuseblk", "glusterfs", "ocfs2", "gfs2",
    ]

    /// Whether SQLite WAL is unsafe on a filesystem of this type. Pure, so it is testable.
    public static func isUnsafe(type: String) -> Bool {
        unsafeTypes.contains(type) || type == "fuse" || type.hasPrefix("fuse.")
    }

    /// The filesystem type of the mount holding `path` (longest mount-point prefix of its real path).
    public static func filesystemType(of path: String, mountTable: String? = nil) -> String? {
        let table = mountTable ?? (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var best: (len: Int, type: String)?
        for line in table.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 3 else { continue }
            let mount = String(f[1]).replacingOccurrences(of: "\\040", with: " ")
            let inside = mount == "/" || real == mount || real.hasPrefix(mount + "/")
            if inside && mount.count >= (best?.len ?? -1) { best = (mount.count, String(f[2])) }
        }
        return best?.type
    }

    /// The journal to use for a database in `directory`, plus a one-line warning when falling back.
    /// `SIAMON_JOURNAL=delete` forces the fallback (for filesystems the table misses, and for tests).
    public static func journalMode(forDirectory directory: String, environment: [String: String]) -> (JournalMode, String?) {
        if environment["SIAMON_JOURNAL"]?.lowercased() == "delete" {
            return (.delete, "warning: SIAMON_JOURNAL=delete: using a rollback journal for \(directory)")
        }
        if let fs = filesystemType(of: directory), isUnsafe(type: fs) {
            return (.delete, "warning: \(directory) is on \(fs), where SQLite WAL is unsafe; using a rollback journal (slower, readers briefly block the writer)")
        }
        return (.wal, nil)
    }
}
