/// Shared pointer aliases. Kernels take raw pointers (llm.c style): outputs first, then inputs, then sizes.
public typealias FloatPtr = UnsafeMutablePointer<Float>
public typealias ConstFloatPtr = UnsafePointer<Float>

/// An owned, 64-byte aligned, zero-initialised Float32 buffer. The owner of memory is a class;
/// everything else passes pointers or `TensorView`s into it.
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let pointer: FloatPtr

    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer count must be >= 0, got \(count)")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    public func zero() { pointer.update(repeating: 0, count: count) }
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    public subscript(i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}

/// A shaped view into memory someone else owns (an arena or a FloatBuffer).
public struct TensorView: @unchecked Sendable {
    public let pointer: FloatPtr
    public let shape: [Int]
    public var count: Int { shape.reduce(1, *) }

    public init(pointer: FloatPtr, shape: [Int]) {
        self.pointer = pointer
        self.shape = shape
    }

    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    public func copy(from values: [Float]) {
        precondition(values.count == count, "copy: \(values.count) values into a view of shape \(shape)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }
    public func copy(from other: TensorView) {
        precondition(other.count == count, "copy: shape \(other.shape) into \(shape)")
        pointer.update(from: other.pointer, count: count)
    }
    public func fill(_ value: Float) { pointer.update(repeating: value, count: count) }
}
