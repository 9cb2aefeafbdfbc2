/// Bridges between a named `Arena` (parameters, gradients, AdamW moments) and safetensors files.
extension Arena {
    /// Every layout entry as a Float32 tensor named `prefix + name` (e.g. prefix "m." for AdamW's first moment).
    public func namedTensors(prefix: String = "") -> [NamedTensor] {
        layout.entries.map { NamedTensor(prefix + $0.name, view($0)) }
    }
}

extension SafetensorsFile {
    /// Fills every entry of `arena` from the tensor named `prefix + name`, checking each shape. The file is
    /// checked completely before any value is copied, so a failure leaves the arena untouched.
    public func copyAll(into arena: Arena, prefix: String = "") throws {
        for e in arena.layout.entries {
            let i = try info(prefix + e.name)
            guard i.shape == e.shape else {
                throw SafetensorsError.wrongShape(path: path, name: prefix + e.name, expected: e.shape, actual: i.shape)
            }
            guard SafetensorsDType.readable.contains(i.dtype) else {
                throw SafetensorsError.unsupportedDType(path: path, name: prefix + e.name, dtype: i.dtype)
            }
        }
        for e in arena.layout.entries { try copy(prefix + e.name, into: arena.view(e)) }
    }
}
