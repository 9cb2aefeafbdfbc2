"""Writes the data, log and database files of the CLI bad-input corpus (run with /opt/torchenv/bin/python from
any directory; `newer-schema.sqlite` needs a siamon database to start from: pass one as argv[1], e.g. the
runs/siamon.sqlite that `siamon import` writes). The cases themselves (command, expected line) are in
cases.json; BadInputCLITests runs them. Regenerate after changing a format on purpose."""
import gzip, os, shutil, sqlite3, struct, sys

here = os.path.dirname(os.path.abspath(__file__))

def put(rel, payload):
    path = os.path.join(here, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(payload, bytes) else "w") as f: f.write(payload)

def idx(magic, dims, payload):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload

def fmnist(name, images, labels, split="train"):
    put(f"data/{name}/{split}-images-idx3-ubyte.gz", gzip.compress(images, mtime=0))
    put(f"data/{name}/{split}-labels-idx1-ubyte.gz", gzip.compress(labels, mtime=0))

good_images = idx(0x803, [4, 28, 28], bytes(range(256)) * 12 + bytes(4 * 784 - 3072))
good_labels = idx(0x801, [4], bytes([0, 1, 2, 3]))
fmnist("idx-truncated", good_images[:1000], good_labels)
fmnist("idx-wrong-magic", idx(0x801, [4], bytes(4)), good_labels)           # a labels file where images belong
fmnist("idx-bad-dtype", idx(0x0D03, [4, 28, 28], bytes(4 * 784 * 4)), good_labels)  # float32 payload, not u8
fmnist("idx-count-mismatch", good_images, idx(0x801, [3], bytes(3)))
fmnist("idx-trailing-bytes", good_images + b"junk", good_labels)
fmnist("idx-huge-dims", idx(0x803, [0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], b""), good_labels)
put("data/gzip-truncated/train-images-idx3-ubyte.gz", gzip.compress(good_images, mtime=0)[:200])
put("data/gzip-truncated/train-labels-idx1-ubyte.gz", gzip.compress(good_labels, mtime=0))
put("data/gzip-not-gzip/train-images-idx3-ubyte.gz", b"this is not gzip data\n" * 4)
put("data/gzip-not-gzip/train-labels-idx1-ubyte.gz", gzip.compress(good_labels, mtime=0))
put("data/labels-missing/train-images-idx3-ubyte.gz", gzip.compress(good_images, mtime=0))
put("data/zeros-256k.gz", gzip.compress(bytes(256 << 10), mtime=0))   # GzipLimitTests: inflates past a 64 KiB limit
put("data/folder-empty/README.txt", "no images here, on purpose\n")
put("data/folder-undecodable/a.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
put("data/folder-text-as-jpeg/b.jpg", "just text with a .jpg name\n")
put("data/folder-class-empty/cats/notes.txt", "a class folder with no images\n")

logs = {
    "broken-middle.txt": '{"train_lr": 0.001, "train_loss": 2.5, "epoch": 0}\n{"train_lr": 0.001, "train_loss": \n{"train_lr": 0.001, "train_loss": 2.1, "epoch": 2}\n',
    "nan-lowercase.txt": '{"train_loss": 2.5, "epoch": 0}\n{"train_loss": nan, "epoch": 1}\n{"train_loss": 2.1, "epoch": 2}\n',
    "inf-lowercase.txt": '{"train_loss": 2.5, "epoch": 0}\n{"train_loss": inf, "epoch": 1}\n{"train_loss": 2.1, "epoch": 2}\n',
    "epoch-nan.txt": '{"train_loss": 2.5, "epoch": NaN}\n{"train_loss": 2.1, "epoch": 1}\n',
    "epoch-infinity.txt": '{"train_loss": 2.5, "epoch": Infinity}\n{"train_loss": 2.1, "epoch": 1}\n',
    "epoch-huge.txt": '{"train_loss": 2.5, "epoch": 1e300}\n{"train_loss": 2.1, "epoch": 1}\n',
    "epoch-negative.txt": '{"train_loss": 2.5, "epoch": -1}\n{"train_loss": 2.1, "epoch": 1}\n',
    "step-huge.jsonl": '{"step": 1e30, "loss": 2.5}\n{"step": 1, "loss": 2.1}\n',
    "step-infinity.jsonl": '{"step": -Infinity, "loss": 2.5}\n{"step": 1, "loss": 2.1}\n',
    "step-fraction.jsonl": '{"step": 0.5, "loss": 2.5}\n{"step": 1, "loss": 2.1}\n',
    "deep-nesting.txt": '{"epoch": 0}\n{"a": ' + "[" * 100000 + "]" * 100000 + ', "epoch": 1}\n{"epoch": 2}\n',
    "not-json.txt": "epoch 0 loss 2.5\nepoch 1 loss 2.1\n",
    "empty.txt": "",
    "csv-huge-step.csv": "step,wall_time,loss\n0,1.0,2.5\n1e300,2.0,2.1\n3,3.0,2.0\n",
    "csv-int64-max.csv": "step,wall_time,loss\n9223372036854775807,1,1.0\n",
    "csv-two-pow-53.csv": "step,wall_time,loss\n0,1,1.0\n9007199254740992,2,2.0\n",
    "csv-negative-step.csv": "step,wall_time,loss\n-1,1,1.0\n",
    "csv-broken-last-line.csv": "step,wall_time,loss\n0,1,2.5\n1,2\n",
    "jsonl-one-broken-line.jsonl": "{\"step\": -1, \"loss\": 1.0}\n",
    "jsonl-broken-last-line.jsonl": "{\"step\": 0, \"loss\": 1.0}\n{\"step\": 1, \"loss\": }\n",
    "jsonl-torn-only-line.jsonl": "{\"step\": -1, \"loss\": 1.0}",
    "log-broken-last-line.txt": "{\"train_loss\": 2.5, \"epoch\": 0}\n{\"train_loss\": 2.1, \"epoch\": \n",
}
for name, text in logs.items(): put("logs/" + name, text)
put("logs/good.txt", '{"train_lr": 0.001, "train_loss": 2.5, "train_mm": 0.996, "epoch": 0}\n'
                     '{"train_lr": 0.002, "train_loss": NaN, "train_mm": 0.997, "epoch": 1}\n')

themes = {
    "unknown-key.theme": '# a typo in a key\ntheme[main_fg]="#D8DEE9"\ntheme[main_fgg]="#FFFFFF"\n',
    "bad-hex.theme": 'theme[main_fg]="#GG0000"\n',
    "bad-decimal.theme": 'theme[title]="300 0 0"\n',
    "syntax.theme": 'theme[main_fg]="#D8DEE9"\nmain_bg = black\n',
    "unquoted.theme": 'theme[main_fg]=#D8DEE9\n',
}
for name, text in themes.items(): put("themes/" + name, text)

put("db/not-sqlite.sqlite", "name,loss\nrun1,2.5\n")
put("db/sqlite-header-only.sqlite", b"SQLite format 3\0" + b"\0" * 20)
put("db/empty.sqlite", b"")
if len(sys.argv) > 1:
    out = os.path.join(here, "db/newer-schema.sqlite")
    shutil.copy(sys.argv[1], out)
    c = sqlite3.connect(out)
    c.execute("PRAGMA journal_mode=DELETE")
    c.execute("INSERT INTO migrations (name, appliedAt) VALUES ('9999-from-the-future', 0)")
    c.commit(); c.close()
