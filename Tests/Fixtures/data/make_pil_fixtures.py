"""Generates pil_reference.json: PIL (Pillow) outputs for the 8-bit ops siamon re-implements
(bicubic resize with antialias, ImageEnhance brightness/contrast/color, torchvision-style hue shift,
convert("L"), ImageOps.solarize, GaussianBlur). Run: /opt/torchenv/bin/python make_pil_fixtures.py  (needs pillow, numpy).
Inputs are stored in the JSON too, so the Swift test does not re-derive them."""
import json
import numpy as np
import PIL
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

rng = np.random.default_rng(1234)

def smooth_image(h, w, c):
    # Smooth gradients plus noise, so the cubic's overshoot and clipping both occur.
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([128 + 120 * np.sin(x / (1.7 + k) + y / (2.3 + k)) for k in range(c)], -1)
    base += rng.integers(-40, 41, size=(h, w, c))
    return np.clip(base, 0, 255).astype(np.uint8)

def pil(a):
    return Image.fromarray(a[:, :, 0], "L") if a.shape[2] == 1 else Image.fromarray(a, "RGB")

def arr(img):
    a = np.asarray(img)
    return a.reshape(a.shape[0], a.shape[1], -1)

def entry(kind, a, out, **kw):
    d = {"kind": kind, "in_h": a.shape[0], "in_w": a.shape[1], "channels": a.shape[2],
         "input": a.flatten().tolist(), "out_h": out.shape[0], "out_w": out.shape[1],
         "output": out.flatten().tolist()}
    d.update(kw)
    return d

def hue(img, factor):
    # torchvision/transforms/_functional_pil.py:adjust_hue
    if img.mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    with np.errstate(over="ignore"):
        np_h += np.array(factor * 255).astype(np.uint8)
    return Image.merge("HSV", (Image.fromarray(np_h, "L"), s, v)).convert(img.mode)

cases = []
for (h, w, c, oh, ow) in [(11, 13, 1, 28, 28), (40, 36, 1, 28, 28), (9, 7, 3, 16, 12), (50, 45, 3, 32, 32),
                          (28, 28, 1, 28, 28), (5, 60, 1, 28, 28), (17, 3, 3, 28, 28)]:
    a = smooth_image(h, w, c)
    cases.append(entry("resize", a, arr(pil(a).resize((ow, oh), Image.BICUBIC))))

rgb = smooth_image(12, 10, 3)
grey = smooth_image(12, 10, 1)
for a in (rgb, grey):
    for f in (0.63, 1.37):
        cases.append(entry("brightness", a, arr(ImageEnhance.Brightness(pil(a)).enhance(f)), factor=f))
        cases.append(entry("contrast", a, arr(ImageEnhance.Contrast(pil(a)).enhance(f)), factor=f))
    for f in (0.83, 1.17):
        cases.append(entry("saturation", a, arr(ImageEnhance.Color(pil(a)).enhance(f)), factor=f))
    for f in (-0.093, 0.071):
        cases.append(entry("hue", a, arr(hue(pil(a), f)), factor=f))
    g = pil(a).convert("L")
    cases.append(entry("grayscale", a, arr(g.convert("RGB") if a.shape[2] == 3 else g)))
    cases.append(entry("solarize", a, arr(ImageOps.solarize(pil(a), 128))))
    for sigma in (0.1, 0.33, 0.7, 1.2, 1.9, 2.0):
        cases.append(entry("blur", a, arr(pil(a).filter(ImageFilter.GaussianBlur(radius=sigma))), factor=sigma))

with open("pil_reference.json", "w") as f:
    json.dump({"pillow": PIL.__version__, "cases": cases}, f, separators=(",", ":"))
print(len(cases), "cases, pillow", PIL.__version__)
