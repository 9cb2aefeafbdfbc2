/// Run names become folder names (runs/<name>/), so they are restricted to `[A-Za-z0-9._-]{1,64}` and may
/// not be `.` or `..`.
public enum RunName {
    public static func validate(_ name: String) throws {
        if name.isEmpty { throw StoreError.badRunName(name: name, reason: "it is empty") }
        if name.utf8.count > 64 { throw StoreError.badRunName(name: name, reason: "it is longer than 64 characters") }
        if name == "." || name == ".." { throw StoreError.badRunName(name: name, reason: "it names a folder") }
        for b in name.utf8 {
            let ok = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x2E || b == 0x5F || b == 0x2D
            if !ok {
                let reason = b == 0x2F ? "it contains '/'" : b == 0 ? "it contains NUL" : "it contains a character outside the allowed set"
                throw StoreError.badRunName(name: name, reason: reason)
            }
        }
    }
}
