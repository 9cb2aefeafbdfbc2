// The new-run / fork dialog: opening it, editing it, and turning it into a startRun or fork effect.

extension RunForm {
    static func new(presets: [PresetChoice], runs: [RunRow]) -> RunForm {
        let i = presets.firstIndex { $0.name == AppState.defaultPreset } ?? 0
        var f = RunForm(mode: .new, presetIndex: i, name: "", fields: [], original: [:], row: 0, error: nil)
        f.load(presets.indices.contains(i) ? presets[i] : nil, runs: runs)
        return f
    }

    static func fork(_ run: RunRow, presets: [PresetChoice], runs: [RunRow]) -> RunForm {
        let keys = presets.first?.fields.isEmpty == false ? presets[0].fields : PresetChoice.standardFields
        let fields = keys.map { PresetField(key: $0.key, label: $0.label, value: run.config[$0.key] ?? "") }
        return RunForm(mode: .fork(run.id), presetIndex: 0, name: uniqueName(run.name + "-fork", runs), fields: fields,
                       original: Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }),
                       row: 1, error: nil)
    }

    /// Fills name and fields from a preset (keeps a name the user typed).
    mutating func load(_ p: PresetChoice?, runs: [RunRow]) {
        fields = (p?.fields.isEmpty ?? true) ? PresetChoice.standardFields : p!.fields
        original = Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        name = uniqueName(p?.name ?? AppState.defaultPreset, runs)
    }
}

/// Typing into the dialog: ←/→ pick the preset on row 0; text edits the name or a field.
func editForm(_ f: inout RunForm, _ key: Key, presets: [PresetChoice], runs: [RunRow]) {
    f.error = nil
    if f.row == 0 {
        guard case .fork = f.mode else {
            if !presets.isEmpty, key == .left || key == .right {
                f.presetIndex = (f.presetIndex + (key == .right ? 1 : presets.count - 1)) % presets.count
                f.load(presets[f.presetIndex], runs: runs)
            }
            return
        }
        return
    }
    if f.row == 1 { editText(&f.name, key); return }
    if f.row == f.whereRow {
        if key == .left || key == .right || key == .char(" ") { f.background.toggle() }
        return
    }
    let i = f.row - 2
    if f.fields.indices.contains(i) { editText(&f.fields[i].value, key) }
}

/// Validates the dialog; on success closes it and returns the effect.
func submitForm(_ s: inout AppState) -> [Effect] {
    guard case .form(var f) = s.overlay else { return [] }
    let bad = f.name.isEmpty || f.name.contains { $0 == "/" || $0 == " " || $0 == "\\" }
    if bad { f.error = "name: use letters, digits, '-' or '_' (no spaces or '/')"; s.overlay = .form(f); return [] }
    if s.runs.contains(where: { $0.name == f.name }) { f.error = "name: a run called \(f.name) exists"; s.overlay = .form(f); return [] }
    var overrides: [String: String] = [:]
    for field in f.fields where field.value != f.original[field.key] && !field.value.isEmpty {
        guard Double(field.value) != nil else {
            f.error = "\(field.label): '\(field.value)' is not a number"; s.overlay = .form(f); return []
        }
        overrides[field.key] = field.value
    }
    s.overlay = nil
    switch f.mode {
    case .new:
        let preset = s.presets.indices.contains(f.presetIndex) ? s.presets[f.presetIndex].name : AppState.defaultPreset
        say(&s, "starting \(f.name) from \(preset)\(f.background ? " in the background" : "")…")
        if f.background { return [.startBackgroundRun(preset: preset, name: f.name, overrides: overrides)] }
        return [.startRun(preset: preset, name: f.name, overrides: overrides)]
    case .fork(let id):
        say(&s, "forking \(f.name)…")
        return [.fork(id, name: f.name, overrides: overrides)]
    }
}
