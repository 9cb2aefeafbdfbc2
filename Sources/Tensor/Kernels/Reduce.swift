/// Vectorised reductions. Swift does not reassociate floating point, so a plain `sum += x[i]` loop stays
/// scalar; eight-lane partial sums let LLVM use vector adds (docs/platform.md §4: 3.2× for LayerNorm).
@usableFromInline
enum Reduce {
    @inline(__always) @usableFromInline
    static func load8(_ p: ConstFloatPtr, _ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Σ x[i].
    @inline(__always) @usableFromInline
    static func sum(_ x: ConstFloatPtr, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n { acc += load8(x, i); i += 8 }
        var s = acc.sum()
        while i < n { s += x[i]; i += 1 }
        return s
    }

    /// Σ (x[i] − m)².
    @inline(__always) @usableFromInline
    static func squaredDeviation(_ x: ConstFloatPtr, _ n: Int, mean m: Float) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        let mv = SIMD8<Float>(repeating: m)
        var i = 0
        while i + 8 <= n { let d = load8(x, i) - mv; acc += d * d; i += 8 }
        var s = acc.sum()
        while i < n { let d = x[i] - m; s += d * d; i += 1 }
        return s
    }

    /// Σ a[i]·b[i].
    @inline(__always) @usableFromInline
    static func dot(_ a: ConstFloatPtr, _ b: ConstFloatPtr, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n { acc += load8(a, i) * load8(b, i); i += 8 }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// max x[i] (n ≥ 1). Comparisons with `?:` rather than SIMD `max`, which is scalar per lane (docs/platform.md §4).
    @inline(__always) @usableFromInline
    static func max(_ x: ConstFloatPtr, _ n: Int) -> Float {
        var m = x[0]
        for i in 1..<Swift.max(n, 1) { let v = x[i]; m = v > m ? v : m }
        return m
    }
}
