// The mask panel: the source image with both crop boxes, view 1 with its masked patches shaded, and view 2.

public enum MaskPanel {
    public static func render(_ snap: MaskSnapshot?, index: Int, count: Int, in area: Rect, into buf: inout ScreenBuffer,
                              focused: Bool, monochrome: Bool) {
        let title = snap.map { "masks · step \(AxisScale.label(Double($0.step)))" } ?? "masks"
        let inner = Block.render(in: area, into: &buf, title: title, focused: focused)
        if count > 1 { Block.footer("[ ] \(index + 1)/\(count)", in: area, into: &buf) }
        guard let s = snap, s.source.isValid, s.view1.isValid, s.view2.isValid, s.grid > 0, s.grid <= 1024, s.mask.count >= s.grid * s.grid else {
            buf.put(snap == nil ? "no snapshot yet" : "snapshot is malformed", x: inner.x + 1, y: inner.y, maxWidth: inner.width - 1, Style(.inactiveFg))
            return
        }
        let slots = arrange(inner)
        let masked = s.mask.prefix(s.grid * s.grid).filter { $0 }.count * 100 / (s.grid * s.grid)
        let flip1 = s.crop1.flipped ? "⇄" : "", flip2 = s.crop2.flipped ? "⇄" : ""
        label(slots[0], &buf, [("source ", .mainFg), ("▭1\(flip1)", .crop1), (" ", .mainFg), ("▭2\(flip2)", .crop2)])
        source(s, in: slots[0].inset0, &buf, monochrome)
        label(slots[1], &buf, [("view 1\(flip1) ", .crop1), ("\(masked)% masked", .maskShade)])
        view1(s, in: slots[1].inset0, &buf, monochrome)
        label(slots[2], &buf, [("view 2\(flip2)", .crop2)])
        plain(s.view2, in: slots[2].inset0, &buf, monochrome)
        if slots.count > 3 { legend(s, in: slots[3].rect, &buf, count: count) }
    }

    /// Three slots (label row + image) laid out as 1×3, 3×1 or 2×2, whichever gives the biggest square image.
    static func arrange(_ r: Rect) -> [Slot] {
        func side(_ cols: Int, _ rows: Int) -> Int { min(cols, 2 * (rows - 1)) }
        let h3 = r.columns(3), w = (r.width - 2) / 3
        let horizontal = side(w, r.height)
        let vRows = r.height / 3, vertical = side(r.width, vRows)
        let gCols = (r.width - 1) / 2, gRows = r.height / 2, grid = side(gCols, gRows)
        if horizontal >= vertical && horizontal >= grid { return h3.map { Slot(Rect(x: $0.x, y: $0.y, width: $0.width - 1, height: $0.height)) } }
        if vertical >= grid { return (0..<3).map { Slot(Rect(x: r.x, y: r.y + $0 * vRows, width: r.width, height: vRows)) } }
        return [(0, 0), (1, 0), (0, 1), (1, 1)].map { Slot(Rect(x: r.x + $0.0 * (gCols + 1), y: r.y + $0.1 * gRows, width: gCols, height: gRows)) }
    }

    /// What the marks mean, in the spare quarter of the 2×2 layout.
    static func legend(_ s: MaskSnapshot, in r: Rect, _ buf: inout ScreenBuffer, count: Int) {
        let lines: [[(String, ThemeRole)]] = [
            [("step \(s.step)", .title)],
            [("▭1", .crop1), (" view 1 crop", .inactiveFg)],
            [("▭2", .crop2), (" view 2 crop", .inactiveFg)],
            [("⇄", .mainFg), ("  flipped", .inactiveFg)],
            [("dark", .maskShade), (" masked patch", .inactiveFg)],
            [("grid \(s.grid)×\(s.grid)", .inactiveFg)],
            count > 1 ? [("[ ]", .keyFg), (" older/newer", .inactiveFg)] : [],
        ]
        for (i, parts) in lines.enumerated() where i < r.height - 1 {
            var x = r.x + 1
            for (t, role) in parts { x += buf.put(t, x: x, y: r.y + 1 + i, maxWidth: r.maxX - x, Style(role)) }
        }
    }

