/// The named layout table of a flat parameter arena (llm.c's `fill_in_parameter_sizes`).
/// One layout describes parameters, gradients, AdamW moments and the EMA target alike:
/// each is a separate `Arena` over the same table, so AdamW and EMA are single loops.
public struct ParameterLayout: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    public private(set) var entries: [Entry] = []
    public private(set) var count: Int = 0
    private var index: [String: Int] = [:]

    public init() {}

    /// Appends `name` with `shape`; entries are contiguous in insertion order.
    public mutating func add(_ name: String, _ shape: [Int]) {
        precondition(index[name] == nil, "duplicate parameter name \(name)")
        precondition(shape.allSatisfy { $0 > 0 }, "parameter \(name) has a non-positive dimension: \(shape)")
        index[name] = entries.count
        let entry = Entry(name: name, shape: shape, offset: count)
        entries.append(entry)
        count += entry.count
    }

    public func entry(_ name: String) -> Entry? { index[name].map { entries[$0] } }
    public func contains(_ name: String) -> Bool { index[name] != nil }
    public var names: [String] { entries.map(\.name) }

    /// Slices are contiguous, non-overlapping, and add up to `count`.
    public func checkInvariants() {
        var next = 0
        for e in entries {
            precondition(e.offset == next, "layout entry \(e.name) at \(e.offset), expected \(next)")
            next += e.count
        }
        precondition(next == count, "layout covers \(next) of \(count) floats")
    }

    public static func == (a: ParameterLayout, b: ParameterLayout) -> Bool { a.entries == b.entries }
}

/// A flat Float32 arena described by a `ParameterLayout`.
public final class Arena: @unchecked Sendable {
    public let layout: ParameterLayout
    public let storage: FloatBuffer
    public var pointer: FloatPtr { storage.pointer }
    public var count: Int { layout.count }

    public init(layout: ParameterLayout) {
        self.layout = layout
        storage = FloatBuffer(count: layout.count)
    }

    public subscript(name: String) -> TensorView {
        guard let e = layout.entry(name) else { preconditionFailure("no parameter named \(name) in the layout") }
        return TensorView(pointer: storage.pointer + e.offset, shape: e.shape)
    }

    public func view(_ e: ParameterLayout.Entry) -> TensorView {
        TensorView(pointer: storage.pointer + e.offset, shape: e.shape)
    }

    public func zero() { storage.zero() }
    public func copy(from other: Arena) {
        precondition(other.layout == layout, "arena copy between different layouts")
        storage.pointer.update(from: other.storage.pointer, count: count)
    }
}
