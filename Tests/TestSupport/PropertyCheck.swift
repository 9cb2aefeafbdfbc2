import Testing
import Tensor

/// Runs `body` on `cases` seeded random cases (case i uses seed base + i), so a failure names its seed and
/// can be replayed alone. Shapes are drawn by the body from the generator it is given.
public func propertyCheck(_ label: String, cases: Int = 24, seed: UInt64 = 0x5EED,
                          _ body: (inout SeededRNG, String) -> Void) {
    for i in 0..<cases {
        var rng = SeededRNG(seed: seed &+ UInt64(i))
        body(&rng, "\(label) [case \(i), seed \(seed &+ UInt64(i))]")
    }
}

extension SeededRNG {
    /// A size in 1...max that is 1 or odd or a small power of two often enough to hit edge cases.
    public mutating func size(_ max: Int) -> Int {
        switch int(0, 5) {
        case 0: return 1
        case 1: return Swift.min(max, [2, 4, 8, 16, 32][int(0, 4)])
        default: return int(1, max)
        }
    }

    /// `count` normal values times `scale`, plus `shift`.
    public mutating func floats(_ count: Int, scale: Double = 1, shift: Double = 0) -> [Float] {
        (0..<count).map { _ in Float(normal() * scale + shift) }
    }
}

/// Float buffers from and to Double arrays (gradient checks work in Double).
extension FloatBuffer {
    public convenience init(doubles: [Double]) { self.init(doubles.map { Float($0) }) }
    public var doubles: [Double] { array.map { Double($0) } }
}
