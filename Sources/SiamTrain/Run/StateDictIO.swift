import Foundation
import Tensor
import ViT

/// The network's tensors as safetensors entries with official names, loadable by the official
/// `models_sim.SiameseIMViT` with load_state_dict (docs/interop.md §1). num_batches_tracked is written as I64.
public enum StateDictIO {
    public static func namedTensors(_ network: SiameseNetwork) -> [NamedTensor] {
        network.stateDict.map { name, view in
            name.hasSuffix("num_batches_tracked")
                ? NamedTensor.int64(name, shape: view.shape, [Int64(view.pointer.pointee.rounded())])
                : NamedTensor(name, view)
        }
    }

    /// Loads every tensor of the network's state dict from `file` (names prefixed by `prefix`), checking shapes.
    /// Target (`mm_`) tensors missing from the file are copied from the online branch.
    public static func load(_ network: SiameseNetwork, from file: SafetensorsFile, prefix: String = "") throws {
        var missingTarget = false
        for (name, view) in network.stateDict {
            let key = prefix + name
            if name.hasPrefix("mm_") && file.infos[key] == nil { missingTarget = true; continue }
            try file.copy(key, into: view)
        }
        if missingTarget {
            Initialization.copyToTarget(trainable: network.params, fixed: network.fixed, target: network.target,
                                        layout: network.layout)
        }
    }
}