    struct Slot {
        let rect: Rect
        init(_ r: Rect) { rect = r }
        var inset0: Rect { Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1) }
    }

    static func label(_ slot: Slot, _ buf: inout ScreenBuffer, _ parts: [(String, ThemeRole)]) {
        var x = slot.rect.x
        for (t, role) in parts { x += buf.put(t, x: x, y: slot.rect.y, maxWidth: slot.rect.maxX - x, Style(role)) }
    }

    static func plain(_ img: PixelImage, in r: Rect, _ buf: inout ScreenBuffer, _ mono: Bool) {
        ImageView.render(in: r, into: &buf, imageWidth: img.width, imageHeight: img.height, monochrome: mono,
            pixel: { tx, ty, dw, dh in .rgb(img.rgb(ImageView.source(tx, dw, img.width), ImageView.source(ty, dh, img.height))) },
            mono: { tx, ty, dw, dh in ImageView.rampChar(img.rgb(ImageView.source(tx, dw, img.width), ImageView.source(ty, dh, img.height))) })
    }

    /// Masked patches are darkened (and '▒' on monochrome terminals).
    static func view1(_ s: MaskSnapshot, in r: Rect, _ buf: inout ScreenBuffer, _ mono: Bool) {
        let img = s.view1, g = s.grid
        func isMasked(_ sx: Int, _ sy: Int) -> Bool { s.mask[(sy * g / img.height) * g + sx * g / img.width] }
        ImageView.render(in: r, into: &buf, imageWidth: img.width, imageHeight: img.height, monochrome: mono,
            pixel: { tx, ty, dw, dh in
                let sx = ImageView.source(tx, dw, img.width), sy = ImageView.source(ty, dh, img.height)
                let c = img.rgb(sx, sy)
                return .rgb(isMasked(sx, sy) ? c.mixed(with: RGB(40, 0, 10), 0.7) : c)
            },
            mono: { tx, ty, dw, dh in
                let sx = ImageView.source(tx, dw, img.width), sy = ImageView.source(ty, dh, img.height)
                return isMasked(sx, sy) ? "▒" : ImageView.rampChar(img.rgb(sx, sy))
            })
    }

    /// The source image with the outlines of both crop boxes (view 2's drawn last, on top).
    static func source(_ s: MaskSnapshot, in r: Rect, _ buf: inout ScreenBuffer, _ mono: Bool) {
        let img = s.source
        // Boxes from a bad snapshot may be anywhere: clamp to a few image sizes so the arithmetic cannot overflow.
        func clamp(_ v: Int, _ size: Int) -> Int { min(max(v, -4 * size), 4 * size) }
        func onBox(_ b: CropBox, _ tx: Int, _ ty: Int, _ dw: Int, _ dh: Int) -> Bool {
            let left = clamp(b.left, img.width), top = clamp(b.top, img.height)
            let right = left + clamp(b.width, img.width), bottom = top + clamp(b.height, img.height)
            let x0 = left * dw / img.width, x1 = max(x0, right * dw / img.width - 1)
            let y0 = top * dh / img.height, y1 = max(y0, bottom * dh / img.height - 1)
            let inX = tx >= x0 && tx <= x1, inY = ty >= y0 && ty <= y1
            return (inY && (tx == x0 || tx == x1)) || (inX && (ty == y0 || ty == y1))
        }
        ImageView.render(in: r, into: &buf, imageWidth: img.width, imageHeight: img.height, monochrome: mono,
            pixel: { tx, ty, dw, dh in
                if onBox(s.crop2, tx, ty, dw, dh) { return .role(.crop2) }
                if onBox(s.crop1, tx, ty, dw, dh) { return .role(.crop1) }
                return .rgb(img.rgb(ImageView.source(tx, dw, img.width), ImageView.source(ty, dh, img.height)))
            },
            mono: { tx, ty, dw, dh in
                if onBox(s.crop2, tx, ty, dw, dh) || onBox(s.crop2, tx, ty + 1, dw, dh) { return "2" }
                if onBox(s.crop1, tx, ty, dw, dh) || onBox(s.crop1, tx, ty + 1, dw, dh) { return "1" }
                return ImageView.rampChar(img.rgb(ImageView.source(tx, dw, img.width), ImageView.source(ty, dh, img.height)))
            })
    }
}
