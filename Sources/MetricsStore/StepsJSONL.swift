import RunCore
import Tensor

/// The steps.jsonl line format (runs/<name>/steps.jsonl): one flat JSON object per StepReport, with the
/// stable metric keys of `StepReport.scalars` plus `step` and `wall_time`:
/// `{"step":12,"epoch":0.05,"loss":2.31,"loss_pos":…,"loss_neg":…,"lr":…,"ema_momentum":…,"grad_norm":…,`
/// `"images_per_s":…,"step_seconds":…,"wall_time":…}`.
/// Numbers are written so they read back bit-exactly; NaN and ±Infinity use Python's bare tokens
/// `NaN`/`Infinity`/`-Infinity` (json.loads reads them). Keys are append-only; readers ignore unknown keys.
public enum StepsJSONL {
    public static let keys = ["step", "epoch", "loss", "loss_pos", "loss_neg", "lr", "ema_momentum", "grad_norm",
                              "images_per_s", "step_seconds", "wall_time"]

    public static func line(_ r: StepReport) -> String {
        let values: [Double] = [r.epoch, r.loss, r.lossPos, r.lossNeg, r.learningRate, r.emaMomentum, r.gradNorm,
                                r.imagesPerSecond, r.seconds, r.wallTime]
        var s = "{\"step\":\(r.step)"
        for (k, v) in zip(keys.dropFirst(), values) { s += ",\"\(k)\":" + JSONLine.format(v) }
        return s + "}"
    }

    public struct ParseError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Parses one line; throws a one-line error naming the missing or malformed key.
    public static func parse(_ line: String) throws -> StepReport {
        let members: [(key: String, value: JSONLine.Value)]
        do { members = try JSONLine.parseObject(line) }
        catch let e as JSONLine.ParseError { throw ParseError(message: "broken JSON at column \(e.offset + 1): \(e.message)") }
        var d: [String: Double] = [:]
        for (k, v) in members { if case .number(let x) = v { d[k] = x } }
        func get(_ k: String) throws -> Double {
            guard let v = d[k] else { throw ParseError(message: "missing number \"\(k)\"") }
            return v
        }
        let step = try get("step")
        guard let whole = FileIntegers.exact(step) else {
            throw ParseError(message: "\"step\" must be \(FileIntegers.rangeText), got \(step)")
        }
        return StepReport(step: whole, epoch: try get("epoch"), loss: try get("loss"), lossPos: try get("loss_pos"),
                          lossNeg: try get("loss_neg"), learningRate: try get("lr"), emaMomentum: try get("ema_momentum"),
                          gradNorm: try get("grad_norm"), seconds: try get("step_seconds"),
                          imagesPerSecond: try get("images_per_s"), wallTime: try get("wall_time"))
    }
}
