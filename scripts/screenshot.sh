#!/usr/bin/env bash
# Renders the real dashboard into docs/screenshot.png, so the README's picture can be remade at any time:
#   scripts/screenshot.sh [OUT.png]            (SIAMON=/path/to/siamon picks the binary)
#
# It trains two short smoke runs into a temporary SIAMON_RUNS, opens `siamon` on them in a detached tmux
# session at 160x45, captures the pane with its colours (`tmux capture-pane -e -p`) and draws that capture,
# cell by cell, with ImageMagick in DejaVu Sans Mono.
#
# Needs (Debian packages; installed with apt-get when missing, through sudo when not root):
#   tmux, imagemagick (the real /usr/bin/convert), fonts-dejavu-core, fontconfig (fc-list), python3 (stdlib only).
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${1:-docs/screenshot.png}
COLS=160 ROWS=45
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
FONT_BOLD=/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf

# --- packages ------------------------------------------------------------------------------------------
missing=()
command -v tmux >/dev/null || missing+=(tmux)
command -v python3 >/dev/null || missing+=(python3)
command -v fc-list >/dev/null || missing+=(fontconfig)
[ -x /usr/bin/convert ] || missing+=(imagemagick)   # /usr/bin explicitly: a stand-in may shadow it on PATH
[ -f "$FONT" ] && [ -f "$FONT_BOLD" ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
    echo "screenshot: installing ${missing[*]}" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
        || { $SUDO apt-get update >&2 && $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi
CONVERT=/usr/bin/convert

# --- the binary ----------------------------------------------------------------------------------------
if [ -z "${SIAMON:-}" ]; then
    for candidate in .build/release/siamon .build/debug/siamon; do
        if [ -x "$candidate" ]; then SIAMON=$PWD/$candidate; break; fi
    done
fi
if [ -z "${SIAMON:-}" ]; then
    echo "screenshot: no siamon binary found; building release" >&2
    swift build -c release --product siamon >&2
    SIAMON=$PWD/.build/release/siamon
fi

# --- demo data: two short runs ----------------------------------------------------------------------
WORK=$(mktemp -d)
SOCKET=siamon-shot-$$
cleanup() { tmux -L "$SOCKET" kill-server 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export SIAMON_RUNS=$WORK/runs
mkdir -p "$SIAMON_RUNS"

DATA=()
[ -d /usr/share/datasets/fashion-mnist ] || DATA=(--set data.source=synthetic)
for run in "demo-lr1e-3 0.001" "demo-lr3e-3 0.003"; do
    set -- $run
    echo "screenshot: training $1 (smoke preset, 200 steps)" >&2
    "$SIAMON" train --preset smoke --headless --name "$1" "${DATA[@]}" \
        --set train.steps=200 --set optimizer.lr="$2" >/dev/null
done

# --- capture -------------------------------------------------------------------------------------------
tmux -L "$SOCKET" -f /dev/null new-session -d -s shot -x $COLS -y $ROWS \
    -e TERM=tmux-256color -e LANG=C.UTF-8 -e SIAMON_RUNS="$SIAMON_RUNS" "$SIAMON"
for _ in $(seq 1 50); do   # wait until the dashboard shows its key bar
    if tmux -L "$SOCKET" capture-pane -p -t shot | grep -q "q quit"; then break; fi
    sleep 0.2
done
sleep 1
tmux -L "$SOCKET" capture-pane -e -p -t shot > "$WORK/capture.ansi"

# --- ANSI capture -> ImageMagick draw file -----------------------------------------------------------
python3 - "$WORK/capture.ansi" "$WORK/draw.mvg" "$FONT" "$FONT_BOLD" $COLS $ROWS <<'PY'
import re, subprocess, sys
src, dst, font, font_bold, cols, rows = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
CW, CH, SIZE = 9, 18, 15            # cell size in pixels, font size
FG, BG = (0xD8, 0xDE, 0xE9), (0x1F, 0x23, 0x2B)

def xterm256(n):
    base = [(0,0,0),(205,0,0),(0,205,0),(205,205,0),(0,0,238),(205,0,205),(0,205,205),(229,229,229),
            (127,127,127),(255,0,0),(0,255,0),(255,255,0),(92,92,255),(255,0,255),(0,255,255),(255,255,255)]
    if n < 16: return base[n]
    if n < 232:
        n -= 16; steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    g = 8 + 10 * (n - 232); return (g, g, g)

grid = [[(" ", None, None, False, False)] * cols for _ in range(rows)]
text = open(src, encoding="utf-8", errors="replace").read().split("\n")
for y, line in enumerate(text[:rows]):
    fg = bg = None; bold = dim = rev = False; x = 0
    for m in re.finditer(r"\x1b\[([0-9;:]*)m|([^\x1b])", line):
        if m.group(2) is not None:
            if x < cols:
                f, b = (bg, fg) if rev else (fg, bg)
                if rev: f, b = f or BG, b or FG
                grid[y][x] = (m.group(2), f, b, bold, dim)
            x += 1; continue
        codes = [int(c) if c else 0 for c in re.split("[;:]", m.group(1) or "0")]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0: fg = bg = None; bold = dim = rev = False
            elif c == 1: bold = True
            elif c == 2: dim = True
            elif c == 7: rev = True
            elif c == 22: bold = dim = False
            elif c == 27: rev = False
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5: col = xterm256(codes[i + 2]); i += 2
                else: col = tuple(codes[i + 2:i + 5]); i += 4
                if c == 38: fg = col
                else: bg = col
            elif c == 39: fg = None
            elif c == 49: bg = None
            elif 30 <= c <= 37: fg = xterm256(c - 30)
            elif 90 <= c <= 97: fg = xterm256(c - 90 + 8)
            elif 40 <= c <= 47: bg = xterm256(c - 40)
            elif 100 <= c <= 107: bg = xterm256(c - 100 + 8)
            i += 1

def hexc(c): return "#%02x%02x%02x" % c
out = ["viewbox 0 0 %d %d" % (cols * CW, rows * CH), "fill %s" % hexc(BG),
       "rectangle 0,0 %d,%d" % (cols * CW, rows * CH)]
for y in range(rows):                     # backgrounds, merged into runs of one colour
    x = 0
    while x < cols:
        b = grid[y][x][2]
        x1 = x
        while x1 < cols and grid[y][x1][2] == b: x1 += 1
        if b is not None:
            out += ["fill %s" % hexc(b), "rectangle %d,%d %d,%d" % (x * CW, y * CH, x1 * CW - 1, y * CH + CH - 1)]
        x = x1
out += ["font-size %d" % SIZE, "text-antialias 1"]

def has_glyph(ch, path, memo={}):
    if (ch, path) not in memo:
        r = subprocess.run(["fc-list", ":charset=%x" % ord(ch), "file"], capture_output=True, text=True)
        memo[(ch, path)] = path in r.stdout
    return memo[(ch, path)]

# Box-drawing arms (up, down, left, right): drawn as lines, so borders join across cells.
ARMS = {"─": "lr", "│": "ud", "┌": "dr", "┐": "dl", "└": "ur", "┘": "ul", "├": "udr", "┤": "udl",
        "┬": "lrd", "┴": "lru", "┼": "udlr"}
def rect(colour, x0, y0, x1, y1):
    out.extend(["fill %s" % hexc(colour), "rectangle %d,%d %d,%d" % (x0, y0, x1, y1)])

cur = (None, None)
for y in range(rows):                     # then every visible glyph in its own cell, so widths never drift
    for x in range(cols):
        ch, f, b, bold, dim = grid[y][x]
        if ch == " ": continue
        colour = f or FG
        if dim: colour = tuple((a + 2 * c) // 3 for a, c in zip(colour, b or BG))
        x0, y0 = x * CW, y * CH
        o = ord(ch)
        if 0x2800 <= o <= 0x28FF:         # braille: the 2x4 dots themselves
            bits = o - 0x2800
            for bit, (dx, dy) in enumerate([(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]):
                if bits >> bit & 1:
                    px, py = x0 + 2 + dx * 4, y0 + 2 + dy * 4
                    rect(colour, px, py, px + 1, py + 2)
            cur = (None, None); continue
        if ch in ARMS:
            cx, cy = x0 + CW // 2, y0 + CH // 2
            arms = ARMS[ch]
            if "u" in arms: rect(colour, cx, y0, cx, cy)
            if "d" in arms: rect(colour, cx, cy, cx, y0 + CH - 1)
            if "l" in arms: rect(colour, x0, cy, cx, cy)
            if "r" in arms: rect(colour, cx, cy, x0 + CW - 1, cy)
            cur = (None, None); continue
        if ch == "▀":
            rect(colour, x0, y0, x0 + CW - 1, y0 + CH // 2 - 1); cur = (None, None); continue
        if 0x2581 <= o <= 0x2588:         # lower eighths (sparklines, half-block pixels)
            h = CH * (o - 0x2580) // 8
            rect(colour, x0, y0 + CH - h, x0 + CW - 1, y0 + CH - 1); cur = (None, None); continue
        face = font_bold if bold else font
        if not has_glyph(ch, face):
            face = face.replace("SansMono", "Sans")
        state = (hexc(colour), face)
        if state != cur:
            out += ["fill %s" % state[0], "font '%s'" % face]
            cur = state
        esc = ch.replace("\\", "\\\\").replace('"', '\\"')
        out.append('text %d,%d "%s"' % (x0, y0 + CH - 5, esc))
open(dst, "w", encoding="utf-8").write("\n".join(out) + "\n")
PY

# The draw file is read as an MVG image (Debian's ImageMagick policy refuses `-draw @file`).
"$CONVERT" "mvg:$WORK/draw.mvg" -colors 64 -strip "PNG8:$OUT"
echo "screenshot: wrote $OUT ($(du -k "$OUT" | cut -f1) KB)" >&2
