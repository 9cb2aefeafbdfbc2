import Testing
@testable import TUI

@Suite struct SmoothingTests {
    @Test func constantSeriesIsUnchanged() {
        #expect(Smoothing.debiasedEMA([0.7, 0.7, 0.7, 0.7], weight: 0.6) == [0.7, 0.7, 0.7, 0.7])
    }

    @Test func debiasingMakesTheFirstOutputTheFirstInput() {
        let out = Smoothing.debiasedEMA([2, 4, 8], weight: 0.6)
        #expect(abs(out[0] - 2) < 1e-12)
        // Closed form: ŷ_t = Σ w^{t−k} y_k / Σ w^{t−k}; t=1: (0.6·2 + 4)/(1.6) = 3.25
        #expect(abs(out[1] - 3.25) < 1e-12)
        #expect(abs(out[2] - (0.36 * 2 + 0.6 * 4 + 8) / 1.96) < 1e-12)
    }

    @Test func matchesTheClosedFormOnAnIrregularSeries() {
        let ys: [Double] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
        let w = 0.9
        let out = Smoothing.debiasedEMA(ys, weight: w)
        for t in ys.indices {
            var num = 0.0, den = 0.0
            for k in 0...t { let f = Foundation.pow(w, Double(t - k)); num += f * ys[k]; den += f }
            #expect(abs(out[t] - num / den) < 1e-9, "t=\(t)")
        }
    }

    @Test func nonFiniteValuesPassThroughWithoutAdvancing() {
        let out = Smoothing.debiasedEMA([1, .nan, 3], weight: 0.5)
        #expect(out[1].isNaN)
        #expect(abs(out[2] - (0.5 * 1 + 3) / 1.5) < 1e-12)   // same as smoothing [1, 3]
    }

    @Test func bucketsAreSmoothedThroughTheirMeans() {
        let b = [SeriesBucket(xMin: 0, xMax: 2, first: 0, last: 4, min: 0, max: 4, mean: 2),
                 SeriesBucket(xMin: 3, xMax: 5, first: 9, last: 1, min: 1, max: 9, mean: 4)]
        let out = Smoothing.smoothed(.buckets(b), weight: 0.6)
        #expect(out.map(\.x) == [1, 4])
        #expect(abs(out[1].y - (0.6 * 2 + 4) / 1.6) < 1e-12)
    }
}

import Foundation

@Suite struct AxisTests {
    @Test func robustRangeUsesThe5thAnd95thPercentiles() {
        let v = (1...100).map(Double.init).shuffled()
        let r = AxisScale.robustRange(v + [.nan, .infinity])
        // n = 100: lo = y[ceil(99·0.05)] = y[5] = 6, hi = y[floor(99·0.95)] = y[94] = 95
        #expect(r?.lo == 6 && r?.hi == 95)
        #expect(AxisScale.robustRange([3, 1])! == (1, 3))
        #expect(AxisScale.robustRange([.nan]) == nil)
    }

    @Test func niceStepsAreOneTwoFive() {
        #expect(AxisScale.niceStep(0.3) == 0.5)
        #expect(AxisScale.niceStep(7) == 10)
        #expect(AxisScale.niceStep(1.5) == 2)
        #expect(AxisScale.niceStep(1) == 1)
        #expect(AxisScale.niceTicks(0, 10, maxTicks: 6) == [0, 2, 4, 6, 8, 10])
        #expect(AxisScale.niceTicks(0.13, 0.91, maxTicks: 5) == [0.2, 0.4, 0.6, 0.8])
    }

    @Test func paddingNeverGoesBelowZeroForNonNegativeData() {
        let (lo, hi) = AxisScale.padded(0.05, 1.05, nonNegative: true)
        #expect(lo == 0 && abs(hi - 1.15) < 1e-12)
        let (clo, chi) = AxisScale.padded(5, 5, nonNegative: true)
        #expect(abs(clo - 4.9) < 1e-12 && abs(chi - 5.1) < 1e-12)
    }

    @Test func labels() {
        #expect(AxisScale.label(15_000) == "15k")
        #expect(AxisScale.label(1500) == "1500")
        #expect(AxisScale.label(2_000_000) == "2M")
        #expect(AxisScale.label(0.25) == "0.25")
        #expect(AxisScale.label(0.0003) == "3.0e-04")
        #expect(AxisScale.timeLabel(90, wall: false) == "1m30s")
        #expect(AxisScale.timeLabel(3600 * 13 + 60 * 7 + 5, wall: true) == "13:07")
        #expect(AxisScale.duration(742) == "12m22s")
    }

    @Test func fnv1aMatchesTheReferenceVectors() {
        // FNV-1a 32-bit test vectors (Fowler/Noll/Vo): "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
        #expect(CompareScreen.fnv1a("") == 0x811C_9DC5)
        #expect(CompareScreen.fnv1a("a") == 0xE40C_292C)
        #expect(CompareScreen.fnv1a("foobar") == 0xBF9C_F968)
    }

    @Test func reducerKeepsFirstLastMinMaxAndMean() {
        let pts = [(0.0, 1.0), (1, 5), (2, -2), (3, 4)].map { SeriesPoint(x: $0.0, y: $0.1) }
        let b = SeriesReducer.buckets(pts, columns: 1)
        #expect(b == [SeriesBucket(xMin: 0, xMax: 3, first: 1, last: 4, min: -2, max: 5, mean: 2)])
    }
}
