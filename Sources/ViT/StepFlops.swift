import Tensor

/// The exact floating-point work of one training step, written down per kernel.
///
/// What is counted: every matrix product, as 2·M·N·K (one multiply and one add per term), for the GEMMs the
/// step really runs: Linear forward X·Wᵀ; Linear backward dX = dY·W and dW = dYᵀ·X (2× forward, or 1× where
/// dX is not needed); attention QKᵀ and P·V per (sample, head) forward and the four products of its backward
/// (dP = dO·Vᵀ, dV = Pᵀ·dO, dQ = dS·K, dK = dSᵀ·Q); the UniGrad loss's TᵀT and P·C.
/// What is not counted: elementwise and normalisation work (bias, GELU, softmax, LayerNorm/BatchNorm,
/// residuals, AdamW, EMA, gathers). It is O(R·D) against O(R·D²) for the GEMMs, under 2% of the FLOPs at D=128,
/// so GFLOP/s here is "GEMM FLOPs per second of the whole step".
public struct StepFlops: Sendable {
    /// One kernel's FLOPs in the online forward, the online backward and the (no-grad) target forward.
    public struct Entry: Sendable {
        public let name: String
        public let forward: Double, backward: Double, target: Double
        public var total: Double { forward + backward + target }
    }

    public let entries: [Entry]
    public var total: Double { entries.reduce(0) { $0 + $1.total } }
    public var forward: Double { entries.reduce(0) { $0 + $1.forward } }
    public var backward: Double { entries.reduce(0) { $0 + $1.backward } }
    public var target: Double { entries.reduce(0) { $0 + $1.target } }

    /// `onlineEmbedsVisibleOnly`: whether the online patch embedding runs on the B·V visible patches only
    /// (what `Workspace` does, see `Workspace.embedsVisibleOnly`) or on all B·N.
    /// `lossRows`: the M of the UniGrad loss (B·N dense, B for the global-loss ablation); ignored for the pixel
    /// target, whose MSE has no GEMM and which runs no target branch at all.
    public init(shape S: NetworkShape, batch B: Int, onlineEmbedsVisibleOnly: Bool = Workspace.embedsVisibleOnly,
                lossRows: Int? = nil) {
        let D = Double(S.dim), Hd = Double(S.hidden), m = S.model, pixel = m.pixelTarget
        let Pd = Double(S.predictionDim)
        let N = Double(S.patches), V = Double(S.visible), Bd = Double(B)
        func gemm(_ rows: Double, _ outF: Double, _ inF: Double) -> Double { 2 * rows * outF * inF }
        var e: [Entry] = []
        let embedRows = Bd * (onlineEmbedsVisibleOnly ? V : N)
        e.append(Entry(name: "patch embed (frozen)", forward: gemm(embedRows, D, Double(S.patchDim)), backward: 0,
                       target: pixel ? 0 : gemm(Bd * N, D, Double(S.patchDim))))
        // Block stacks: (name, depth, tokens per sample, heads, online?, target?).
        let stacks: [(String, Int, Int, Int, Bool, Bool)] = [
            ("backbone", m.depth, S.onlineTokens, m.heads, true, false),
            ("projector", m.projectorDepth, S.onlineTokens, m.decoderHeads, true, false),
            ("decoder", m.decoderDepth, S.decoderTokens, m.decoderHeads, true, false),
            ("target backbone", m.depth, S.targetTokens, m.heads, false, !pixel),
            ("target projector", m.projectorDepth, S.targetTokens, m.decoderHeads, false, !pixel),
        ]
        for (name, depth, T, H, online, target) in stacks {
            let L = Double(depth), R = Bd * Double(T), Td = Double(T), Dh = D / Double(max(H, 1))
            // qkv (3D×D), proj (D×D), fc1 (Hd×D), fc2 (D×Hd).
            let linear = L * (gemm(R, 3 * D, D) + gemm(R, D, D) + gemm(R, Hd, D) + gemm(R, D, Hd))
            // QKᵀ [T,Dh]·[Dh,T] and P·V [T,T]·[T,Dh] per (sample, head).
            let attention = L * Bd * Double(H) * 2 * gemm(Td, Td, Dh)
            e.append(Entry(name: "\(name) linear", forward: online ? linear : 0, backward: online ? 2 * linear : 0,
                           target: target ? linear : 0))
            e.append(Entry(name: "\(name) attention", forward: online ? attention : 0,
                           backward: online ? 2 * attention : 0, target: target ? attention : 0))
        }
        let T1 = Bd * Double(S.onlineTokens), T2 = Bd * Double(S.targetTokens), M = Bd * N
        e.append(Entry(name: "decoder_embed", forward: gemm(T1, D, D), backward: 2 * gemm(T1, D, D),
                       target: pixel ? 0 : gemm(T2, D, D)))
        // The relative-position MLP's input (relPE) has no gradient: backward is dW only.
        e.append(Entry(name: "decoder_pos_mlp", forward: gemm(M, D, 2 * D), backward: gemm(M, D, 2 * D), target: 0))
        e.append(Entry(name: "decoder_pred", forward: gemm(M, Pd, D), backward: 2 * gemm(M, Pd, D), target: 0))
        // C = TᵀT/M and P·C; dL/dP reuses P·C (no extra GEMM).
        let L = Double(lossRows ?? B * S.patches)
        e.append(Entry(name: "UniGrad loss", forward: pixel ? 0 : gemm(D, D, L) + gemm(L, D, D), backward: 0, target: 0))
        entries = e
    }
}
