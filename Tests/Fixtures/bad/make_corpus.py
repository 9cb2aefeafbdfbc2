"""Writes the bad-input corpus for presets, --set overrides and checkpoints (run with /opt/torchenv/bin/python
from any directory). Each case is a file plus <case>.expected holding the exact one-line error; {dir} in an
expected line stands for the folder the case file is in. Regenerate after changing a message on purpose."""
import copy, json, os, struct

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(os.path.dirname(here)))
base = json.load(open(os.path.join(root, "runs/presets/fmnist-tiny.json")))

def write(sub, name, ext, payload, expected):
    d = os.path.join(here, sub)
    os.makedirs(d, exist_ok=True)
    mode = "wb" if isinstance(payload, bytes) else "w"
    with open(os.path.join(d, name + ext), mode) as f: f.write(payload)
    with open(os.path.join(d, name + ".expected"), "w") as f: f.write(expected + "\n")

def preset(name, edit, expected, raw=None):
    c = copy.deepcopy(base)
    if edit: edit(c)
    write("presets", name, ".json", raw if raw is not None else json.dumps(c, indent=2), f"preset {name}.json: " + expected)

def setk(sec, key, val):
    def f(c): c[sec][key] = val
    return f

def rename(sec, old, new):
    def f(c): c[sec][new] = c[sec].pop(old)
    return f

def delete(sec, key):
    def f(c): del c[sec][key]
    return f

preset("unknown-key", rename("model", "dim", "dimm"), 'unknown key "model.dimm" (did you mean "model.dim"?)')
preset("unknown-section", lambda c: c.__setitem__("optimiser", c.pop("optimizer")), 'unknown key "optimiser" (did you mean "optimizer"?)')
preset("unknown-nested-key", lambda c: c["augment"]["view2"].__setitem__("solarise_p", 0.2), 'unknown key "augment.view2.solarise_p" (did you mean "augment.view2.solarize_p"?)')
preset("wrong-type-string", setk("model", "dim", "128"), 'model.dim must be an integer, got a string ("128")')
preset("wrong-type-fraction", setk("model", "depth", 6.5), "model.depth must be an integer, got a number (6.5)")
preset("wrong-type-section", lambda c: c.__setitem__("loss", 0.02), "loss must be an object, got a number (0.02)")
preset("wrong-type-array", setk("data", "std", 0.353), "data.std must be an array of numbers, got a number (0.353)")
preset("missing-key", delete("optimizer", "eps"), 'missing key "optimizer.eps" (a preset lists every field)')
preset("lr-zero", setk("optimizer", "lr", 0), "optimizer.lr = 0.0: must be > 0")
preset("lr-negative", setk("optimizer", "lr", -0.001), "optimizer.lr = -0.001: must be > 0")
preset("mask-count-all-tokens", setk("mask", "count", 49), "mask.count = 49: must be between 1 and 48 (the image has 49 tokens and at least one must stay visible)")
preset("mask-count-zero", setk("mask", "count", 0), "mask.count = 0: must be between 1 and 48 (the image has 49 tokens and at least one must stay visible)")
preset("dim-not-div-4", setk("model", "dim", 130), "model.dim = 130: D must be divisible by 4 for the sin-cos embeddings")
def dim132(c): c["model"]["dim"] = 132; c["model"]["heads"] = 8
preset("dim-not-div-heads", dim132, "model.dim = 132: D must be divisible by model.heads = 8")
preset("dim-not-div-decoder-heads", setk("model", "decoder_heads", 3), "model.dim = 128: D must be divisible by model.decoder_heads = 3")
preset("image-not-div-patch", setk("data", "image_size", 30), "data.image_size = 30: must be divisible by model.patch_size = 4")
preset("beta2-one", setk("optimizer", "beta2", 1.0), "optimizer.beta2 = 1.0: must be in [0, 1)")
preset("warmup-beyond-epochs", setk("schedule", "warmup_epochs", 5.0), "schedule.warmup_epochs = 5.0: must be in [0, schedule.epochs = 4.0]")
preset("channels-mismatch", setk("data", "mean", [0.5, 0.5, 0.5]), "data.mean = [0.5, 0.5, 0.5]: needs one value per channel (data.channels = 1)")
preset("std-zero", setk("data", "std", [0.0]), "data.std = [0.0]: must be > 0 (it divides the pixels)")
preset("unknown-source", setk("data", "source", "mnist"), "data.source = mnist: must be one of fashion-mnist, cifar10, folder, synthetic")
preset("mask-kind", setk("mask", "kind", "grid"), "mask.kind = grid: must be one of blockwise, random")
preset("blur-probability", lambda c: c["augment"]["view1"].__setitem__("blur_p", 1.5), "augment.view1.blur_p = 1.5: a probability must be in [0, 1]")
preset("trailing-comma", None, "invalid JSON at byte 13: expected a string key", raw='{"data": {},\n}')
preset("duplicate-key", None, 'invalid JSON at byte 12: duplicate key "data"', raw='{"data": 1, "data": 2}')
preset("not-json", None, "invalid JSON at byte 0: unexpected character 'm'", raw="model:\n  dim: 128\n")
preset("empty-file", None, "invalid JSON at byte 0: unexpected end of input", raw="")

