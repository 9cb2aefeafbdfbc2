import Foundation
import Tensor

/// A per-sample patch mask over a G×G grid: [G·G] row-major (n = r·G + c), 1 = masked, exactly `count` ones.
/// Masks do not depend on the crop (docs/method.md §4).
public protocol MaskGenerator: Sendable {
    var grid: Int { get }
    var count: Int { get }
    func generate(_ rng: inout SeededRNG) -> [UInt8]
}

public enum MaskGenerators {
    /// The generator a preset names; `grid` = image_size / patch_size.
    public static func make(_ config: MaskConfig, grid: Int) -> MaskGenerator {
        config.kind == "random"
            ? RandomMaskGenerator(grid: grid, count: config.count)
            : BlockwiseMaskGenerator(grid: grid, count: config.count, minBlock: config.minBlock, minAspect: config.minAspect)
    }
}

/// BEiT's blockwise masking plus SiameseIM's exact-count random top-up (docs/method.md §4).
/// Draw for draw it follows `util/masking_generator.py` (Python `random` semantics; RNG stream differs).
public struct BlockwiseMaskGenerator: MaskGenerator {
    public let grid: Int
    public let count: Int
    public let minBlock: Int
    public let maxBlock: Int
    public let logAspect: (Double, Double)

    public init(grid: Int, count: Int, minBlock: Int, minAspect: Double, maxBlock: Int? = nil) {
        precondition(grid > 0 && count >= 0 && count <= grid * grid, "mask: count \(count) does not fit a \(grid)x\(grid) grid")
        precondition(minAspect > 0, "mask: min_aspect must be > 0")
        self.grid = grid; self.count = count; self.minBlock = minBlock; self.maxBlock = maxBlock ?? count
        logAspect = (log(minAspect), log(1 / minAspect))
    }

    public func generate(_ rng: inout SeededRNG) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: grid * grid)
        let blocked = blockPhase(&mask, &rng)
        topUp(&mask, masked: blocked, &rng)
        return mask
    }

    /// Steps 1–3: block attempts until the target is met or an attempt adds nothing. Returns the count.
    func blockPhase(_ mask: inout [UInt8], _ rng: inout SeededRNG) -> Int {
        var masked = 0
        while masked < count {
            let cap = min(count - masked, maxBlock)
            let added = blockAttempt(&mask, cap: cap, &rng)
            if added == 0 { break }
            masked += added
        }
        return masked
    }

    /// One BEiT `_mask` call: up to 10 tries; stops at the first try that masks something.
    func blockAttempt(_ mask: inout [UInt8], cap: Int, _ rng: inout SeededRNG) -> Int {
        for _ in 0..<10 {
            // random.uniform(a, b) = a + (b − a)·U, also when b < a.
            let area = rng.uniform(Double(minBlock), Double(cap))
            let aspect = exp(rng.uniform(logAspect.0, logAspect.1))
            let h = Int((area * aspect).squareRoot().rounded(.toNearestOrEven))
            let w = Int((area / aspect).squareRoot().rounded(.toNearestOrEven))
            guard w < grid && h < grid else { continue }
            let top = rng.int(0, grid - h), left = rng.int(0, grid - w)
            var fresh = 0
            for r in top..<(top + h) { for c in left..<(left + w) where mask[r * grid + c] == 0 { fresh += 1 } }
            if fresh > 0 && fresh <= cap {
                for r in top..<(top + h) { for c in left..<(left + w) { mask[r * grid + c] = 1 } }
                return fresh
            }
        }
        return 0
    }

    /// Step 4: uniformly random unmasked patches until exactly `count` are masked.
    func topUp(_ mask: inout [UInt8], masked: Int, _ rng: inout SeededRNG) {
        var free = (0..<mask.count).filter { mask[$0] == 0 }
        for k in 0..<(count - masked) {
            let pick = rng.int(k, free.count - 1)   // partial Fisher–Yates
            free.swapAt(k, pick)
            mask[free[k]] = 1
        }
    }
}

/// MAE-style random masking: per-sample uniform noise, argsort, keep the N − count smallest, mask the rest.
public struct RandomMaskGenerator: MaskGenerator {
    public let grid: Int
    public let count: Int

    public init(grid: Int, count: Int) {
        precondition(grid > 0 && count >= 0 && count <= grid * grid, "mask: count \(count) does not fit a \(grid)x\(grid) grid")
        self.grid = grid; self.count = count
    }

    public func generate(_ rng: inout SeededRNG) -> [UInt8] {
        let n = grid * grid
        let noise = (0..<n).map { _ in rng.uniform() }
        let order = (0..<n).sorted { noise[$0] < noise[$1] }
        var mask = [UInt8](repeating: 0, count: n)
        for k in (n - count)..<n { mask[order[k]] = 1 }
        return mask
    }
}
