/// The one range every integer read from a file must fall in before siamon computes with it: steps, epochs,
/// counts, shapes, byte offsets and sizes from CSV, JSONL, log.txt, safetensors headers, presets and IDX
/// headers, and every step stored in the metrics database.
///
/// 0...2^53-1 because each integer in it is exact as a Double (JSON numbers, SQLite REAL, CSV cells), and
/// because a sum or product of two of them (`max(step) + 1`, `step * batch`) cannot overflow a 64-bit Int.
/// docs/data-safety.md, "Integer limit", states the same rule for people writing files by hand.
public enum FileIntegers {
    /// 2^53 - 1 = 9007199254740991.
    public static let max = (1 << 53) - 1
    /// `max` as a Double (exact).
    public static let maxDouble = Double(max)
    /// The range in words, for error messages.
    public static let rangeText = "a whole number from 0 to 2^53-1"

    /// Whether `x` is in 0...max.
    @inlinable public static func contains(_ x: Int) -> Bool { x >= 0 && x <= max }

    /// `x` as an Int when it is a whole number in 0...max; nil for fractions, negatives, NaN and infinities.
    @inlinable public static func exact(_ x: Double) -> Int? {
        guard x.isFinite, x >= 0, x <= maxDouble, x == x.rounded(.towardZero) else { return nil }
        return Int(x)
    }

    /// A decimal text such as a CSV cell as an Int in 0...max; nil when it is not plain digits in range.
    public static func parse<S: StringProtocol>(_ text: S) -> Int? {
        guard let i = Int(text), contains(i) else { return nil }
        return i
    }
}
