/// Exponential moving average of parameters (the SiameseIM target update): target ← m·target + (1 − m)·online.
/// Elementwise, so calls on more than `Parallel.minElementwise` floats split over `workers` threads without
/// changing the result.
public enum EMA {
    public static func update(target: FloatPtr, online: ConstFloatPtr, count: Int, momentum m: Float,
                              workers: Int = Parallel.defaultWorkers) {
        let t = SendablePointer(target), o = SendablePointer(online), k = 1 - m
        Parallel.elementwise(count: count, workers: workers) { r in
            let t = t.p, o = o.p
            for i in r { t[i] = m * t[i] + k * o[i] }
        }
    }
}
