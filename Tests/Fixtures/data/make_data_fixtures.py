"""Generates the small committed data fixtures (run with any python3; PNGs need pillow):
  fmnist16/t10k-{images-idx3,labels-idx1}-ubyte.gz : the first 16 Fashion-MNIST test images and labels
      (from Debian's dataset-fashion-mnist; Fashion-MNIST is MIT, Copyright (c) 2017 Zalando SE)
  fmnist16/expected.txt : label list and per-image pixel sums, read independently of the Swift IDX reader
  folder/{circles,squares}/*.png : a 2-class image folder (RGB and grey PNGs, different sizes)"""
import gzip, struct, os
SRC = "/usr/share/datasets/fashion-mnist"
N = 16
os.makedirs("fmnist16", exist_ok=True)
imgs = gzip.open(f"{SRC}/t10k-images-idx3-ubyte.gz").read()
labs = gzip.open(f"{SRC}/t10k-labels-idx1-ubyte.gz").read()
assert struct.unpack(">IIII", imgs[:16])[:2] == (0x803, 10000)
pix = imgs[16:16 + N * 784]
lab = labs[8:8 + N]
# mtime=0 keeps the .gz bytes reproducible.
with gzip.GzipFile("fmnist16/t10k-images-idx3-ubyte.gz", "wb", mtime=0) as f:
    f.write(struct.pack(">IIII", 0x803, N, 28, 28) + pix)
with gzip.GzipFile("fmnist16/t10k-labels-idx1-ubyte.gz", "wb", mtime=0) as f:
    f.write(struct.pack(">II", 0x801, N) + lab)
with open("fmnist16/expected.txt", "w") as f:
    f.write(" ".join(str(b) for b in lab) + "\n")
    f.write(" ".join(str(sum(pix[i * 784:(i + 1) * 784])) for i in range(N)) + "\n")

from PIL import Image, ImageDraw
for cls, shape in (("circles", "ellipse"), ("squares", "rectangle")):
    os.makedirs(f"folder/{cls}", exist_ok=True)
    for k, (w, h, mode) in enumerate(((20, 16, "RGB"), (12, 18, "L"))):
        im = Image.new(mode, (w, h), 30 if mode == "L" else (30, 60, 90))
        getattr(ImageDraw.Draw(im), shape)((2, 2, w - 3, h - 3), fill=200 if mode == "L" else (220, 40, 10))
        im.save(f"folder/{cls}/{k}.png")
print("ok")
