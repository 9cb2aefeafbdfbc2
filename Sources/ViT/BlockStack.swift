import Tensor

/// A stack of blocks with the same norm over sequences of `tokens` rows per sample, with saved activations.
/// `outputs[0]` is the stack's input; `outputs[i + 1]` is block i's output.
public final class BlockStack {
    public let prefixes: [String]
    public let norm: BlockNorm
    public let batchNorm: Bool
    public let rows, dim: Int
    public let acts: [BlockActivations]
    public let outputs: [FloatBuffer]
    let params: [BlockParams]
    let grads: [BlockParams]?
    let running: [BNBuffers?]

    /// `storeActivations: false` keeps one activation set and ping-pongs two outputs (target branch, no backward).
    public init(prefix: String, depth: Int, norm: BlockNorm, batch: Int, tokens: Int, shape: NetworkShape, heads: Int,
                params: Arena, grads: Arena?, fixed: Arena, runningPrefix: String?, storeActivations: Bool = true) {
        self.norm = norm
        if case .batch = norm { batchNorm = true } else { batchNorm = false }
        let names = (0..<depth).map { "\(prefix).\($0)" }
        prefixes = names
        rows = batch * tokens; dim = shape.dim
        let nActs = storeActivations ? depth : min(depth, 1)
        acts = (0..<nActs).map { _ in BlockActivations(batch: batch, tokens: tokens, dim: shape.dim, hidden: shape.hidden, heads: heads) }
        outputs = (0..<(storeActivations ? depth + 1 : 3)).map { _ in FloatBuffer(count: batch * tokens * shape.dim) }
        let bn = batchNorm
        self.params = names.map { BlockParams(params, prefix: $0, batchNorm: bn) }
        self.grads = grads.map { g in names.map { BlockParams(g, prefix: $0, batchNorm: bn) } }
        running = (0..<depth).map { i in runningPrefix.map { BNBuffers(fixed, prefix: "\($0).\(i)") } }
    }

    public var input: FloatPtr { outputs[0].pointer }
    /// Runs every block on `input`; returns the pointer holding the final output.
    @discardableResult
    public func forward() -> FloatPtr {
        if acts.count == prefixes.count {
            for i in 0..<prefixes.count {
                TransformerBlock.forward(out: outputs[i + 1].pointer, act: acts[i], input: outputs[i].pointer,
                                         params: params[i], norm: norm, running: running[i])
            }
            return outputs[prefixes.count].pointer
        }
        // Ping-pong between outputs[1] and outputs[2]; outputs[0] holds the input.
        var src = outputs[0].pointer
        for i in 0..<prefixes.count {
            let dst = outputs[1 + i % 2].pointer
            TransformerBlock.forward(out: dst, act: acts[0], input: src, params: params[i], norm: norm, running: running[i])
            src = dst
        }
        return src
    }

    /// Backpropagates `dOut` (overwritten as scratch) to the stack's input; returns the buffer holding dInput.
    public func backward(dOut: FloatBuffer, spare: FloatBuffer, scratch: BlockScratch) -> FloatBuffer {
        guard let grads else { preconditionFailure("backward on a stack built without gradients") }
        var cur = dOut, next = spare
        for i in stride(from: prefixes.count - 1, through: 0, by: -1) {
            next.pointer.update(repeating: 0, count: rows * dim)
            TransformerBlock.backward(dInput: next.pointer, grads: grads[i], dOut: cur.pointer, act: acts[i],
                                      input: outputs[i].pointer, params: params[i], norm: norm, scratch: scratch)
            swap(&cur, &next)
        }
        return cur
    }
}
