/// A bad preset, a bad `--set`, or a config that breaks a rule. Each message is one line:
/// where (the preset file or the `--set` argument), which key, what is wrong, and for typos a suggestion.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case unreadable(source: String, detail: String)
    case badJSON(source: String, detail: String)
    case unknownKey(source: String, key: String, suggestion: String?)
    case wrongType(source: String, key: String, expected: String, got: String)
    case missingKey(source: String, key: String)
    case invalid(source: String, key: String, value: String, rule: String)
    case badOverride(argument: String, detail: String)
    case presetNotFound(name: String, directory: String, available: [String], suggestion: String?)

    public var description: String {
        switch self {
        case .unreadable(let s, let d): return "\(s): cannot read: \(d)"
        case .badJSON(let s, let d): return "\(s): \(d)"
        case .unknownKey(let s, let k, let sug):
            return "\(s): unknown key \"\(k)\"" + (sug.map { " (did you mean \"\($0)\"?)" } ?? "")
        case .wrongType(let s, let k, let e, let g): return "\(s): \(k) must be \(e), got \(g)"
        case .missingKey(let s, let k): return "\(s): missing key \"\(k)\" (a preset lists every field)"
        case .invalid(let s, let k, let v, let r): return "\(s): \(k) = \(v): \(r)"
        case .badOverride(let a, let d): return "--set \(a): \(d)"
        case .presetNotFound(let n, let dir, let avail, let sug):
            let list = avail.isEmpty ? "none" : avail.joined(separator: ", ")
            return "preset \"\(n)\" not found in \(dir)" + (sug.map { " (did you mean \"\($0)\"?)" } ?? "")
                + "; available: \(list)"
        }
    }
}

/// "Did you mean" for typos: the closest candidate by edit distance, or the unique candidate whose last
/// dotted component equals the input's (so `lr` suggests `optimizer.lr`).
enum DidYouMean {
    static func suggest(_ input: String, among candidates: [String]) -> String? {
        guard input.count <= 80 else { return nil }   // keeps the O(n·m) distance cheap on hostile input
        let leaf = input.split(separator: ".").last.map(String.init) ?? input
        let byLeaf = candidates.filter { $0.split(separator: ".").last.map(String.init) == leaf }
        if byLeaf.count == 1 { return byLeaf[0] }
        var best: (String, Int)? = nil
        for c in candidates {
            let d = distance(input, c)
            if d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        guard let (c, d) = best, d <= max(2, input.count / 3) else { return nil }
        return c
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