def override(name, args, expected):
    write("overrides", name, ".set", "\n".join(args) + "\n", "--set " + expected)

override("typo-key", ["model.dimm=3"], 'model.dimm=3: unknown key "model.dimm" (did you mean "model.dim"?)')
override("leaf-only", ["lr=0.1"], 'lr=0.1: unknown key "lr" (did you mean "optimizer.lr"?)')
override("typo-section", ["optimiser.lr=0.1"], 'optimiser.lr=0.1: unknown key "optimiser.lr" (did you mean "optimizer.lr"?)')
override("no-equals", ["optimizer.lr"], "optimizer.lr: expected section.key=value, e.g. optimizer.lr=5e-4")
override("not-an-integer", ["train.batch_size=big"], 'train.batch_size=big: train.batch_size must be an integer, got "big"')
override("not-finite", ["optimizer.lr=inf"], 'optimizer.lr=inf: optimizer.lr must be a number, got "inf"')
override("negative-lr", ["optimizer.lr=-1"], "optimizer.lr=-1: optimizer.lr = -1.0: must be > 0")
override("steps-not-optional-text", ["train.steps=all"], 'train.steps=all: train.steps must be an integer or null, got "all"')
override("negative-seed", ["train.seed=-1"], 'train.seed=-1: train.seed must be a non-negative integer, got "-1"')
override("heads-break-dim", ["model.heads=5"], "model.heads=5: model.dim = 128: D must be divisible by model.heads = 5")

def st(header, data=b"", n=None):
    h = header.encode() if isinstance(header, str) else header
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h) if n is None else n) + h + data

def ckpt(name, payload, expected):
    write("checkpoints", name, ".safetensors", payload, "safetensors {dir}/" + name + ".safetensors: " + expected)

f32 = lambda *v: struct.pack("<%df" % len(v), *v)
good_w = '"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}'
ckpt("empty", b"", "truncated file: 0 bytes, but a safetensors file starts with an 8-byte header length")
ckpt("truncated-length", b"\x10\x00\x00", "truncated file: 3 bytes, but a safetensors file starts with an 8-byte header length")
ckpt("header-beyond-file", struct.pack("<Q", 4096) + b'{"w":', "truncated file: header length 4096 is beyond the end of the file (13 bytes)")
ckpt("header-too-large", struct.pack("<Q", 1 << 40) + b"{}", "bad header: header length 1099511627776 is over the 100000000-byte limit")
cut = st("{" + good_w + "}", f32(1, 2, 3, 4))   # 8 of the 24 data bytes missing
ckpt("truncated-data", cut, "truncated file: it has %d bytes but its tensors need %d; copy or save it again" % (len(cut), len(cut) + 8))
ckpt("invalid-json", st('{"w":{"dtype":"F32",}}', f32(1)), "bad header: invalid JSON at byte 20: expected a string key")
ckpt("header-not-object", st("[1,2]"), "bad header: the header is an array, not an object")
ckpt("offsets-vs-shape", st('{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}', f32(1, 2, 3, 4, 5)),
     'header lies about offsets: tensor "w" has data_offsets [0, 20] but shape [2, 3] of F32 needs 24 bytes')
