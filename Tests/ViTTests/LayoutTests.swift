import Testing
import Tensor
import ViT

@Suite struct LayoutTests {
    static let base = NetworkShape(model: ModelConfig(patchSize: 16, dim: 768, depth: 12, heads: 12, mlpRatio: 4,
                                                      projectorDepth: 2, decoderDepth: 4, decoderHeads: 16),
                                   imageSize: 224, channels: 3, maskCount: 118)

    @Test func baseParameterCountMatchesOfficial() {
        // docs/method.md §9: 129,944,832 trainable + 590,592 frozen (patch embedding).
        let layout = SiameseLayout(shape: Self.base)
        #expect(layout.trainableCount == 129_944_832)
        #expect(layout.frozenPatchEmbedCount == 590_592)
    }

    @Test func officialNamesAndShapes() {
        let l = SiameseLayout(shape: Self.base)
        #expect(l.trainable.entry("blocks.3.attn.qkv.weight")?.shape == [2304, 768])
        #expect(l.trainable.entry("projector_decoder_blocks.1.norm1.bn.weight")?.shape == [768])
        #expect(l.trainable.entry("decoder_pos_mlp.weight")?.shape == [768, 1536])
        #expect(l.fixed.entry("projector_decoder_blocks.1.norm2.bn.running_var")?.shape == [768])
        #expect(l.fixed.entry("patch_embed.proj.weight")?.shape == [768, 3, 16, 16])
        #expect(l.target.entry("mm_blocks.0.mlp.fc1.bias")?.shape == [3072])
        #expect(l.target.entry("mm_mask_token")?.shape == [1, 1, 768])
        #expect(!l.target.contains("mm_predictor_decoder_blocks.0.attn.qkv.weight"))
    }

    @Test func emaPrefixMatchesTargetLayout() {
        let l = SiameseLayout(shape: Self.base)
        #expect(l.emaCount == l.target.count)
        for (o, t) in zip(l.trainable.entries, l.target.entries) {
            #expect("mm_" + o.name == t.name && o.shape == t.shape && o.offset == t.offset)
        }
    }

    @Test func decayRuleFollowsTimm() {
        let l = SiameseLayout(shape: Self.base)
        func decays(_ n: String) -> Bool { SiameseLayout.decays(l.trainable.entry(n)!) }
        #expect(decays("cls_token") && decays("mask_token") && decays("blocks.0.attn.qkv.weight"))
        #expect(decays("decoder_pos_mlp.weight"))
        #expect(!decays("blocks.0.attn.qkv.bias") && !decays("blocks.0.norm1.weight"))
        #expect(!decays("projector_decoder_blocks.0.norm1.bn.weight"))
    }
}
