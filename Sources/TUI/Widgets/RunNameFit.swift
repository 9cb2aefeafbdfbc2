// Fitting run names into narrow columns. Names are "<preset or sweep-row>-<yyyyMMdd>-<HHmmss>"; cutting the
// tail (as a plain prefix + "…" did) hid what tells runs apart: every sweep row became "abla…".

public enum RunNameFit {
    /// `name` in at most `width` characters: the whole name; else without the date (base-HHmmss); else the
    /// base alone; else the base cut in the middle so its start and its last characters (the sweep row, the
    /// preset's variant) both show.
    public static func fit(_ name: String, width: Int) -> String {
        guard width > 0 else { return "" }
        if name.count <= width { return name }
        if let (base, time) = splitStamp(name) {
            let short = "\(base)-\(time)"
            if short.count <= width { return short }
            if base.count <= width { return base }
            return middle(base, width)
        }
        return middle(name, width)
    }

    /// ("ablations-a", "001300") from "ablations-a-20261127-001300"; nil without such a stamp.
    static func splitStamp(_ name: String) -> (String, String)? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        let date = parts[parts.count - 2], time = parts[parts.count - 1]
        guard date.count == 8, time.count == 6, date.allSatisfy(\.isASCII), date.allSatisfy(\.isNumber),
              time.allSatisfy(\.isASCII), time.allSatisfy(\.isNumber) else { return nil }
        let base = parts.dropLast(2).joined(separator: "-")
        return base.isEmpty ? nil : (base, String(time))
    }

    /// head + "…" + tail, with the tail a third of the width (at least 1 character when width ≥ 3).
    static func middle(_ s: String, _ width: Int) -> String {
        if width <= 1 { return String(s.prefix(width)) }
        if width == 2 { return String(s.prefix(1)) + "…" }
        let tail = max(1, width / 3), head = width - 1 - tail
        return String(s.prefix(head)) + "…" + String(s.suffix(tail))
    }
}