ckpt("offsets-overlap", st('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[4,28]}}', f32(*range(7))),
     'header lies about offsets: tensor "w" at [4, 28] overlaps the tensor before it')
ckpt("offsets-gap", st('{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[8,32]}}', f32(*range(8))),
     'header lies about offsets: tensor "w" at [8, 32] leaves a gap before it')
ckpt("offsets-reversed", st('{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[24,0]}}', f32(*range(6))),
     'header lies about offsets: tensor "w" needs data_offsets [begin, end] with 0 <= begin <= end <= 2^53-1')
ckpt("trailing-bytes", st("{" + good_w + "}", f32(*range(7))), "header lies about offsets: the tensors cover 24 bytes of a 28-byte buffer")
ckpt("wrong-dtype", st('{"w":{"dtype":"I8","shape":[2,3],"data_offsets":[0,6]}}', bytes(6)), 'tensor "w" has dtype I8; siamon reads F32/F16/BF16/F64/I64')
ckpt("unknown-dtype", st('{"w":{"dtype":"F128","shape":[2,3],"data_offsets":[0,96]}}', bytes(96)), 'bad header: tensor "w" has unknown dtype F128')
ckpt("wrong-shape", st('{"w":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]}}', f32(*range(6))), 'tensor "w" has shape [3, 2], expected [2, 3]')
ckpt("missing-tensor", st('{"v":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}', f32(*range(6))), 'no tensor named "w" (the file has 1 tensors, e.g. "v")')
ckpt("negative-dim", st('{"w":{"dtype":"F32","shape":[-2,3],"data_offsets":[0,24]}}', f32(*range(6))), 'bad header: tensor "w" has a shape entry that is not a whole number from 0 to 2^53-1')
ckpt("metadata-not-string", st('{"__metadata__":{"step":5},' + good_w + "}", f32(*range(6))), 'bad header: __metadata__ value "step" is an integer, not a string')
ckpt("huge-shape", st('{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,24]}}', f32(*range(6))),
     'header lies about offsets: tensor "w" has shape [4294967296, 4294967296], too large')
ckpt("deep-nesting", st("[" * 100 + "]" * 100), "bad header: invalid JSON at byte 64: nested deeper than 64 levels")
ckpt("invalid-utf8", st(b'{"w\xff":1}'), "bad header: invalid JSON at byte 1: string is not valid UTF-8")

# Run names that try to escape runs/ (a manifest, since some names cannot be file names).
names = [
    ("", 'run name "" is empty'),
    ("../x", "run name \"../x\" contains '/'; a run name is one folder under runs/"),
    ("..", "run name \"..\" contains '..'"),
    ("/tmp/evil", 'run name "/tmp/evil" is an absolute path; give a plain name, it becomes runs/NAME'),
    ("a\0b", 'run name "a\\u0000b" contains a NUL byte'),
    ("runs/x", "run name \"runs/x\" contains '/'; a run name is one folder under runs/"),
    (".hidden", "run name \".hidden\" starts with '.'"),
    ("a;rm -rf", "run name \"a;rm -rf\" contains ';'; use letters, digits, '.', '_' and '-'"),
    ("presets", 'run name "presets" is reserved (runs/presets holds the presets)'),
    ("a" * 65, 'run name "%s" is 65 characters long; the limit is 64' % ("a" * 65)),
    ("caf\u00e9", "run name \"caf\u00e9\" contains U+E9; use letters, digits, '.', '_' and '-'"),
    ("a\tb", "run name \"a\\tb\" contains U+9; use letters, digits, '.', '_' and '-'"),
]
with open(os.path.join(here, "runnames.json"), "w") as f:
    json.dump([{"name": n, "expected": e} for n, e in names], f, indent=2)
    f.write("\n")
