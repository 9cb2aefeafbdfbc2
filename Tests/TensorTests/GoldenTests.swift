import Foundation
import Testing
import Tensor
import TestSupport

/// A problem reading the PyTorch fixtures; the message says what to do.
enum FixtureError: Error, CustomStringConvertible {
    case unreadable(String)
    case badHeader(String)
    case missing(String, String)

    var description: String {
        let hint = "regenerate with `/opt/torchenv/bin/python Tests/Fixtures/kernels/make_kernel_fixtures.py`"
        switch self {
        case .unreadable(let path): return "cannot read kernel fixtures at \(path); \(hint)"
        case .badHeader(let path): return "\(path) is not siamon-kernel-fixtures version 1; \(hint)"
        case .missing(let c, let key): return "fixture case \(c) has no key \(key); \(hint)"
        }
    }
}

/// One case of kernels_v1.json: arrays of numbers and integer sizes.
struct FixtureCase {
    let name: String
    let values: [String: Any]

    func floats(_ key: String) throws -> [Float] {
        guard let a = values[key] as? [Double] else { throw FixtureError.missing(name, key) }
        return a.map { Float($0) }
    }
    func buffer(_ key: String) throws -> FloatBuffer { FloatBuffer(try floats(key)) }
    func int(_ key: String) throws -> Int {
        guard let v = values[key] as? Int else { throw FixtureError.missing(name, key) }
        return v
    }
    func float(_ key: String) throws -> Float {
        guard let v = values[key] as? Double else { throw FixtureError.missing(name, key) }
        return Float(v)
    }

    static func load(_ name: String) throws -> FixtureCase {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let path = dir.appendingPathComponent("Fixtures/kernels/kernels_v1.json").path
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError.unreadable(path)
        }
        guard root["magic"] as? String == "siamon-kernel-fixtures", root["version"] as? Int == 1 else {
            throw FixtureError.badHeader(path)
        }
        guard let c = root[name] as? [String: Any] else { throw FixtureError.missing(name, "(the case itself)") }
        return FixtureCase(name: name, values: c)
    }
}

extension BlasStateTests {
    /// Kernels against PyTorch float64 on the same float32 inputs (tolerances: 1e-5 relative + small absolute).
    @Suite struct GoldenTests {
        @Test(arguments: ["layernorm_affine", "layernorm_plain"]) func layerNorm(name: String) throws {
            let f = try FixtureCase.load(name)
            let (R, C) = (try f.int("rows"), try f.int("channels"))
            let affine = f.values["weight"] != nil
            let x = try f.buffer("x"), dy = try f.buffer("dy")
            let w = affine ? try f.buffer("weight") : FloatBuffer(count: C), b = affine ? try f.buffer("bias") : FloatBuffer(count: C)
            let (y, m, s) = (FloatBuffer(count: R * C), FloatBuffer(count: R), FloatBuffer(count: R))
            LayerNorm.forward(out: y.pointer, mean: m.pointer, rstd: s.pointer, input: x.pointer, weight: affine ? w.pointer : nil,
                              bias: affine ? b.pointer : nil, rows: R, channels: C, eps: try f.float("eps"))
            expectClose(y.array, try f.floats("y"), atol: 1e-6, rtol: 1e-5, "\(name) y")
            let (dx, dw, db) = (FloatBuffer(count: R * C), FloatBuffer(count: C), FloatBuffer(count: C))
            LayerNorm.backward(dInput: dx.pointer, dWeight: affine ? dw.pointer : nil, dBias: affine ? db.pointer : nil,
                               dOut: dy.pointer, input: x.pointer, weight: affine ? w.pointer : nil, mean: m.pointer,
                               rstd: s.pointer, rows: R, channels: C)
            expectClose(dx.array, try f.floats("dx"), atol: 1e-6, rtol: 1e-5, "\(name) dx")
            if affine {
                expectClose(dw.array, try f.floats("dweight"), atol: 1e-6, rtol: 1e-5, "\(name) dweight")
                expectClose(db.array, try f.floats("dbias"), atol: 1e-6, rtol: 1e-5, "\(name) dbias")
            }
        }

