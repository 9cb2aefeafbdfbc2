import Tensor

extension RunConfig {
    /// Applies `--set section.key=value` arguments in order, then validates the result.
    /// Values are parsed by the field's type; `none` clears an optional (`train.steps=none`); arrays take
    /// comma-separated numbers (`data.mean=0.5,0.5,0.5`). A typo gives one line with a did-you-mean.
    public func applying(overrides: [String]) throws -> RunConfig {
        var config = self
        var touched: [String: String] = [:]
        let fields = ConfigField.all
        for arg in overrides {
            guard let eq = arg.firstIndex(of: "=") else {
                throw ConfigError.badOverride(argument: arg, detail: "expected section.key=value, e.g. optimizer.lr=5e-4")
            }
            let key = String(arg[..<eq]), text = String(arg[arg.index(after: eq)...])
            guard let field = fields.first(where: { $0.key == key }) else {
                let known = fields.map(\.key)
                throw ConfigError.unknownKey(source: "--set \(arg)", key: key, suggestion: DidYouMean.suggest(key, among: known))
            }
            guard let value = field.kind.parse(text) else {
                throw ConfigError.wrongType(source: "--set \(arg)", key: key, expected: field.kind.expected, got: "\"\(text)\"")
            }
            field.set(&config, value)
            touched[key] = arg
        }
        do {
            try config.validate(source: "--set")
        } catch ConfigError.invalid(_, let key, let value, let rule) {
            let source = "--set " + (touched[key] ?? overrides.joined(separator: " "))
            throw ConfigError.invalid(source: source, key: key, value: value, rule: rule)
        }
        return config
    }

    /// Every field as (dotted key, value as `--set` takes it), sorted by key. For the TUI's table of the
    /// hyper-parameters that differ between runs; `applying(overrides: flattened().map { "\($0)=\($1)" })`
    /// reproduces the config.
    public func flattened() -> [(key: String, value: String)] {
        ConfigField.all.map { ($0.key, $0.text(self)) }
    }

    /// Canonical pretty JSON (sorted keys, every field present, nulls for unset optionals), recorded with
    /// each run. The committed presets are in exactly this form, and `decode(json:)` reads it back.
    public func json() -> String {
        var root: [String: Any] = [:]
        for f in ConfigField.all { Self.insert(f.get(self), at: f.key.split(separator: ".").map(String.init), into: &root) }
        return Self.pretty(root, indent: "") + "\n"
    }

    private static func insert(_ value: JSONValue, at path: [String], into node: inout [String: Any]) {
        if path.count == 1 { node[path[0]] = value; return }
        var child = node[path[0]] as? [String: Any] ?? [:]
        insert(value, at: Array(path.dropFirst()), into: &child)
        node[path[0]] = child
    }

    private static func pretty(_ node: [String: Any], indent: String) -> String {
        let inner = indent + "  "
        let lines = node.keys.sorted().map { k -> String in
            let v = node[k]!
            let text = (v as? [String: Any]).map { pretty($0, indent: inner) } ?? (v as! JSONValue).serializedWithSpaces
            return inner + JSONValue.quote(k) + ": " + text
        }
        return "{\n" + lines.joined(separator: ",\n") + "\n" + indent + "}"
    }
}

private extension JSONValue {
    /// Leaves on one line; arrays get ", " between elements for readability.
    var serializedWithSpaces: String {
        if case .array(let a) = self { return "[" + a.map(\.serialized).joined(separator: ", ") + "]" }
        return serialized
    }
}
