import Foundation
import Testing
import Tensor
import ViT

@Suite struct PositionEmbeddingTests {
    @Test func absoluteIsRowFirstWithZeroClsRow() {
        // Appendix B: token n = G·r + c has sin(r) at dim 0, cos(r) at D/4, sin(c) at D/2, cos(c) at 3D/4.
        let G = 14, D = 768
        let pe = SinCos2D.absolute(grid: G, dim: D)
        #expect(pe[0..<D].allSatisfy { $0 == 0 })
        for (r, c) in [(0, 0), (3, 5), (13, 1), (7, 12)] {
            let row = (1 + r * G + c) * D
            #expect(abs(pe[row] - Float(sin(Double(r)))) < 1e-6)
            #expect(abs(pe[row + 192] - Float(cos(Double(r)))) < 1e-6)
            #expect(abs(pe[row + 384] - Float(sin(Double(c)))) < 1e-6)
            #expect(abs(pe[row + 576] - Float(cos(Double(c)))) < 1e-6)
        }
    }

    @Test func relativeWithIdenticalCropsEqualsAbsolute() {
        for (G, D) in [(7, 128), (14, 768), (8, 192)] {
            let abs = SinCos2D.absolute(grid: G, dim: D)
            let rel = FloatBuffer(count: G * G * 2 * D)
            RelativeEmbedding.compute(out: rel.pointer, deltaI: 0, deltaJ: 0, deltaH: 1, deltaW: 1, relativeFlip: false,
                                      flipDeltaJ: 0, grid: G, dim: D)
            for n in 0..<(G * G) {
                for k in 0..<D {
                    #expect(Swift.abs(rel[n * 2 * D + k] - abs[(1 + n) * D + k]) < 1e-5, "token \(n) dim \(k)")
                }
                let f = D / 4
                for k in 0..<f {
                    let s = rel.pointer + n * 2 * D + D
                    #expect(s[k] == 0 && s[f + k] == 1 && s[2 * f + k] == 0 && s[3 * f + k] == 1)
                }
            }
        }
    }

    @Test func relativeFlipMirrorsColumns() {
        // A relatively flipped identical crop (Δj_flip = 1 with w1 = W, j1 = j2 = 0): ŵ(v) = G − 1 − v.
        let G = 7, D = 128
        let rel = FloatBuffer(count: G * G * 2 * D)
        RelativeEmbedding.compute(out: rel.pointer, deltaI: 0, deltaJ: 0, deltaH: 1, deltaW: 1, relativeFlip: true,
                                  flipDeltaJ: 1, grid: G, dim: D)
        let abs = SinCos2D.absolute(grid: G, dim: D)
        for u in 0..<G { for v in 0..<G {
            let mirrored = 1 + u * G + (G - 1 - v)
            for k in 0..<D {
                #expect(Swift.abs(rel[(u * G + v) * 2 * D + k] - abs[mirrored * D + k]) < 1e-5)
            }
        } }
    }
}