        @Test func batchNormTrainMode() throws {
            let f = try FixtureCase.load("batchnorm_train")
            let (R, C, eps) = (try f.int("rows"), try f.int("channels"), try f.float("eps"))
            let x = try f.buffer("x"), w = try f.buffer("weight"), b = try f.buffer("bias"), dy = try f.buffer("dy")
            let (y, m, s) = (FloatBuffer(count: R * C), FloatBuffer(count: C), FloatBuffer(count: C))
            BatchNormTokens.forward(out: y.pointer, mean: m.pointer, rstd: s.pointer, input: x.pointer, weight: w.pointer,
                                    bias: b.pointer, rows: R, channels: C, eps: eps)
            expectClose(y.array, try f.floats("y"), atol: 1e-6, rtol: 1e-5, "batchnorm y")
            let (dx, dw, db) = (FloatBuffer(count: R * C), FloatBuffer(count: C), FloatBuffer(count: C))
            BatchNormTokens.backward(dInput: dx.pointer, dWeight: dw.pointer, dBias: db.pointer, dOut: dy.pointer,
                                     input: x.pointer, weight: w.pointer, mean: m.pointer, rstd: s.pointer, rows: R, channels: C)
            expectClose(dx.array, try f.floats("dx"), atol: 1e-6, rtol: 1e-5, "batchnorm dx")
            expectClose(dw.array, try f.floats("dweight"), atol: 1e-6, rtol: 1e-5, "batchnorm dweight")
            expectClose(db.array, try f.floats("dbias"), atol: 1e-6, rtol: 1e-5, "batchnorm dbias")
            let rm = try f.buffer("running_mean_before"), rv = try f.buffer("running_var_before")
            BatchNormTokens.updateRunning(runningMean: rm.pointer, runningVar: rv.pointer, mean: m.pointer, rstd: s.pointer,
                                          rows: R, channels: C, eps: eps, momentum: try f.float("momentum"))
            expectClose(rm.array, try f.floats("running_mean"), atol: 1e-6, rtol: 1e-5, "batchnorm running_mean")
            expectClose(rv.array, try f.floats("running_var"), atol: 1e-6, rtol: 1e-5, "batchnorm running_var")
        }

        @Test func gelu() throws {
            let f = try FixtureCase.load("gelu")
            let n = try f.int("count")
            let x = try f.buffer("x"), dy = try f.buffer("dy"), y = FloatBuffer(count: n), dx = FloatBuffer(count: n)
            GELU.forward(out: y.pointer, input: x.pointer, count: n)
            GELU.backward(dInput: dx.pointer, dOut: dy.pointer, input: x.pointer, count: n)
            expectClose(y.array, try f.floats("y"), atol: 1e-7, rtol: 1e-5, "gelu y")
            expectClose(dx.array, try f.floats("dx"), atol: 1e-7, rtol: 1e-5, "gelu dx")
        }

        @Test(arguments: ["attention", "attention_one_head"]) func attention(name: String) throws {
            let f = try FixtureCase.load(name)
            let (B, T, D, H) = (try f.int("batch"), try f.int("tokens"), try f.int("dim"), try f.int("heads"))
            let qkv = try f.buffer("qkv"), dy = try f.buffer("dy")
            let (out, att, dqkv) = (FloatBuffer(count: B * T * D), FloatBuffer(count: B * H * T * T), FloatBuffer(count: qkv.count))
            Attention.forward(out: out.pointer, att: att.pointer, qkv: qkv.pointer, batch: B, tokens: T, dim: D, heads: H)
            Attention.backward(dQKV: dqkv.pointer, dOut: dy.pointer, qkv: qkv.pointer, att: att.pointer, batch: B, tokens: T,
                               dim: D, heads: H)
            expectClose(out.array, try f.floats("out"), atol: 1e-6, rtol: 1e-5, "\(name) out")
            expectClose(att.array, try f.floats("att"), atol: 1e-7, rtol: 1e-5, "\(name) att")
            expectClose(dqkv.array, try f.floats("dqkv"), atol: 1e-6, rtol: 1e-5, "\(name) dqkv")
        }
    }
}
