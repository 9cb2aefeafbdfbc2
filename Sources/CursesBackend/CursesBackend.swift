import CNCursesW
// The only importer of ncursesw (design.md §2).
public enum CursesInfo {
    public static var version: String { String(cString: curses_version()) }
}
