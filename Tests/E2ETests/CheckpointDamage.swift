import Foundation

/// Recipes that damage a real safetensors checkpoint for the CLI corpus (the committed API-level corpus in
/// Tests/Fixtures/bad/checkpoints has only toy files; these need the model's own tensor names).
/// The header is edited through JSONSerialization, so the file stays well-formed except for the one lie.
enum CheckpointDamage {
    static func apply(_ recipe: String, to url: URL, corpus: URL) throws {
        switch recipe {
        case "truncated":
            // Four bytes short: the header tiles, but past the end of the file, so it is reported as truncated.
            let h = try FileHandle(forWritingTo: url)
            let size = try h.seekToEnd()
            try h.truncate(atOffset: size - 4)
            try h.close()
        case "lying-offsets":
            // The first tensor's data claims four more bytes than it has: overlaps the next tensor.
            try editHeader(url) { h, first in
                var t = h[first] as! [String: Any]
                let o = t["data_offsets"] as! [Int]
                t["data_offsets"] = [o[0], o[1] + 4]
                h[first] = t
            }
        case "wrong-shape":
            // A 2-D tensor's dims swapped: same byte count, so only the shape check can catch it.
            try editHeader(url) { h, _ in
                let name = h.keys.sorted().first { k in
                    guard let s = (h[k] as? [String: Any])?["shape"] as? [Int] else { return false }
                    return s.count == 2 && s[0] != s[1]
                }!
                var t = h[name] as! [String: Any]
                t["shape"] = Array((t["shape"] as! [Int]).reversed())
                h[name] = t
            }
        case "wrong-dtype":
            // The first F32 tensor relabelled I32: same byte count, a dtype siamon does not read.
            try editHeader(url) { h, _ in
                let name = h.keys.sorted().first { ((h[$0] as? [String: Any])?["dtype"] as? String) == "F32" }!
                var t = h[name] as! [String: Any]
                t["dtype"] = "I32"
                h[name] = t
            }
        case "nan-weights":
            // A well-formed checkpoint whose first backbone qkv weight is NaN, as a diverged run saves it.
            try overwriteFloats(url, tensor: "blocks.0.attn.qkv.weight", with: .nan)
        case _ where recipe.hasPrefix("corpus:"):
            try FileManager.default.removeItem(at: url)
            try FileManager.default.copyItem(at: corpus.appendingPathComponent(recipe.dropFirst(7) + ".safetensors"), to: url)
        default:
            throw CocoaError(.featureUnsupported, userInfo: ["recipe": recipe])
        }
    }

    /// Sets every float of the F32 tensor `tensor` to `value`, leaving the header as it is.
    static func overwriteFloats(_ url: URL, tensor: String, with value: Float) throws {
        var data = try Data(contentsOf: url)
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<8 + n)) as! [String: Any]
        let o = (header[tensor] as! [String: Any])["data_offsets"] as! [Int]
        let bits = value.bitPattern
        for at in stride(from: 8 + n + o[0], to: 8 + n + o[1], by: 4) {
            for b in 0..<4 { data[at + b] = UInt8(truncatingIfNeeded: bits >> (8 * UInt32(b))) }
        }
        try data.write(to: url)
    }

    /// Rewrites the JSON header; `edit` gets the header and the name of the tensor stored first in the file.
    static func editHeader(_ url: URL, _ edit: (inout [String: Any], String) -> Void) throws {
        let data = try Data(contentsOf: url)
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<8 + n)) as! [String: Any]
        let first = header.keys.filter { $0 != "__metadata__" }
            .min { ((header[$0] as! [String: Any])["data_offsets"] as! [Int])[0] < ((header[$1] as! [String: Any])["data_offsets"] as! [Int])[0] }!
        edit(&header, first)
        var text = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while text.count % 8 != 0 { text.append(0x20) }
        var out = Data((0..<8).map { UInt8(truncatingIfNeeded: text.count >> (8 * $0)) })
        out.append(text)
        out.append(data.subdata(in: 8 + n..<data.count))
        try out.write(to: url)
    }
}
