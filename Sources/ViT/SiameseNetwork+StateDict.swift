import Tensor

public extension SiameseNetwork {
    /// Every tensor of the official state dict with its official name (docs/method.md §9): trainable
    /// online parameters, frozen parameters and buffers, and the target's `mm_` copies.
    var stateDict: [(name: String, view: TensorView)] {
        params.layout.entries.map { ($0.name, params.view($0)) }
            + fixed.layout.entries.map { ($0.name, fixed.view($0)) }
            + target.layout.entries.map { ($0.name, target.view($0)) }
    }

    /// Looks up one tensor of the state dict by its official name.
    func tensor(named name: String) -> TensorView? {
        if params.layout.contains(name) { return params[name] }
        if fixed.layout.contains(name) { return fixed[name] }
        if target.layout.contains(name) { return target[name] }
        return nil
    }

    /// Names of the parameters AdamW updates (the `grad.<name>` entries of a dump).
    var trainableNames: [String] { params.layout.names }
}
